//! Statements of work, change requests and time entries, with the budget sums in SQL.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use tandem_domain::DomainError;
use tandem_domain::engagement::Phase;
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{
    AccountId, ChangeRequestId, EngagementId, PhaseId, SowId, TeamMemberId, TimeEntryId,
};
use tandem_domain::money::Currency;
use tandem_domain::sow::{
    Baseline, ChangeRequest, ChangeRequestStatus, LoggedTime, NewSow, NewTimeEntry, Rate,
    ScopeItem, Sow, SowData, SowStatus, TimeEntry, WorkKind,
};
use uuid::Uuid;

use crate::engagement::phase as phases;
use crate::entity::{change_request, sow, sow_scope_item, time_entry};
use crate::error::corrupt;
use crate::event::record;
use crate::page::{Page, Window};
use crate::sql::MAX_IN_LIST;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// Which SOWs a list shows; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct SowFilter {
    /// With any of these accounts.
    pub account_ids: Vec<AccountId>,
    /// For any of these engagements.
    pub engagement_ids: Vec<EngagementId>,
    /// In any of these statuses.
    pub statuses: Vec<SowStatus>,
}

fn condition(filter: &SowFilter) -> Condition {
    use sow::Column as C;
    let mut cond = Condition::all();
    if !filter.account_ids.is_empty() {
        cond = cond.add(C::AccountId.is_in(filter.account_ids.iter().map(|a| a.0)));
    }
    if !filter.engagement_ids.is_empty() {
        cond = cond.add(C::EngagementId.is_in(filter.engagement_ids.iter().map(|e| e.0)));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    cond
}

/// The SOWs with these ids that exist.
pub async fn by_ids(store: &Store, ids: &[SowId]) -> PersistenceResult<Vec<Sow>> {
    let rows =
        crate::page::rows_in(store.conn(), sow::Entity::find(), sow::Column::Id, ids).await?;
    with_scope(store.conn(), rows).await
}

/// One SOW.
pub async fn get(store: &Store, id: SowId) -> PersistenceResult<Option<Sow>> {
    Ok(by_ids(store, &[id]).await?.pop())
}

/// Each account's SOWs, oldest first.
pub async fn by_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<Sow>>> {
    let mut out: HashMap<AccountId, Vec<Sow>> = HashMap::new();
    let rows = crate::page::rows_in(
        store.conn(),
        sow::Entity::find().order_by_asc(sow::Column::Id),
        sow::Column::AccountId,
        accounts,
    )
    .await?;
    for s in with_scope(store.conn(), rows).await? {
        out.entry(s.account_id).or_default().push(s);
    }
    Ok(out)
}

/// Each engagement's SOWs, oldest first.
pub async fn by_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Sow>>> {
    let mut out: HashMap<EngagementId, Vec<Sow>> = HashMap::new();
    let rows = crate::page::rows_in(
        store.conn(),
        sow::Entity::find().order_by_asc(sow::Column::Id),
        sow::Column::EngagementId,
        engagements,
    )
    .await?;
    for s in with_scope(store.conn(), rows).await? {
        if let Some(e) = s.engagement_id {
            out.entry(e).or_default().push(s);
        }
    }
    Ok(out)
}

/// A page of SOWs matching `filter`, oldest first.
pub async fn list(
    store: &Store,
    filter: &SowFilter,
    window: &Window<Uuid>,
) -> PersistenceResult<Page<Sow>> {
    let select = sow::Entity::find().filter(condition(filter));
    let rows = crate::page::rows_by_id(store.conn(), select, sow::Column::Id, window).await?;
    Ok(Page::from_rows(
        with_scope(store.conn(), rows).await?,
        window,
    ))
}

/// How many SOWs match `filter`.
pub async fn count(store: &Store, filter: &SowFilter) -> PersistenceResult<u64> {
    Ok(sow::Entity::find()
        .filter(condition(filter))
        .count(store.conn())
        .await?)
}

/// The phases a SOW's scope items and time entries may name: its engagement's.
async fn engagement_phases<C: ConnectionTrait>(
    conn: &C,
    engagement: Option<EngagementId>,
) -> PersistenceResult<Vec<Phase>> {
    Ok(match engagement {
        Some(e) => phases::load(conn, &[e])
            .await?
            .remove(&e)
            .unwrap_or_default(),
        None => Vec::new(),
    })
}

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
    crate::account::ensure_exists(&tx, account_id)
        .await?
        .ensure_active()?;
    if let Some(e) = engagement_id {
        let engagement = crate::engagement::load(&tx, e).await?;
        if engagement.account_id != account_id {
            return Err(DomainError::invalid("engagementId", "belongs to another account").into());
        }
    }
    let data = input.validate(&engagement_phases(&tx, engagement_id).await?)?;
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
    sow::Entity::insert(row).exec_without_returning(&tx).await?;
    write_scope(&tx, &s).await?;
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::Sow,
        s.id.0,
        EventKind::SowCreated,
        event::created(&s.data),
    )
    .await?;
    tx.commit().await?;
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

