-- Tandem's benchmark data set, loaded straight into Tandem's tables after `tandem migrate`.
-- Deterministic: generate_series and arithmetic on the row number only; the one moving part is
-- the anchor date (today, UTC, passed by bench/run) that renewal dates, score weeks and usage
-- days count from, so that "the next 90 days" and "the last 30 days" mean the same on any day.
--
--   psql -v accounts=10000 -v usage_events=0 -v anchor=2026-11-23 -f postgres.sql
--
-- Ids: lpad(to_hex(i)) with a distinct two-digit prefix per table, so an id names its table:
--   a1 team_members, ac accounts, be/bf revenue_events, e0 engagements, f0 phases, b5 health_scores,
--   c0 goals, d0 sows, d1 timesheets, d2 time_entries, a5 renewals, a6 opportunities, a8 closed renewals.
\set ON_ERROR_STOP on
\if :{?accounts}
\else
  \set accounts 10000
\endif
\if :{?usage_events}
\else
  \set usage_events 0
\endif
\if :{?anchor}
\else
  \set anchor '2026-11-23'
\endif
SET TIME ZONE 'UTC';
SET synchronous_commit = off;

CREATE TEMP TABLE bench_anchor AS SELECT date :'anchor' AS day;

BEGIN;
INSERT INTO team_members (id, name, email, title, team, role, version, created_at, updated_at, archived_at)
SELECT ('a1' || lpad(to_hex(i), 30, '0'))::uuid,
       'Owner ' || i, 'owner' || i || '@bench.example', 'Customer success manager',
       'CUSTOMER_SUCCESS', 'CS_MANAGER', 1,
       b.day - 800, b.day - 800, NULL
FROM generate_series(1, 8) AS i, bench_anchor b;

INSERT INTO accounts (id, name, name_key, domain, industry, company_size, region, plan, touch_tier,
                      lifecycle_stage, owner_id, renewal_date, currency, traits, needs, version,
                      created_at, updated_at, archived_at)
SELECT ('ac' || lpad(to_hex(i), 30, '0'))::uuid, n.name, lower(n.name),
       'account' || i || '.example',
       (ARRAY['Apparel','Furniture','Electronics','Grocery','Beauty','Sports'])[1 + i % 6],
       (ARRAY['SIZE_1_10','SIZE_11_50','SIZE_51_200','SIZE_201_1000','SIZE_1001_5000','SIZE_5001_PLUS'])[1 + (i / 7) % 6],
       (ARRAY['EMEA','NA','APAC','LATAM'])[1 + (i / 3) % 4],
       (ARRAY['Starter','Growth','Plus','Enterprise'])[1 + (i / 5) % 4],
       (ARRAY['HIGH','MEDIUM','LOW','TECH'])[1 + i % 4],
       (ARRAY['ONBOARDING','ADOPTION','EXPANSION','RENEWAL'])[1 + (i / 11) % 4],
       ('a1' || lpad(to_hex(1 + i % 8), 30, '0'))::uuid,
       b.day + (1 + (i * 7) % 365),
       'USD', '{}'::jsonb, '{"jobsToBeDone":[],"painPoints":[],"valueDrivers":[]}'::jsonb, 1,
       b.day - (400 + i % 700), b.day - (400 + i % 700), NULL
FROM generate_series(1, :accounts) AS i, bench_anchor b,
     LATERAL (SELECT (ARRAY['Acme','Globex','Initech','Umbrella','Stark','Wayne','Hooli','Vandelay','Soylent','Tyrell'])[1 + (i * 7) % 10]
                     || ' ' || (ARRAY['Outdoor','Home','Apparel','Foods','Labs','Goods','Sports','Beauty'])[1 + (i * 3) % 8]
                     || ' ' || lpad(i::text, 6, '0') AS name) n;

-- One NEW movement per account: MRR from 100.00 to 50,099.00 USD, so arr is never zero.
INSERT INTO revenue_events (id, account_id, kind, amount_minor, currency, effective_on, created_at, recorded_by)
SELECT ('be' || lpad(to_hex(i), 30, '0'))::uuid, ('ac' || lpad(to_hex(i), 30, '0'))::uuid, 'NEW',
       (100 + (i::bigint * 7919) % 50000) * 100, 'USD', b.day - (400 + i % 700), b.day - (400 + i % 700), 'bench'
