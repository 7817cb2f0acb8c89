//! The errors storage reports.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use tandem_domain::DomainError;

/// What went wrong in storage, in terms the API can map to a coded error.
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// No object of that kind has that id.
    #[error("no {entity} has the id {id}")]
    NotFound { entity: &'static str, id: String },
    /// The caller read an older version than the stored one (optimistic concurrency).
    #[error(
        "the {entity} was changed by someone else: you read version {read}, it is now at version {current}; reload it and try again"
    )]
    Stale {
        entity: &'static str,
        read: i32,
        current: i32,
    },
    /// The change would break a uniqueness rule or another invariant kept by storage.
    #[error("{0}")]
    Conflict(String),
    /// A domain rule refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database could not be reached.
    #[error("the database is unavailable")]
    Unavailable(#[source] DbErr),
    /// Anything else: a bug or an unexpected database answer. Never shown to a client.
    #[error("database error")]
    Internal(#[source] DbErr),
}

impl From<DbErr> for PersistenceError {
    fn from(err: DbErr) -> Self {
        match err {
            _ if out_of_reach(&err) => PersistenceError::Unavailable(err),
            other => match other.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => PersistenceError::Conflict(
                    "another object already uses that unique value".to_owned(),
                ),
                _ => PersistenceError::Internal(other),
            },
        }
    }
}

/// Whether the database could not be reached: no connection could be had, or a statement's
/// connection broke — the database went away while the connection sat in the pool (a
/// connection is checked before use only once it has idled, see `Store::connect`) or during the
/// statement.
fn out_of_reach(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => matches!(
            e.as_ref(),
            Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed
        ),
        _ => false,
    }
}

/// The result of a storage operation.
pub type PersistenceResult<T> = Result<T, PersistenceError>;

/// An error for a row whose stored text no longer parses as its domain type: the database was
/// written by something other than Tandem, or a migration is missing.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> PersistenceError {
    PersistenceError::Internal(DbErr::Type(format!("stored {what} is invalid: {detail}")))
}