/// Each SOW's change requests, oldest first.
pub async fn change_requests(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, Vec<ChangeRequest>>> {
    let mut out: HashMap<SowId, Vec<ChangeRequest>> = HashMap::new();
    let rows = crate::page::rows_in(
        store.conn(),
        change_request::Entity::find().order_by_asc(change_request::Column::Id),
        change_request::Column::SowId,
        sows,
    )
    .await?;
    for row in rows {
        let cr = cr_to_domain(row)?;
        out.entry(cr.sow_id).or_default().push(cr);
    }
    Ok(out)
}

/// Raises a change request against a signed SOW; records `CHANGE_REQUEST_RAISED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn raise_change_request(
    store: &Store,
    actor: &str,
    sow_id: SowId,
    hours: Hours,
    amount: i64,
    reason: &str,
) -> PersistenceResult<ChangeRequest> {
    let tx = store.begin_write().await?;
    let s = load(&tx, sow_id).await?;
    let reason = ChangeRequest::validate_new(&s, hours, amount, reason)?;
    let cr = ChangeRequest {
        id: ChangeRequestId::new(),
        sow_id,
        hours,
        amount,
        reason,
        requested_by: actor.to_owned(),
        status: ChangeRequestStatus::Proposed,
        decided_by: None,
        decided_at: None,
        version: 1,
        created_at: Utc::now(),
    };
    change_request::Entity::insert(change_request::ActiveModel {
        id: Set(cr.id.0),
        sow_id: Set(sow_id.0),
        hours: Set(hours.0),
        amount_minor: Set(amount),
        reason: Set(cr.reason.clone()),
        requested_by: Set(cr.requested_by.clone()),
        status: Set(cr.status.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        version: Set(1),
        created_at: Set(cr.created_at),
    })
    .exec_without_returning(&tx)
    .await?;
    let changes = vec![
        FieldChange {
            field: "hours".into(),
            before: Value::Null,
            after: hours.as_decimal().into(),
        },
        FieldChange {
            field: "amountMinor".into(),
            before: Value::Null,
            after: amount.into(),
        },
        FieldChange {
            field: "reason".into(),
            before: Value::Null,
            after: cr.reason.clone().into(),
        },
    ];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::ChangeRequest,
        cr.id.0,
        EventKind::ChangeRequestRaised,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(cr)
}

/// Approves or rejects a proposed change request still at `version`. Approval moves the SOW's
/// T&M caps in the same transaction. Records `CHANGE_REQUEST_DECIDED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide_change_request(
    store: &Store,
    actor: &str,
    id: ChangeRequestId,
    version: i32,
    decision: ChangeRequestStatus,
) -> PersistenceResult<(ChangeRequest, Sow)> {
    let tx = store.begin_write().await?;
    let current = change_request::Entity::find_by_id(id.0)
        .one(&tx)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "change request",
            id: id.to_string(),
        })
        .and_then(cr_to_domain)?;
    versioned::check("change request", version, current.version)?;
    current.check_decision(decision)?;
    let mut s = load(&tx, current.sow_id).await?;
    if decision == ChangeRequestStatus::Approved {
        let data = current.apply(&s)?;
        let read = s.version;
        s = Sow {
            data,
            version: read + 1,
            updated_at: Utc::now(),
            ..s
        };
        save(&tx, &s, read).await?;
    }
    let now = Utc::now();
    let decided = ChangeRequest {
        status: decision,
        decided_by: Some(actor.to_owned()),
        decided_at: Some(now),
        version: version + 1,
        ..current.clone()
    };
    versioned::save::<change_request::Entity>(
        &tx,
        change_request::ActiveModel {
            status: Set(decision.as_str().to_owned()),
            decided_by: Set(decided.decided_by.clone()),
            decided_at: Set(decided.decided_at),
            version: Set(decided.version),
            ..Default::default()
        },
        (change_request::Column::Id, change_request::Column::Version),
        id.0,
        version,
        "change request",
    )
    .await?;
    let changes = vec![FieldChange::new(
        "status",
        current.status.as_str(),
        decision.as_str(),
    )];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::ChangeRequest,
        id.0,
        EventKind::ChangeRequestDecided,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok((decided, s))
}

