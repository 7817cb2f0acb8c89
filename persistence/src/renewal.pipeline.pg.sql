-- The renewal pipeline: renewals in play, by month and likelihood, with the ARR at stake
-- (12 times the MRR of each account on the day) and the forecast ARR.
-- Follows WITH sliced (the accounts of the slice, archived ones too).
-- Binds: the day of the MRR, the first and the last renewal day.
SELECT to_char(r.renews_on, 'YYYY-MM') AS month, r.likelihood AS likelihood, COUNT(*) AS n,
       CAST(COALESCE(SUM(m.mrr), 0) * 12 AS BIGINT) AS current_arr,
       CAST(COALESCE(SUM(r.forecast_arr_minor), 0) AS BIGINT) AS forecast_arr
FROM renewals r
JOIN sliced a ON a.id = r.account_id
LEFT JOIN (SELECT account_id, SUM(amount_minor) AS mrr FROM revenue_events
           WHERE effective_on <= ? GROUP BY account_id) m ON m.account_id = r.account_id
WHERE r.outcome IS NULL AND r.renews_on >= ? AND r.renews_on <= ?
  AND a.archived_at IS NULL
GROUP BY to_char(r.renews_on, 'YYYY-MM'), r.likelihood
ORDER BY to_char(r.renews_on, 'YYYY-MM'), r.likelihood
