//! Writing SOWs: drafting, replacing a draft's fields, and moving through the status machine,
//! each at the version read and recorded as an event.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use tandem_domain::DomainError;
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, EngagementId, SowId};
use tandem_domain::sow::{NewSow, Sow, SowStatus};

use super::read::{engagement_phases, load};
use super::row::active_model;
use crate::entity::{sow, sow_scope_item};
use crate::event::record;
use crate::{PersistenceResult, Store, versioned};

/// Drafts a SOW with an account, optionally for one of its engagements; records `SOW_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    engagement_id: Option<EngagementId>,
    input: NewSow,
) -> PersistenceResult<Sow> {
    let tx = store.begin_write().await?;
    let s = create_in(store, &tx, actor, account_id, engagement_id, input).await?;
    tx.commit().await?;
    Ok(s)
}

/// [`create`] inside `tx`: what drafting a SOW does, and what a won services follow-on
/// opportunity does in its own transaction.
pub(crate) async fn create_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    account_id: AccountId,
    engagement_id: Option<EngagementId>,
    input: NewSow,
) -> PersistenceResult<Sow> {
    crate::account::ensure_exists(tx, account_id)
        .await?
        .ensure_active()?;
    if let Some(e) = engagement_id {
        let engagement = crate::engagement::load(tx, e).await?;
        if engagement.account_id != account_id {
            return Err(DomainError::invalid("engagementId", "belongs to another account").into());
        }
    }
    let data = input.validate(&engagement_phases(tx, engagement_id).await?)?;
    let now = Utc::now();
    let s = Sow {
        id: SowId::new(),
        account_id,
        engagement_id,
        data,
        status: SowStatus::Draft,
        baseline: None,
        signed_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut row = active_model(&s);
    row.id = Set(s.id.0);
    row.account_id = Set(account_id.0);
    row.engagement_id = Set(engagement_id.map(|e| e.0));
    row.created_at = Set(now);
    sow::Entity::insert(row).exec_without_returning(tx).await?;
    write_scope(tx, &s).await?;
    record(
        store,
        tx,
        actor,
        s.account_id,
        SubjectKind::Sow,
        s.id.0,
        EventKind::SowCreated,
        event::created(&s.data),
    )
    .await?;
    Ok(s)
}

/// Replaces the fields of a draft or proposed SOW still at `version`; records `SOW_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: SowId,
    version: i32,
    input: NewSow,
) -> PersistenceResult<Sow> {
    let tx = store.begin_write().await?;
    let current = load_for_write(&tx, id, version).await?;
    current.ensure_editable()?;
    let data = input.validate(&engagement_phases(&tx, current.engagement_id).await?)?;
    let changes = event::diff(&current.data, &data);
    if changes.is_empty() {
        return Ok(current);
    }
    let updated = Sow {
        data,
        version: version + 1,
        updated_at: Utc::now(),
        ..current
    };
    save(&tx, &updated, version).await?;
    sow_scope_item::Entity::delete_many()
        .filter(sow_scope_item::Column::SowId.eq(id.0))
        .exec(&tx)
        .await?;
    write_scope(&tx, &updated).await?;
    record(
        store,
        &tx,
        actor,
        updated.account_id,
        SubjectKind::Sow,
        id.0,
        EventKind::SowUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Moves a SOW still at `version` to `next` on `today`; records `SOW_STATUS_CHANGED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transition(
    store: &Store,
    actor: &str,
    id: SowId,
    version: i32,
    next: SowStatus,
    today: NaiveDate,
) -> PersistenceResult<Sow> {
    let tx = store.begin_write().await?;
    let current = load_for_write(&tx, id, version).await?;
    let mut moved = current.moved(next, today)?;
    moved.version = version + 1;
    moved.updated_at = Utc::now();
    save(&tx, &moved, version).await?;
    let changes = vec![FieldChange::new(
        "status",
        current.status.as_str(),
        next.as_str(),
    )];
    record(
        store,
        &tx,
        actor,
        moved.account_id,
        SubjectKind::Sow,
        id.0,
        EventKind::SowStatusChanged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

async fn load_for_write(
    tx: &DatabaseTransaction,
    id: SowId,
    version: i32,
) -> PersistenceResult<Sow> {
    let current = load(tx, id).await?;
    versioned::check("SOW", version, current.version)?;
    Ok(current)
}

pub(super) async fn save(
    tx: &DatabaseTransaction,
    s: &Sow,
    read_version: i32,
) -> PersistenceResult<()> {
    let columns = (sow::Column::Id, sow::Column::Version);
    versioned::save::<sow::Entity>(tx, active_model(s), columns, s.id.0, read_version, "SOW").await
}

async fn write_scope(tx: &DatabaseTransaction, s: &Sow) -> PersistenceResult<()> {
    if s.data.scope.is_empty() {
        return Ok(());
    }
    sow_scope_item::Entity::insert_many(s.data.scope.iter().enumerate().map(|(i, item)| {
        sow_scope_item::ActiveModel {
            sow_id: Set(s.id.0),
            position: Set(i as i32 + 1),
            deliverable: Set(item.deliverable.clone()),
            estimated_hours: Set(item.estimated_hours.0),
            phase_id: Set(item.phase_id.map(|p| p.0)),
        }
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}
