-- Why renewals decided in the period churned or downgraded: by reason and outcome, with the
-- ARR lost, most frequent first.
-- Follows WITH sliced (the accounts of the slice, archived ones too).
-- Binds: the first and the last decision day.
SELECT r.reason AS reason, r.outcome AS outcome, COUNT(*) AS n,
       CAST(COALESCE(SUM(r.arr_at_decision_minor - r.new_arr_minor), 0) AS BIGINT) AS lost
FROM renewals r
JOIN sliced a ON a.id = r.account_id
WHERE r.reason IS NOT NULL AND r.decided_on >= ? AND r.decided_on <= ?
GROUP BY r.reason, r.outcome
ORDER BY COUNT(*) DESC, r.reason, r.outcome
