-- The slice's unarchived goals that came due in the period (or, without a due day, were achieved
-- in it), with how many were achieved and missed: one row per kind that has goals, linked 1 when
-- a phase serves the goal and 0 when none does. Served by goals_account (migration 6) and
-- phase_goals_goal (migration 13).
-- It reads acc (id): the slice's accounts, which Rust writes in a WITH clause before this text.
-- Binds, in order: the period's first day, its last day, its first day, its last day.
SELECT CASE WHEN EXISTS (SELECT 1 FROM phase_goals pg WHERE pg.goal_id = g.id)
            THEN 1 ELSE 0 END AS linked,
       CAST(COUNT(*) AS BIGINT) AS goals,
       CAST(COALESCE(SUM(CASE WHEN g.status = 'ACHIEVED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS achieved,
       CAST(COALESCE(SUM(CASE WHEN g.status = 'MISSED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS missed
FROM goals g
WHERE g.archived_at IS NULL
  AND g.account_id IN (SELECT acc.id FROM acc)
  AND ((g.due_on >= ? AND g.due_on <= ?)
       OR (g.due_on IS NULL AND g.achieved_on >= ? AND g.achieved_on <= ?))
GROUP BY 1
