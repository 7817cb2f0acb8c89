//! Engagements: reading them by account and in filtered pages, and writing them with their
//! events. Phases live in [`phase`].

pub mod baseline;
pub mod phase;
mod row;

use row::{active_model, to_domain};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;
use tandem_domain::DomainResult;
use tandem_domain::engagement::{
    Engagement, EngagementData, EngagementKind, EngagementStatus, TemplateRef,
};
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, EngagementId, TeamMemberId};
use uuid::Uuid;

use crate::change::{self, Aggregate};
use crate::entity::engagement;
use crate::page::{Page, Window};
use crate::{PersistenceResult, Store, team_member};

/// Which engagements a list shows; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct EngagementFilter {
    /// On any of these accounts.
    pub account_ids: Vec<AccountId>,
    /// In any of these statuses.
    pub statuses: Vec<EngagementStatus>,
    /// Of any of these kinds.
    pub kinds: Vec<EngagementKind>,
    /// Led by any of these team members.
    pub lead_ids: Vec<TeamMemberId>,
}

fn condition(filter: &EngagementFilter) -> Condition {
    use engagement::Column as C;
    let mut cond = Condition::all();
    if !filter.account_ids.is_empty() {
        cond = cond.add(C::AccountId.is_in(filter.account_ids.iter().map(|a| a.0)));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if !filter.kinds.is_empty() {
        cond = cond.add(C::Kind.is_in(filter.kinds.iter().map(|k| k.as_str())));
    }
    if !filter.lead_ids.is_empty() {
        cond = cond.add(C::LeadId.is_in(filter.lead_ids.iter().map(|l| l.0)));
    }
    cond
}

/// One engagement.
pub async fn get(store: &Store, id: EngagementId) -> PersistenceResult<Option<Engagement>> {
    Ok(by_ids(store, &[id]).await?.pop())
}

/// The engagements with these ids that exist.
pub async fn by_ids(store: &Store, ids: &[EngagementId]) -> PersistenceResult<Vec<Engagement>> {
    let rows = crate::page::rows_in(
        store.conn(),
        engagement::Entity::find(),
        engagement::Column::Id,
        ids,
    )
    .await?;
    rows.into_iter().map(to_domain).collect()
}

/// Each account's engagements, oldest first: one query per chunk of accounts.
pub async fn by_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<Engagement>>> {
    let mut out: HashMap<AccountId, Vec<Engagement>> = HashMap::new();
    let rows = crate::page::rows_in_positional(
        store.conn(),
        engagement::Entity::find().order_by_asc(engagement::Column::Id),
        engagement::Column::AccountId,
        accounts,
    )
    .await?;
    for row in rows {
        let e = to_domain(row)?;
        out.entry(e.account_id).or_default().push(e);
    }
    Ok(out)
}

/// A page of engagements matching `filter`, oldest first (ids are time-ordered).
pub async fn list(
    store: &Store,
    filter: &EngagementFilter,
    window: &Window<Uuid>,
) -> PersistenceResult<Page<Engagement>> {
    let select = engagement::Entity::find().filter(condition(filter));
    let rows =
        crate::page::rows_by_id(store.conn(), select, engagement::Column::Id, window).await?;
    let items = rows
        .into_iter()
        .map(to_domain)
        .collect::<PersistenceResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, window))
}

/// How many engagements match `filter`.
pub async fn count(store: &Store, filter: &EngagementFilter) -> PersistenceResult<u64> {
    Ok(engagement::Entity::find()
        .filter(condition(filter))
        .count(store.conn())
        .await?)
}

/// Loads an engagement inside a write transaction, without a version check.
pub(crate) async fn load<C: ConnectionTrait>(
    conn: &C,
    id: EngagementId,
) -> PersistenceResult<Engagement> {
    change::load(conn, id, None).await
}

/// Scopes an engagement on an active account; records `ENGAGEMENT_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    data: EngagementData,
) -> PersistenceResult<Engagement> {
    let tx = store.begin_write().await?;
    let e = create_in(store, &tx, actor, account_id, data, None).await?;
    tx.commit().await?;
    Ok(e)
}

