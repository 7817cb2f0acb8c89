//! Catalog scope: a phase points at a published catalog-model version and names the part of it
//! it moves (`phase_catalog_scopes`), and each account keeps which of its products are marked
//! migrated to the target platform (`product_migrations`).
//!
//! A mark belongs to the account and the product key, not to a version: keys are stable across
//! the versions of one account's model, so a phase moved onto a newer version keeps its
//! progress.

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
            // One scope per phase; the three lists are JSON arrays of names.
            format!(
                "CREATE TABLE phase_catalog_scopes (
                    phase_id {uuid} PRIMARY KEY REFERENCES phases (id),
                    catalog_version_id {uuid} NOT NULL REFERENCES catalog_versions (id),
                    product_lines {json} NOT NULL,
                    product_types {json} NOT NULL,
                    products {json} NOT NULL,
                    version INTEGER NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            // The phases planned on a version, for a version's side of the link.
            "CREATE INDEX phase_catalog_scopes_version ON phase_catalog_scopes \
             (catalog_version_id, phase_id)"
                .to_owned(),
            format!(
                "CREATE TABLE product_migrations (
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    product_key TEXT NOT NULL,
                    migrated_at {ts} NOT NULL,
                    migrated_by TEXT NOT NULL,
                    PRIMARY KEY (account_id, product_key)
                )"
            ),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP TABLE product_migrations",
            "DROP INDEX phase_catalog_scopes_version",
            "DROP TABLE phase_catalog_scopes",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
