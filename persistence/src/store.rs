//! Connecting to the database, migrating it, and running write transactions.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tandem_migrations::{Migrator, MigratorTrait};

use crate::PersistenceResult;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, the embedded default.
    Sqlite,
    /// PostgreSQL, for production.
    Postgres,
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path?mode=rwc` or `postgres://user@host:port/db`.
    pub url: String,
    /// The most connections the pool opens.
    pub max_connections: u32,
    /// How long a request waits for a free connection before it fails.
    pub acquire_timeout: Duration,
    /// The PostgreSQL schema to work in (tests give each test its own); `None` for the default.
    pub pg_schema: Option<String>,
}

impl StoreOptions {
    /// Options with sensible defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 32,
            acquire_timeout: Duration::from_secs(5),
            pg_schema: None,
        }
    }
}

/// A connection pool's use at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open now, idle or in use.
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// The handle every repository works through. Cheap to clone: it wraps a connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    conn: DatabaseConnection,
    backend: Backend,
    statements: Arc<AtomicU64>,
    max_connections: u32,
    /// The schema this store works in: what scopes its notifications and worker lock, so
    /// that deployments (and tests) sharing one PostgreSQL database stay apart.
    scope: Arc<str>,
}

impl Store {
    /// Connects to the database. SQLite files are created when missing and run in WAL mode with
    /// a busy timeout, so readers never block the writer.
    pub async fn connect(options: &StoreOptions) -> PersistenceResult<Store> {
        let mut opt = ConnectOptions::new(options.url.clone());
        opt.max_connections(options.max_connections.max(1))
            .min_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_timeout(options.acquire_timeout)
            // sea-orm pings a connection before every checkout; under load that was a round
            // trip per statement. Only one that idled may have been dropped by the server or a
            // proxy, and a statement on a broken connection fails as `Unavailable` anyway.
            .test_before_acquire_if_idle_for(Duration::from_secs(1))
            .sqlx_logging(false);
        if let Some(schema) = &options.pg_schema {
            opt.set_schema_search_path(schema.clone());
        }
        opt.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
        let mut conn = Database::connect(opt).await?;
        let backend = match conn.get_database_backend() {
            DbBackend::Postgres => Backend::Postgres,
            _ => Backend::Sqlite,
        };
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Store {
            conn,
            backend,
            statements,
            max_connections: options.max_connections.max(1),
            scope: options.pg_schema.as_deref().unwrap_or("public").into(),
        })
    }

    /// How many SQL statements this store has run since it connected: what the tests that
    /// guard against N+1 queries count.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The connection pool's use now: connections open, of them idle, and the most it opens.
    /// Cheap (a few atomic reads): what the metrics endpoint reports at each scrape.
    pub fn pool_status(&self) -> PoolStatus {
        let (open, idle) = match self.backend {
            Backend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            Backend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        PoolStatus {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX).min(open),
            max: self.max_connections,
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> PersistenceResult<()> {
        Migrator::up(&self.conn, None).await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> PersistenceResult<()> {
        self.conn.ping().await?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(self) -> PersistenceResult<()> {
        self.conn.close().await?;
        Ok(())
    }

    /// The schema this store works in (`public` unless configured).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes cannot fail half-way with
    /// SQLITE_BUSY; the busy timeout makes it wait instead.
    pub async fn begin_write(&self) -> PersistenceResult<DatabaseTransaction> {
        Ok(self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?)
    }
}