/// [`create`] inside `tx`, for writes that scope an engagement together with more (an
/// engagement made from `template`); records `ENGAGEMENT_CREATED`, naming the template.
pub(crate) async fn create_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    account_id: AccountId,
    data: EngagementData,
    template: Option<TemplateRef>,
) -> PersistenceResult<Engagement> {
    crate::account::ensure_exists(tx, account_id)
        .await?
        .ensure_active()?;
    if let Some(lead) = data.lead_id {
        team_member::ensure_active(tx, lead, "leadId").await?;
    }
    let now = Utc::now();
    let e = Engagement {
        id: EngagementId::new(),
        account_id,
        data,
        status: EngagementStatus::Planned,
        template,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut row = active_model(&e);
    row.id = Set(e.id.0);
    row.account_id = Set(account_id.0);
    row.created_at = Set(now);
    row.template_id = Set(template.map(|t| t.id.0));
    row.template_version = Set(template.map(|t| t.version));
    engagement::Entity::insert(row)
        .exec_without_returning(tx)
        .await?;
    let mut changes = event::created(&e.data);
    changes.push(FieldChange {
        field: "status".into(),
        before: Value::Null,
        after: Value::String(e.status.as_str().into()),
    });
    if let Some(t) = template {
        changes.push(FieldChange::set("templateId", t.id));
        changes.push(FieldChange::set("templateVersion", t.version));
    }
    change::record(store, tx, actor, &e, EventKind::EngagementCreated, changes).await?;
    Ok(e)
}

/// Applies `change` to an engagement still at `version`; records `ENGAGEMENT_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: EngagementId,
    version: i32,
    change: impl FnOnce(&Engagement) -> DomainResult<EngagementData>,
) -> PersistenceResult<Engagement> {
    change::update(store, actor, id, version, change).await
}

/// Moves an engagement still at `version` to `next`, if its rules allow; records
/// `ENGAGEMENT_STATUS_CHANGED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn transition(
    store: &Store,
    actor: &str,
    id: EngagementId,
    version: i32,
    next: EngagementStatus,
) -> PersistenceResult<Engagement> {
    let tx = store.begin_write().await?;
    let current: Engagement = change::load(&tx, id, Some(version)).await?;
    let phases = phase::load(&tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    current.check_transition(next, &phases)?;
    let moved = Engagement {
        status: next,
        ..current.clone()
    };
    let changes = vec![FieldChange::new(
        "status",
        current.status.as_str(),
        next.as_str(),
    )];
    let kind = EventKind::EngagementStatusChanged;
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

/// An engagement is not archived; its status moves through [`super::transition`] instead.
impl Aggregate for Engagement {
    type Id = EngagementId;
    type Data = EngagementData;
    type Entity = engagement::Entity;
    const NAME: &'static str = "engagement";
    const SUBJECT: SubjectKind = SubjectKind::Engagement;
    const UPDATED: EventKind = EventKind::EngagementUpdated;
    const KEY: (engagement::Column, engagement::Column) =
        (engagement::Column::Id, engagement::Column::Version);

    fn id(&self) -> EngagementId {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn data(&self) -> &EngagementData {
        &self.data
    }
    fn account(&self) -> Option<AccountId> {
        Some(self.account_id)
    }
    fn row(&self) -> engagement::ActiveModel {
        active_model(self)
    }
    fn with_data(&self, data: EngagementData) -> Engagement {
        Engagement { data, ..*self }
    }
    fn stamp(&mut self, version: i32, at: DateTime<Utc>) {
        self.version = version;
        self.updated_at = at;
    }
    async fn find<C: ConnectionTrait>(
        conn: &C,
        id: EngagementId,
    ) -> PersistenceResult<Option<Engagement>> {
        engagement::Entity::find_by_id(id.0)
            .one(conn)
            .await?
            .map(to_domain)
            .transpose()
    }
    /// A new lead must be an active team member.
    async fn vet(
        tx: &DatabaseTransaction,
        current: &Engagement,
        data: &EngagementData,
    ) -> PersistenceResult<()> {
        if data.lead_id != current.data.lead_id
            && let Some(lead) = data.lead_id
        {
            team_member::ensure_active(tx, lead, "leadId").await?;
        }
        Ok(())
    }
}
