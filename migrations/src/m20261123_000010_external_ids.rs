//! External ids: accounts, contacts and team members keyed by the ids other systems give them,
//! unique per source, one per object and source.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (uuid, ts) = match manager.get_database_backend() {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ"),
            _ => ("uuid_text", "timestamp_with_timezone_text"),
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE external_ids (
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                external_id TEXT NOT NULL,
                entity_id {uuid} NOT NULL,
                created_at {ts} NOT NULL,
                PRIMARY KEY (kind, source, external_id),
                UNIQUE (kind, source, entity_id)
            )"
        ))
        .await?;
        db.execute_unprepared("CREATE INDEX external_ids_entity ON external_ids (entity_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("external_ids").to_owned())
            .await?;
        Ok(())
    }
}
