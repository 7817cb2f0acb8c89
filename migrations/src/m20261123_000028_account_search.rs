//! Trigram indexes for the account list's text search on PostgreSQL: `search` matches names and
//! domains that contain the text anywhere (`LIKE '%text%'`), which a b-tree cannot serve, so at
//! 100,000 accounts every searched page and its count read the whole table (issue 26). A GIN
//! index of trigrams (`pg_trgm`) serves `LIKE` with a leading wildcard: the rows that contain
//! the text's trigrams are found by index, and only those are read.
//!
//! `pg_trgm` ships with PostgreSQL and is a trusted extension, so the database's owner may create
//! it. It is created in `public` unless the database has it already (wherever that is), since an
//! extension belongs to the database and not to Tandem's schema; the opclass is named with its
//! schema so the index does not depend on the search path. Two migrations of the same database
//! (the test suite runs many, one schema each) take an advisory lock around the creation, as
//! `CREATE EXTENSION IF NOT EXISTS` alone races. Rolling back drops the indexes, not the
//! extension, which other schemas may use.
//!
//! SQLite keeps scanning for now: FTS5's trigram tables need a stable rowid, which `accounts`
//! (keyed by uuid) does not promise across `VACUUM`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "SELECT pg_advisory_xact_lock(hashtext('tandem: CREATE EXTENSION pg_trgm'))",
        )
        .await?;
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
            .await?;
        let schema = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT n.nspname FROM pg_extension e \
                 JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'",
            ))
            .await?
            .ok_or_else(|| DbErr::Migration("pg_trgm is not installed".to_owned()))?
            .try_get_by_index::<String>(0)?;
        let schema = schema.replace('"', "\"\"");
        for (index, column) in [
            ("accounts_name_trgm", "name_key"),
            ("accounts_domain_trgm", "domain"),
        ] {
            db.execute_unprepared(&format!(
                "CREATE INDEX {index} ON accounts USING gin ({column} \"{schema}\".gin_trgm_ops)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX accounts_domain_trgm")
            .await?;
        db.execute_unprepared("DROP INDEX accounts_name_trgm")
            .await?;
        Ok(())
    }
}
