//! Acting on the event stream: playbooks (with the accounts each threshold playbook currently
//! matches, and a record of every firing), tasks, webhook endpoints with their deliveries and
//! attempts, and the cursor the automation worker keeps in the stream.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts, date, json) = match manager.get_database_backend() {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "DATE", "JSONB"),
            _ => (
                "uuid_text",
                "timestamp_with_timezone_text",
                "date_text",
                "TEXT",
            ),
        };
        let statements = [
            format!(
                "CREATE TABLE playbooks (
                    id {uuid} PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT NULL,
                    enabled BOOLEAN NOT NULL,
                    trigger_def {json} NOT NULL,
                    condition_def {json} NOT NULL,
                    actions {json} NOT NULL,
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    archived_at {ts} NULL
                )"
            ),
            // The accounts a threshold playbook matches now: a firing happens when an account
            // enters this set, and leaving it re-arms the playbook for that account.
            format!(
                "CREATE TABLE playbook_matches (
                    playbook_id {uuid} NOT NULL REFERENCES playbooks (id),
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    since {ts} NOT NULL,
                    PRIMARY KEY (playbook_id, account_id)
                )"
            ),
            // Every firing. An event-triggered firing names its event, once per playbook.
            format!(
                "CREATE TABLE playbook_runs (
                    id {uuid} PRIMARY KEY,
                    playbook_id {uuid} NOT NULL REFERENCES playbooks (id),
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    event_cursor BIGINT NULL,
                    fired_at {ts} NOT NULL,
                    outcomes {json} NOT NULL,
                    UNIQUE (playbook_id, event_cursor)
                )"
            ),
            format!(
                "CREATE TABLE tasks (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    assignee_id {uuid} NULL REFERENCES team_members (id),
                    title TEXT NOT NULL,
                    notes TEXT NULL,
                    due_on {date} NULL,
                    status TEXT NOT NULL,
                    playbook_id {uuid} NULL REFERENCES playbooks (id),
                    run_id {uuid} NULL REFERENCES playbook_runs (id),
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    closed_at {ts} NULL
                )"
            ),
            // Where a worker is in the event stream. Moved in the same transaction as the
            // effects of the events it passes, so they happen exactly once.
            format!(
                "CREATE TABLE worker_cursors (
                    name TEXT PRIMARY KEY,
                    position BIGINT NOT NULL,
                    updated_at {ts} NULL
                )"
            ),
            format!(
                "CREATE TABLE webhook_endpoints (
                    id {uuid} PRIMARY KEY,
                    url TEXT NOT NULL,
                    description TEXT NULL,
                    event_kinds {json} NOT NULL,
                    secret TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    disabled_reason TEXT NULL,
                    failing_since {ts} NULL,
                    consecutive_failures INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    archived_at {ts} NULL
                )"
            ),
            format!(
                "CREATE TABLE webhook_deliveries (
                    id {uuid} PRIMARY KEY,
                    endpoint_id {uuid} NOT NULL REFERENCES webhook_endpoints (id),
                    event_cursor BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at {ts} NULL,
                    last_error TEXT NULL,
                    created_at {ts} NOT NULL,
                    delivered_at {ts} NULL,
                    UNIQUE (endpoint_id, event_cursor)
                )"
            ),
            format!(
                "CREATE TABLE webhook_attempts (
                    delivery_id {uuid} NOT NULL REFERENCES webhook_deliveries (id),
                    attempt INTEGER NOT NULL,
                    attempted_at {ts} NOT NULL,
                    status_code INTEGER NULL,
                    error TEXT NULL,
                    duration_ms BIGINT NOT NULL,
                    PRIMARY KEY (delivery_id, attempt)
                )"
            ),
            "CREATE INDEX tasks_assignee ON tasks (assignee_id, status, due_on)".to_owned(),
            "CREATE INDEX tasks_account ON tasks (account_id, status)".to_owned(),
            "CREATE INDEX playbook_runs_playbook ON playbook_runs (playbook_id, fired_at)"
                .to_owned(),
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)"
                .to_owned(),
            // The worker starts at the end of the stream as it is when automation arrives:
            // older events happened before any playbook or endpoint could have wanted them.
            "INSERT INTO worker_cursors (name, position, updated_at)
             SELECT 'automation', COALESCE(MAX(cursor), 0), NULL FROM account_events"
                .to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "webhook_attempts",
            "webhook_deliveries",
            "webhook_endpoints",
            "worker_cursors",
            "tasks",
            "playbook_runs",
            "playbook_matches",
            "playbooks",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