/// Logs hours against a signed SOW, into the person's open timesheet for the week (created as
/// a draft when needed); records `TIME_LOGGED`. The hours count as burn once the timesheet is
/// approved.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn log_time(
    store: &Store,
    actor: &str,
    sow_id: SowId,
    input: NewTimeEntry,
    today: NaiveDate,
) -> PersistenceResult<TimeEntry> {
    let tx = store.begin_write().await?;
    let s = load(&tx, sow_id).await?;
    crate::team_member::ensure_active(&tx, input.team_member_id, "teamMemberId").await?;
    let entry = input.validate(&s, &engagement_phases(&tx, s.engagement_id).await?, today)?;
    let sheet =
        crate::timesheet::open_sheet_for(&tx, entry.team_member_id, entry.worked_on).await?;
    time_entry::Entity::insert(time_entry::ActiveModel {
        id: Set(entry.id.0),
        sow_id: Set(sow_id.0),
        team_member_id: Set(entry.team_member_id.0),
        role: Set(entry.role.clone()),
        phase_id: Set(entry.phase_id.map(|p| p.0)),
        worked_on: Set(entry.worked_on),
        hours: Set(entry.hours.0),
        kind: Set(entry.kind.as_str().to_owned()),
        amount_minor: Set(entry.amount),
        note: Set(entry.note.clone()),
        created_at: Set(entry.created_at),
        timesheet_id: Set(Some(sheet.0)),
    })
    .exec_without_returning(&tx)
    .await?;
    let changes = vec![
        FieldChange {
            field: "hours".into(),
            before: Value::Null,
            after: entry.hours.as_decimal().into(),
        },
        FieldChange {
            field: "kind".into(),
            before: Value::Null,
            after: entry.kind.as_str().into(),
        },
        FieldChange {
            field: "role".into(),
            before: Value::Null,
            after: entry.role.clone().into(),
        },
    ];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::TimeEntry,
        entry.id.0,
        EventKind::TimeLogged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(TimeEntry {
        timesheet_id: Some(sheet),
        ..entry
    })
}

/// A page of a SOW's time entries, oldest first.
pub async fn time_entries(
    store: &Store,
    sow_id: SowId,
    window: &Window<Uuid>,
) -> PersistenceResult<Page<TimeEntry>> {
    let select = time_entry::Entity::find().filter(time_entry::Column::SowId.eq(sow_id.0));
    let rows =
        crate::page::rows_by_id(store.conn(), select, time_entry::Column::Id, window).await?;
    let items = rows
        .into_iter()
        .map(entry_to_domain)
        .collect::<PersistenceResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, window))
}

