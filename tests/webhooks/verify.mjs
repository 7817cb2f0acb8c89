// Checks one captured webhook delivery with independent implementations: the Standard Webhooks
// reference library (`standardwebhooks`) and the CloudEvents JavaScript SDK (`cloudevents`).
//
// Reads JSON on standard input: {"secrets": ["whsec_…", …], "headers": {name: value}, "body":
// "<the raw body>"}. Prints JSON: {"signatures": [{"secret": i, "valid": bool, "error": …}],
// "cloudEvent": {…attributes, data} or null, "cloudEventError": … or null}. Each secret is
// tried on its own, so a test can tell which of them the delivery's signatures match.
import { Webhook } from "standardwebhooks";
import { HTTP } from "cloudevents";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secrets, headers, body } = JSON.parse(input);

const signatures = secrets.map((secret, i) => {
  try {
    new Webhook(secret).verify(body, headers);
    return { secret: i, valid: true, error: null };
  } catch (e) {
    return { secret: i, valid: false, error: String(e.message ?? e) };
  }
});

let cloudEvent = null;
let cloudEventError = null;
if (Object.keys(headers).some((h) => h.toLowerCase() === "ce-specversion")) {
  try {
    const event = HTTP.toEvent({ headers, body });
    const e = Array.isArray(event) ? event[0] : event;
    cloudEvent = {
      specversion: e.specversion,
      id: e.id,
      source: e.source,
      type: e.type,
      subject: e.subject,
      time: e.time,
      datacontenttype: e.datacontenttype,
      data: e.data,
    };
  } catch (e) {
    cloudEventError = String(e.message ?? e);
  }
}

process.stdout.write(JSON.stringify({ signatures, cloudEvent, cloudEventError }) + "\n");
