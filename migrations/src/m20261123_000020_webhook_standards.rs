//! Standard Webhooks, CloudEvents and secret rotation for webhook endpoints: how an endpoint's
//! deliveries are signed (`signature_scheme`), what they look like (`envelope`), and the secret
//! a rotation replaced with when it stops signing.
//!
//! Endpoints registered before keep Tandem's own `Tandem-Signature` scheme and body — their
//! receivers verify that way — so the new columns default to `TANDEM` for existing rows; new
//! endpoints name their scheme (Standard Webhooks unless asked otherwise) when they are written.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let ts = match manager.get_database_backend() {
            DbBackend::Postgres => "TIMESTAMPTZ",
            _ => "timestamp_with_timezone_text",
        };
        // SQLite adds one column per statement.
        for sql in [
            "ALTER TABLE webhook_endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'TANDEM'"
                .to_owned(),
            "ALTER TABLE webhook_endpoints ADD COLUMN envelope TEXT NOT NULL DEFAULT 'TANDEM'"
                .to_owned(),
            "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT NULL".to_owned(),
            format!(
                "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at {ts} NULL"
            ),
        ] {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            "previous_secret_expires_at",
            "previous_secret",
            "envelope",
            "signature_scheme",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("webhook_endpoints")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
