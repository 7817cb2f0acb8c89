//! Outcomes: a phase serves any number of success-plan goals (`phase_goals`, backfilled from the
//! single `phases.goal_id` link it replaces) and records the value it realised once accepted.
//!
//! `phases.goal_id` stays: the write path keeps it equal to the phase's first linked goal (by
//! goal id), so a reader that still knows only the single link sees a sensible answer.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let uuid = match manager.get_database_backend() {
            DbBackend::Postgres => "UUID",
            _ => "uuid_text",
        };
        let statements = [
            format!(
                "CREATE TABLE phase_goals (
                    phase_id {uuid} NOT NULL REFERENCES phases (id),
                    goal_id {uuid} NOT NULL REFERENCES goals (id),
                    PRIMARY KEY (phase_id, goal_id)
                )"
            ),
            // The phases a goal is served by, for a goal's side of the link.
            "CREATE INDEX phase_goals_goal ON phase_goals (goal_id, phase_id)".to_owned(),
            "INSERT INTO phase_goals (phase_id, goal_id) \
             SELECT id, goal_id FROM phases WHERE goal_id IS NOT NULL"
                .to_owned(),
            "ALTER TABLE phases ADD COLUMN realised_value TEXT NULL".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE phases DROP COLUMN realised_value",
            "DROP TABLE phase_goals",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
