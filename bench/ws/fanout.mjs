// Live event fan-out: N GraphQL subscriptions to `accountChanges` over WebSocket
// (graphql-transport-ws), events committed at a fixed rate through `updateAccount`, and for every
// (subscriber, event) pair the time from the mutation's HTTP answer to the event's arrival.
// A few "slow" subscribers subscribe and then stop reading their socket entirely; the run shows
// whether they hold the others back, what the server's memory does meanwhile, and whether the
// server ever lets go of them.
//
//   node fanout.mjs --servers 127.0.0.1:P1[,127.0.0.1:P2] --pids PID1[,PID2] --token TOKEN
//        [--subscribers 1000] [--slow 5] [--slow-subscriptions 20] [--events 200] [--rate 20]
//        [--accounts 20] [--workers 2] [--drain 10] [--watch 40] [--commit-via alternate|first]
//
// Needs the `ws` package (bench/fanout installs it under ~/.cache/tandem-bench and passes
// WS_MODULE_DIR). Prints a human summary and `key=value` lines; exits 1 when a subscriber that
// kept reading missed an event, 2 on a set-up failure.
//
// Subscriber i connects to server i % servers and lives in worker thread i % workers. The
// subscribers 0 … slow-1 are the slow ones (so they are spread over servers and workers too).
// Times are absolute (performance.timeOrigin + performance.now()), so the main thread's commit
// times and the workers' arrival times are on one clock.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Every event's account name is `fo-<run>-e<i>`; probes are `fo-<run>-p<k>`.
const NAME = /^fo-[0-9a-z]+-([ep])(\d+)$/;
const SUBSCRIPTION =
  'subscription { accountChanges(kinds: [ACCOUNT_UPDATED]) { cursor accountId changes { field after } } }';
// The slow subscribers ask for ~2 KB per event (the changes 25 times over, under the server's
// alias limit of 30), so that what they leave unread outgrows the kernel's socket buffers
// (up to 4 MiB of send buffer on the server's side on Linux) within seconds, and the server
// itself has to hold or drop what it cannot send.
const SLOW_SUBSCRIPTION = `subscription { accountChanges(kinds: [ACCOUNT_UPDATED]) { cursor kind accountId subjectId actor occurredAt changes { field after } ${
  Array.from({ length: 25 }, (_, k) => `c${k}: changes { field before after }`).join(' ')} } }`;

/** The marker an event message carries: ['e', index] or ['p', probe], or null. */
function marker(raw) {
  const msg = JSON.parse(raw);
  if (msg.type !== 'next') return [msg.type, msg];
  const changes = msg.payload?.data?.accountChanges?.changes || [];
  for (const c of changes) {
    if (c.field === 'name' && typeof c.after === 'string') {
      const m = NAME.exec(c.after);
      if (m) return [m[1], Number(m[2])];
    }
  }
  return ['other', msg];
}

if (isMainThread) await main();
else await worker();

