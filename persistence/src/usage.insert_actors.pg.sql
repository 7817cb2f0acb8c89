-- Records who was active on each account and day, once (its primary key, migration 6, skips
-- those already recorded); returns no rows. WHERE true as in the SQLite statement, which needs
-- it; PostgreSQL does not.
-- Binds: one JSON array of [account id in hex, day, actor] arrays.
INSERT INTO usage_actors (account_id, day, actor)
SELECT (e->>0)::uuid AS account_id,
       (e->>1)::date AS day,
       (e->>2) AS actor
FROM jsonb_array_elements(CAST(? AS TEXT)::jsonb) AS e WHERE true
ON CONFLICT (account_id, day, actor) DO NOTHING
