//! Opportunities and the stages of their pipeline. Every write runs in one transaction with its
//! account-change event; a win also records its revenue movement or drafts its SOW there.
//! Stages live in [`stage`], reads in [`read`].

mod read;
mod row;
mod stage;

pub use read::{OpportunityFilter, OpportunityKey, by_id, list, of_accounts, open_in};
pub use stage::{set_stage, stages};

use chrono::Utc;
use sea_orm::DatabaseTransaction;
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, OpportunityId, OpportunityStageId};
use tandem_domain::opportunity::{
    Closing, Opportunity, OpportunityData, OpportunityKind, OpportunityStatus, revenue_on_win,
};
use tandem_domain::{DomainError, DomainResult};
use uuid::Uuid;

use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};
use row::{COLUMNS, one};
use stage::{STAGE_COLUMNS, stage_named_by};

/// Checks the links an opportunity's fields name inside the write's transaction: an active
/// owner, and a goal and a phase of the opportunity's own account.
async fn check_links(
    tx: &DatabaseTransaction,
    account: AccountId,
    data: &OpportunityData,
    before: Option<&OpportunityData>,
) -> PersistenceResult<()> {
    if let Some(owner) = data.owner_id
        && before.is_none_or(|b| b.owner_id != Some(owner))
    {
        crate::team_member::ensure_active(tx, owner, "ownerId").await?;
    }
    if let Some(goal) = data.goal_id
        && before.is_none_or(|b| b.goal_id != Some(goal))
    {
        let mut q = Sql::new("SELECT account_id FROM goals WHERE id = ");
        q.bind(goal.0);
        ensure_of_account(q, tx, account, "goalId", "goal").await?;
    }
    if let Some(phase) = data.phase_id
        && before.is_none_or(|b| b.phase_id != Some(phase))
    {
        let mut q = Sql::new(
            "SELECT engagements.account_id AS account_id FROM phases \
             JOIN engagements ON engagements.id = phases.engagement_id WHERE phases.id = ",
        );
        q.bind(phase.0);
        ensure_of_account(q, tx, account, "phaseId", "phase").await?;
    }
    Ok(())
}

async fn ensure_of_account(
    q: Sql,
    tx: &DatabaseTransaction,
    account: AccountId,
    field: &str,
    what: &str,
) -> PersistenceResult<()> {
    match q.all(tx).await?.first() {
        Some(r) if get::<Uuid>(r, "account_id")? == account.0 => Ok(()),
        _ => Err(DomainError::invalid(
            field,
            format!("must name a {what} of the opportunity's account"),
        )
        .into()),
    }
}

/// What an event shows of an opportunity: its fields, its stage's name and its status.
fn snapshot(o: &Opportunity, stage: &str) -> serde_json::Value {
    let mut v = serde_json::to_value(&o.data).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("stage".into(), serde_json::json!(stage));
        m.insert("status".into(), serde_json::json!(o.status));
    }
    v
}