FROM generate_series(1, :accounts) AS i, bench_anchor b;

-- Three replatforming engagements per account; their phases' statuses agree with the engagement's.
INSERT INTO engagements (id, account_id, name, kind, source_platform, target_platform, lead_id,
                         description, planned_start, status, version, created_at, updated_at)
SELECT ('e0' || lpad(to_hex((a - 1) * 3 + k), 30, '0'))::uuid, ('ac' || lpad(to_hex(a), 30, '0'))::uuid,
       'Replatforming wave ' || k, 'REPLATFORMING', 'Legacy Commerce', 'Tandem Commerce', NULL, NULL,
       b.day - 300 + ((a * k) % 300),
       (ARRAY['PLANNED','ACTIVE','ON_HOLD','COMPLETED'])[1 + (a + k) % 4], 1,
       b.day - 300, b.day - 300
FROM generate_series(1, :accounts) AS a, generate_series(1, 3) AS k, bench_anchor b;

INSERT INTO phases (id, engagement_id, position, name, focus_kind, focus, objective, expected_value,
                    planned_start, planned_end, milestones, status, actual_start, actual_end,
                    accepted_on, version, created_at, updated_at, goal_id)
SELECT ('f0' || lpad(to_hex((e - 1) * 4 + p), 30, '0'))::uuid, ('e0' || lpad(to_hex(e), 30, '0'))::uuid,
       p, (ARRAY['Catalog model','Apparel','Home','Checkout'])[p],
       CASE WHEN p IN (1, 4) THEN 'PROBLEM' ELSE 'PRODUCT_LINE' END,
       (ARRAY['Clean catalog','Apparel','Home','Slow checkout'])[p],
       NULL, NULL, NULL, NULL, '[]'::jsonb,
       st.status, NULL, NULL,
       -- accepted phases were accepted on a day of the last year (the outcome comparison's
       -- period), except every third account's, accepted in the year before
       CASE WHEN st.status = 'ACCEPTED' THEN b.day - (CASE WHEN ((e - 1) / 3 + 1) % 3 = 0 THEN 366 ELSE 1 END
                                                      + (((e - 1) * 4 + p) * 37) % 360) END,
       1, b.day - 300, b.day - 300, NULL
FROM generate_series(1, :accounts * 3) AS e, generate_series(1, 4) AS p, bench_anchor b,
     LATERAL (SELECT CASE (ARRAY['PLANNED','ACTIVE','ON_HOLD','COMPLETED'])[1 + (((e - 1) / 3 + 1) + ((e - 1) % 3 + 1)) % 4]
         WHEN 'COMPLETED' THEN 'ACCEPTED'
         WHEN 'ACTIVE' THEN (ARRAY['ACCEPTED','IN_PROGRESS','PLANNED','PLANNED'])[p]
         WHEN 'ON_HOLD' THEN (ARRAY['DELIVERED','PLANNED','PLANNED','PLANNED'])[p]
         ELSE 'PLANNED' END AS status) st;

-- Ten weekly scores per account under the default model (USAGE alone, weight 1), the newest an
-- hour before the anchor day: a base level and a per-account trend, so 30-day changes differ.
INSERT INTO health_scores (id, account_id, model_id, model_version, score, status, breakdown, computed_at)
SELECT ('b5' || lpad(to_hex((a - 1) * 10 + k + 1), 30, '0'))::uuid, ('ac' || lpad(to_hex(a), 30, '0'))::uuid,
       '0193a000-0000-7000-8000-000000000001'::uuid, 1, s.score,
       CASE WHEN s.score >= 70 THEN 'HEALTHY' WHEN s.score >= 40 THEN 'AT_RISK' ELSE 'CRITICAL' END,
       jsonb_build_array(jsonb_build_object('component', 'USAGE', 'score', s.score, 'weight', 1.0, 'contribution', s.score)),
       b.day - interval '1 hour' - (9 - k) * interval '7 days'
FROM generate_series(1, :accounts) AS a, generate_series(0, 9) AS k, bench_anchor b,
     LATERAL (SELECT greatest(0, least(100,
                (20 + (a * 37) % 71) - (((a * 13) % 9) - 4) * (9 - k) + ((a * k * 7) % 5) - 2
                + ((a + k) % 10) / 10.0))::double precision AS score) s;

