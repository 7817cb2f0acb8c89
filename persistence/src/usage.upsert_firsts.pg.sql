-- Records the first day each account used each feature, moving it earlier when a batch brings an
-- earlier day (its primary key, migration 6, finds the existing row); returns no rows. WHERE
-- true as in the SQLite statement, which needs it; PostgreSQL does not.
-- Binds: one JSON array of [account id in hex, feature, day] arrays.
INSERT INTO usage_firsts (account_id, feature, first_day)
SELECT (e->>0)::uuid AS account_id,
       (e->>1) AS feature,
       (e->>2)::date AS first_day
FROM jsonb_array_elements(CAST(? AS TEXT)::jsonb) AS e WHERE true
ON CONFLICT (account_id, feature) DO UPDATE
   SET first_day = excluded.first_day
 WHERE excluded.first_day < usage_firsts.first_day
