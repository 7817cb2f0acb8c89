-- The open opportunities of the slice expected to close in a window, with the probability the
-- outlook weighs them by: the opportunity's own override, else its stage's default.
-- Follows WITH sliced (the live accounts of the slice). Served by opportunities_account.
-- Binds: the first and the last expected close day.
SELECT o.id AS id, o.account_id AS account_id, o.kind AS kind,
       o.mrr_delta_minor AS mrr_delta_minor, o.services_value_minor AS services_value_minor,
       COALESCE(o.probability, s.default_probability) AS probability,
       o.expected_close_on AS expected_close_on
FROM opportunities o
JOIN sliced a ON a.id = o.account_id
JOIN opportunity_stages s ON s.id = o.stage_id
WHERE o.status = 'OPEN' AND o.expected_close_on >= ? AND o.expected_close_on <= ?
ORDER BY o.expected_close_on, o.id
