-- Approved hours per engagement and kind of work (in scope, time and materials), summed; served
-- by sows_engagement (migration 3) and the covering time_entries_sow_day (migration 15).
SELECT s.engagement_id AS engagement_id,
       time_entries.kind AS kind,
       CAST(SUM(time_entries.hours) AS BIGINT) AS hours
FROM time_entries
JOIN sows s ON s.id = time_entries.sow_id
WHERE
/* appended in Rust: the approved-timesheet condition the burn shares, the chunk's engagement
   ids, then the grouping by engagement and kind */