-- The current score, with the scores it had 7, 30 and 90 days before it (Tandem keeps them for
-- top movers): with weekly scores, one and five weeks back; none reaches 90 days.
INSERT INTO health_current (account_id, score_id, score, status, computed_at, score_7d, score_30d, score_90d)
SELECT cur.account_id, cur.id, cur.score, cur.status, cur.computed_at, w1.score, w5.score, NULL
FROM generate_series(1, :accounts) AS a
JOIN health_scores cur ON cur.id = ('b5' || lpad(to_hex((a - 1) * 10 + 10), 30, '0'))::uuid
JOIN health_scores w1 ON w1.id = ('b5' || lpad(to_hex((a - 1) * 10 + 9), 30, '0'))::uuid
JOIN health_scores w5 ON w5.id = ('b5' || lpad(to_hex((a - 1) * 10 + 5), 30, '0'))::uuid;

-- What the outcome comparison reads. Revenue moves after the start: every third account expands
-- by a tenth, else every seventh contracts by a tenth, else every 23rd churns; on a day of the
-- last year.
INSERT INTO revenue_events (id, account_id, kind, amount_minor, currency, effective_on, created_at, recorded_by)
SELECT ('bf' || lpad(to_hex(i), 30, '0'))::uuid, ('ac' || lpad(to_hex(i), 30, '0'))::uuid, m.kind,
       m.amount, 'USD', b.day - m.ago, b.day - m.ago, 'bench'
FROM generate_series(1, :accounts) AS i, bench_anchor b,
     LATERAL (SELECT (100 + (i::bigint * 7919) % 50000) * 100 AS new_mrr) n,
     LATERAL (SELECT CASE WHEN i % 3 = 0 THEN 'EXPANSION' WHEN i % 7 = 0 THEN 'CONTRACTION'
                          WHEN i % 23 = 0 THEN 'CHURN' END AS kind,
                     CASE WHEN i % 3 = 0 THEN n.new_mrr / 10 WHEN i % 7 = 0 THEN -(n.new_mrr / 10)
                          ELSE -n.new_mrr END AS amount,
                     1 + (i * 13) % 360 AS ago) m
WHERE m.kind IS NOT NULL;

-- Two success-plan goals per account, due over the last and the next half year; the first is
-- served by the account's first phase.
INSERT INTO goals (id, account_id, title, target, due_on, status, achieved_on, version, created_at, updated_at, archived_at)
SELECT ('c0' || lpad(to_hex((a - 1) * 2 + g), 30, '0'))::uuid, ('ac' || lpad(to_hex(a), 30, '0'))::uuid,
       (ARRAY['Launch the new catalog', 'Cut returns'])[g], NULL, d.due, st.status,
       CASE WHEN st.status = 'ACHIEVED' THEN d.due - 5 END, 1, b.day - 400, b.day - 400, NULL
FROM generate_series(1, :accounts) AS a, generate_series(1, 2) AS g, bench_anchor b,
     LATERAL (SELECT b.day - 180 + (a * g * 11) % 360 AS due) d,
     LATERAL (SELECT (ARRAY['ACHIEVED','MISSED','ON_TRACK','AT_RISK','NOT_STARTED'])[1 + (a + g) % 5] AS status) st;
INSERT INTO phase_goals (phase_id, goal_id)
SELECT ('f0' || lpad(to_hex((a - 1) * 12 + 1), 30, '0'))::uuid, ('c0' || lpad(to_hex((a - 1) * 2 + 1), 30, '0'))::uuid
FROM generate_series(1, :accounts) AS a;
UPDATE phases SET goal_id = pg.goal_id FROM phase_goals pg WHERE pg.phase_id = phases.id;

