-- Per group of the slice's accounts, its NPS answers given in the period: promoters (9 or 10),
-- passives (7 or 8) and detractors (6 or less). No index narrows the period: the answers are
-- read and matched to acc by account id.
-- It reads acc (id, grp): the slice's accounts, which Rust writes in a WITH clause before this
-- text. Binds, in order: the period's first moment, the moment after its last day.
SELECT acc.grp AS grp,
       CAST(SUM(CASE WHEN s.score >= 9 THEN 1 ELSE 0 END) AS BIGINT) AS promoters,
       CAST(SUM(CASE WHEN s.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS BIGINT) AS passives,
       CAST(SUM(CASE WHEN s.score <= 6 THEN 1 ELSE 0 END) AS BIGINT) AS detractors
FROM survey_responses s
JOIN acc ON acc.id = s.account_id
WHERE s.kind = 'NPS' AND s.responded_at >= ? AND s.responded_at < ?
GROUP BY acc.grp
