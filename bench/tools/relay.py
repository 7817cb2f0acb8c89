#!/usr/bin/env python3
"""The JetStream relay's figures during a bench run, read from tandem's /metrics.

  relay.py watch METRICS_URL FILE      sample every 0.25 s into FILE until terminated
  relay.py level METRICS_URL TIMEOUT   wait until the relay has nothing left; print the seconds
  relay.py report FILE DRAIN CONNS     one line: relayed events/s, commits/s, peak lag

Relay throughput counts events acknowledged by JetStream (tandem_jetstream_published_total);
commits/s counts the outbox's growth (tandem_event_outbox_cursor) over the same samples; lag is
the newest cursor less the relay's position, in events and in the age of the oldest event not
yet acknowledged (commit to ack).
"""
import json
import signal
import sys
import time
import urllib.request

NAMES = ('tandem_jetstream_published_total', 'tandem_jetstream_relay_lag_events',
         'tandem_jetstream_relay_lag_seconds', 'tandem_jetstream_relay_delay_seconds',
         'tandem_event_outbox_cursor')


def scrape(url):
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in NAMES:
            out[parts[0]] = float(parts[1])
    return out


def watch(url, path):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(path, 'a') as f:
        while not stop:
            try:
                sample = scrape(url)
                sample['t'] = time.monotonic()
                f.write(json.dumps(sample) + '\n')
                f.flush()
            except OSError:
                pass
            time.sleep(0.25)


def level(url, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if scrape(url).get('tandem_jetstream_relay_lag_events', 1) == 0:
                print(f'{time.monotonic() - start:.2f}')
                return
        except OSError:
            pass
        time.sleep(0.1)
    print('timeout')


def report(path, drain, conns):
    samples = [json.loads(line) for line in open(path) if line.strip()]
    samples = [s for s in samples if 'tandem_jetstream_published_total' in s]
    if len(samples) < 2:
        print('relay    no samples (is /metrics on?)')
        return
    first, last = samples[0], samples[-1]
    span = last['t'] - first['t']
    relayed = last['tandem_jetstream_published_total'] - first['tandem_jetstream_published_total']
    committed = last.get('tandem_event_outbox_cursor', 0) - first.get('tandem_event_outbox_cursor', 0)
    peak_events = max(s.get('tandem_jetstream_relay_lag_events', 0) for s in samples)
    peak_seconds = max(s.get('tandem_jetstream_relay_lag_seconds', 0) for s in samples)
    delays = sorted(s.get('tandem_jetstream_relay_delay_seconds', 0) for s in samples)
    print(f'relay          writes     c={conns:<3} jetstream relayed={int(relayed)} relayed_per_s={relayed / span:.0f} '
          f'committed_per_s={committed / span:.0f} peak_lag_events={int(peak_events)} '
          f'peak_lag_s={peak_seconds:.2f} commit_to_ack_p50_ms={delays[len(delays) // 2] * 1000:.1f} '
          f'commit_to_ack_max_ms={delays[-1] * 1000:.1f} drained_after_load_s={drain}')


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'watch':
        watch(sys.argv[2], sys.argv[3])
    elif cmd == 'level':
        level(sys.argv[2], float(sys.argv[3]))
    elif cmd == 'report':
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f'relay.py: unknown command {cmd}')
