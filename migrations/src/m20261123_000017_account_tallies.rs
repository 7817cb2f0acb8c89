//! Running tallies of live and archived accounts, kept by triggers, so that the unfiltered
//! account list's `totalCount` — asked by every dashboard — is a sum over a handful of rows
//! instead of a count over every live account, which grows with the book (bench/README.md has
//! what it cost a dashboard).
//!
//! Triggers rather than application code keep the tallies right whatever writes `accounts` (the
//! service, a bulk load, an operator's SQL). On PostgreSQL concurrent writers would queue on one
//! counter row, so each backend adds to its own row (`slot` = its process id modulo 16) and a
//! count sums the rows; the triggers are deferred to commit, so a transaction takes its counter
//! row's lock last and two writers cannot deadlock over it. SQLite has one writer and one row.
//! A migration that rebuilds `accounts` on SQLite (copy, drop, rename) must recreate these
//! triggers.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Counts what is there when the tallies start.
const SEED: &str = "INSERT INTO account_tallies (slot, live, archived) \
     SELECT 0, COALESCE(SUM(CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END), 0), \
            COALESCE(SUM(CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END), 0) FROM accounts";

const POSTGRES: &[&str] = &[
    "CREATE TABLE account_tallies (slot INTEGER PRIMARY KEY, live BIGINT NOT NULL, \
     archived BIGINT NOT NULL)",
    "CREATE FUNCTION account_tally() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       live_delta BIGINT := 0;
       archived_delta BIGINT := 0;
     BEGIN
       IF TG_OP <> 'DELETE' THEN
         IF NEW.archived_at IS NULL THEN live_delta := 1; ELSE archived_delta := 1; END IF;
       END IF;
       IF TG_OP <> 'INSERT' THEN
         IF OLD.archived_at IS NULL THEN live_delta := live_delta - 1;
         ELSE archived_delta := archived_delta - 1; END IF;
       END IF;
       INSERT INTO account_tallies (slot, live, archived)
       VALUES (pg_backend_pid() % 16, live_delta, archived_delta)
       ON CONFLICT (slot) DO UPDATE SET live = account_tallies.live + EXCLUDED.live,
                                        archived = account_tallies.archived + EXCLUDED.archived;
       RETURN NULL;
     END $$",
    "CREATE CONSTRAINT TRIGGER accounts_tally AFTER INSERT OR DELETE ON accounts \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION account_tally()",
    "CREATE CONSTRAINT TRIGGER accounts_tally_archive AFTER UPDATE OF archived_at ON accounts \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
     WHEN ((OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)) \
     EXECUTE FUNCTION account_tally()",
    SEED,
];

const SQLITE: &[&str] = &[
    "CREATE TABLE account_tallies (slot INTEGER PRIMARY KEY NOT NULL, live BIGINT NOT NULL, \
     archived BIGINT NOT NULL)",
    "CREATE TRIGGER accounts_tally_insert AFTER INSERT ON accounts BEGIN \
     UPDATE account_tallies SET live = live + (NEW.archived_at IS NULL), \
     archived = archived + (NEW.archived_at IS NOT NULL) WHERE slot = 0; END",
    "CREATE TRIGGER accounts_tally_delete AFTER DELETE ON accounts BEGIN \
     UPDATE account_tallies SET live = live - (OLD.archived_at IS NULL), \
     archived = archived - (OLD.archived_at IS NOT NULL) WHERE slot = 0; END",
    "CREATE TRIGGER accounts_tally_archive AFTER UPDATE OF archived_at ON accounts \
     WHEN (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL) BEGIN \
     UPDATE account_tallies SET live = live + (NEW.archived_at IS NULL) - (OLD.archived_at IS NULL), \
     archived = archived + (NEW.archived_at IS NOT NULL) - (OLD.archived_at IS NOT NULL) \
     WHERE slot = 0; END",
    SEED,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER accounts_tally_archive ON accounts",
                "DROP TRIGGER accounts_tally ON accounts",
                "DROP FUNCTION account_tally()",
                "DROP TABLE account_tallies",
            ],
            _ => &[
                "DROP TRIGGER accounts_tally_archive",
                "DROP TRIGGER accounts_tally_delete",
                "DROP TRIGGER accounts_tally_insert",
                "DROP TABLE account_tallies",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
