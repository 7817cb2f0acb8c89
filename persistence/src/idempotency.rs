//! Idempotency keys (`Idempotency-Key` header): the first request with a key runs and its answer
//! is stored; a retry with the same key and the same body gets that answer without running
//! again; the same key with another body is refused. Keys expire after a day.

use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};

use crate::entity::idempotency_key::{self, Column};
use crate::{PersistenceResult, Store};

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`finish`] (or [`release`] if it could not run).
    Run,
    /// The key was used for this very request: answer with what it answered.
    Replay {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: String,
    },
    /// The key is being used by a request that has not finished yet.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Claims `key` for `subject`'s `request` (the request body, compared exactly).
pub async fn claim(
    store: &Store,
    subject: &str,
    key: &str,
    request: &str,
) -> PersistenceResult<Claim> {
    let expired = Utc::now() - Duration::hours(RETENTION_HOURS);
    idempotency_key::Entity::delete_many()
        .filter(Column::CreatedAt.lt(expired))
        .exec(store.conn())
        .await?;
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        subject: Set(subject.to_owned()),
        key: Set(key.to_owned()),
        request: Set(request.to_owned()),
        status: Set(None),
        response: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(store.conn())
    .await;
    match inserted {
        Ok(_) => Ok(Claim::Run),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let existing =
                idempotency_key::Entity::find_by_id((subject.to_owned(), key.to_owned()))
                    .one(store.conn())
                    .await?;
            Ok(match existing {
                None => Claim::InProgress,
                Some(row) if row.request != request => Claim::Mismatch,
                Some(row) => match (row.status, row.response) {
                    (Some(status), Some(body)) => Claim::Replay {
                        status: status as u16,
                        body,
                    },
                    _ => Claim::InProgress,
                },
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores the answer to a claimed key.
pub async fn finish(
    store: &Store,
    subject: &str,
    key: &str,
    status: u16,
    body: &str,
) -> PersistenceResult<()> {
    idempotency_key::Entity::update_many()
        .set(idempotency_key::ActiveModel {
            status: Set(Some(i32::from(status))),
            response: Set(Some(body.to_owned())),
            ..Default::default()
        })
        .filter(Column::Subject.eq(subject))
        .filter(Column::Key.eq(key))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Forgets a claimed key whose request could not run (timed out, database down), so that a
/// retry runs it.
pub async fn release(store: &Store, subject: &str, key: &str) -> PersistenceResult<()> {
    idempotency_key::Entity::delete_many()
        .filter(Column::Subject.eq(subject))
        .filter(Column::Key.eq(key))
        .exec(store.conn())
        .await?;
    Ok(())
}
