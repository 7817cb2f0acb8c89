//! Phases: ordered steps of an engagement, with dependencies between them.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use tandem_domain::DomainResult;
use tandem_domain::engagement::{
    self as rules, Engagement, Milestone, Phase, PhaseData, PhaseScopeItem, PhaseStatus,
};
use tandem_domain::event::{self, EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::ids::{EngagementId, GoalId, PhaseId};
use tandem_domain::outcome;

use crate::entity::{phase, phase_dependency};
use crate::error::corrupt;
use crate::sql::Sql;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// The phases of each of these engagements, in position order, with their dependencies.
pub async fn of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    load(store.conn(), engagements).await
}

/// The phases of each of these engagements, in position order, without their dependencies
/// (`depends_on` is empty): for reads that show no dependency, which then cost one query.
pub async fn of_engagements_without_dependencies(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    let mut out: HashMap<EngagementId, Vec<Phase>> = HashMap::new();
    for row in rows_of(store.conn(), engagements).await? {
        let p = to_domain(row, Vec::new())?;
        out.entry(p.engagement_id).or_default().push(p);
    }
    Ok(out)
}

/// The phases of each of these engagements, in position order, with only their outline read:
/// id, engagement, position, name, focus kind, focus, status, the planned and actual dates,
/// acceptance and version. Every other field is empty — no objective, expected or realised
/// value, milestones, scope, goal or dependencies, and `created_at` and `updated_at` at the Unix
/// epoch — so this is for readers that show nothing else: the API uses it for a list of phases
/// whose selection asks for nothing else. A dashboard's 600 phases cost PostgreSQL and Tandem
/// less without the two JSON columns, the timestamps and the long texts; and both databases
/// answer it from an index that carries these columns (migration 18: keep the two in step).
pub async fn outlines_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    read_by_engagement(
        store,
        engagements,
        "id, engagement_id, position, name, focus_kind, focus, status, planned_start, \
         planned_end, actual_start, actual_end, accepted_on, version",
        |row| to_domain(outline(row)?, Vec::new()),
    )
    .await
}

/// The phases of each of these engagements, in position order, with only their heads read: id,
/// engagement, position, name, status and version — what a list of phases shows at a glance.
/// Every other field is empty as in [`outlines_of_engagements`], and the focus kind is
/// [`FocusKind::ProductLine`](tandem_domain::engagement::FocusKind): for readers that show
/// nothing but the heads (the API, when a list of phases asks for nothing else). A dashboard's
/// 600 phases then cost six columns each instead of thirteen, read from the same index.
pub async fn heads_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    read_by_engagement(
        store,
        engagements,
        "id, engagement_id, position, name, status, version",
        head,
    )
    .await
}

/// The phases of these engagements, `columns` of each row read and made a phase by `decode`.
async fn read_by_engagement(
    store: &Store,
    engagements: &[EngagementId],
    columns: &str,
    decode: fn(&sea_orm::QueryResult) -> PersistenceResult<Phase>,
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    let rows = crate::sql::all_in_chunks(store.conn(), engagements, |chunk| {
        let mut sql = Sql::new("SELECT ");
        sql.push(columns)
            .push(" FROM phases WHERE engagement_id IN ");
        sql.bind_list(chunk.iter().map(|e| e.0))
            .push(" ORDER BY engagement_id, position");
        sql
    })
    .await?;
    let mut out: HashMap<EngagementId, Vec<Phase>> = HashMap::new();
    for row in &rows {
        let p = decode(row)?;
        out.entry(p.engagement_id).or_default().push(p);
    }
    Ok(out)
}

