-- Adds a batch's counts per account, day and feature to the daily roll-up (its primary key,
-- migration 6, finds the existing row); returns no rows. WHERE true as in the SQLite
-- statement, which needs it; PostgreSQL does not.
-- Binds: one JSON array of [account id in hex, day, feature, events, quantity] arrays.
INSERT INTO usage_daily (account_id, day, feature, events, quantity)
SELECT (e->>0)::uuid AS account_id,
       (e->>1)::date AS day,
       (e->>2) AS feature,
       (e->>3)::bigint AS events,
       (e->>4)::bigint AS quantity
FROM jsonb_array_elements(CAST(? AS TEXT)::jsonb) AS e WHERE true
ON CONFLICT (account_id, day, feature) DO UPDATE
   SET events = usage_daily.events + excluded.events,
       quantity = usage_daily.quantity + excluded.quantity
