//! Running counts of accounts per combination of the enumerated dimensions a list filters by
//! (touch tier, lifecycle stage, owner, industry, plan), live and archived, kept by triggers, so
//! that a filtered list's `totalCount` over those dimensions sums the matching combinations —
//! a number that grows with how many owners, industries and plans a vendor has, not with how
//! many accounts — instead of counting every matching account (issue 26: at 100,000 accounts
//! the count was most of a filtered page's cost).
//!
//! The same design as `account_tallies` (migration 17), for the same reasons: triggers keep the
//! counts right whatever writes `accounts` (the service, a bulk load, an operator's SQL); on
//! PostgreSQL each backend adds to its own slot (`pg_backend_pid() % 16`) so that concurrent
//! writers do not queue on one row, and the triggers are deferred to commit so that the counter
//! rows are locked last. A row that is unowned, or has no industry or plan, counts under the
//! nil uuid and the empty text, since a key column cannot be NULL; no filter names either. A
//! migration that rebuilds `accounts` on SQLite (copy, drop, rename) must recreate these
//! triggers. `tandem_persistence::account::count` reads them; the tests in
//! `persistence/tests/account_counts.rs` hold them equal to a count of the rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One upsert of a row's combination on PostgreSQL, by `sign` (`+` for NEW, `-` for OLD), into
/// the calling backend's slot.
fn postgres_upsert(row: &str, sign: &str) -> String {
    format!(
        "INSERT INTO account_counts AS c \
           (slot, touch_tier, lifecycle_stage, owner_id, industry, plan, live, archived) \
         VALUES (pg_backend_pid() % 16, {row}.touch_tier, {row}.lifecycle_stage, \
                 COALESCE({row}.owner_id, '00000000-0000-0000-0000-000000000000'), \
                 COALESCE({row}.industry, ''), COALESCE({row}.plan, ''), \
                 {sign}(CASE WHEN {row}.archived_at IS NULL THEN 1 ELSE 0 END), \
                 {sign}(CASE WHEN {row}.archived_at IS NULL THEN 0 ELSE 1 END)) \
         ON CONFLICT (touch_tier, lifecycle_stage, owner_id, industry, plan, slot) \
         DO UPDATE SET live = c.live + EXCLUDED.live, archived = c.archived + EXCLUDED.archived;"
    )
}

fn postgres() -> Vec<String> {
    let mut statements = vec![
        "CREATE TABLE account_counts (slot INTEGER NOT NULL, touch_tier TEXT NOT NULL, \
         lifecycle_stage TEXT NOT NULL, owner_id UUID NOT NULL, industry TEXT NOT NULL, \
         plan TEXT NOT NULL, live BIGINT NOT NULL, archived BIGINT NOT NULL, \
         PRIMARY KEY (touch_tier, lifecycle_stage, owner_id, industry, plan, slot))"
            .to_owned(),
        format!(
            "CREATE FUNCTION account_count() RETURNS trigger LANGUAGE plpgsql \
             SET search_path FROM CURRENT AS $$ \
             BEGIN \
               IF TG_OP <> 'INSERT' THEN {} END IF; \
               IF TG_OP <> 'DELETE' THEN {} END IF; \
               RETURN NULL; \
             END $$",
            postgres_upsert("OLD", "-"),
            postgres_upsert("NEW", "+")
        ),
    ];
    statements.extend(POSTGRES_TRIGGERS.iter().map(|s| (*s).to_owned()));
    statements
}

/// The triggers that call `account_count()`, and the counts of what is there when they start.
const POSTGRES_TRIGGERS: &[&str] = &[
    "CREATE CONSTRAINT TRIGGER accounts_count AFTER INSERT OR DELETE ON accounts \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION account_count()",
    "CREATE CONSTRAINT TRIGGER accounts_count_change \
     AFTER UPDATE OF touch_tier, lifecycle_stage, owner_id, industry, plan, archived_at ON accounts \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
     WHEN (OLD.touch_tier IS DISTINCT FROM NEW.touch_tier \
           OR OLD.lifecycle_stage IS DISTINCT FROM NEW.lifecycle_stage \
           OR OLD.owner_id IS DISTINCT FROM NEW.owner_id \
           OR OLD.industry IS DISTINCT FROM NEW.industry \
           OR OLD.plan IS DISTINCT FROM NEW.plan \
           OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)) \
     EXECUTE FUNCTION account_count()",
    "INSERT INTO account_counts (slot, touch_tier, lifecycle_stage, owner_id, industry, plan, \
     live, archived) \
     SELECT 0, touch_tier, lifecycle_stage, \
            COALESCE(owner_id, '00000000-0000-0000-0000-000000000000'), \
            COALESCE(industry, ''), COALESCE(plan, ''), \
            SUM(CASE WHEN archived_at IS NULL THEN 1 ELSE 0 END), \
            SUM(CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END) \
     FROM accounts GROUP BY 2, 3, 4, 5, 6",
];