// --- worker: holds a share of the subscribers --------------------------------------------------
async function worker() {
  const { servers, token, subs, events, slowSubscriptions, wsDir } = workerData;
  const require = createRequire(wsDir ? `${wsDir}/` : import.meta.url);
  const WebSocket = require('ws');
  // arrival[j * events + i]: when subscriber j (of this worker) received event i; 0 = not yet
  const arrival = new Float64Array(subs.length * events);
  const state = subs.map((s) => ({
    ...s, ws: null, acked: false, error: null, probe: -1, received: 0, duplicates: 0,
    slowReceived: 0, slowAtPause: 0, slowAtResume: 0, paused: false, closedAt: 0, closeCode: null, localPort: 0,
  }));
  // the histogram records whole timer intervals: minus the resolution, what is left is the delay
  const resolution = 2;
  const delay = monitorEventLoopDelay({ resolution });

  function open(j) {
    const s = state[j];
    return new Promise((resolve) => {
      const ws = new WebSocket(`ws://${servers[s.server]}/graphql`, 'graphql-transport-ws', { perMessageDeflate: false });
      s.ws = ws;
      const timer = setTimeout(() => { s.error = s.error || 'timeout'; resolve(); }, 30000);
      ws.on('open', () => {
        s.localPort = ws._socket.localPort;
        ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } }));
      });
      ws.on('message', (raw) => {
        const at = now();
        const [kind, value] = marker(raw.toString());
        if (kind === 'e') {
          if (s.slow) { s.slowReceived += 1; return; }
          if (value >= events) return;
          const k = j * events + value;
          if (arrival[k]) { s.duplicates += 1; return; }
          arrival[k] = at;
          s.received += 1;
        } else if (kind === 'p') {
          if (value > s.probe) s.probe = value;
        } else if (kind === 'connection_ack') {
          s.acked = true;
          const n = s.slow ? slowSubscriptions : 1;
          for (let k = 0; k < n; k++) {
            ws.send(JSON.stringify({ id: `s${s.index}-${k}`, type: 'subscribe', payload: { query: s.slow ? SLOW_SUBSCRIPTION : SUBSCRIPTION } }));
          }
          clearTimeout(timer);
          resolve();
        } else if (kind === 'ping') {
          ws.send(JSON.stringify({ type: 'pong' }));
        } else if (kind === 'error') {
          s.error = s.error || JSON.stringify(value.payload);
        }
      });
      ws.on('error', (e) => { s.error = s.error || String(e.message || e); clearTimeout(timer); resolve(); });
      ws.on('close', (code) => {
        s.closedAt = now();
        s.closeCode = code;
        if (!s.acked) { s.error = s.error || `closed ${code}`; clearTimeout(timer); resolve(); }
      });
    });
  }

  const summary = () => {
    let received = 0;
    for (const s of state) if (!s.slow) received += s.received;
    return { received };
  };

  parentPort.on('message', async (cmd) => {
    switch (cmd.cmd) {
      case 'open': {
        for (let j = 0; j < state.length; j += 50) {
          const batch = [];
          for (let k = j; k < Math.min(state.length, j + 50); k++) batch.push(open(k));
          await Promise.all(batch);
        }
        const failed = state.filter((s) => s.error || !s.acked);
        parentPort.postMessage({
          type: 'opened', acked: state.filter((s) => s.acked && !s.error).length,
          failed: failed.length, firstError: failed[0]?.error || null,
          ports: state.map((s) => ({ port: s.localPort, slow: s.slow, server: s.server })),
        });
        break;
      }
      case 'probe': {
        // subscribers that have seen probe k (or a later one)
        parentPort.postMessage({ type: 'probe', seen: state.filter((s) => s.probe >= cmd.k).length });
        break;
      }
      case 'pause': {
        for (const s of state) if (s.slow && s.ws._socket) { s.ws._socket.pause(); s.paused = true; s.slowAtPause = s.slowReceived; }
        delay.enable();
        parentPort.postMessage({ type: 'paused' });
        break;
      }
      case 'status': {
        parentPort.postMessage({ type: 'status', ...summary() });
        break;
      }
      case 'resume': {
        delay.disable();
        for (const s of state) if (s.paused && s.ws._socket) { s.slowAtResume = s.slowReceived; s.ws._socket.resume(); }
        parentPort.postMessage({ type: 'resumed' });
        break;
      }
      case 'collect': {
        const slow = state.filter((s) => s.slow).map((s) => ({
          index: s.index, server: s.server, receivedBeforePause: s.slowAtPause,
          receivedWhilePaused: s.slowAtResume - s.slowAtPause,
          receivedAfterResume: s.slowReceived - s.slowAtResume,
          closeCode: s.closeCode, closedAt: s.closedAt,
        }));
        const subsOut = state.map((s) => ({ index: s.index, server: s.server, slow: s.slow, duplicates: s.duplicates }));
        const copy = arrival.slice();
        parentPort.postMessage({
          type: 'collected', arrival: copy, subs: subsOut, slow,
          loopDelay: { p99: Math.max(0, delay.percentile(99) / 1e6 - resolution), max: Math.max(0, delay.max / 1e6 - resolution) },
        }, [copy.buffer]);
        break;
      }
      case 'close': {
        for (const s of state) s.ws?.terminate();
        await sleep(200);
        parentPort.postMessage({ type: 'closed' });
        break;
      }
      default:
        break;
    }
  });
}

