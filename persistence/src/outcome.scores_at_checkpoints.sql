-- Per phase and checkpoint, its account's latest health score computed before the checkpoint's
-- cutoff (score, status and when it was computed); served by health_scores_account (migration 6).
-- It reads t (phase_id, account_id, days, cutoff): the checkpoints, which Rust writes as a VALUES
-- list in a WITH clause before this text.
SELECT t.phase_id AS phase_id,
       t.days AS days,
       hs.score AS score,
       hs.status AS status,
       hs.computed_at AS computed_at
FROM t
JOIN health_scores hs
  ON hs.account_id = t.account_id
 AND hs.computed_at = (SELECT MAX(h2.computed_at)
                       FROM health_scores h2
                       WHERE h2.account_id = t.account_id AND h2.computed_at < t.cutoff)
ORDER BY hs.id
