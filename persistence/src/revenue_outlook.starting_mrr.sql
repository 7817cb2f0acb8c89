-- The MRR of the slice's live accounts on a day: the sum of their revenue movements effective
-- by then. Follows WITH sliced (the live accounts of the slice); served by
-- revenue_events_account (migration 1).
-- Binds: the day.
SELECT CAST(COALESCE(SUM(e.amount_minor), 0) AS BIGINT) AS mrr
FROM revenue_events e
JOIN sliced a ON a.id = e.account_id
WHERE e.effective_on <= ?
