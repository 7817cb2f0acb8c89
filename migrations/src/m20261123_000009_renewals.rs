//! Renewals (one open per account, then decided) and risks; tasks can be linked to a risk.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts, date) = match manager.get_database_backend() {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "DATE"),
            _ => ("uuid_text", "timestamp_with_timezone_text", "date_text"),
        };
        let statements = [
            format!(
                "CREATE TABLE risks (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    category TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    status TEXT NOT NULL,
                    title TEXT NOT NULL,
                    description TEXT NULL,
                    mitigation_plan TEXT NULL,
                    owner_id {uuid} NULL REFERENCES team_members (id),
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    resolved_at {ts} NULL
                )"
            ),
            format!(
                "CREATE TABLE renewals (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    renews_on {date} NOT NULL,
                    forecast_arr_minor BIGINT NOT NULL,
                    likelihood TEXT NOT NULL,
                    owner_id {uuid} NULL REFERENCES team_members (id),
                    notes TEXT NULL,
                    outcome TEXT NULL,
                    new_arr_minor BIGINT NULL,
                    reason TEXT NULL,
                    decided_on {date} NULL,
                    arr_at_decision_minor BIGINT NULL,
                    version INTEGER NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            format!("ALTER TABLE tasks ADD COLUMN risk_id {uuid} NULL REFERENCES risks (id)"),
            "CREATE INDEX risks_account ON risks (account_id, status)".to_owned(),
            // One renewal in play per account; decided ones are history.
            "CREATE UNIQUE INDEX renewals_open ON renewals (account_id) WHERE outcome IS NULL"
                .to_owned(),
            "CREATE INDEX renewals_when ON renewals (renews_on)".to_owned(),
            "CREATE INDEX renewals_decided ON renewals (decided_on)".to_owned(),
            "CREATE INDEX tasks_risk ON tasks (risk_id)".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX tasks_risk").await?;
        db.execute_unprepared("ALTER TABLE tasks DROP COLUMN risk_id")
            .await?;
        for table in ["renewals", "risks"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
