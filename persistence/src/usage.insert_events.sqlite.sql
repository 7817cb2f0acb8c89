-- Appends a batch's raw events; returns no rows and uses no index (the table is append-only).
-- Binds, in order: the batch's name, and its events as one JSON array of
-- [account id in hex, feature, actor, RFC 3339 time, quantity] arrays.
INSERT INTO usage_events (account_id, feature, actor, occurred_at, quantity, batch)
SELECT account_id, feature, actor, occurred_at, quantity, ?
FROM (SELECT unhex(json_extract(e.value, '$[0]')) AS account_id,
             json_extract(e.value, '$[1]') AS feature,
             json_extract(e.value, '$[2]') AS actor,
             json_extract(e.value, '$[3]') AS occurred_at,
             json_extract(e.value, '$[4]') AS quantity
      FROM json_each(jsonb(?)) AS e) AS rows