// --- main: sets up, commits the events, measures ------------------------------------------------
async function main() {
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []));
  const servers = String(args.servers).split(',');
  const pids = String(args.pids).split(',').map(Number);
  const token = args.token;
  const count = Number(args.subscribers ?? 1000);
  const slowCount = Number(args.slow ?? 5);
  const slowSubscriptions = Number(args['slow-subscriptions'] ?? 20);
  const events = Number(args.events ?? 200);
  const rate = Number(args.rate ?? 20);
  const accountCount = Number(args.accounts ?? 20);
  const workerCount = Number(args.workers ?? 2);
  const drainS = Number(args.drain ?? 10);
  const watchS = Number(args.watch ?? 40);
  // alternate: event i through server i % servers; first: every event through server A, so that
  // server B hears of them only from its outbox poll
  const commitVia = args['commit-via'] ?? 'alternate';
  const run = Math.floor(Date.now() / 1000).toString(36);
  const fail = (msg) => { console.log(`setup_error=${JSON.stringify(msg)}`); process.exit(2); };
  if (slowCount >= count) fail('--slow must be fewer than --subscribers');

  // HTTP: one keep-alive agent (undici) per process; mutation through server s
  const gql = async (s, query, variables) => {
    const r = await fetch(`http://${servers[s]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return r.json();
  };
  const UPDATE = 'mutation($id: ID!, $v: Int!, $n: String) { updateAccount(input: {id: $id, version: $v, name: $n}) { account { version } } }';

  // --- memory, CPU and socket sampling, every second from before the subscribers connect ---------
  const status = (pid) => {
    try {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = (key) => Number((text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
      return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
    } catch { return { rss: 0, hwm: 0 }; }
  };
  const cpuTicks = (pid) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s)
    } catch { return 0; }
  };
  const machine = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], total: f.reduce((a, b) => a + b, 0) };
  };
  const serverPorts = servers.map((s) => Number(s.split(':').pop()));
  let slowPorts = new Set();
  let readerPorts = new Set();
  // /proc/net/tcp: the server side of each subscriber connection and its send queue
  const sockets = () => {
    const out = { slowEstablished: 0, slowSendQ: 0, slowClientRecvQ: 0, readerSendQ: 0, readerEstablished: 0 };
    let text = '';
    try { text = readFileSync('/proc/net/tcp', 'utf8'); } catch { return out; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const local = parseInt(f[1].split(':')[1], 16);
      const remote = parseInt(f[2].split(':')[1], 16);
      const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16));
      const established = f[3] === '01';
      if (serverPorts.includes(local)) {
        if (slowPorts.has(remote)) { out.slowSendQ += tx; if (established) out.slowEstablished += 1; }
        else if (readerPorts.has(remote)) { out.readerSendQ += tx; if (established) out.readerEstablished += 1; }
      } else if (slowPorts.has(local) && serverPorts.includes(remote)) {
        out.slowClientRecvQ += rx;
      }
    }
    return out;
  };
  const started = now();
  let phase = 'idle';
  const timeline = [];
  const sample = () => {
    const mem = pids.map(status);
    const sock = sockets();
    timeline.push({ t: (now() - started) / 1000, phase, mem, ...sock });
  };
  sample();
  const sampler = setInterval(sample, 1000);

  // --- accounts ----------------------------------------------------------------------------------
  const accounts = [];
  for (let a = 0; a < accountCount; a++) {
    const r = await gql(0, 'mutation($n: String!) { createAccount(input: {name: $n}) { account { id version } } }',
      { n: `fanout ${run} account ${a}` });
    if (r.errors || !r.data) fail(`createAccount: ${JSON.stringify(r.errors)}`);
    accounts.push({ id: r.data.createAccount.account.id, version: r.data.createAccount.account.version, busy: false });
  }
  const update = async (s, account, name) => {
    account.busy = true;
    try {
      const r = await gql(s, UPDATE, { id: account.id, v: account.version, n: name });
      if (r.errors || !r.data) return JSON.stringify(r.errors || r);
      account.version = r.data.updateAccount.account.version;
      return null;
    } catch (e) {
      return String(e.message || e);
    } finally {
      account.busy = false;
    }
  };

  // --- subscribers, in worker threads ------------------------------------------------------------
  const workers = [];
  for (let w = 0; w < workerCount; w++) {
    const subs = [];
    for (let i = w; i < count; i += workerCount) subs.push({ index: i, server: i % servers.length, slow: i < slowCount });
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { servers, token, subs, events, slowSubscriptions, wsDir: process.env.WS_MODULE_DIR },
    });
    const waiting = [];
    worker.on('message', (m) => { const w2 = waiting.shift(); if (w2) w2(m); });
    worker.on('error', (e) => fail(`worker: ${e.stack || e}`));
    workers.push({ worker, subs, ask: (cmd) => new Promise((r) => { waiting.push(r); worker.postMessage(cmd); }) });
  }
  const askAll = (cmd) => Promise.all(workers.map((w) => w.ask(cmd)));

  phase = 'connect';
  const openStarted = now();
  const opened = await askAll({ cmd: 'open' });
  const acked = opened.reduce((a, o) => a + o.acked, 0);
  for (const o of opened) for (const p of o.ports) (p.slow ? slowPorts : readerPorts).add(p.port);
  slowPorts = new Set(slowPorts); readerPorts = new Set(readerPorts);
  const openS = (now() - openStarted) / 1000;
  console.log(`# ${acked}/${count} connections acknowledged in ${openS.toFixed(1)} s` +
    (opened.some((o) => o.failed) ? `; first error: ${opened.find((o) => o.failed).firstError}` : ''));
  if (acked < count) fail(`only ${acked} of ${count} subscribers were acknowledged`);

  // graphql-transport-ws does not acknowledge a subscribe: a subscription is known to be live when
  // it receives an event, so commit probes (through each server in turn) until all have seen one
  phase = 'probe';
  let probe = 0, live = 0;
  const probeDeadline = now() + 60000;
  while (now() < probeDeadline) {
    const err = await update(probe % servers.length, accounts[0], `fo-${run}-p${probe}`);
    if (err) fail(`probe update: ${err}`);
    const until = now() + 2500;
    while (now() < until) {
      await sleep(100);
      live = (await askAll({ cmd: 'probe', k: probe })).reduce((a, r) => a + r.seen, 0);
      if (live === count) break;
    }
    if (live === count) break;
    probe += 1;
  }
  console.log(`# ${live}/${count} subscriptions live (saw probe ${probe}) ${((now() - openStarted) / 1000).toFixed(1)} s after the first connection`);
  if (live < count) fail(`only ${live} of ${count} subscriptions received a probe event`);
  await askAll({ cmd: 'pause' });
  const rssBefore = pids.map(status);

  // --- events: open loop at the given rate, alternately through each server ----------------------
  phase = 'events';
  const sentAt = new Float64Array(events);
  const committedAt = new Float64Array(events);
  const via = new Uint8Array(events);
  const errors = [];
  const inflight = [];
  const cpu0 = process.cpuUsage();
  const serverCpu0 = pids.map(cpuTicks);
  const machine0 = machine();
  const t0 = now() + 100;
  let next = 0;
  for (let i = 0; i < events; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    // the next account with no update in flight (an update needs the version the last one left)
    let account = null;
    for (let k = 0; k < accounts.length && !account; k++) {
      const a = accounts[(next + k) % accounts.length];
      if (!a.busy) { account = a; next = (next + k + 1) % accounts.length; }
    }
    if (!account) { errors.push(`event ${i}: every account has an update in flight (raise --accounts)`); continue; }
    const s = commitVia === 'first' ? 0 : i % servers.length;
    via[i] = s;
    sentAt[i] = now();
    inflight.push(update(s, account, `fo-${run}-e${i}`).then((err) => {
      committedAt[i] = now();
      if (err) { errors.push(`event ${i}: ${err}`); committedAt[i] = 0; }
    }));
  }
  await Promise.all(inflight);
  const lastCommit = now();
  const eventsS = (lastCommit - t0) / 1000;
  const cpu1 = process.cpuUsage(cpu0);
  const serverCpu = pids.map((p, k) => ((cpuTicks(p) - serverCpu0[k]) / 100 / eventsS) * 100);
  const machine1 = machine();
  const committed = Array.from(committedAt).filter((t) => t > 0).length;

  // --- drain: wait until every reading subscriber has every event, or --drain seconds ------------
  phase = 'drain';
  const readers = count - slowCount;
  const drainDeadline = now() + drainS * 1000;
  let received = 0;
  while (now() < drainDeadline) {
    received = (await askAll({ cmd: 'status' })).reduce((a, r) => a + r.received, 0);
    if (received >= readers * committed) break;
    await sleep(100);
  }
  const drainedIn = (now() - lastCommit) / 1000;

  // --- the slow subscribers: does the server ever let go of them? --------------------------------
  phase = 'watch';
  const watchStarted = now();
  let dropped = null;
  while (now() - watchStarted < watchS * 1000) {
    await sleep(1000);
    if (sockets().slowEstablished === 0) { dropped = (now() - lastCommit) / 1000; break; }
  }
  const atWatchEnd = sockets();
  const rssHeld = pids.map(status);
  phase = 'resume';
  await askAll({ cmd: 'resume' });
  await sleep(3000);
  const collected = await askAll({ cmd: 'collect' });
  phase = 'closed';
  await askAll({ cmd: 'close' });
  await sleep(2000);
  sample();
  clearInterval(sampler);
  const rssAfter = pids.map(status);
  for (const w of workers) await w.worker.terminate();

  // --- figures -------------------------------------------------------------------------------------
  const lat = [];
  const latByServer = servers.map(() => []);
  const latByPath = { same: [], other: [] };
  const fromSend = [];
  let missing = 0, duplicates = 0;
  for (const c of collected) {
    c.subs.forEach((sub, j) => {
      duplicates += sub.duplicates;
      if (sub.slow) return;
      for (let i = 0; i < events; i++) {
        if (!committedAt[i]) continue;
        const at = c.arrival[j * events + i];
        if (!at) { missing += 1; continue; }
        const ms = at - committedAt[i];
        lat.push(ms);
        fromSend.push(at - sentAt[i]);
        latByServer[sub.server].push(ms);
        (via[i] === sub.server ? latByPath.same : latByPath.other).push(ms);
      }
    });
  }
  const pct = (xs) => {
    const s = Float64Array.from(xs).sort();
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
    return { n: s.length, min: q(0), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s.length ? s[s.length - 1] : NaN };
  };
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const line = (p) => `p50_ms=${f1(p.p50)} p90_ms=${f1(p.p90)} p99_ms=${f1(p.p99)} max_ms=${f1(p.max)} min_ms=${f1(p.min)} n=${p.n}`;
  const mib = (k) => (k / 1024).toFixed(1);
  const roundTrip = pct(Array.from(sentAt).map((s, i) => (committedAt[i] ? committedAt[i] - s : NaN)).filter(Number.isFinite));
  const all = pct(lat);
  const expected = readers * committed;

  console.log(`subscribers=${count} slow=${slowCount} slow_subscriptions_each=${slowSubscriptions} servers=${servers.length} commit_via=${commitVia} workers=${workerCount}`);
  console.log(`events=${events} committed=${committed} rate_per_s=${rate} achieved_per_s=${(committed / eventsS).toFixed(1)} mutation_errors=${errors.length}` +
    ` mutation_round_trip_p50_ms=${f1(roundTrip.p50)} p99_ms=${f1(roundTrip.p99)}`);
  for (const e of errors.slice(0, 5)) console.log(`mutation_error ${e}`);
  console.log(`deliveries expected=${expected} received=${expected - missing} missing=${missing} duplicates=${duplicates}` +
    ` (readers=${readers} x committed=${committed}; the slow subscribers are left out) drained_in_s=${drainedIn.toFixed(1)}`);
  console.log(`latency all        ${line(all)}   (from the mutation's HTTP answer to the event's arrival)`);
  console.log(`latency from_send  ${line(pct(fromSend))}   (from sending the mutation: an upper bound)`);
  if (servers.length > 1) {
    latByServer.forEach((xs, s) => console.log(`latency server_${'AB'[s] || s}   ${line(pct(xs))}   (subscribers connected to server ${'AB'[s] || s})`));
    console.log(`latency same_srv   ${line(pct(latByPath.same))}   (event committed through the subscriber's own server)`);
    console.log(`latency other_srv  ${line(pct(latByPath.other))}   (event committed through the other server: relay poll)`);
  }
  const target = all.p99 <= 250 && missing === 0;
  console.log(`target p99<=250ms with every delivery: ${target ? 'MET' : 'MISSED'} (p99 ${f1(all.p99)} ms, missing ${missing})`);
  const loop = collected.map((c) => `${f1(c.loopDelay.p99)}/${f1(c.loopDelay.max)}`).join(' ');
  console.log(`client cpu_pct=${(((cpu1.user + cpu1.system) / 1000 / (eventsS * 1000)) * 100).toFixed(0)} (of one core, all threads)` +
    ` worker_event_loop_delay_p99/max_ms=${loop}; server cpu_pct=${serverCpu.map((c) => c.toFixed(0)).join(',')};` +
    ` machine busy_pct=${(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100).toFixed(0)} during the events`);
  console.log(`memory before_events rss_mib=${rssBefore.map((m) => mib(m.rss)).join(',')}` +
    ` | slow still stalled rss_mib=${rssHeld.map((m) => mib(m.rss)).join(',')} hwm_mib=${rssHeld.map((m) => mib(m.hwm)).join(',')}` +
    ` | after all closed rss_mib=${rssAfter.map((m) => mib(m.rss)).join(',')}`);
  console.log('timeline (every second; rss per server; server send queue to the slow subscribers, their unread receive queue, and to the readers)');
  let last = '';
  for (const s of timeline) {
    const row = `  t=${s.t.toFixed(0).padStart(3)}s ${s.phase.padEnd(7)} rss_mib=${s.mem.map((m) => mib(m.rss)).join(',')} hwm_mib=${s.mem.map((m) => mib(m.hwm)).join(',')}` +
      ` slow_conns=${s.slowEstablished} slow_sendq_kib=${(s.slowSendQ / 1024).toFixed(0)} slow_recvq_kib=${(s.slowClientRecvQ / 1024).toFixed(0)}` +
      ` reader_sendq_kib=${(s.readerSendQ / 1024).toFixed(0)}`;
    if (row.slice(10) !== last) console.log(row);
    last = row.slice(10);
  }
  const slow = collected.flatMap((c) => c.slow).sort((a, b) => a.index - b.index);
  console.log(`slow subscribers: server connections still established ${watchS} s after the last commit: ${atWatchEnd.slowEstablished}/${slowCount}` +
    (dropped !== null ? ` (all dropped ${dropped.toFixed(1)} s after the last commit)` : ' (never dropped)'));
  for (const s of slow) {
    console.log(`  slow #${s.index} server=${'AB'[s.server]} event messages before pause=${s.receivedBeforePause}` +
      ` while paused=${s.receivedWhilePaused}` +
      ` in the 3 s after resuming=${s.receivedAfterResume} (of ${events} events x ${slowSubscriptions} subscriptions)` +
      ` close=${s.closeCode === null ? 'open' : s.closeCode}`);
  }
  process.exit(missing > 0 || errors.length > 0 ? 1 : 0);
}