/// Approved logged time per SOW, summed in SQL (one GROUP BY query per chunk of SOWs).
pub async fn logged_by_sow(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, LoggedTime>> {
    let mut out: HashMap<SowId, LoggedTime> = HashMap::new();
    for chunk in sows.chunks(MAX_IN_LIST) {
        for (sow_id, _, kind, hours, amount) in
            sums(store, chunk.iter().map(|s| s.0).collect(), false).await?
        {
            add(out.entry(SowId(sow_id)).or_default(), &kind, hours, amount);
        }
    }
    Ok(out)
}

/// Approved logged time per phase of each SOW (`None`: hours not booked to a phase).
pub async fn logged_by_phase(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, HashMap<Option<PhaseId>, LoggedTime>>> {
    let mut out: HashMap<SowId, HashMap<Option<PhaseId>, LoggedTime>> = HashMap::new();
    for chunk in sows.chunks(MAX_IN_LIST) {
        for (sow_id, phase, kind, hours, amount) in
            sums(store, chunk.iter().map(|s| s.0).collect(), true).await?
        {
            let per_phase = out.entry(SowId(sow_id)).or_default();
            add(
                per_phase.entry(phase.map(PhaseId)).or_default(),
                &kind,
                hours,
                amount,
            );
        }
    }
    Ok(out)
}

fn add(t: &mut LoggedTime, kind: &str, hours: i64, amount: i64) {
    if kind == WorkKind::InScope.as_str() {
        t.in_scope_hours.0 += hours;
    } else {
        t.tm_hours.0 += hours;
        t.tm_amount += amount;
    }
}

type SumRow = (Uuid, Option<Uuid>, String, i64, i64);

/// The condition on `time_entries` that keeps only hours on approved timesheets.
pub(crate) const APPROVED_ONLY: &str =
    "time_entries.timesheet_id IN (SELECT id FROM timesheets WHERE status = 'APPROVED')";

async fn sums(store: &Store, sows: Vec<Uuid>, by_phase: bool) -> PersistenceResult<Vec<SumRow>> {
    use time_entry::Column as C;
    let total = |col: C| Expr::expr(Func::sum(Expr::col(col))).cast_as("BIGINT");
    let mut select = time_entry::Entity::find().select_only().column(C::SowId);
    select = if by_phase {
        select.column(C::PhaseId)
    } else {
        select.column_as(Expr::value(Option::<Uuid>::None), "phase_id")
    };
    let mut select = select
        .column(C::Kind)
        .column_as(total(C::Hours), "hours")
        .column_as(total(C::AmountMinor), "amount")
        .filter(C::SowId.is_in(sows))
        // Only approved hours are burn.
        .filter(Expr::cust(APPROVED_ONLY))
        .group_by(C::SowId)
        .group_by(C::Kind);
    if by_phase {
        select = select.group_by(C::PhaseId);
    }
    Ok(select.into_tuple::<SumRow>().all(store.conn()).await?)
}

pub(crate) async fn load<C: ConnectionTrait>(conn: &C, id: SowId) -> PersistenceResult<Sow> {
    let row = sow::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "SOW",
            id: id.to_string(),
        })?;
    with_scope(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "SOW",
            id: id.to_string(),
        })
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

async fn save(tx: &DatabaseTransaction, s: &Sow, read_version: i32) -> PersistenceResult<()> {
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

fn active_model(s: &Sow) -> sow::ActiveModel {
    let d = &s.data;
    sow::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        engagement_id: NotSet,
        title: Set(d.title.clone()),
        currency: Set(d.currency.as_str().to_owned()),
        fixed_price_minor: Set(d.fixed_price),
        rate_card: Set(serde_json::to_value(&d.rate_card).unwrap_or(Value::Array(vec![]))),
        tm_hours_cap: Set(d.tm_hours_cap.map(|h| h.0)),
        tm_amount_cap_minor: Set(d.tm_amount_cap),
        status: Set(s.status.as_str().to_owned()),
        baseline: Set(s
            .baseline
            .map(|b| serde_json::to_value(b).unwrap_or(Value::Null))),
        signed_on: Set(s.signed_on),
        version: Set(s.version),
        created_at: NotSet,
        updated_at: Set(s.updated_at),
    }
}

