#!/usr/bin/env python3
"""Loads Tandem's benchmark data set into a SQLite database that `tandem migrate` has created.

The same rows as seed/postgres.sql (same ids, names, amounts, scores and dates), written in the
forms Tandem's SQLite storage uses: uuids as 16-byte blobs, timestamps as RFC 3339 text in UTC
('2026-11-23T10:00:00+00:00', whole seconds, as sqlx writes them), dates as 'YYYY-MM-DD', JSON
as text.

    sqlite.py DB_FILE --accounts 10000 --usage-events 1000000 --anchor 2026-11-23
"""
import argparse
import datetime as dt
import json
import sqlite3
import sys
import time

INDUSTRIES = ['Apparel', 'Furniture', 'Electronics', 'Grocery', 'Beauty', 'Sports']
SIZES = ['SIZE_1_10', 'SIZE_11_50', 'SIZE_51_200', 'SIZE_201_1000', 'SIZE_1001_5000', 'SIZE_5001_PLUS']
REGIONS = ['EMEA', 'NA', 'APAC', 'LATAM']
PLANS = ['Starter', 'Growth', 'Plus', 'Enterprise']
TIERS = ['HIGH', 'MEDIUM', 'LOW', 'TECH']
STAGES = ['ONBOARDING', 'ADOPTION', 'EXPANSION', 'RENEWAL']
FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell']
SECOND = ['Outdoor', 'Home', 'Apparel', 'Foods', 'Labs', 'Goods', 'Sports', 'Beauty']
ENGAGEMENT_STATUSES = ['PLANNED', 'ACTIVE', 'ON_HOLD', 'COMPLETED']
PHASE_NAMES = ['Catalog model', 'Apparel', 'Home', 'Checkout']
PHASE_FOCUS = ['Clean catalog', 'Apparel', 'Home', 'Slow checkout']
FEATURES = ['catalog.import', 'catalog.publish', 'checkout', 'search', 'reports', 'api.call',
            'orders.export', 'promotions']
DEFAULT_MODEL_ID = bytes.fromhex('0193a000000070008000000000000001')
NEEDS = '{"jobsToBeDone":[],"painPoints":[],"valueDrivers":[]}'


def uid(prefix, n):
    return bytes.fromhex(prefix + format(n, '030x'))


