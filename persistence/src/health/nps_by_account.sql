-- Per account, its NPS answers given in a span of time: promoters (9 or 10), passives (7 or 8)
-- and detractors (6 or less); a scope's accounts are found through survey_responses_account
-- (migration 6). Binds, in order: the span's first moment, its last.
SELECT account_id,
       CAST(SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END) AS BIGINT) AS promoters,
       CAST(SUM(CASE WHEN score BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS BIGINT) AS passives,
       CAST(SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END) AS BIGINT) AS detractors
FROM survey_responses
WHERE kind = 'NPS' AND responded_at >= ? AND responded_at <= ?
/* appended in Rust: the scope's condition on account_id, then the grouping by account */