async fn with_scope<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<sow::Model>,
) -> PersistenceResult<Vec<Sow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut scope: HashMap<Uuid, Vec<ScopeItem>> = HashMap::new();
    for item in sow_scope_item::Entity::find()
        .filter(sow_scope_item::Column::SowId.is_in(rows.iter().map(|r| r.id)))
        .order_by_asc(sow_scope_item::Column::SowId)
        .order_by_asc(sow_scope_item::Column::Position)
        .all(conn)
        .await?
    {
        scope.entry(item.sow_id).or_default().push(ScopeItem {
            deliverable: item.deliverable,
            estimated_hours: Hours(item.estimated_hours),
            phase_id: item.phase_id.map(PhaseId),
        });
    }
    rows.into_iter()
        .map(|m| {
            let items = scope.remove(&m.id).unwrap_or_default();
            to_domain(m, items)
        })
        .collect()
}

fn to_domain(m: sow::Model, scope: Vec<ScopeItem>) -> PersistenceResult<Sow> {
    let rate_card: Vec<Rate> =
        serde_json::from_value(m.rate_card).map_err(|e| corrupt("rate card", e))?;
    let baseline: Option<Baseline> = m
        .baseline
        .filter(|b| !b.is_null())
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| corrupt("baseline", e))?;
    Ok(Sow {
        id: SowId(m.id),
        account_id: AccountId(m.account_id),
        engagement_id: m.engagement_id.map(EngagementId),
        data: SowData {
            title: m.title,
            currency: Currency::parse("currency", &m.currency)
                .map_err(|e| corrupt("currency", e))?,
            fixed_price: m.fixed_price_minor,
            rate_card,
            scope,
            tm_hours_cap: m.tm_hours_cap.map(Hours),
            tm_amount_cap: m.tm_amount_cap_minor,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("SOW status", e))?,
        baseline,
        signed_on: m.signed_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn cr_to_domain(m: change_request::Model) -> PersistenceResult<ChangeRequest> {
    Ok(ChangeRequest {
        id: ChangeRequestId(m.id),
        sow_id: SowId(m.sow_id),
        hours: Hours(m.hours),
        amount: m.amount_minor,
        reason: m.reason,
        requested_by: m.requested_by,
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("change request status", e))?,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        version: m.version,
        created_at: m.created_at,
    })
}

fn entry_to_domain(m: time_entry::Model) -> PersistenceResult<TimeEntry> {
    Ok(TimeEntry {
        id: TimeEntryId(m.id),
        sow_id: SowId(m.sow_id),
        team_member_id: TeamMemberId(m.team_member_id),
        role: m.role,
        phase_id: m.phase_id.map(PhaseId),
        worked_on: m.worked_on,
        hours: Hours(m.hours),
        kind: m
            .kind
            .parse()
            .map_err(|e: String| corrupt("work kind", e))?,
        amount: m.amount_minor,
        note: m.note,
        created_at: m.created_at,
        timesheet_id: m.timesheet_id.map(tandem_domain::ids::TimesheetId),
    })
}

/// The time entries on each of `sheets`, in day order.
pub async fn entries_of_timesheets(
    store: &Store,
    sheets: &[tandem_domain::ids::TimesheetId],
) -> PersistenceResult<Vec<TimeEntry>> {
    let mut out = Vec::new();
    for chunk in sheets.chunks(MAX_IN_LIST) {
        let rows = time_entry::Entity::find()
            .filter(time_entry::Column::TimesheetId.is_in(chunk.iter().map(|s| s.0)))
            .order_by_asc(time_entry::Column::WorkedOn)
            .order_by_asc(time_entry::Column::Id)
            .all(store.conn())
            .await?;
        for m in rows {
            out.push(entry_to_domain(m)?);
        }
    }
    Ok(out)
}
