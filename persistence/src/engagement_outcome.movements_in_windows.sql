-- Per engagement, its account's MRR movements by kind effective in each of its windows (after
-- after_day, up to through_day), summed; served by revenue_events_account (migration 1).
-- It reads t (engagement_id, account_id, after_day, through_day): the windows, which Rust writes
-- as a VALUES list in a WITH clause before this text.
SELECT t.engagement_id AS engagement_id,
       re.kind AS kind,
       CAST(SUM(re.amount_minor) AS BIGINT) AS total
FROM t
JOIN revenue_events re
  ON re.account_id = t.account_id
 AND re.effective_on > t.after_day AND re.effective_on <= t.through_day
GROUP BY t.engagement_id, re.kind
