-- The renewals in play of the slice's live accounts that fall in a window, each with the
-- manager's call and the account's MRR on a day (what its churn would lose). Follows WITH
-- sliced (the live accounts of the slice); served by renewals_open (one renewal in play per
-- account) and revenue_events_account (migration 1).
-- Binds: the day of the MRR, the first and the last renewal day.
SELECT r.id AS id, r.account_id AS account_id, r.likelihood AS likelihood,
       CAST(COALESCE((SELECT SUM(e.amount_minor) FROM revenue_events e
                      WHERE e.account_id = r.account_id AND e.effective_on <= ?), 0) AS BIGINT)
         AS mrr
FROM renewals r
JOIN sliced a ON a.id = r.account_id
WHERE r.outcome IS NULL AND r.renews_on >= ? AND r.renews_on <= ?
ORDER BY r.renews_on, r.id
