-- Records a ticket, or updates the one the account already has with this external id (found
-- through the unique constraint on account_id and external_id, migration 6); returns no rows.
-- Binds, in order: id, account_id, external_id, subject, priority, status, opened_at, closed_at,
-- recorded_by, created_at, updated_at.
INSERT INTO support_tickets (id, account_id, external_id, subject, priority, status, opened_at,
                             closed_at, recorded_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account_id, external_id) DO UPDATE
   SET subject = excluded.subject,
       priority = excluded.priority,
       status = excluded.status,
       opened_at = excluded.opened_at,
       closed_at = excluded.closed_at,
       recorded_by = excluded.recorded_by,
       updated_at = excluded.updated_at