/// Opens an opportunity on a live account in `stage` (the first stage of the pipeline when
/// `None`); `OPPORTUNITY_CREATED`.
pub async fn create(
    store: &Store,
    actor: &str,
    account: AccountId,
    stage_id: Option<OpportunityStageId>,
    data: OpportunityData,
) -> PersistenceResult<Opportunity> {
    let tx = store.begin_write().await?;
    crate::account::ensure_live(&tx, account, "opportunities cannot be opened on it").await?;
    check_links(&tx, account, &data, None).await?;
    let stage = match stage_id {
        Some(id) => stage_named_by(&tx, id, "stageId").await?,
        None => {
            let q = Sql::new(&format!(
                "SELECT {STAGE_COLUMNS} FROM opportunity_stages ORDER BY position, name LIMIT 1"
            ));
            match q.all(&tx).await?.first() {
                Some(r) => stage::stage(r)?,
                None => {
                    return Err(PersistenceError::Conflict(
                        "the pipeline has no stages; an ADMIN adds one with setOpportunityStage"
                            .to_owned(),
                    ));
                }
            }
        }
    };
    let now = Utc::now();
    let o = Opportunity {
        id: OpportunityId::new(),
        account_id: account,
        data,
        stage_id: stage.id,
        status: OpportunityStatus::Open,
        close_reason: None,
        closed_on: None,
        revenue_event_id: None,
        sow_id: None,
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
    };
    let d = &o.data;
    let mut q = Sql::new(&format!("INSERT INTO opportunities ({COLUMNS}) VALUES ("));
    q.bind(o.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(d.kind.as_str())
        .push(", ")
        .bind(d.title.as_str())
        .push(", ")
        .bind(stage.id.0)
        .push(", ")
        .bind(o.status.as_str())
        .push(", ")
        .bind(d.mrr_delta_minor)
        .push(", ")
        .bind(d.services_value_minor)
        .push(", ")
        .bind(d.probability)
        .push(", ")
        .bind(d.expected_close_on)
        .push(", ")
        .bind(d.owner_id.map(|x| x.0))
        .push(", ")
        .bind(d.goal_id.map(|x| x.0))
        .push(", ")
        .bind(d.phase_id.map(|x| x.0))
        .push(", NULL, NULL, NULL, NULL, 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Opportunity,
        o.id.0,
        EventKind::OpportunityCreated,
        event::created(&snapshot(&o, &stage.name)),
    )
    .await?;
    tx.commit().await?;
    Ok(o)
}

/// Writes the changeable columns of `o` (read at `read`) and bumps its version.
async fn save(tx: &DatabaseTransaction, o: &Opportunity, read: i32) -> PersistenceResult<()> {
    let d = &o.data;
    let mut q = Sql::new("UPDATE opportunities SET kind = ");
    q.bind(d.kind.as_str())
        .push(", title = ")
        .bind(d.title.as_str())
        .push(", stage_id = ")
        .bind(o.stage_id.0)
        .push(", status = ")
        .bind(o.status.as_str())
        .push(", mrr_delta_minor = ")
        .bind(d.mrr_delta_minor)
        .push(", services_value_minor = ")
        .bind(d.services_value_minor)
        .push(", probability = ")
        .bind(d.probability)
        .push(", expected_close_on = ")
        .bind(d.expected_close_on)
        .push(", owner_id = ")
        .bind(d.owner_id.map(|x| x.0))
        .push(", goal_id = ")
        .bind(d.goal_id.map(|x| x.0))
        .push(", phase_id = ")
        .bind(d.phase_id.map(|x| x.0))
        .push(", close_reason = ")
        .bind(o.close_reason.clone())
        .push(", closed_on = ")
        .bind(o.closed_on)
        .push(", revenue_event_id = ")
        .bind(o.revenue_event_id.map(|x| x.0))
        .push(", sow_id = ")
        .bind(o.sow_id.map(|x| x.0))
        .push(", version = ")
        .bind(o.version)
        .push(", updated_at = ")
        .bind(o.updated_at)
        .push(" WHERE id = ")
        .bind(o.id.0);
    versioned::save_sql(tx, q, read, "opportunity").await
}

/// Reads the opportunity `id` at `version` inside `tx`, refused when missing, moved on or
/// closed.
async fn read_open(
    tx: &DatabaseTransaction,
    id: OpportunityId,
    version: i32,
) -> PersistenceResult<Opportunity> {
    let current = versioned::read(one(tx, id).await?, "opportunity", id, version, |o| {
        o.version
    })?;
    current.ensure_open()?;
    Ok(current)
}

/// Changes the fields of the open opportunity still at `version`; `OPPORTUNITY_UPDATED` with
/// what changed.
pub async fn update(
    store: &Store,
    actor: &str,
    id: OpportunityId,
    version: i32,
    change: impl FnOnce(&Opportunity) -> DomainResult<OpportunityData>,
) -> PersistenceResult<Opportunity> {
    let tx = store.begin_write().await?;
    let current = read_open(&tx, id, version).await?;
    let data = change(&current)?;
    check_links(&tx, current.account_id, &data, Some(&current.data)).await?;
    let updated = Opportunity {
        data,
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    let changes = event::diff(&current.data, &updated.data);
    if changes.is_empty() {
        return Ok(current);
    }
    save(&tx, &updated, version).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        updated.account_id,
        SubjectKind::Opportunity,
        id.0,
        EventKind::OpportunityUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Moves the open opportunity still at `version` to `stage`; `OPPORTUNITY_STAGE_CHANGED` with
/// the stages' names and the probability before and after.
pub async fn move_stage(
    store: &Store,
    actor: &str,
    id: OpportunityId,
    version: i32,
    stage: OpportunityStageId,
) -> PersistenceResult<Opportunity> {
    let tx = store.begin_write().await?;
    let current = read_open(&tx, id, version).await?;
    let from = stage_named_by(&tx, current.stage_id, "stageId").await?;
    let to = stage_named_by(&tx, stage, "stageId").await?;
    let moved = Opportunity {
        version: version + 1,
        updated_at: Utc::now(),
        ..current.moved(&to)?
    };
    save(&tx, &moved, version).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        moved.account_id,
        SubjectKind::Opportunity,
        id.0,
        EventKind::OpportunityStageChanged,
        vec![
            FieldChange::new("stage", &from.name, &to.name),
            FieldChange::new(
                "probability",
                current.probability(from.default_probability),
                moved.probability(to.default_probability),
            ),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

/// Closes the open opportunity still at `version` as `closing` says; `OPPORTUNITY_WON` or
/// `OPPORTUNITY_LOST`. A won upsell, cross-sell or downsell records its revenue movement
/// (effective on the day it closed, `REVENUE_RECORDED`), a won services follow-on drafts a SOW
/// for the account named after it, priced at its services value (`SOW_CREATED`); both in the
/// same transaction, linked from the opportunity.
pub async fn close(
    store: &Store,
    actor: &str,
    id: OpportunityId,
    version: i32,
    closing: Closing,
) -> PersistenceResult<Opportunity> {
    let tx = store.begin_write().await?;
    let current = read_open(&tx, id, version).await?;
    let mut closed = Opportunity {
        version: version + 1,
        updated_at: Utc::now(),
        ..current.closed(closing)?
    };
    let on = closed.closed_on.unwrap_or_else(|| Utc::now().date_naive());
    if closed.status == OpportunityStatus::Won {
        let standing = crate::revenue::standing_in(&tx, closed.account_id, on).await?;
        if let Some((kind, amount)) = revenue_on_win(&closed.data, standing.mrr, standing.ever_paid)
        {
            let m = crate::revenue::record_in(store, &tx, actor, &standing, kind, Some(amount), on)
                .await
                .map_err(|e| match e {
                    PersistenceError::Domain(DomainError::Invalid { message, .. }) => {
                        DomainError::Conflict(format!(
                            "winning it would record a {kind} the revenue rules refuse: {message}"
                        ))
                        .into()
                    }
                    e => e,
                })?;
            closed.revenue_event_id = Some(m.id);
        }
        if closed.data.kind == OpportunityKind::ServicesFollowOn {
            let sow = tandem_domain::sow::NewSow {
                title: closed.data.title.clone(),
                currency: Some(standing.currency.as_str().to_owned()),
                fixed_price: closed.data.services_value_minor,
                rate_card: Vec::new(),
                scope: Vec::new(),
                tm_hours_cap: None,
                tm_amount_cap: None,
            };
            let s = crate::sow::create_in(store, &tx, actor, closed.account_id, None, sow).await?;
            closed.sow_id = Some(s.id);
        }
    }
    save(&tx, &closed, version).await?;
    let kind = match closed.status {
        OpportunityStatus::Won => EventKind::OpportunityWon,
        _ => EventKind::OpportunityLost,
    };
    crate::event::record(
        store,
        &tx,
        actor,
        closed.account_id,
        SubjectKind::Opportunity,
        id.0,
        kind,
        vec![
            FieldChange::new("status", current.status, closed.status),
            FieldChange::set("reason", &closed.close_reason),
            FieldChange::set("closedOn", closed.closed_on),
            FieldChange::set("revenueEventId", closed.revenue_event_id),
            FieldChange::set("sowId", closed.sow_id),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(closed)
}
