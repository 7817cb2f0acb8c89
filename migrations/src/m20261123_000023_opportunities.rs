//! Opportunities: the pipeline's stages (configurable, ordered, each with a default
//! probability; seeded with four) and the opportunities of each account, with what their win
//! made (a revenue movement or a drafted SOW).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stages a new installation starts with: name, position, default probability. Teams
/// rename, reorder or add to them (`setOpportunityStage`).
const STAGES: [(&str, &str, i32, f64); 4] = [
    ("0193a000-0000-7000-8000-000000000001", "Qualify", 10, 0.10),
    ("0193a000-0000-7000-8000-000000000002", "Discover", 20, 0.25),
    ("0193a000-0000-7000-8000-000000000003", "Propose", 30, 0.50),
    ("0193a000-0000-7000-8000-000000000004", "Commit", 40, 0.80),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let (uuid, ts, date, float) = match backend {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ", "DATE", "DOUBLE PRECISION"),
            _ => (
                "uuid_text",
                "timestamp_with_timezone_text",
                "date_text",
                "REAL",
            ),
        };
        let statements = [
            format!(
                "CREATE TABLE opportunity_stages (
                    id {uuid} PRIMARY KEY,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    default_probability {float} NOT NULL,
                    version INTEGER NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX opportunity_stages_name ON opportunity_stages (name)".to_owned(),
            format!(
                "CREATE TABLE opportunities (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    kind TEXT NOT NULL,
                    title TEXT NOT NULL,
                    stage_id {uuid} NOT NULL REFERENCES opportunity_stages (id),
                    status TEXT NOT NULL,
                    mrr_delta_minor BIGINT NOT NULL,
                    services_value_minor BIGINT NOT NULL,
                    probability {float} NULL,
                    expected_close_on {date} NOT NULL,
                    owner_id {uuid} NULL REFERENCES team_members (id),
                    goal_id {uuid} NULL REFERENCES goals (id),
                    phase_id {uuid} NULL REFERENCES phases (id),
                    close_reason TEXT NULL,
                    closed_on {date} NULL,
                    revenue_event_id {uuid} NULL REFERENCES revenue_events (id),
                    sow_id {uuid} NULL REFERENCES sows (id),
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            // An account's opportunities by status, in closing order (`Account.opportunities`,
            // and the outlook's open ones of a slice).
            "CREATE INDEX opportunities_account ON opportunities (account_id, status, expected_close_on)"
                .to_owned(),
            // Every account's open ones by close date (`opportunities(closingBefore:…)`).
            "CREATE INDEX opportunities_closing ON opportunities (expected_close_on, id)".to_owned(),
            "CREATE INDEX opportunities_stage ON opportunities (stage_id)".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        for (id, name, position, p) in STAGES {
            let id = match backend {
                DbBackend::Postgres => format!("'{id}'::uuid"),
                _ => format!("X'{}'", id.replace('-', "")),
            };
            db.execute_unprepared(&format!(
                "INSERT INTO opportunity_stages (id, name, position, default_probability, version)
                 VALUES ({id}, '{name}', {position}, {p}, 1)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["opportunities", "opportunity_stages"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
