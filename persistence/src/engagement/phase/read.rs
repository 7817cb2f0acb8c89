//! Reading whole phases: by engagement (with or without their dependencies) and by id.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use tandem_domain::engagement::Phase;
use tandem_domain::ids::{EngagementId, PhaseId};

use super::row::to_domain;
use crate::entity::{phase, phase_dependency};
use crate::{PersistenceResult, Store};

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
pub(super) async fn rows_of<C: ConnectionTrait>(
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

pub(super) async fn with_dependencies<C: ConnectionTrait>(
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
