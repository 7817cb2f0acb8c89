//! Opportunities and the stages of their pipeline. Every write runs in one transaction with its
//! account-change event; a win also records its revenue movement or drafts its SOW there.
//! Stages live in [`stage`], reads in [`read`].

mod read;
mod row;
mod stage;

pub use read::{OpportunityFilter, OpportunityKey, by_id, list, of_accounts, open_in};
pub use stage::{set_stage, stages};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait};
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, OpportunityId, OpportunityStageId};
use tandem_domain::opportunity::{
    Closing, Opportunity, OpportunityData, OpportunityKind, OpportunityStatus, revenue_on_win,
};
use tandem_domain::{DomainError, DomainResult};
use uuid::Uuid;

use crate::change::{self, Aggregate};
use crate::entity::opportunity as entity;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};
use row::{active_model, changed_row, one};
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
    entity::Entity::insert(active_model(&o))
        .exec_without_returning(&tx)
        .await?;
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

/// Changes the fields of the open opportunity still at `version`; `OPPORTUNITY_UPDATED` with
/// what changed (nothing is written when nothing changes).
pub async fn update(
    store: &Store,
    actor: &str,
    id: OpportunityId,
    version: i32,
    change: impl FnOnce(&Opportunity) -> DomainResult<OpportunityData>,
) -> PersistenceResult<Opportunity> {
    change::update(store, actor, id, version, |current: &Opportunity| {
        current.ensure_open()?;
        change(current)
    })
    .await
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
    let current: Opportunity = change::load(&tx, id, Some(version)).await?;
    current.ensure_open()?;
    let from = stage_named_by(&tx, current.stage_id, "stageId").await?;
    let to = stage_named_by(&tx, stage, "stageId").await?;
    let moved = current.moved(&to)?;
    let changes = vec![
        FieldChange::new("stage", &from.name, &to.name),
        FieldChange::new(
            "probability",
            current.probability(from.default_probability),
            moved.probability(to.default_probability),
        ),
    ];
    let kind = EventKind::OpportunityStageChanged;
    let moved = change::write(
        store,
        &tx,
        actor,
        &current,
        moved,
        Utc::now(),
        kind,
        changes,
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
    let current: Opportunity = change::load(&tx, id, Some(version)).await?;
    let mut closed = current.closed(closing)?;
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
    let kind = match closed.status {
        OpportunityStatus::Won => EventKind::OpportunityWon,
        _ => EventKind::OpportunityLost,
    };
    let changes = vec![
        FieldChange::new("status", current.status, closed.status),
        FieldChange::set("reason", &closed.close_reason),
        FieldChange::set("closedOn", closed.closed_on),
        FieldChange::set("revenueEventId", closed.revenue_event_id),
        FieldChange::set("sowId", closed.sow_id),
    ];
    let closed = change::write(
        store,
        &tx,
        actor,
        &current,
        closed,
        Utc::now(),
        kind,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(closed)
}

/// An opportunity is never archived: it is won or lost ([`close`]) and then stays as it closed.
impl Aggregate for Opportunity {
    type Id = OpportunityId;
    type Data = OpportunityData;
    type Entity = entity::Entity;
    const NAME: &'static str = "opportunity";
    const SUBJECT: SubjectKind = SubjectKind::Opportunity;
    const UPDATED: EventKind = EventKind::OpportunityUpdated;
    const KEY: (entity::Column, entity::Column) = (entity::Column::Id, entity::Column::Version);

    fn id(&self) -> OpportunityId {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn data(&self) -> &OpportunityData {
        &self.data
    }
    fn account(&self) -> Option<AccountId> {
        Some(self.account_id)
    }
    fn row(&self) -> entity::ActiveModel {
        changed_row(self)
    }
    fn with_data(&self, data: OpportunityData) -> Opportunity {
        Opportunity {
            data,
            ..self.clone()
        }
    }
    fn stamp(&mut self, version: i32, at: DateTime<Utc>) {
        self.version = version;
        self.updated_at = at;
    }
    async fn find<C: ConnectionTrait>(
        conn: &C,
        id: OpportunityId,
    ) -> PersistenceResult<Option<Opportunity>> {
        one(conn, id).await
    }
    /// The owner, goal and phase that changed must be an active member, and a goal and a phase
    /// of the opportunity's own account.
    async fn vet(
        tx: &DatabaseTransaction,
        current: &Opportunity,
        data: &OpportunityData,
    ) -> PersistenceResult<()> {
        check_links(tx, current.account_id, data, Some(&current.data)).await
    }
}