-- A signed SOW per account on its first engagement; the eight team members' weekly timesheets
-- over the last year (approved, the last two weeks submitted); four entries per account, the
-- fourth (and every fifth account's third) time and materials.
INSERT INTO sows (id, account_id, engagement_id, title, currency, fixed_price_minor, rate_card, tm_hours_cap,
                  tm_amount_cap_minor, status, baseline, signed_on, version, created_at, updated_at)
SELECT ('d0' || lpad(to_hex(a), 30, '0'))::uuid, ('ac' || lpad(to_hex(a), 30, '0'))::uuid,
       ('e0' || lpad(to_hex((a - 1) * 3 + 1), 30, '0'))::uuid, 'Replatforming', 'USD', 2000000,
       '[{"role":"Developer","hourlyRate":15000}]'::jsonb, NULL, NULL, 'SIGNED', NULL, b.day - 380, 1,
       b.day - 390, b.day - 380
FROM generate_series(1, :accounts) AS a, bench_anchor b;
INSERT INTO timesheets (id, team_member_id, week_start, status, submitted_at, decided_by, decided_at,
                        return_reason, version, created_at, updated_at)
SELECT ('d1' || lpad(to_hex((m - 1) * 52 + w + 1), 30, '0'))::uuid, ('a1' || lpad(to_hex(m), 30, '0'))::uuid,
       date_trunc('week', b.day)::date - 7 * w, CASE WHEN w < 2 THEN 'SUBMITTED' ELSE 'APPROVED' END,
       date_trunc('week', b.day)::date - 7 * w + 5, CASE WHEN w < 2 THEN NULL ELSE 'bench' END,
       CASE WHEN w < 2 THEN NULL ELSE date_trunc('week', b.day)::date - 7 * w + 7 END, NULL, 3,
       date_trunc('week', b.day)::date - 7 * w, date_trunc('week', b.day)::date - 7 * w + 7
FROM generate_series(1, 8) AS m, generate_series(0, 51) AS w, bench_anchor b;
INSERT INTO time_entries (id, sow_id, team_member_id, role, phase_id, worked_on, hours, kind, amount_minor,
                          note, created_at, timesheet_id)
SELECT ('d2' || lpad(to_hex((a - 1) * 4 + j), 30, '0'))::uuid, ('d0' || lpad(to_hex(a), 30, '0'))::uuid,
       ('a1' || lpad(to_hex(t.m), 30, '0'))::uuid, 'Developer', NULL,
       date_trunc('week', b.day)::date - 7 * t.w, t.hours,
       CASE WHEN j = 4 OR (j = 3 AND a % 5 = 0) THEN 'TIME_AND_MATERIALS' ELSE 'IN_SCOPE' END,
       t.hours * 150, NULL, date_trunc('week', b.day)::date - 7 * t.w,
       ('d1' || lpad(to_hex((t.m - 1) * 52 + t.w + 1), 30, '0'))::uuid
FROM generate_series(1, :accounts) AS a, generate_series(1, 4) AS j, bench_anchor b,
     LATERAL (SELECT 1 + (a + j) % 8 AS m, (a * j * 7) % 52 AS w, 100 * (1 + (a + j) % 8) AS hours) t;

-- A renewal in play per account on its renewal date, the manager's call cycling through the four;
-- an open opportunity on every second account over the next half year, cycling through upsell,
-- cross-sell, downsell and services follow-on and through the four seeded stages.
INSERT INTO renewals (id, account_id, renews_on, forecast_arr_minor, likelihood, owner_id, notes, outcome,
                      new_arr_minor, reason, decided_on, arr_at_decision_minor, version, created_at, updated_at)
SELECT ('a5' || lpad(to_hex(i), 30, '0'))::uuid, ('ac' || lpad(to_hex(i), 30, '0'))::uuid,
       b.day + (1 + (i * 7) % 365), (100 + (i::bigint * 7919) % 50000) * 1200,
       (ARRAY['COMMITTED','PROBABLE','AT_RISK','LOST'])[1 + (i / 13) % 4], NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, 1, b.day - 30, b.day - 30
FROM generate_series(1, :accounts) AS i, bench_anchor b;
INSERT INTO opportunities (id, account_id, kind, title, stage_id, status, mrr_delta_minor, services_value_minor,
                           probability, expected_close_on, owner_id, goal_id, phase_id, close_reason, closed_on,
                           revenue_event_id, sow_id, version, created_by, created_at, updated_at)
SELECT ('a6' || lpad(to_hex(i), 30, '0'))::uuid, ('ac' || lpad(to_hex(i), 30, '0'))::uuid, o.kind,
       'Opportunity ' || i, ('0193a000-0000-7000-8000-00000000000' || (1 + (i / 2) % 4))::uuid, 'OPEN',
       CASE o.kind WHEN 'DOWNSELL' THEN -o.mrr / 20 WHEN 'SERVICES_FOLLOW_ON' THEN 0 ELSE o.mrr / 10 END,
       CASE o.kind WHEN 'SERVICES_FOLLOW_ON' THEN 1000000 ELSE 0 END,
       NULL, b.day + (i * 11) % 180, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 'bench', b.day - 20, b.day - 20
FROM generate_series(2, :accounts, 2) AS i, bench_anchor b,
     LATERAL (SELECT (ARRAY['UPSELL','CROSS_SELL','DOWNSELL','SERVICES_FOLLOW_ON'])[1 + (i / 2) % 4] AS kind,
                     (100 + (i::bigint * 7919) % 50000) * 100 AS mrr) o;
-- A decided renewal on every fifth account, renewed or churned over the last ten months, for the
-- likelihood to renew to be fitted on (bench/run runs `tandem outlook refit` after seeding). Churn
-- follows the account's touch tier (LOW and TECH accounts churn one time in three) with every
-- eleventh account churning whatever its tier; the manager called those eleventh ones LOST and the
-- rest by turns. Each decision falls after its snapshot (a quarter before the renewal date), and
-- every snapshot after the account's start. At this depth of history the accounts' signals are
-- thin (scores reach back ten weeks), so the fit is there to be scored with, not to be judged.
INSERT INTO renewals (id, account_id, renews_on, forecast_arr_minor, likelihood, owner_id, notes, outcome,
                      new_arr_minor, reason, decided_on, arr_at_decision_minor, version, created_at, updated_at)
SELECT ('a8' || lpad(to_hex(i), 30, '0'))::uuid, ('ac' || lpad(to_hex(i), 30, '0'))::uuid,
       r.renews_on, r.arr,
       CASE WHEN (i / 5) % 11 = 0 THEN 'LOST' ELSE (ARRAY['COMMITTED','PROBABLE','AT_RISK'])[1 + (i / 35) % 3] END,
       NULL, NULL, CASE WHEN r.churned THEN 'CHURNED' ELSE 'RENEWED' END,
       CASE WHEN r.churned THEN 0 ELSE r.arr END,
       CASE WHEN r.churned THEN (ARRAY['ADOPTION','BUDGET','COMPETITOR'])[1 + (i / 5) % 3] END,
       r.renews_on - (i % 20), r.arr, 2, r.renews_on - 120, r.renews_on - (i % 20)
FROM generate_series(5, :accounts, 5) AS i, bench_anchor b,
     LATERAL (SELECT b.day - (30 + (i * 13) % 280) AS renews_on,
                     (100 + (i::bigint * 7919) % 50000) * 1200 AS arr,
                     (i % 4 IN (2, 3) AND (i / 5) % 3 = 0) OR (i / 5) % 11 = 0 AS churned) r;
COMMIT;

-- Raw usage over the last 365 days and its roll-ups, computed from it the way ingest keeps them.
BEGIN;
INSERT INTO usage_events (account_id, feature, actor, occurred_at, quantity, batch)
SELECT ('ac' || lpad(to_hex(1 + j % :accounts), 30, '0'))::uuid,
       (ARRAY['catalog.import','catalog.publish','checkout','search','reports','api.call','orders.export','promotions'])[(1 + (j * 13) % 8)::int],
       'user-' || ((j * 31) % 25),
       b.day - (1 + (j * 37) % 365) * interval '1 day' + ((j * 7919) % 86400) * interval '1 second',
       1 + j % 5, 'bench-seed'
FROM generate_series(1::bigint, :usage_events) AS j, bench_anchor b;
INSERT INTO usage_daily (account_id, day, feature, events, quantity)
SELECT account_id, occurred_at::date, feature, count(*), sum(quantity) FROM usage_events
GROUP BY 1, 2, 3;
INSERT INTO usage_actors (account_id, day, actor)
SELECT DISTINCT account_id, occurred_at::date, actor FROM usage_events;
INSERT INTO usage_firsts (account_id, feature, first_day)
SELECT account_id, feature, min(day) FROM usage_daily GROUP BY 1, 2;
COMMIT;
-- vacuumed and analysed now, so that autovacuum does not wake during the measured runs; then
-- vacuumed again, since the first pass over freshly loaded tables leaves their visibility maps
-- unset (relallvisible 0 for accounts) and PostgreSQL then prices every index-only scan as
-- reading the heap: a live database reaches the second state as autovacuum comes round
VACUUM (ANALYZE);
VACUUM;
-- and the load's dirty pages written out now rather than by a checkpoint during the runs
CHECKPOINT;
