-- The MRR on a day over the slice's live accounts, and the part of it from accounts whose current
-- health is AT_RISK or CRITICAL; served by accounts_live (migration 16) and
-- revenue_events_account (migration 1).
-- Binds: the day.
SELECT CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) AS mrr,
       CAST(COALESCE(SUM(CASE WHEN hc.status IN ('AT_RISK', 'CRITICAL')
                              THEN r.amount_minor ELSE 0 END), 0) AS BIGINT) AS at_risk
FROM accounts
JOIN revenue_events r ON r.account_id = accounts.id
LEFT JOIN health_current hc ON hc.account_id = accounts.id
WHERE r.effective_on <= ?
  AND /* appended in Rust: the condition on live accounts of the slice */
