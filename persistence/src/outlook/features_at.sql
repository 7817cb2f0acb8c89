-- Per renewal, what the likelihood to renew reads at its snapshot: its account's tier and start,
-- the latest health score (and breakdown) at the snapshot and those 30 and 90 days before, the
-- risks and tickets open then, the NPS answers of the 180 days before, the active days of the
-- two 30-day spans before, and the phases accepted (and their slip) in the year before.
-- It reads t (renewal_id, account_id, at_ts, at_30, at_90, nps_from, day, day_30, day_60,
-- year_ago), which Rust writes as a VALUES list in a WITH clause before this text, one row per
-- renewal; each subquery is served by its table's account index (health_scores_account,
-- risks_account, support_tickets_account, survey_responses_account, usage_daily's key, and
-- engagements by account with phases by engagement). SLIP_DAYS(a, b) is replaced in Rust by the
-- database's count of days from b to a.
SELECT t.renewal_id AS renewal_id,
       a.touch_tier AS touch_tier,
       a.created_at AS account_created_at,
       (SELECT hs.score FROM health_scores hs
         WHERE hs.account_id = t.account_id AND hs.computed_at <= t.at_ts
         ORDER BY hs.computed_at DESC LIMIT 1) AS health_now,
       (SELECT CAST(hs.breakdown AS TEXT) FROM health_scores hs
         WHERE hs.account_id = t.account_id AND hs.computed_at <= t.at_ts
         ORDER BY hs.computed_at DESC LIMIT 1) AS breakdown,
       (SELECT hs.score FROM health_scores hs
         WHERE hs.account_id = t.account_id AND hs.computed_at <= t.at_30
         ORDER BY hs.computed_at DESC LIMIT 1) AS health_30,
       (SELECT hs.score FROM health_scores hs
         WHERE hs.account_id = t.account_id AND hs.computed_at <= t.at_90
         ORDER BY hs.computed_at DESC LIMIT 1) AS health_90,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM risks r
         WHERE r.account_id = t.account_id AND r.severity = 'LOW' AND r.created_at <= t.at_ts
           AND (r.resolved_at IS NULL OR r.resolved_at > t.at_ts)) AS risks_low,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM risks r
         WHERE r.account_id = t.account_id AND r.severity = 'MEDIUM' AND r.created_at <= t.at_ts
           AND (r.resolved_at IS NULL OR r.resolved_at > t.at_ts)) AS risks_medium,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM risks r
         WHERE r.account_id = t.account_id AND r.severity = 'HIGH' AND r.created_at <= t.at_ts
           AND (r.resolved_at IS NULL OR r.resolved_at > t.at_ts)) AS risks_high,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM risks r
         WHERE r.account_id = t.account_id AND r.severity = 'CRITICAL' AND r.created_at <= t.at_ts
           AND (r.resolved_at IS NULL OR r.resolved_at > t.at_ts)) AS risks_critical,
       (SELECT CAST(COALESCE(SUM(CASE st.priority WHEN 'LOW' THEN 1 WHEN 'NORMAL' THEN 2
                                                  WHEN 'HIGH' THEN 4 WHEN 'URGENT' THEN 8
                                                  ELSE 0 END), 0) AS BIGINT)
          FROM support_tickets st
         WHERE st.account_id = t.account_id AND st.opened_at <= t.at_ts
           AND (st.closed_at IS NULL OR st.closed_at > t.at_ts)) AS support_load,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM survey_responses s
         WHERE s.account_id = t.account_id AND s.kind = 'NPS'
           AND s.responded_at > t.nps_from AND s.responded_at <= t.at_ts) AS nps_answers,
       (SELECT CAST(COALESCE(SUM(CASE WHEN s.score >= 9 THEN 1 WHEN s.score <= 6 THEN -1
                                      ELSE 0 END), 0) AS BIGINT)
          FROM survey_responses s
         WHERE s.account_id = t.account_id AND s.kind = 'NPS'
           AND s.responded_at > t.nps_from AND s.responded_at <= t.at_ts) AS nps_net,
       (SELECT CAST(COUNT(DISTINCT u.day) AS BIGINT) FROM usage_daily u
         WHERE u.account_id = t.account_id AND u.day > t.day_30 AND u.day <= t.day) AS active_recent,
       (SELECT CAST(COUNT(DISTINCT u.day) AS BIGINT) FROM usage_daily u
         WHERE u.account_id = t.account_id AND u.day > t.day_60 AND u.day <= t.day_30) AS active_before,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM usage_daily u
         WHERE u.account_id = t.account_id AND u.day <= t.day) AS usage_days_ever,
       (SELECT CAST(COUNT(*) AS BIGINT) FROM phases p JOIN engagements e ON e.id = p.engagement_id
         WHERE e.account_id = t.account_id AND p.accepted_on IS NOT NULL
           AND p.accepted_on > t.year_ago AND p.accepted_on <= t.day) AS phases_accepted,
       (SELECT AVG(CAST(SLIP_DAYS(p.actual_end, p.planned_end) AS DOUBLE PRECISION))
          FROM phases p JOIN engagements e ON e.id = p.engagement_id
         WHERE e.account_id = t.account_id AND p.actual_end IS NOT NULL
           AND p.planned_end IS NOT NULL
           AND p.actual_end > t.year_ago AND p.actual_end <= t.day) AS phase_slip_days
FROM t
JOIN accounts a ON a.id = t.account_id
