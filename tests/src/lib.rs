//! Test support shared by the persistence tests and the end-to-end tests: a fresh database per
//! test on SQLite and on PostgreSQL, and [`db_test!`] to run one test body on both.
//!
//! SQLite tests get a new file in a temporary directory. PostgreSQL tests get their own schema
//! in the server named by `TANDEM_TEST_POSTGRES_URL` (which `scripts/test` starts), so tests run
//! in parallel without a cluster-wide lock. Without that variable the PostgreSQL half of a test
//! is skipped with a message, unless `TANDEM_REQUIRE_POSTGRES=1` (as in CI), where it fails.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "TANDEM_TEST_POSTGRES_URL";
/// Set to `1` to make a missing PostgreSQL a test failure instead of a skip.
pub const REQUIRE_POSTGRES_VAR: &str = "TANDEM_REQUIRE_POSTGRES";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh schema in the test PostgreSQL server.
    Postgres,
}

/// A database of its own for one test.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// Which database this is.
    pub backend: Backend,
    /// The connection URL.
    pub url: String,
    /// The PostgreSQL schema to set as the search path.
    pub pg_schema: Option<String>,
    dir: Option<PathBuf>,
}

impl TestDb {
    /// A new, empty SQLite database file.
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("tandem-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.join("tandem.db").display());
        TestDb {
            backend: Backend::Sqlite,
            url,
            pg_schema: None,
            dir: Some(dir),
        }
    }

    /// A new, empty schema in the test PostgreSQL server, or `None` (with a message) when no
    /// server is configured and PostgreSQL is not required.
    pub async fn postgres() -> Option<TestDb> {
        let url = match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ => {
                if std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1") {
                    panic!(
                        "{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set: run the tests through scripts/test"
                    );
                }
                eprintln!(
                    "SKIPPED on PostgreSQL: {POSTGRES_URL_VAR} is not set (scripts/test sets it)"
                );
                return None;
            }
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(url.as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {url}: {e}"));
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("create a test schema");
        admin.close().await.ok();
        Some(TestDb {
            backend: Backend::Postgres,
            url,
            pg_schema: Some(schema),
            dir: None,
        })
    }

    /// A connection of its own to this database (its schema, on PostgreSQL), for what a test
    /// does beside the repositories: stepping migrations, writing rows the way an operator would.
    pub async fn connect(&self) -> sea_orm::DatabaseConnection {
        let mut options = sea_orm::ConnectOptions::new(self.url.clone());
        options.max_connections(1);
        if let Some(schema) = &self.pg_schema {
            options.set_schema_search_path(schema.clone());
        }
        Database::connect(options)
            .await
            .expect("connect to the test database")
    }

    /// Removes the database: the SQLite directory or the PostgreSQL schema.
    pub async fn cleanup(self) {
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
        if let Some(schema) = self.pg_schema
            && let Ok(admin) = Database::connect(self.url.as_str()).await
        {
            admin
                .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .ok();
            admin.close().await.ok();
        }
    }
}

/// Runs one async test body on SQLite and on PostgreSQL, as two tests named `sqlite` and
/// `postgres` in a module named after the test.
///
/// ```ignore
/// db_test! {
///     async fn archived_accounts_refuse_updates(db) {
///         let store = open(&db).await;
///         // …
///     }
/// }
/// ```
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: $crate::TestDb) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite().await;
                run(db.clone()).await;
                db.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::TestDb::postgres().await else { return };
                run(db.clone()).await;
                db.cleanup().await;
            }
        }
    };
}
