// A webhook receiver for Tandem: verifies each delivery with the Standard Webhooks library
// (npm `standardwebhooks`, which shares no code with Tandem), drops repeats by delivery id, and
// prints one JSON line per event it accepts.
//
//   TANDEM_WEBHOOK_SECRET=whsec_… PORT=8787 node receiver.mjs
//
// Register http://<this host>:8787/ with `registerWebhookEndpoint` (the answer shows the secret
// once). Works with both envelopes: TANDEM (the body is {deliveryId, event}) and CLOUD_EVENTS
// (the body is the event; the ce-* headers carry its attributes). PORT=0 takes a free port; the
// first line printed says which.
import http from "node:http";
import { Webhook } from "standardwebhooks";

const secret = process.env.TANDEM_WEBHOOK_SECRET;
if (!secret) {
  console.error("set TANDEM_WEBHOOK_SECRET to the endpoint's whsec_… secret");
  process.exit(2);
}
// During a rotation's overlap a delivery carries the new and the old signature; either secret
// verifies it, so the receiver may hold either.
const webhook = new Webhook(secret);
// Delivery is at least once: the same delivery can arrive again after a crash, with the same id.
// A real receiver keeps these ids where its effects are stored; a bounded set does for a demo.
const seen = new Set();

const server = http.createServer(async (request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405).end();
    return;
  }
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  // Verify the raw body exactly as it arrived: re-serialised JSON would not match.
  const body = Buffer.concat(chunks).toString("utf8");
  let payload;
  try {
    payload = webhook.verify(body, request.headers);
  } catch (error) {
    // A wrong signature, or a timestamp more than five minutes off: not from Tandem.
    console.log(JSON.stringify({ rejected: String(error.message ?? error) }));
    response.writeHead(401).end();
    return;
  }
  const id = request.headers["webhook-id"];
  if (!seen.has(id)) {
    seen.add(id);
    if (seen.size > 10000) seen.delete(seen.values().next().value);
    const event = request.headers["ce-specversion"] ? payload : payload.event;
    console.log(
      JSON.stringify({
        deliveryId: id,
        kind: event.kind,
        cursor: event.cursor,
        accountId: event.accountId,
        subjectId: event.subjectId,
      }),
    );
  }
  // Any 2xx settles the delivery; answer quickly and do slow work afterwards.
  response.writeHead(204).end();
});

server.listen(Number(process.env.PORT ?? 8787), process.env.HOST ?? "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: server.address().port }));
});
