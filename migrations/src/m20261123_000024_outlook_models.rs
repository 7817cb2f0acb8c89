//! The revenue outlook's renewal models: every fit of the likelihood to renew, kept whole and
//! numbered like health model versions, so that a score names the model that gave it and an
//! older version's backtest can still be read beside the latest.

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
            // One row per fit; its id is the subject of its OUTLOOK_MODEL_FITTED event.
            format!(
                "CREATE TABLE outlook_models (
                    id {uuid} PRIMARY KEY,
                    version INTEGER NOT NULL,
                    fitted_at {ts} NOT NULL,
                    fitted_by TEXT NOT NULL,
                    closed_renewals INTEGER NOT NULL,
                    fitted {json} NOT NULL,
                    settings {json} NOT NULL
                )"
            ),
            // "A model by version" is one entry of this index, "the latest model" its last
            // (`ORDER BY version DESC LIMIT 1`), and two refits racing for the same number
            // cannot both commit.
            "CREATE UNIQUE INDEX outlook_models_version ON outlook_models (version)".to_owned(),
            // Models by when they were fitted (the schedule asks how old the latest is).
            "CREATE INDEX outlook_models_fitted_at ON outlook_models (fitted_at)".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outlook_models").to_owned())
            .await
    }
}