/// A phase row of [`heads_of_engagements`], straight to the domain type.
fn head(row: &sea_orm::QueryResult) -> PersistenceResult<Phase> {
    use crate::page::cell;
    let status: String = cell(row, 4)?;
    Ok(Phase {
        id: PhaseId(cell(row, 0)?),
        engagement_id: EngagementId(cell(row, 1)?),
        position: cell(row, 2)?,
        data: PhaseData {
            name: cell(row, 3)?,
            focus_kind: tandem_domain::engagement::FocusKind::ProductLine,
            focus: String::new(),
            objective: None,
            expected_value: None,
            planned_start: None,
            planned_end: None,
            milestones: Vec::new(),
            scope: Vec::new(),
        },
        status: status
            .parse()
            .map_err(|e: String| corrupt("phase status", e))?,
        actual_start: None,
        actual_end: None,
        accepted_on: None,
        depends_on: Vec::new(),
        goal_id: None,
        realised_value: None,
        version: cell(row, 5)?,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    })
}

/// A phase row of [`outlines_of_engagements`], the columns it did not read left empty.
fn outline(row: &sea_orm::QueryResult) -> Result<phase::Model, sea_orm::DbErr> {
    use crate::page::cell;
    Ok(phase::Model {
        id: cell(row, 0)?,
        engagement_id: cell(row, 1)?,
        position: cell(row, 2)?,
        name: cell(row, 3)?,
        focus_kind: cell(row, 4)?,
        focus: cell(row, 5)?,
        status: cell(row, 6)?,
        planned_start: cell(row, 7)?,
        planned_end: cell(row, 8)?,
        actual_start: cell(row, 9)?,
        actual_end: cell(row, 10)?,
        accepted_on: cell(row, 11)?,
        version: cell(row, 12)?,
        objective: None,
        expected_value: None,
        milestones: Value::Array(Vec::new()),
        goal_id: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        scope: Value::Array(Vec::new()),
        realised_value: None,
    })
}

/// The phases with these ids that exist.
pub async fn by_ids(store: &Store, ids: &[PhaseId]) -> PersistenceResult<Vec<Phase>> {
    let rows =
        crate::page::rows_in(store.conn(), phase::Entity::find(), phase::Column::Id, ids).await?;
    with_dependencies(store.conn(), rows).await
}

/// Phases of several engagements: two queries (phases, then their dependencies).
pub(crate) async fn load<C: ConnectionTrait>(
    conn: &C,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    let mut out: HashMap<EngagementId, Vec<Phase>> = HashMap::new();
    let rows = rows_of(conn, engagements).await?;
    for p in with_dependencies(conn, rows).await? {
        out.entry(p.engagement_id).or_default().push(p);
    }
    Ok(out)
}

/// The phase rows of several engagements, by engagement and position.
async fn rows_of<C: ConnectionTrait>(
    conn: &C,
    engagements: &[EngagementId],
) -> PersistenceResult<Vec<phase::Model>> {
    crate::page::rows_in_positional(
        conn,
        phase::Entity::find()
            .order_by_asc(phase::Column::EngagementId)
            .order_by_asc(phase::Column::Position),
        phase::Column::EngagementId,
        engagements,
    )
    .await
}

async fn with_dependencies<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<phase::Model>,
) -> PersistenceResult<Vec<Phase>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut deps: HashMap<uuid::Uuid, Vec<PhaseId>> = HashMap::new();
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    for d in crate::page::rows_in(
        conn,
        phase_dependency::Entity::find(),
        phase_dependency::Column::PhaseId,
        &ids,
    )
    .await?
    {
        deps.entry(d.phase_id)
            .or_default()
            .push(PhaseId(d.depends_on_id));
    }
    rows.into_iter()
        .map(|r| {
            let mut d = deps.remove(&r.id).unwrap_or_default();
            d.sort();
            to_domain(r, d)
        })
        .collect()
}

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
    let engagement = super::row::load(&tx, engagement_id).await?;
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

