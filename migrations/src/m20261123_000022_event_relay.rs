//! The event stream leaving the database: where the JetStream relay stands in the outbox (moved
//! only after the broker acknowledged the events before it), and `event_outbox`, the outbox in
//! the columns Debezium's outbox event router expects (`id`, `aggregatetype`, `aggregateid`,
//! `type`, `payload`), so that a change-data-capture pipeline can follow the same events.
//!
//! In the view, `id` is the event's cursor (the JetStream `Nats-Msg-Id` too), `aggregatetype`
//! the kind of object the event is about (`ACCOUNT`, `PHASE`…), `aggregateid` the account's UUID
//! (the subject's when the event belongs to no account), so that a log keyed by it keeps each
//! account's events in order; `type` the event kind and `payload` the event as a JSON object
//! with the database's UUIDs and the time in UTC to the millisecond.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const VIEW_PG: &str = r#"CREATE VIEW event_outbox AS
SELECT cursor AS id,
       subject_kind AS aggregatetype,
       COALESCE(account_id, subject_id)::text AS aggregateid,
       kind AS type,
       jsonb_build_object(
           'cursor', cursor,
           'kind', kind,
           'accountId', account_id,
           'subjectKind', subject_kind,
           'subjectId', subject_id,
           'actor', actor,
           'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'changes', changes
       ) AS payload
FROM account_events"#;

/// SQLite keeps UUIDs as 16-byte blobs, which JSON cannot hold: the view spells them out as
/// PostgreSQL does (lower-case hex, hyphenated).
fn uuid_text(column: &str) -> String {
    let hex = format!("hex({column})");
    format!(
        "CASE WHEN {column} IS NULL THEN NULL ELSE lower(substr({hex}, 1, 8) || '-' || substr({hex}, 9, 4) || '-' || substr({hex}, 13, 4) || '-' || substr({hex}, 17, 4) || '-' || substr({hex}, 21)) END"
    )
}

fn view_sqlite() -> String {
    let (account, subject) = (uuid_text("account_id"), uuid_text("subject_id"));
    // Milliseconds cut, not rounded (strftime's %f rounds), as PostgreSQL's to_char and the API
    // write them; times are stored in UTC with 0, 3, 6 or 9 decimals.
    let occurred = "strftime('%Y-%m-%dT%H:%M:%S', occurred_at) || '.' || \
         CASE WHEN instr(occurred_at, '.') > 0 THEN substr(occurred_at, instr(occurred_at, '.') + 1, 3) \
         ELSE '000' END || 'Z'";
    format!(
        r#"CREATE VIEW event_outbox AS
SELECT cursor AS id,
       subject_kind AS aggregatetype,
       COALESCE({account}, {subject}) AS aggregateid,
       kind AS type,
       json_object(
           'cursor', cursor,
           'kind', kind,
           'accountId', {account},
           'subjectKind', subject_kind,
           'subjectId', {subject},
           'actor', actor,
           'occurredAt', {occurred},
           'changes', json(changes)
       ) AS payload
FROM account_events"#
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (ts, view) = match manager.get_database_backend() {
            DbBackend::Postgres => ("TIMESTAMPTZ", VIEW_PG.to_owned()),
            _ => ("timestamp_with_timezone_text", view_sqlite()),
        };
        // One row per relay (named after its JetStream stream): the cursor of the last event the
        // broker acknowledged. A relay that never ran has no row and starts at the beginning.
        db.execute_unprepared(&format!(
            "CREATE TABLE event_relays (
                name TEXT PRIMARY KEY,
                position BIGINT NOT NULL,
                updated_at {ts} NOT NULL
            )"
        ))
        .await?;
        db.execute_unprepared(&view).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP VIEW event_outbox").await?;
        manager
            .drop_table(Table::drop().table("event_relays").to_owned())
            .await?;
        Ok(())
    }
}
