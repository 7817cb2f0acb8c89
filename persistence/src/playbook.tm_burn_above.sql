-- A condition on accounts: the account has a signed or in-delivery SOW whose approved
-- time-and-materials work has burnt more than a percentage of its cap (its amount cap, or its
-- hours cap when it has no amount cap).
-- Binds: the two SOW statuses, then twice the time-and-materials work kind and the percentage.
EXISTS (SELECT 1 FROM sows s WHERE s.account_id = accounts.id AND s.status IN (?, ?)
  AND ((s.tm_amount_cap_minor > 0
        AND (SELECT COALESCE(SUM(t.amount_minor), 0) FROM time_entries t
             WHERE t.sow_id = s.id
               AND t.timesheet_id IN (SELECT id FROM timesheets WHERE status = 'APPROVED')
               AND t.kind = ?) * 100.0 > ? * s.tm_amount_cap_minor)
    OR (s.tm_amount_cap_minor IS NULL AND s.tm_hours_cap > 0
        AND (SELECT COALESCE(SUM(t.hours), 0) FROM time_entries t
             WHERE t.sow_id = s.id
               AND t.timesheet_id IN (SELECT id FROM timesheets WHERE status = 'APPROVED')
               AND t.kind = ?) * 100.0 > ? * s.tm_hours_cap)))
