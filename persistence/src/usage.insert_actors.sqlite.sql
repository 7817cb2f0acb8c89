-- Records who was active on each account and day, once (its primary key, migration 6, skips
-- those already recorded); returns no rows. The WHERE true keeps SQLite from reading the upsert
-- clause as part of the SELECT.
-- Binds: one JSON array of [account id in hex, day, actor] arrays.
INSERT INTO usage_actors (account_id, day, actor)
SELECT unhex(json_extract(e.value, '$[0]')) AS account_id,
       json_extract(e.value, '$[1]') AS day,
       json_extract(e.value, '$[2]') AS actor
FROM json_each(jsonb(?)) AS e WHERE true
ON CONFLICT (account_id, day, actor) DO NOTHING
