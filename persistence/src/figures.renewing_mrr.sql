-- How many of the slice's live accounts renew from one day to another, and their MRR on the first
-- day; served by accounts_renewal (migration 6) and revenue_events_account (migration 1).
-- Binds, in order: the first day, the last day, the first day, the first day, the last day.
SELECT COUNT(*) AS n,
       CAST(COALESCE(SUM(m.mrr), 0) AS BIGINT) AS mrr
FROM accounts
LEFT JOIN (SELECT r.account_id AS id, SUM(r.amount_minor) AS mrr
           FROM revenue_events r
           JOIN accounts ON accounts.id = r.account_id
           WHERE accounts.renewal_date >= ? AND accounts.renewal_date <= ?
             AND r.effective_on <= ?
           GROUP BY r.account_id) m ON m.id = accounts.id
WHERE accounts.renewal_date >= ? AND accounts.renewal_date <= ?
  AND /* appended in Rust: the condition on live accounts of the slice */
