//! The account-change event outbox.
//!
//! The cursor follows commit order. On PostgreSQL an identity value is taken at insert time, so
//! two transactions could commit their events out of cursor order, and a reader that had already
//! moved past the later cursor would never see the earlier one. [`append`] therefore takes a
//! transaction-scoped advisory lock before it inserts: event writers queue on it and each holds
//! it only from its insert to its commit, because every write appends its event last. SQLite
//! has a single writer, so insert order is commit order there already.

use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use tandem_domain::event::{Event, EventKind, FieldChange, NewEvent};
use tandem_domain::ids::AccountId;

use crate::entity::account_event::{self, Column};
use crate::error::corrupt;
use crate::{Backend, PersistenceResult, Store};

/// The advisory-lock key that serialises event writers on PostgreSQL ("tandem-ev").
const EVENT_LOCK_KEY: i64 = 0x7461_6e64_656d_6576;

/// Appends `event` inside `tx` and returns its cursor. Call it as the last statement of a write
/// transaction, just before commit, so that the event lock is held as briefly as possible.
pub async fn append(
    store: &Store,
    tx: &DatabaseTransaction,
    event: NewEvent,
) -> PersistenceResult<i64> {
    lock_and_notify(store, tx).await?;
    let changes = serde_json::to_value(&event.changes).map_err(|e| corrupt("event changes", e))?;
    let row = account_event::ActiveModel {
        cursor: NotSet,
        account_id: Set(event.account_id.map(|a| a.0)),
        subject_kind: Set(event.subject_kind.as_str().to_owned()),
        subject_id: Set(event.subject_id),
        kind: Set(event.kind.as_str().to_owned()),
        actor: Set(event.actor),
        occurred_at: Set(Utc::now()),
        changes: Set(changes),
    };
    let result = account_event::Entity::insert(row).exec(tx).await?;
    Ok(result.last_insert_id)
}

/// On PostgreSQL, takes the event lock and queues a notification that other servers receive
/// when `tx` commits (and never if it rolls back), in one statement. PostgreSQL folds the same
/// notification sent twice in one transaction into one.
async fn lock_and_notify(store: &Store, tx: &DatabaseTransaction) -> PersistenceResult<()> {
    if store.backend() == Backend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1), pg_notify($2, $3)",
            [
                EVENT_LOCK_KEY.into(),
                crate::cluster::EVENTS_CHANNEL.into(),
                store.scope().into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// Appends many events inside `tx` in one statement per few hundred, in order, under one
/// event lock: what a batch job (recomputing health for every account) writes.
pub async fn append_many(
    store: &Store,
    tx: &DatabaseTransaction,
    events: Vec<NewEvent>,
) -> PersistenceResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    lock_and_notify(store, tx).await?;
    let now = Utc::now();
    for chunk in events.chunks(500) {
        let mut rows = Vec::with_capacity(chunk.len());
        for event in chunk {
            let changes =
                serde_json::to_value(&event.changes).map_err(|e| corrupt("event changes", e))?;
            rows.push(account_event::ActiveModel {
                cursor: NotSet,
                account_id: Set(event.account_id.map(|a| a.0)),
                subject_kind: Set(event.subject_kind.as_str().to_owned()),
                subject_id: Set(event.subject_id),
                kind: Set(event.kind.as_str().to_owned()),
                actor: Set(event.actor.clone()),
                occurred_at: Set(now),
                changes: Set(changes),
            });
        }
        account_event::Entity::insert_many(rows)
            .exec_without_returning(tx)
            .await?;
    }
    Ok(())
}

/// Appends an event about one object of an account: [`append`] with the fields spelled out.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    account_id: AccountId,
    subject_kind: tandem_domain::event::SubjectKind,
    subject_id: uuid::Uuid,
    kind: EventKind,
    changes: Vec<FieldChange>,
) -> PersistenceResult<i64> {
    append(
        store,
        tx,
        NewEvent {
            account_id: Some(account_id),
            subject_kind,
            subject_id,
            kind,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Only events after this cursor.
    pub after: i64,
    /// Only events on this account.
    pub account_id: Option<AccountId>,
    /// Only these kinds; all kinds when empty.
    pub kinds: Vec<EventKind>,
    /// At most this many.
    pub limit: u64,
}

/// Reads events in cursor order.
pub async fn list(store: &Store, query: &EventQuery) -> PersistenceResult<Vec<Event>> {
    let mut select = account_event::Entity::find()
        .filter(Column::Cursor.gt(query.after))
        .order_by_asc(Column::Cursor)
        .limit(query.limit);
    if let Some(account) = query.account_id {
        select = select.filter(Column::AccountId.eq(account.0));
    }
    if !query.kinds.is_empty() {
        select = select.filter(Column::Kind.is_in(query.kinds.iter().map(|k| k.as_str())));
    }
    select
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// The events at these cursors, in cursor order.
pub async fn by_cursors(store: &Store, cursors: &[i64]) -> PersistenceResult<Vec<Event>> {
    let mut out = Vec::with_capacity(cursors.len());
    for chunk in cursors.chunks(crate::sql::MAX_IN_LIST) {
        let rows = account_event::Entity::find()
            .filter(Column::Cursor.is_in(chunk.iter().copied()))
            .order_by_asc(Column::Cursor)
            .all(store.conn())
            .await?;
        for r in rows {
            out.push(to_domain(r)?);
        }
    }
    Ok(out)
}

/// The newest cursor, or 0 when there are no events yet.
pub async fn latest_cursor(store: &Store) -> PersistenceResult<i64> {
    let max: Option<Option<i64>> = account_event::Entity::find()
        .select_only()
        .column_as(Column::Cursor.max(), "max")
        .into_tuple()
        .one(store.conn())
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

fn to_domain(m: account_event::Model) -> PersistenceResult<Event> {
    let changes: Vec<FieldChange> =
        serde_json::from_value(m.changes).map_err(|e| corrupt("event changes", e))?;
    Ok(Event {
        cursor: m.cursor,
        occurred_at: m.occurred_at,
        event: NewEvent {
            account_id: m.account_id.map(AccountId),
            subject_kind: m
                .subject_kind
                .parse()
                .map_err(|e| corrupt("subject kind", e))?,
            subject_id: m.subject_id,
            kind: m.kind.parse().map_err(|e| corrupt("event kind", e))?,
            actor: m.actor,
            changes,
        },
    })
}
