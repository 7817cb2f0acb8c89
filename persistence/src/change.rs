//! The one flow of a change to a versioned object whose changes are recorded as events: read it
//! for writing at the version the caller read, work out its next state, return early when
//! nothing changes, save the next version only if no one else has saved one in between, and
//! record the event in the same transaction. Accounts, contacts, team members and engagements
//! go through it; each repository keeps only what is its own (an e-mail address that must be
//! free, an owner who must be active, an account's tags).

use std::fmt::Display;
use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait};
use serde::Serialize;
use tandem_domain::DomainResult;
use tandem_domain::event::{self, EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::ids::AccountId;
use uuid::Uuid;

use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// A versioned object whose every change is recorded as an account-change event: what the
/// flows of this module need to know of it.
pub(crate) trait Aggregate: Sized + Send + Sync {
    /// Its id.
    type Id: Copy + Display + Into<Uuid> + Send + Sync;
    /// Its editable fields: what an update computes, and what its event records the changes of.
    type Data: Serialize + Send + Sync;
    /// Its table.
    type Entity: EntityTrait<ActiveModel: ActiveModelTrait<Entity = Self::Entity> + Send>;

    /// What errors call it ("contact", "team member").
    const NAME: &'static str;
    /// What its events call it.
    const SUBJECT: SubjectKind;
    /// The event an update records.
    const UPDATED: EventKind;
    /// Its id column and its version column, which a conditional save names.
    const KEY: (
        <Self::Entity as EntityTrait>::Column,
        <Self::Entity as EntityTrait>::Column,
    );

    /// Its id.
    fn id(&self) -> Self::Id;
    /// Its version.
    fn version(&self) -> i32;
    /// Its editable fields.
    fn data(&self) -> &Self::Data;
    /// The account its events belong to; `None` for what concerns no single account.
    fn account(&self) -> Option<AccountId>;
    /// The columns of its row that a write sets.
    fn row(&self) -> <Self::Entity as EntityTrait>::ActiveModel;
    /// The object with `data` for fields, otherwise as it is (its version and `updated_at`
    /// follow from [`Aggregate::stamp`]).
    fn with_data(&self, data: Self::Data) -> Self;
    /// Makes it version `version`, changed `at`.
    fn stamp(&mut self, version: i32, at: DateTime<Utc>);
    /// Reads it, with all it is made of, inside `conn`; `None` when it does not exist.
    fn find<C: ConnectionTrait>(
        conn: &C,
        id: Self::Id,
    ) -> impl Future<Output = PersistenceResult<Option<Self>>> + Send;
    /// Refuses `data` as the next fields of `current` for reasons beyond the fields themselves
    /// (an e-mail address another holds, an owner who is archived).
    fn vet(
        tx: &DatabaseTransaction,
        current: &Self,
        data: &Self::Data,
    ) -> impl Future<Output = PersistenceResult<()>> + Send;
    /// Writes what is stored beside its row (an account's tags), once its row has been saved as
    /// `after` over `before`.
    fn saved(
        _tx: &DatabaseTransaction,
        _before: &Self,
        _after: &Self,
    ) -> impl Future<Output = PersistenceResult<()>> + Send {
        async { Ok(()) }
    }
}

/// An [`Aggregate`] that can be archived: it then refuses changes.
pub(crate) trait Archivable: Aggregate {
    /// The event archiving records.
    const ARCHIVED: EventKind;

    /// Refuses to archive it (already archived, or still needed).
    fn may_archive(
        &self,
        tx: &DatabaseTransaction,
    ) -> impl Future<Output = PersistenceResult<()>> + Send;
    /// It, archived `at` (its version and `updated_at` follow from [`Aggregate::stamp`]).
    fn archived(&self, at: DateTime<Utc>) -> Self;
}

/// The object `id` read inside `conn` for a change, refused when it is missing or, if `version`
/// is given, when it has moved on from that version.
pub(crate) async fn load<T: Aggregate>(
    conn: &impl ConnectionTrait,
    id: T::Id,
    version: Option<i32>,
) -> PersistenceResult<T> {
    let found = T::find(conn, id).await?;
    match version {
        Some(read) => versioned::read(found, T::NAME, id, read, T::version),
        None => found.ok_or_else(|| PersistenceError::NotFound {
            entity: T::NAME,
            id: id.to_string(),
        }),
    }
}

/// Applies `change` to the object `id` if it is still at `version`, and records its update
/// event with the fields that changed; a change that changes nothing writes nothing (the
/// transaction is then left uncommitted).
pub(crate) async fn update<T: Aggregate>(
    store: &Store,
    actor: &str,
    id: T::Id,
    version: i32,
    change: impl FnOnce(&T) -> DomainResult<T::Data>,
) -> PersistenceResult<T> {
    let tx = store.begin_write().await?;
    match update_in(store, &tx, actor, id, Some(version), change).await? {
        Ok(updated) => {
            tx.commit().await?;
            Ok(updated)
        }
        Err(same) => Ok(same),
    }
}

/// [`update`] inside `tx`, at `version` when given, else at whatever version the object has
/// (what a playbook or a sync does). `Err` holds the object when the change changes nothing.
pub(crate) async fn update_in<T: Aggregate>(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    id: T::Id,
    version: Option<i32>,
    change: impl FnOnce(&T) -> DomainResult<T::Data>,
) -> PersistenceResult<Result<T, T>> {
    let current: T = load(tx, id, version).await?;
    let data = change(&current)?;
    T::vet(tx, &current, &data).await?;
    let changes = event::diff(current.data(), &data);
    if changes.is_empty() {
        return Ok(Err(current));
    }
    let next = current.with_data(data);
    let updated = write(
        store,
        tx,
        actor,
        &current,
        next,
        Utc::now(),
        T::UPDATED,
        changes,
    )
    .await?;
    Ok(Ok(updated))
}

/// Archives the object `id` if it is still at `version` and may be archived, and records its
/// archive event.
pub(crate) async fn archive<T: Archivable>(
    store: &Store,
    actor: &str,
    id: T::Id,
    version: i32,
) -> PersistenceResult<T> {
    let tx = store.begin_write().await?;
    let current: T = load(&tx, id, Some(version)).await?;
    current.may_archive(&tx).await?;
    let now = Utc::now();
    let archived = current.archived(now);
    let changes = event::archived(now);
    let archived = write(
        store,
        &tx,
        actor,
        &current,
        archived,
        now,
        T::ARCHIVED,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(archived)
}

/// Saves `next`, the state that follows `current`, as the version after `current`'s, changed
/// `at`, only if the stored row is still at `current`'s version; writes what is stored beside
/// the row; and records `kind` with `changes`. The object as saved.
#[allow(clippy::too_many_arguments)] // the change, its time and its event, each said once
pub(crate) async fn write<T: Aggregate>(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    current: &T,
    mut next: T,
    at: DateTime<Utc>,
    kind: EventKind,
    changes: Vec<FieldChange>,
) -> PersistenceResult<T> {
    let read = current.version();
    next.stamp(read + 1, at);
    let id: Uuid = next.id().into();
    versioned::save::<T::Entity>(tx, next.row(), T::KEY, id, read, T::NAME).await?;
    T::saved(tx, current, &next).await?;
    record(store, tx, actor, &next, kind, changes).await?;
    Ok(next)
}

/// Records `kind` about `object` with `changes`, by `actor`, in `tx`.
pub(crate) async fn record<T: Aggregate>(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    object: &T,
    kind: EventKind,
    changes: Vec<FieldChange>,
) -> PersistenceResult<()> {
    crate::event::append(
        store,
        tx,
        NewEvent {
            account_id: object.account(),
            subject_kind: T::SUBJECT,
            subject_id: object.id().into(),
            kind,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await?;
    Ok(())
}
