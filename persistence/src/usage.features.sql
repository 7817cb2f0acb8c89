-- An account's usage per feature in a span of days (events, quantity, active days, last day used
-- in the span, first day ever), most used first; served by the primary keys of usage_daily and
-- usage_firsts (migration 6).
-- Binds, in order: the account, the first day, the last day.
SELECT d.feature AS feature,
       CAST(SUM(d.events) AS BIGINT) AS events,
       CAST(SUM(d.quantity) AS BIGINT) AS quantity,
       COUNT(*) AS days,
       MAX(d.day) AS last_day,
       (SELECT f.first_day FROM usage_firsts f
        WHERE f.account_id = d.account_id AND f.feature = d.feature) AS first_day
FROM usage_daily d
WHERE d.account_id = ? AND d.day >= ? AND d.day <= ?
GROUP BY d.account_id, d.feature
ORDER BY events DESC, feature