/// Links a phase still at `version` to one more goal of its account's success plan, or unlinks
/// every goal (`None`); records `PHASE_UPDATED`. The single-goal form that came before
/// [`link_goals`]; a goal of another account is refused naming `goalId`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_goal(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    goal: Option<GoalId>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    let before = goals_of(&tx, id).await?;
    let mut goals = Vec::new();
    if let Some(goal) = goal {
        check_goals(&tx, &engagement, &[goal], &[goal], |_| "goalId".to_owned()).await?;
        goals = before.clone();
        goals.push(goal);
    }
    let goals = outcome::goal_set("goalId", goals)?;
    let updated = write_goals(
        store,
        &tx,
        actor,
        &engagement,
        current,
        version,
        before,
        goals,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Replaces the success-plan goals a phase still at `version` serves (an empty list clears
/// them); records `PHASE_UPDATED` with the old and new sets. Every goal must be a live goal of
/// the engagement's account; the first that is not is refused naming `goalIds[i]`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_goals(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    goals: Vec<GoalId>,
) -> PersistenceResult<Phase> {
    // Sorted, without repeats and bounded before anything reaches the database.
    let set = outcome::goal_set("goalIds", goals.clone())?;
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    check_goals(&tx, &engagement, &set, &goals, |i| format!("goalIds[{i}]")).await?;
    let before = goals_of(&tx, id).await?;
    let updated = write_goals(
        store,
        &tx,
        actor,
        &engagement,
        current,
        version,
        before,
        set,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// The goals a phase serves, by goal id.
async fn goals_of(tx: &DatabaseTransaction, id: PhaseId) -> PersistenceResult<Vec<GoalId>> {
    let mut q = Sql::new("SELECT goal_id FROM phase_goals WHERE phase_id = ");
    q.bind(id.0).push(" ORDER BY goal_id");
    q.all(tx)
        .await?
        .iter()
        .map(|r| Ok(GoalId(crate::sql::get(r, "goal_id")?)))
        .collect()
}

/// Refuses the first goal of `given` (the list as typed) that is not a live goal of the
/// engagement's account, naming it by `field(index)`: one query for `set`, the same goals
/// without repeats.
async fn check_goals(
    tx: &DatabaseTransaction,
    engagement: &Engagement,
    set: &[GoalId],
    given: &[GoalId],
    field: impl Fn(usize) -> String,
) -> PersistenceResult<()> {
    if set.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("SELECT id FROM goals WHERE archived_at IS NULL AND account_id = ");
    q.bind(engagement.account_id.0)
        .push(" AND id IN ")
        .bind_list(set.iter().map(|g| g.0));
    let mut owned = std::collections::HashSet::new();
    for r in q.all(tx).await? {
        owned.insert(GoalId(crate::sql::get(&r, "id")?));
    }
    match given.iter().position(|g| !owned.contains(g)) {
        None => Ok(()),
        Some(i) => Err(PersistenceError::Domain(
            tandem_domain::DomainError::invalid(
                field(i),
                format!(
                    "no goal of this engagement's account has the id {}",
                    given[i]
                ),
            ),
        )),
    }
}

/// Stores `goals` (sorted, checked) as the phase's set in place of `before`, keeping
/// `phases.goal_id` on the first of them for readers of the single link, and records
/// `PHASE_UPDATED`; a set that does not change writes nothing.
#[allow(clippy::too_many_arguments)] // one private step of two writes, each argument distinct
async fn write_goals(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    engagement: &Engagement,
    current: Phase,
    version: i32,
    before: Vec<GoalId>,
    goals: Vec<GoalId>,
) -> PersistenceResult<Phase> {
    if before == goals {
        return Ok(current);
    }
    let first = goals.first().copied();
    let updated = Phase {
        goal_id: first,
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    save(tx, &updated, version).await?;
    let mut del = Sql::new("DELETE FROM phase_goals WHERE phase_id = ");
    del.bind(current.id.0);
    del.execute(tx).await?;
    if !goals.is_empty() {
        let mut ins = Sql::new("INSERT INTO phase_goals (phase_id, goal_id) VALUES ");
        for (i, g) in goals.iter().enumerate() {
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(current.id.0)
                .push(", ")
                .bind(g.0)
                .push(")");
        }
        ins.execute(tx).await?;
    }
    let list = |l: &[GoalId]| l.iter().map(|g| g.to_string()).collect::<Vec<_>>();
    let mut changes = Vec::new();
    if current.goal_id != first {
        // Integrations written against the single link still see it move.
        changes.push(FieldChange::new("goalId", current.goal_id, first));
    }
    changes.push(FieldChange::new("goalIds", list(&before), list(&goals)));
    record(
        store,
        tx,
        actor,
        engagement,
        &updated,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    Ok(updated)
}

/// Records the value an accepted phase still at `version` realised; records `PHASE_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_realised_value(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    value: String,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    outcome::ensure_accepted(&current)?;
    if current.realised_value.as_deref() == Some(value.as_str()) {
        return Ok(current);
    }
    let updated = Phase {
        realised_value: Some(value),
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    save(&tx, &updated, version).await?;
    let changes = vec![FieldChange::new(
        "realisedValue",
        &current.realised_value,
        &updated.realised_value,
    )];
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
async fn load_for_write(
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
        super::row::load(tx, tandem_domain::ids::EngagementId(row.engagement_id)).await?;
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

async fn write_dependencies(tx: &DatabaseTransaction, p: &Phase) -> PersistenceResult<()> {
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

async fn save(tx: &DatabaseTransaction, p: &Phase, read_version: i32) -> PersistenceResult<()> {
    let columns = (phase::Column::Id, phase::Column::Version);
    versioned::save::<phase::Entity>(tx, active_model(p), columns, p.id.0, read_version, "phase")
        .await
}

async fn record(
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

/// The columns a write sets (all but `id`, `engagement_id`, `position` and `created_at`;
/// positions change only through [`reposition`]).
fn active_model(p: &Phase) -> phase::ActiveModel {
    let d = &p.data;
    phase::ActiveModel {
        id: NotSet,
        engagement_id: NotSet,
        position: NotSet,
        name: Set(d.name.clone()),
        focus_kind: Set(d.focus_kind.as_str().to_owned()),
        focus: Set(d.focus.clone()),
        objective: Set(d.objective.clone()),
        expected_value: Set(d.expected_value.clone()),
        planned_start: Set(d.planned_start),
        planned_end: Set(d.planned_end),
        milestones: Set(serde_json::to_value(&d.milestones).unwrap_or(Value::Array(vec![]))),
        status: Set(p.status.as_str().to_owned()),
        actual_start: Set(p.actual_start),
        actual_end: Set(p.actual_end),
        accepted_on: Set(p.accepted_on),
        goal_id: Set(p.goal_id.map(|g| g.0)),
        version: Set(p.version),
        created_at: NotSet,
        updated_at: Set(p.updated_at),
        scope: Set(serde_json::to_value(&d.scope).unwrap_or(Value::Array(vec![]))),
        realised_value: Set(p.realised_value.clone()),
    }
}

fn to_domain(m: phase::Model, depends_on: Vec<PhaseId>) -> PersistenceResult<Phase> {
    let milestones: Vec<Milestone> =
        serde_json::from_value(m.milestones).map_err(|e| corrupt("milestones", e))?;
    let scope: Vec<PhaseScopeItem> =
        serde_json::from_value(m.scope).map_err(|e| corrupt("phase scope", e))?;
    Ok(Phase {
        id: PhaseId(m.id),
        engagement_id: EngagementId(m.engagement_id),
        position: m.position,
        data: PhaseData {
            name: m.name,
            focus_kind: m
                .focus_kind
                .parse()
                .map_err(|e: String| corrupt("focus kind", e))?,
            focus: m.focus,
            objective: m.objective,
            expected_value: m.expected_value,
            planned_start: m.planned_start,
            planned_end: m.planned_end,
            milestones,
            scope,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("phase status", e))?,
        actual_start: m.actual_start,
        actual_end: m.actual_end,
        accepted_on: m.accepted_on,
        depends_on,
        goal_id: m.goal_id.map(tandem_domain::ids::GoalId),
        realised_value: m.realised_value,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
