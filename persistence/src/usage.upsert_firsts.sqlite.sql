-- Records the first day each account used each feature, moving it earlier when a batch brings an
-- earlier day (its primary key, migration 6, finds the existing row); returns no rows. The WHERE
-- true keeps SQLite from reading the upsert clause as part of the SELECT.
-- Binds: one JSON array of [account id in hex, feature, day] arrays.
INSERT INTO usage_firsts (account_id, feature, first_day)
SELECT unhex(json_extract(e.value, '$[0]')) AS account_id,
       json_extract(e.value, '$[1]') AS feature,
       json_extract(e.value, '$[2]') AS first_day
FROM json_each(jsonb(?)) AS e WHERE true
ON CONFLICT (account_id, feature) DO UPDATE
   SET first_day = excluded.first_day
 WHERE excluded.first_day < usage_firsts.first_day
