//! Several servers on one PostgreSQL database: the wake-up signal for new events, and the lock
//! that lets exactly one server run the automation worker.
//!
//! Both are scoped to the store's schema, so deployments (or tests) that share a database do
//! not wake or block each other. On SQLite there is one process, which always leads.

use sea_orm::sqlx::postgres::PgConnection;
pub use sea_orm::sqlx::postgres::PgListener;
use sea_orm::sqlx::{Connection, Row};

use crate::{Backend, PersistenceError, PersistenceResult, Store};

/// The channel event writers notify on commit; the payload is the store's scope.
pub const EVENTS_CHANNEL: &str = "tandem_events";

fn sqlx_err(e: sea_orm::sqlx::Error) -> PersistenceError {
    PersistenceError::Unavailable(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        e.into(),
    )))
}

/// A 64-bit key for an advisory lock named `name` in `scope` (FNV-1a).
fn lock_key(scope: &str, name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scope.bytes().chain([b'/']).chain(name.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// Being the one server that runs a worker. On PostgreSQL it holds a session advisory lock on
/// a connection of its own: if this process dies, the connection closes and the lock is free
/// for a standby to take.
pub struct Lease {
    conn: Option<PgConnection>,
}

impl Lease {
    /// Tries to become the leader for `name`; `None` when another server leads.
    pub async fn try_acquire(store: &Store, name: &str) -> PersistenceResult<Option<Lease>> {
        if store.backend() != Backend::Postgres {
            return Ok(Some(Lease { conn: None }));
        }
        let pool = store.conn().get_postgres_connection_pool();
        // A connection of its own, outside the pool: the lock lives exactly as long as it.
        let mut conn = pool.acquire().await.map_err(sqlx_err)?.detach();
        let row = sea_orm::sqlx::query("SELECT pg_try_advisory_lock($1) AS held")
            .bind(lock_key(store.scope(), name))
            .fetch_one(&mut conn)
            .await
            .map_err(sqlx_err)?;
        let held: bool = row.try_get("held").map_err(sqlx_err)?;
        if held {
            Ok(Some(Lease { conn: Some(conn) }))
        } else {
            let _ = conn.close().await;
            Ok(None)
        }
    }

    /// Whether the lease still holds: its connection answers.
    pub async fn alive(&mut self) -> bool {
        match &mut self.conn {
            None => true,
            Some(conn) => conn.ping().await.is_ok(),
        }
    }

    /// Gives the lease up now rather than when the connection is dropped.
    pub async fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = conn.close().await;
        }
    }
}

/// A listener for the events channel (PostgreSQL only): each notification whose payload is
/// `store`'s scope means another server committed events.
pub async fn listen(store: &Store) -> PersistenceResult<Option<PgListener>> {
    if store.backend() != Backend::Postgres {
        return Ok(None);
    }
    let mut listener = PgListener::connect_with(store.conn().get_postgres_connection_pool())
        .await
        .map_err(sqlx_err)?;
    listener.listen(EVENTS_CHANNEL).await.map_err(sqlx_err)?;
    Ok(Some(listener))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_differ_by_scope_and_name() {
        assert_ne!(
            lock_key("public", "automation"),
            lock_key("t1", "automation")
        );
        assert_ne!(lock_key("public", "a"), lock_key("public", "b"));
        assert_eq!(lock_key("x", "y"), lock_key("x", "y"));
    }
}
