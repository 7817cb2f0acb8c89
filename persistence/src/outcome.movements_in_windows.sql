-- Per phase, its account's currency and MRR movements by kind effective in the phase's revenue
-- window (after after_day, up to through_day), summed; one row with a NULL kind when there are
-- none. Served by revenue_events_account (migration 1).
-- It reads t (phase_id, account_id, after_day, through_day): the windows, which Rust writes as a
-- VALUES list in a WITH clause before this text.
SELECT t.phase_id AS phase_id,
       a.currency AS currency,
       re.kind AS kind,
       CAST(COALESCE(SUM(re.amount_minor), 0) AS BIGINT) AS total
FROM t
JOIN accounts a ON a.id = t.account_id
LEFT JOIN revenue_events re
       ON re.account_id = t.account_id
      AND re.effective_on > t.after_day AND re.effective_on <= t.through_day
GROUP BY t.phase_id, a.currency, re.kind
