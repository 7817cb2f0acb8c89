-- An account's usage per day in a span of days (events, quantity, active users), days without
-- usage left out; served by the primary keys of usage_daily and usage_actors (migration 6).
-- Binds, in order: the account, the first day, the last day.
SELECT d.day AS day,
       CAST(SUM(d.events) AS BIGINT) AS events,
       CAST(SUM(d.quantity) AS BIGINT) AS quantity,
       (SELECT COUNT(*) FROM usage_actors a
        WHERE a.account_id = d.account_id AND a.day = d.day) AS users
FROM usage_daily d
WHERE d.account_id = ? AND d.day >= ? AND d.day <= ?
GROUP BY d.account_id, d.day
ORDER BY d.day