def ts(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S+00:00')


def midnight(day):
    return day.isoformat() + 'T00:00:00+00:00'


def phase_status(engagement_status, position):
    if engagement_status == 'COMPLETED':
        return 'ACCEPTED'
    if engagement_status == 'ACTIVE':
        return ['ACCEPTED', 'IN_PROGRESS', 'PLANNED', 'PLANNED'][position - 1]
    if engagement_status == 'ON_HOLD':
        return ['DELIVERED', 'PLANNED', 'PLANNED', 'PLANNED'][position - 1]
    return 'PLANNED'


def score(a, k):
    s = (20 + (a * 37) % 71) - (((a * 13) % 9) - 4) * (9 - k) + ((a * k * 7) % 5) - 2 + ((a + k) % 10) / 10.0
    return float(max(0, min(100, s)))


def status(s):
    return 'HEALTHY' if s >= 70 else 'AT_RISK' if s >= 40 else 'CRITICAL'


def main():
    p = argparse.ArgumentParser()
    p.add_argument('db')
    p.add_argument('--accounts', type=int, default=10000)
    p.add_argument('--usage-events', type=int, default=0)
    p.add_argument('--anchor', default=dt.datetime.now(dt.timezone.utc).date().isoformat())
    args = p.parse_args()
    n = args.accounts
    day = dt.date.fromisoformat(args.anchor)
    start = time.time()
    db = sqlite3.connect(args.db)
    db.execute('PRAGMA journal_mode=WAL')
    db.execute('PRAGMA synchronous=OFF')
    db.execute('BEGIN')
    db.executemany(
        'INSERT INTO team_members (id, name, email, title, team, role, version, created_at, updated_at, archived_at) '
        'VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, NULL)',
        ((uid('a1', i), f'Owner {i}', f'owner{i}@bench.example', 'Customer success manager',
          'CUSTOMER_SUCCESS', 'CS_MANAGER', midnight(day - dt.timedelta(800)),
          midnight(day - dt.timedelta(800))) for i in range(1, 9)))

    def accounts():
        for i in range(1, n + 1):
            name = f'{FIRST[(i * 7) % 10]} {SECOND[(i * 3) % 8]} {i:06d}'
            created = midnight(day - dt.timedelta(400 + i % 700))
            yield (uid('ac', i), name, name.lower(), f'account{i}.example', INDUSTRIES[i % 6],
                   SIZES[(i // 7) % 6], REGIONS[(i // 3) % 4], PLANS[(i // 5) % 4], TIERS[i % 4],
                   STAGES[(i // 11) % 4], uid('a1', 1 + i % 8),
                   (day + dt.timedelta(1 + (i * 7) % 365)).isoformat(), 'USD', '{}', NEEDS,
                   created, created)
    db.executemany(
        'INSERT INTO accounts (id, name, name_key, domain, industry, company_size, region, plan, touch_tier, '
        'lifecycle_stage, owner_id, renewal_date, currency, traits, needs, version, created_at, updated_at, archived_at) '
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL)', accounts())
    db.executemany(
        'INSERT INTO revenue_events (id, account_id, kind, amount_minor, currency, effective_on, created_at, recorded_by) '
        "VALUES (?, ?, 'NEW', ?, 'USD', ?, ?, 'bench')",
        ((uid('be', i), uid('ac', i), (100 + (i * 7919) % 50000) * 100,
          (day - dt.timedelta(400 + i % 700)).isoformat(), midnight(day - dt.timedelta(400 + i % 700)))
         for i in range(1, n + 1)))
    engaged = midnight(day - dt.timedelta(300))
    db.executemany(
        'INSERT INTO engagements (id, account_id, name, kind, source_platform, target_platform, lead_id, '
        'description, planned_start, status, version, created_at, updated_at) '
        "VALUES (?, ?, ?, 'REPLATFORMING', 'Legacy Commerce', 'Tandem Commerce', NULL, NULL, ?, ?, 1, ?, ?)",
        ((uid('e0', (a - 1) * 3 + k), uid('ac', a), f'Replatforming wave {k}',
          (day - dt.timedelta(300) + dt.timedelta((a * k) % 300)).isoformat(),
          ENGAGEMENT_STATUSES[(a + k) % 4], engaged, engaged)
         for a in range(1, n + 1) for k in range(1, 4)))

    def phases():
        for e in range(1, 3 * n + 1):
            a, k = (e - 1) // 3 + 1, (e - 1) % 3 + 1
            est = ENGAGEMENT_STATUSES[(a + k) % 4]
            for pos in range(1, 5):
                st = phase_status(est, pos)
                # accepted phases were accepted on a day of the last year (the outcome
                # comparison's period), except every third account's, accepted in the year before
                ago = (366 if a % 3 == 0 else 1) + (((e - 1) * 4 + pos) * 37) % 360
                accepted = (day - dt.timedelta(ago)).isoformat() if st == 'ACCEPTED' else None
                yield (uid('f0', (e - 1) * 4 + pos), uid('e0', e), pos, PHASE_NAMES[pos - 1],
                       'PROBLEM' if pos in (1, 4) else 'PRODUCT_LINE', PHASE_FOCUS[pos - 1],
                       st, accepted, engaged, engaged)
    db.executemany(
        'INSERT INTO phases (id, engagement_id, position, name, focus_kind, focus, objective, expected_value, '
        'planned_start, planned_end, milestones, status, actual_start, actual_end, accepted_on, version, '
        'created_at, updated_at, goal_id) '
        "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, '[]', ?, NULL, NULL, ?, 1, ?, ?, NULL)", phases())

    newest = dt.datetime.combine(day, dt.time(), dt.timezone.utc) - dt.timedelta(hours=1)
    current = []

    def scores():
        for a in range(1, n + 1):
            for k in range(10):
                s = score(a, k)
                row = (uid('b5', (a - 1) * 10 + k + 1), uid('ac', a), DEFAULT_MODEL_ID, s, status(s),
                       json.dumps([{'component': 'USAGE', 'score': s, 'weight': 1.0, 'contribution': s}],
                                  separators=(',', ':')),
                       ts(newest - dt.timedelta(days=7 * (9 - k))))
                if k == 9:
                    # with the scores 7 and 30 days before it (one and five weeks back); none
                    # of the ten weekly scores reaches 90 days back
                    current.append((row[1], row[0], row[3], row[4], row[6], score(a, 8), score(a, 4), None))
                yield row
    db.executemany(
        'INSERT INTO health_scores (id, account_id, model_id, model_version, score, status, breakdown, computed_at) '
        'VALUES (?, ?, ?, 1, ?, ?, ?, ?)', scores())
    db.executemany(
        'INSERT INTO health_current (account_id, score_id, score, status, computed_at, score_7d, score_30d, score_90d) '
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        current)

    # What the outcome comparison reads (as seed/postgres.sql): revenue moving after the start,
    # two goals per account (the first served by its first phase), a signed SOW per account,
    # a year of weekly timesheets per team member and four time entries per account.
    def moves():
        for i in range(1, n + 1):
            new_mrr = (100 + (i * 7919) % 50000) * 100
            if i % 3 == 0:
                kind, amount = 'EXPANSION', new_mrr // 10
            elif i % 7 == 0:
                kind, amount = 'CONTRACTION', -(new_mrr // 10)
            elif i % 23 == 0:
                kind, amount = 'CHURN', -new_mrr
            else:
                continue
            on = day - dt.timedelta(1 + (i * 13) % 360)
            yield (uid('bf', i), uid('ac', i), kind, amount, on.isoformat(), midnight(on))
    db.executemany(
        'INSERT INTO revenue_events (id, account_id, kind, amount_minor, currency, effective_on, created_at, recorded_by) '
        "VALUES (?, ?, ?, ?, 'USD', ?, ?, 'bench')", moves())
    goal_statuses = ['ACHIEVED', 'MISSED', 'ON_TRACK', 'AT_RISK', 'NOT_STARTED']

    def goals():
        for a in range(1, n + 1):
            for g in (1, 2):
                due = day - dt.timedelta(180) + dt.timedelta((a * g * 11) % 360)
                st = goal_statuses[(a + g) % 5]
                achieved = (due - dt.timedelta(5)).isoformat() if st == 'ACHIEVED' else None
                yield (uid('c0', (a - 1) * 2 + g), uid('ac', a), ['Launch the new catalog', 'Cut returns'][g - 1],
                       due.isoformat(), st, achieved, midnight(day - dt.timedelta(400)))
    db.executemany(
        'INSERT INTO goals (id, account_id, title, target, due_on, status, achieved_on, version, created_at, '
        'updated_at, archived_at) VALUES (?, ?, ?, NULL, ?, ?, ?, 1, ?, ?7, NULL)', goals())
    db.executemany('INSERT INTO phase_goals (phase_id, goal_id) VALUES (?, ?)',
                   ((uid('f0', (a - 1) * 12 + 1), uid('c0', (a - 1) * 2 + 1)) for a in range(1, n + 1)))
    db.execute('UPDATE phases SET goal_id = (SELECT goal_id FROM phase_goals pg WHERE pg.phase_id = phases.id) '
               'WHERE id IN (SELECT phase_id FROM phase_goals)')
    db.executemany(
        'INSERT INTO sows (id, account_id, engagement_id, title, currency, fixed_price_minor, rate_card, '
        'tm_hours_cap, tm_amount_cap_minor, status, baseline, signed_on, version, created_at, updated_at) '
        "VALUES (?, ?, ?, 'Replatforming', 'USD', 2000000, '[{\"role\":\"Developer\",\"hourlyRate\":15000}]', "
        "NULL, NULL, 'SIGNED', NULL, ?, 1, ?, ?)",
        ((uid('d0', a), uid('ac', a), uid('e0', (a - 1) * 3 + 1), (day - dt.timedelta(380)).isoformat(),
          midnight(day - dt.timedelta(390)), midnight(day - dt.timedelta(380))) for a in range(1, n + 1)))
    monday = day - dt.timedelta(day.weekday())

    def sheets():
        for m in range(1, 9):
            for w in range(52):
                start = monday - dt.timedelta(7 * w)
                approved = w >= 2
                yield (uid('d1', (m - 1) * 52 + w + 1), uid('a1', m), start.isoformat(),
                       'APPROVED' if approved else 'SUBMITTED', midnight(start + dt.timedelta(5)),
                       'bench' if approved else None, midnight(start + dt.timedelta(7)) if approved else None,
                       midnight(start), midnight(start + dt.timedelta(7)))
    db.executemany(
        'INSERT INTO timesheets (id, team_member_id, week_start, status, submitted_at, decided_by, decided_at, '
        'return_reason, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 3, ?, ?)', sheets())

    def entries():
        for a in range(1, n + 1):
            for j in range(1, 5):
                m, w, hours = 1 + (a + j) % 8, (a * j * 7) % 52, 100 * (1 + (a + j) % 8)
                on = monday - dt.timedelta(7 * w)
                kind = 'TIME_AND_MATERIALS' if j == 4 or (j == 3 and a % 5 == 0) else 'IN_SCOPE'
                yield (uid('d2', (a - 1) * 4 + j), uid('d0', a), uid('a1', m), on.isoformat(), hours, kind,
                       hours * 150, midnight(on), uid('d1', (m - 1) * 52 + w + 1))
    db.executemany(
        'INSERT INTO time_entries (id, sow_id, team_member_id, role, phase_id, worked_on, hours, kind, '
        "amount_minor, note, created_at, timesheet_id) VALUES (?, ?, ?, 'Developer', NULL, ?, ?, ?, ?, NULL, ?, ?)",
        entries())
    calls = ['COMMITTED', 'PROBABLE', 'AT_RISK', 'LOST']
    db.executemany(
        'INSERT INTO renewals (id, account_id, renews_on, forecast_arr_minor, likelihood, owner_id, notes, outcome, '
        'new_arr_minor, reason, decided_on, arr_at_decision_minor, version, created_at, updated_at) '
        'VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)',
        ((uid('a5', i), uid('ac', i), (day + dt.timedelta(1 + (i * 7) % 365)).isoformat(),
          (100 + (i * 7919) % 50000) * 1200, calls[(i // 13) % 4],
          midnight(day - dt.timedelta(30)), midnight(day - dt.timedelta(30))) for i in range(1, n + 1)))
    kinds = ['UPSELL', 'CROSS_SELL', 'DOWNSELL', 'SERVICES_FOLLOW_ON']

    def opportunities():
        for i in range(2, n + 1, 2):
            kind, mrr = kinds[(i // 2) % 4], (100 + (i * 7919) % 50000) * 100
            delta = -(mrr // 20) if kind == 'DOWNSELL' else 0 if kind == 'SERVICES_FOLLOW_ON' else mrr // 10
            yield (uid('a6', i), uid('ac', i), kind, f'Opportunity {i}',
                   bytes.fromhex('0193a00000007000800000000000000' + str(1 + (i // 2) % 4)), delta,
                   1000000 if kind == 'SERVICES_FOLLOW_ON' else 0,
                   (day + dt.timedelta((i * 11) % 180)).isoformat(),
                   midnight(day - dt.timedelta(20)), midnight(day - dt.timedelta(20)))
    db.executemany(
        'INSERT INTO opportunities (id, account_id, kind, title, stage_id, status, mrr_delta_minor, '
        'services_value_minor, probability, expected_close_on, owner_id, goal_id, phase_id, close_reason, '
        'closed_on, revenue_event_id, sow_id, version, created_by, created_at, updated_at) '
        "VALUES (?, ?, ?, ?, ?, 'OPEN', ?, ?, NULL, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 'bench', ?, ?)",
        opportunities())

    # a decided renewal on every fifth account, as seed/postgres.sql explains
    def closed_renewals():
        for i in range(5, n + 1, 5):
            renews_on = day - dt.timedelta(30 + (i * 13) % 280)
            arr = (100 + (i * 7919) % 50000) * 1200
            churned = (i % 4 in (2, 3) and (i // 5) % 3 == 0) or (i // 5) % 11 == 0
            call = 'LOST' if (i // 5) % 11 == 0 else ['COMMITTED', 'PROBABLE', 'AT_RISK'][(i // 35) % 3]
            decided_on = renews_on - dt.timedelta(i % 20)
            yield (uid('a8', i), uid('ac', i), renews_on.isoformat(), arr, call,
                   'CHURNED' if churned else 'RENEWED', 0 if churned else arr,
                   ['ADOPTION', 'BUDGET', 'COMPETITOR'][(i // 5) % 3] if churned else None,
                   decided_on.isoformat(), arr, midnight(renews_on - dt.timedelta(120)), midnight(decided_on))
    db.executemany(
        'INSERT INTO renewals (id, account_id, renews_on, forecast_arr_minor, likelihood, owner_id, notes, outcome, '
        'new_arr_minor, reason, decided_on, arr_at_decision_minor, version, created_at, updated_at) '
        'VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 2, ?, ?)',
        closed_renewals())
    db.execute('COMMIT')

    if args.usage_events:
        base = dt.datetime.combine(day, dt.time(), dt.timezone.utc)
        accounts_ids = [uid('ac', i) for i in range(1, n + 1)]
        actors = [f'user-{i}' for i in range(25)]

        def events():
            for j in range(1, args.usage_events + 1):
                at = base - dt.timedelta(days=1 + (j * 37) % 365) + dt.timedelta(seconds=(j * 7919) % 86400)
                yield (accounts_ids[j % n], FEATURES[(j * 13) % 8], actors[(j * 31) % 25], ts(at), 1 + j % 5)
        db.execute('BEGIN')
        db.executemany(
            'INSERT INTO usage_events (account_id, feature, actor, occurred_at, quantity, batch) '
            "VALUES (?, ?, ?, ?, ?, 'bench-seed')", events())
        db.execute('INSERT INTO usage_daily (account_id, day, feature, events, quantity) '
                   'SELECT account_id, substr(occurred_at, 1, 10), feature, count(*), sum(quantity) '
                   'FROM usage_events GROUP BY 1, 2, 3')
        db.execute('INSERT INTO usage_actors (account_id, day, actor) '
                   'SELECT DISTINCT account_id, substr(occurred_at, 1, 10), actor FROM usage_events')
        db.execute('INSERT INTO usage_firsts (account_id, feature, first_day) '
                   'SELECT account_id, feature, min(day) FROM usage_daily GROUP BY 1, 2')
        db.execute('COMMIT')
    db.execute('ANALYZE')
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    db.close()
    print(f'seeded {n} accounts and {args.usage_events} usage events into {args.db} '
          f'in {time.time() - start:.1f} s', file=sys.stderr)


if __name__ == '__main__':
    main()
