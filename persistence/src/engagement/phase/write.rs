//! Writing phases: adding, editing, moving through their states, depending on each other and
//! reordering, each with its account-change event.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value;
use tandem_domain::DomainResult;
use tandem_domain::engagement::{self as rules, Engagement, Phase, PhaseData, PhaseStatus};
use tandem_domain::event::{self, EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::ids::{EngagementId, PhaseId};
use tandem_domain::outcome;

use crate::entity::{phase, phase_dependency};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

use super::read::load;
use super::row::active_model;

/// Adds a phase at the end of an open engagement; records `PHASE_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    store: &Store,
    actor: &str,
    engagement_id: EngagementId,
    data: PhaseData,
    depends_on: Vec<PhaseId>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let engagement = crate::engagement::load(&tx, engagement_id).await?;
    let p = create_in(store, &tx, actor, &engagement, data, depends_on).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`create`] inside `tx`, for writes that add several phases at once (an engagement made from
/// a template): the same checks, the same `PHASE_CREATED` event.
pub(crate) async fn create_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    engagement: &Engagement,
    data: PhaseData,
    depends_on: Vec<PhaseId>,
) -> PersistenceResult<Phase> {
    let engagement_id = engagement.id;
    engagement.ensure_open()?;
    let siblings = load(tx, &[engagement_id])
        .await?
        .remove(&engagement_id)
        .unwrap_or_default();
    let now = Utc::now();
    let mut p = Phase {
        id: PhaseId::new(),
        engagement_id,
        position: siblings.len() as i32 + 1,
        data,
        status: PhaseStatus::Planned,
        actual_start: None,
        actual_end: None,
        accepted_on: None,
        depends_on: Vec::new(),
        goal_id: None,
        realised_value: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut all = siblings;
    all.push(p.clone());
    rules::check_dependencies(&p, &depends_on, &all)?;
    p.depends_on = depends_on;
    p.depends_on.sort();
    let mut row = active_model(&p);
    row.id = Set(p.id.0);
    row.engagement_id = Set(engagement_id.0);
    row.position = Set(p.position);
    row.created_at = Set(now);
    phase::Entity::insert(row)
        .exec_without_returning(tx)
        .await?;
    write_dependencies(tx, &p).await?;
    let mut changes = event::created(&p.data);
    changes.push(FieldChange {
        field: "position".into(),
        before: Value::Null,
        after: p.position.into(),
    });
    record(
        store,
        tx,
        actor,
        engagement,
        &p,
        EventKind::PhaseCreated,
        changes,
    )
    .await?;
    Ok(p)
}

/// Applies `change` to a phase still at `version`; records `PHASE_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    change: impl FnOnce(&Phase) -> DomainResult<PhaseData>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    engagement.ensure_open()?;
    let data = change(&current)?;
    let changes = event::diff(&current.data, &data);
    if changes.is_empty() {
        return Ok(current);
    }
    let updated = Phase {
        data,
        version: version + 1,
        updated_at: Utc::now(),
        ..current
    };
    save(&tx, &updated, version).await?;
    record(
        store,
        &tx,
        actor,
        &engagement,
        &updated,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Moves a phase still at `version` to `next` on `today`; records `PHASE_STATUS_CHANGED`.
pub async fn transition(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    next: PhaseStatus,
    today: NaiveDate,
) -> PersistenceResult<Phase> {
    transition_with(store, actor, id, version, next, today, None).await
}

/// [`transition`], recording with an acceptance the value the phase realised (checked by
/// [`outcome::check_realised_with`]); the realised value is one of the changes of the
/// `PHASE_STATUS_CHANGED` event, so integrations see it with the acceptance.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transition_with(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    next: PhaseStatus,
    today: NaiveDate,
    realised_value: Option<String>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, siblings) = load_for_write(&tx, id, version).await?;
    current.check_transition(next, &engagement, &siblings)?;
    let realised_value = outcome::check_realised_with(next, realised_value.as_deref())?;
    let mut moved = current.moved(next, today);
    moved.version = version + 1;
    moved.updated_at = Utc::now();
    if realised_value.is_some() {
        moved.realised_value = realised_value;
    }
    save(&tx, &moved, version).await?;
    let mut changes = vec![FieldChange::new(
        "status",
        current.status.as_str(),
        next.as_str(),
    )];
    if moved.realised_value != current.realised_value {
        changes.push(FieldChange::new(
            "realisedValue",
            &current.realised_value,
            &moved.realised_value,
        ));
    }
    record(
        store,
        &tx,
        actor,
        &engagement,
        &moved,
        EventKind::PhaseStatusChanged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

/// Replaces the phases a phase depends on; records `PHASE_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_dependencies(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    mut depends_on: Vec<PhaseId>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, siblings) = load_for_write(&tx, id, version).await?;
    engagement.ensure_open()?;
    depends_on.sort();
    depends_on.dedup();
    rules::check_dependencies(&current, &depends_on, &siblings)?;
    if depends_on == current.depends_on {
        return Ok(current);
    }
    let updated = Phase {
        depends_on,
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    save(&tx, &updated, version).await?;
    phase_dependency::Entity::delete_many()
        .filter(phase_dependency::Column::PhaseId.eq(id.0))
        .exec(&tx)
        .await?;
    write_dependencies(&tx, &updated).await?;
    let ids =
        |list: &[PhaseId]| Value::from(list.iter().map(|p| p.to_string()).collect::<Vec<_>>());
    let changes = vec![FieldChange {
        field: "dependsOn".into(),
        before: ids(&current.depends_on),
        after: ids(&updated.depends_on),
    }];
    record(
        store,
        &tx,
        actor,
        &engagement,
        &updated,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Moves a phase still at `version` to `position` (1-based, clamped), renumbering its siblings
/// so positions stay dense and unique; records `PHASE_UPDATED`. Returns the engagement's phases
/// in their new order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reposition(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    position: usize,
) -> PersistenceResult<Vec<Phase>> {
    let tx = store.begin_write().await?;
    let (engagement, current, siblings) = load_for_write(&tx, id, version).await?;
    engagement.ensure_open()?;
    let order: Vec<PhaseId> = siblings.iter().map(|p| p.id).collect();
    let new_order = rules::reorder(&order, id, position);
    if new_order == order {
        return Ok(siblings);
    }
    // Move every position out of the way first, so the unique index never sees two phases in
    // one place half-way through the renumbering.
    phase::Entity::update_many()
        .col_expr(
            phase::Column::Position,
            Expr::col(phase::Column::Position).mul(-1),
        )
        .filter(phase::Column::EngagementId.eq(engagement.id.0))
        .exec(&tx)
        .await?;
    let mut result = Vec::with_capacity(siblings.len());
    let by_id: HashMap<PhaseId, Phase> = siblings.into_iter().map(|p| (p.id, p)).collect();
    for (index, pid) in new_order.iter().enumerate() {
        let position = index as i32 + 1;
        phase::Entity::update_many()
            .col_expr(phase::Column::Position, Expr::value(position))
            .filter(phase::Column::Id.eq(pid.0))
            .exec(&tx)
            .await?;
        if let Some(p) = by_id.get(pid) {
            result.push(Phase {
                position,
                ..p.clone()
            });
        }
    }
    let moved =
        result
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| PersistenceError::NotFound {
                entity: "phase",
                id: id.to_string(),
            })?;
    moved.version = version + 1;
    moved.updated_at = Utc::now();
    let moved = moved.clone();
    save(&tx, &moved, version).await?;
    let changes = vec![FieldChange {
        field: "position".into(),
        before: current.position.into(),
        after: moved.position.into(),
    }];
    record(
        store,
        &tx,
        actor,
        &engagement,
        &moved,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(result)
}

/// The engagement, the phase (version-checked) and all the engagement's phases.
pub(super) async fn load_for_write(
    tx: &DatabaseTransaction,
    id: PhaseId,
    version: i32,
) -> PersistenceResult<(Engagement, Phase, Vec<Phase>)> {
    let row = phase::Entity::find_by_id(id.0)
        .one(tx)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "phase",
            id: id.to_string(),
        })?;
    let engagement =
        crate::engagement::load(tx, tandem_domain::ids::EngagementId(row.engagement_id)).await?;
    let siblings = load(tx, &[engagement.id])
        .await?
        .remove(&engagement.id)
        .unwrap_or_default();
    let current = siblings
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "phase",
            id: id.to_string(),
        })?;
    versioned::check("phase", version, current.version)?;
    Ok((engagement, current, siblings))
}

pub(super) async fn write_dependencies(
    tx: &DatabaseTransaction,
    p: &Phase,
) -> PersistenceResult<()> {
    if p.depends_on.is_empty() {
        return Ok(());
    }
    phase_dependency::Entity::insert_many(p.depends_on.iter().map(|d| {
        phase_dependency::ActiveModel {
            phase_id: Set(p.id.0),
            depends_on_id: Set(d.0),
        }
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

pub(super) async fn save(
    tx: &DatabaseTransaction,
    p: &Phase,
    read_version: i32,
) -> PersistenceResult<()> {
    let columns = (phase::Column::Id, phase::Column::Version);
    versioned::save::<phase::Entity>(tx, active_model(p), columns, p.id.0, read_version, "phase")
        .await
}

pub(super) async fn record(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    engagement: &Engagement,
    p: &Phase,
    kind: EventKind,
    changes: Vec<FieldChange>,
) -> PersistenceResult<i64> {
    crate::event::append(
        store,
        tx,
        NewEvent {
            account_id: Some(engagement.account_id),
            subject_kind: SubjectKind::Phase,
            subject_id: p.id.0,
            kind,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await
}
