-- Appends a batch's raw events; returns no rows and uses no index (the table is append-only).
-- Binds, in order: the batch's name, and its events as one JSON array of
-- [account id in hex, feature, actor, RFC 3339 time, quantity] arrays.
INSERT INTO usage_events (account_id, feature, actor, occurred_at, quantity, batch)
SELECT account_id, feature, actor, occurred_at, quantity, ?
FROM (SELECT (e->>0)::uuid AS account_id,
             (e->>1) AS feature,
             (e->>2) AS actor,
             (e->>3)::timestamptz AS occurred_at,
             (e->>4)::bigint AS quantity
      FROM jsonb_array_elements(CAST(? AS TEXT)::jsonb) AS e) AS rows
