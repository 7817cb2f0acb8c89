-- One row per engagement and distinct day its phases were accepted (one row with a NULL day when
-- none was): its account and currency, its first phase's start, and how many phases were accepted
-- that day. The accepted phases come from phases_accepted (migration 15), the first start from
-- the phase-outline index of migration 18.
SELECT e.id AS engagement_id,
       e.account_id AS account_id,
       a.currency AS currency,
       (SELECT MIN(s.actual_start) FROM phases s WHERE s.engagement_id = e.id) AS started_on,
       p.accepted_on AS accepted_on,
       COUNT(p.id) AS phases
FROM engagements e
JOIN accounts a ON a.id = e.account_id
LEFT JOIN phases p
       ON p.engagement_id = e.id AND p.status = 'ACCEPTED' AND p.accepted_on IS NOT NULL
WHERE e.id IN
/* appended in Rust: the chunk's engagement ids, then the grouping by engagement and day */
