//! Activities: notes, meetings, calls and e-mails on accounts, with their participants and what
//! they were about. With the account-change events they make up an account's timeline.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts, json) = match manager.get_database_backend() {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "JSONB"),
            _ => ("uuid_text", "timestamp_with_timezone_text", "TEXT"),
        };
        let statements = [
            format!(
                "CREATE TABLE activities (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    kind TEXT NOT NULL,
                    occurred_at {ts} NOT NULL,
                    title TEXT NULL,
                    body TEXT NOT NULL,
                    contact_ids {json} NOT NULL,
                    team_member_ids {json} NOT NULL,
                    engagement_id {uuid} NULL REFERENCES engagements (id),
                    phase_id {uuid} NULL REFERENCES phases (id),
                    goal_id {uuid} NULL REFERENCES goals (id),
                    business_review_id {uuid} NULL REFERENCES business_reviews (id),
                    author TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    deleted_at {ts} NULL
                )"
            ),
            // The timeline reads an account's activities newest first.
            "CREATE INDEX activities_account ON activities (account_id, occurred_at, id)".to_owned(),
            // …and its events newest first.
            "CREATE INDEX account_events_account_time ON account_events (account_id, occurred_at, cursor)"
                .to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX account_events_account_time")
            .await?;
        manager
            .drop_table(Table::drop().table("activities").to_owned())
            .await?;
        Ok(())
    }
}
