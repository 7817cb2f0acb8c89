#!/usr/bin/env python3
"""CPU accounting for one measured run, from /proc: where the machine's CPU time went.

    cpu.py snap TANDEM_PID [POSTMASTER_PID]         prints a snapshot (one line of numbers)
    cpu.py diff "SNAP_BEFORE" "SNAP_AFTER" REQUESTS prints server_cpu_ms, db_cpu_ms (CPU time per
                                                    request), and other_pct: the share of the
                                                    machine used by everything else (wrk, and any
                                                    other load on the machine) during the run

On a small shared machine the figures per second move with whatever else runs; CPU time per
request moves much less, and other_pct says how busy the rest of the machine was.
"""
import os
import sys

TICK = os.sysconf('SC_CLK_TCK')


def ticks(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return 0


def children(pid):
    out = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def machine():
    with open('/proc/stat') as f:
        parts = [int(x) for x in f.readline().split()[1:9]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def snap(tandem, postmaster):
    db = 0
    if postmaster:
        db = ticks(postmaster) + sum(ticks(p) for p in children(postmaster))
    busy, total = machine()
    print(ticks(tandem), db, busy, total)


def diff(before, after, requests):
    b = [int(x) for x in before.split()]
    a = [int(x) for x in after.split()]
    d = [y - x for x, y in zip(b, a)]
    per = lambda t: t * 1000 / TICK / requests if requests else float('nan')
    # /proc/stat counts every core: the share of the whole machine
    other = (d[2] - d[0] - d[1]) / d[3] * 100 if d[3] else float('nan')
    print(f'server_cpu_ms={per(d[0]):.3f} db_cpu_ms={per(d[1]):.3f} other_pct={max(other, 0):.0f}')


if __name__ == '__main__':
    if sys.argv[1] == 'snap':
        snap(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else 0)
    elif sys.argv[1] == 'diff':
        diff(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
