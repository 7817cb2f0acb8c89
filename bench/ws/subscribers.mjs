// Opens N idle GraphQL subscriptions to Tandem over WebSocket (graphql-transport-ws), holds them,
// checks that one account change reaches every subscriber, and reports the server's memory.
//
//   node subscribers.mjs --url ws://127.0.0.1:PORT/graphql --http http://127.0.0.1:PORT/graphql
//        --token TOKEN --count 1000 --hold 10 --pid SERVER_PID --account GLOBAL_ID
//
// Needs the `ws` package (bench/run installs it under ~/.cache/tandem-bench). Prints key=value
// lines: rss before, with the subscribers held, and after they close; how many were acknowledged;
// how many received the change and how fast.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const require = createRequire(process.env.WS_MODULE_DIR ? `${process.env.WS_MODULE_DIR}/` : import.meta.url);
const WebSocket = require('ws');

const count = Number(args.count || 1000);
const holdMs = Number(args.hold || 10) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

function open(i) {
  return new Promise((resolve) => {
    const ws = new WebSocket(args.url, 'graphql-transport-ws');
    const sub = { ws, acked: false, subscribed: false, received: 0, firstAt: 0, error: null };
    const timer = setTimeout(() => { sub.error = sub.error || 'timeout'; resolve(sub); }, 20000);
    ws.on('open', () => ws.send(JSON.stringify({
      type: 'connection_init', payload: { Authorization: `Bearer ${args.token}` } })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.type === 'connection_ack') {
        sub.acked = true;
        ws.send(JSON.stringify({ id: `s${i}`, type: 'subscribe',
          payload: { query: 'subscription { accountChanges { cursor kind accountId } }' } }));
        // graphql-transport-ws does not acknowledge a subscribe: treat it as live once sent
        sub.subscribed = true;
        clearTimeout(timer);
        resolve(sub);
      } else if (msg.type === 'next') {
        sub.received += 1;
        if (!sub.firstAt) sub.firstAt = performance.now();
      } else if (msg.type === 'error') {
        sub.error = JSON.stringify(msg.payload);
      } else if (msg.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('error', (e) => { sub.error = String(e.message || e); clearTimeout(timer); resolve(sub); });
    ws.on('close', (code) => { if (!sub.acked) { sub.error = sub.error || `closed ${code}`; clearTimeout(timer); resolve(sub); } });
  });
}

const pid = Number(args.pid);
const before = memory(pid);
console.log(`rss_before_kib=${before.rss}`);
const subs = [];
const started = performance.now();
for (let i = 0; i < count; i += 50) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 50); j++) batch.push(open(j));
  subs.push(...await Promise.all(batch));
}
const live = subs.filter((s) => s.subscribed && !s.error);
console.log(`subscribed=${live.length} of=${count} open_s=${((performance.now() - started) / 1000).toFixed(1)}`);
const failures = subs.filter((s) => s.error);
if (failures.length) console.log(`failed=${failures.length} first_error=${failures[0].error}`);
await sleep(1000);

// one change on one account: every subscriber should see it
const answer = await fetch(args.http, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
  body: JSON.stringify({
    query: 'query($id: ID!) { account(id: $id) { version region } }', variables: { id: args.account } }),
}).then((r) => r.json());
const version = answer?.data?.account?.version;
// a real change (an update that changes nothing records no event)
const region = answer?.data?.account?.region === 'APAC' ? 'EMEA' : 'APAC';
const sent = performance.now();
const update = await fetch(args.http, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}` },
  body: JSON.stringify({
    query: 'mutation($id: ID!, $v: Int!, $r: String) { updateAccount(input: {id: $id, version: $v, region: $r}) { account { version } } }',
    variables: { id: args.account, v: version, r: region } }),
}).then((r) => r.json());
if (update.errors) console.log(`update_error=${JSON.stringify(update.errors)}`);
const deadline = performance.now() + 5000;
while (performance.now() < deadline && live.some((s) => s.received === 0)) await sleep(20);
const got = live.filter((s) => s.received > 0).map((s) => s.firstAt - sent).sort((a, b) => a - b);
const pct = (p) => (got.length ? got[Math.min(got.length - 1, Math.floor(p * got.length))] : NaN);
console.log(`delivered=${got.length} of=${live.length} min_ms=${pct(0).toFixed(1)} p50_ms=${pct(0.5).toFixed(1)} max_ms=${pct(1).toFixed(1)}`);

const remaining = holdMs - (performance.now() - sent);
if (remaining > 0) await sleep(remaining);
const held = memory(pid);
console.log(`rss_held_kib=${held.rss} hwm_kib=${held.hwm} per_subscriber_kib=${live.length ? ((held.rss - before.rss) / live.length).toFixed(1) : 'n/a'}`);
for (const s of subs) s.ws.terminate();
await sleep(2000);
console.log(`rss_after_close_kib=${memory(pid).rss}`);
process.exit(0);
