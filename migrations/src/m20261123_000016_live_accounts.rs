//! A partial index over live (not archived) accounts, narrow on purpose: every account list
//! counts live accounts (`totalCount`), and without it counting them read every row of
//! `accounts` to test `archived_at`, the table's last column, past its JSON columns. With it,
//! both databases count from the index alone (bench/README.md, "Where the speed tricks were
//! measured", has the figures). It is on `id` alone because PostgreSQL weighs an index's pages
//! against the table's: an index on `(name_key, id)` built up row by row is as many pages as the
//! `name_key` index and loses to the sequential scan.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX accounts_live ON accounts (id) WHERE archived_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX accounts_live")
            .await?;
        Ok(())
    }
}
