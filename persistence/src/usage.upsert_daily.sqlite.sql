-- Adds a batch's counts per account, day and feature to the daily roll-up (its primary key,
-- migration 6, finds the existing row); returns no rows. The WHERE true keeps SQLite from
-- reading the upsert clause as part of the SELECT.
-- Binds: one JSON array of [account id in hex, day, feature, events, quantity] arrays.
INSERT INTO usage_daily (account_id, day, feature, events, quantity)
SELECT unhex(json_extract(e.value, '$[0]')) AS account_id,
       json_extract(e.value, '$[1]') AS day,
       json_extract(e.value, '$[2]') AS feature,
       json_extract(e.value, '$[3]') AS events,
       json_extract(e.value, '$[4]') AS quantity
FROM json_each(jsonb(?)) AS e WHERE true
ON CONFLICT (account_id, day, feature) DO UPDATE
   SET events = usage_daily.events + excluded.events,
       quantity = usage_daily.quantity + excluded.quantity
