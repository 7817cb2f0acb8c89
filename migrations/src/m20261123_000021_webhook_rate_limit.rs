//! A webhook endpoint's rate limit: the most deliveries sent to it in any one second
//! (`rate_limit_per_second`, 1–1000; `NULL` when unlimited, as every endpoint registered before
//! is).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE webhook_endpoints ADD COLUMN rate_limit_per_second INTEGER NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_endpoints")
                    .drop_column("rate_limit_per_second")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
