//! Pins the account tally trigger function (migration 17) to the schema it was created in. It
//! names `account_tallies` unqualified, so it resolved through the search path of whichever
//! session wrote `accounts`: Tandem's own sessions set the configured schema, but an operator's
//! session with another search path would have missed the tally or failed. SQLite has no
//! schemas and nothing to do.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER FUNCTION account_tally() SET search_path FROM CURRENT")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER FUNCTION account_tally() RESET search_path")
                .await?;
        }
        Ok(())
    }
}
