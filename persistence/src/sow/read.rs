//! Reading SOWs: by id, by account or engagement, and as filtered pages; with their scope
//! items, and the engagement phases their scope and time may name.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use tandem_domain::engagement::Phase;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, SowId};
use tandem_domain::sow::{ScopeItem, Sow, SowStatus};
use uuid::Uuid;

use super::row::to_domain;
use crate::engagement::phase as phases;
use crate::entity::{sow, sow_scope_item};
use crate::page::{Page, Window};
use crate::{PersistenceError, PersistenceResult, Store};

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
pub(super) async fn engagement_phases<C: ConnectionTrait>(
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

pub(super) async fn with_scope<C: ConnectionTrait>(
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
