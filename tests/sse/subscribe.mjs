// Subscribes to Tandem's account changes over Server-Sent Events with the graphql-sse client
// ("distinct connections mode"), as a browser or Node.js application would.
//   node subscribe.mjs URL   (with TANDEM_TOKEN set to a bearer token)
// Prints one JSON line per step, for tests/tests/e2e/sse.rs to read:
//   {"connected":true}                 once the server has opened the event stream
//   {"event": <ExecutionResult>}       the first account change received
//   {"query": <ExecutionResult>}       a query sent over SSE afterwards (one result, then complete)
// Exits non-zero on any error.
import { createClient } from 'graphql-sse';

const url = process.argv[2];
const token = process.env.TANDEM_TOKEN;
if (!url || !token) {
  console.error('usage: TANDEM_TOKEN=... node subscribe.mjs URL');
  process.exit(2);
}
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const client = createClient({
  url,
  singleConnection: false,
  retryAttempts: 0,
  headers: { authorization: `Bearer ${token}` },
});
const timeout = setTimeout(() => {
  console.error('no event within 20 s');
  process.exit(1);
}, 20_000);

const subscription = client.iterate(
  { query: 'subscription { accountChanges { kind account { name } } }' },
  { connected: () => print({ connected: true }) },
);
const { value: event } = await subscription.next();
print({ event });
await subscription.return();

const results = [];
for await (const result of client.iterate({ query: 'query Count { accounts(first: 5) { totalCount } }' })) {
  results.push(result);
}
if (results.length !== 1) {
  console.error(`expected one result for a query, got ${results.length}`);
  process.exit(1);
}
print({ query: results[0] });
clearTimeout(timeout);
client.dispose();