/// One upsert of a row's combination, by `sign` (`+` for NEW, `-` for OLD).
fn sqlite_upsert(row: &str, sign: &str) -> String {
    format!(
        "INSERT INTO account_counts (slot, touch_tier, lifecycle_stage, owner_id, industry, plan, \
         live, archived) \
         VALUES (0, {row}.touch_tier, {row}.lifecycle_stage, \
                 COALESCE({row}.owner_id, x'00000000000000000000000000000000'), \
                 COALESCE({row}.industry, ''), COALESCE({row}.plan, ''), \
                 {sign}({row}.archived_at IS NULL), {sign}({row}.archived_at IS NOT NULL)) \
         ON CONFLICT (touch_tier, lifecycle_stage, owner_id, industry, plan, slot) \
         DO UPDATE SET live = live + excluded.live, archived = archived + excluded.archived;"
    )
}

fn sqlite() -> Vec<String> {
    vec![
        "CREATE TABLE account_counts (slot INTEGER NOT NULL, touch_tier TEXT NOT NULL, \
         lifecycle_stage TEXT NOT NULL, owner_id BLOB NOT NULL, industry TEXT NOT NULL, \
         plan TEXT NOT NULL, live BIGINT NOT NULL, archived BIGINT NOT NULL, \
         PRIMARY KEY (touch_tier, lifecycle_stage, owner_id, industry, plan, slot))"
            .to_owned(),
        format!(
            "CREATE TRIGGER accounts_count_insert AFTER INSERT ON accounts BEGIN {} END",
            sqlite_upsert("NEW", "+")
        ),
        format!(
            "CREATE TRIGGER accounts_count_delete AFTER DELETE ON accounts BEGIN {} END",
            sqlite_upsert("OLD", "-")
        ),
        format!(
            "CREATE TRIGGER accounts_count_change \
             AFTER UPDATE OF touch_tier, lifecycle_stage, owner_id, industry, plan, archived_at \
             ON accounts \
             WHEN OLD.touch_tier IS NOT NEW.touch_tier \
               OR OLD.lifecycle_stage IS NOT NEW.lifecycle_stage \
               OR OLD.owner_id IS NOT NEW.owner_id \
               OR OLD.industry IS NOT NEW.industry \
               OR OLD.plan IS NOT NEW.plan \
               OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL) \
             BEGIN {} {} END",
            sqlite_upsert("OLD", "-"),
            sqlite_upsert("NEW", "+")
        ),
        "INSERT INTO account_counts (slot, touch_tier, lifecycle_stage, owner_id, industry, plan, \
         live, archived) \
         SELECT 0, touch_tier, lifecycle_stage, \
                COALESCE(owner_id, x'00000000000000000000000000000000'), \
                COALESCE(industry, ''), COALESCE(plan, ''), \
                SUM(archived_at IS NULL), SUM(archived_at IS NOT NULL) \
         FROM accounts WHERE true GROUP BY 2, 3, 4, 5, 6"
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: Vec<String> = match manager.get_database_backend() {
            DbBackend::Postgres => postgres(),
            _ => sqlite(),
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
                "DROP TRIGGER accounts_count_change ON accounts",
                "DROP TRIGGER accounts_count ON accounts",
                "DROP FUNCTION account_count()",
                "DROP TABLE account_counts",
            ],
            _ => &[
                "DROP TRIGGER accounts_count_change",
                "DROP TRIGGER accounts_count_delete",
                "DROP TRIGGER accounts_count_insert",
                "DROP TABLE account_counts",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
