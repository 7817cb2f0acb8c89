//! A covering index for phase outlines: `engagement::phase::outlines_of_engagements` and
//! `heads_of_engagements` (what a dashboard's phase lists read) then answer from the index
//! alone, skipping a heap page per engagement (bench/README.md has the figures). The columns are
//! the ones those reads select (the `COLUMNS` of `PhaseOutline` and `PhaseHead` in
//! `persistence/src/engagement/phase/outline.rs`); keep them in step.
//!
//! On PostgreSQL the unique index on `(engagement_id, position)` carries the outline as
//! `INCLUDE`d columns, so uniqueness is kept and no second index is written. SQLite has no
//! `INCLUDE`: it keeps the unique index and gets a second, wider one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OUTLINE: &str = "id, name, focus_kind, focus, status, planned_start, planned_end, \
                       actual_start, actual_end, accepted_on, version";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => vec![
                "DROP INDEX phases_position".to_owned(),
                format!(
                    "CREATE UNIQUE INDEX phases_position ON phases (engagement_id, position) \
                     INCLUDE ({OUTLINE})"
                ),
            ],
            _ => vec![format!(
                "CREATE INDEX phases_outline ON phases (engagement_id, position, {OUTLINE})"
            )],
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP INDEX phases_position",
                "CREATE UNIQUE INDEX phases_position ON phases (engagement_id, position)",
            ],
            _ => &["DROP INDEX phases_outline"],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
