//! Catalog scopes of phases and products marked migrated: the same roles that edit phases
//! (SERVICES, ADMIN) change them; every role reads them through `Phase.catalogScope`.

use tandem_domain::auth::{Action, Principal};
use tandem_domain::catalog::scope::{CatalogScope, PhaseCatalogScope};
use tandem_domain::engagement::Phase;
use tandem_domain::ids::{AccountId, CatalogVersionId, PhaseId};
use tandem_persistence::catalog_scope;
use tandem_persistence::engagement::phase;

use super::Services;
use crate::error::{ApiError, ApiResult};

/// A phase after a change of its catalog scope.
pub struct ScopeChange {
    /// The phase.
    pub phase: Phase,
    /// Its scope now; `None` once cleared.
    pub scope: Option<PhaseCatalogScope>,
}

async fn changed(
    s: &Services,
    id: PhaseId,
    scope: Option<PhaseCatalogScope>,
) -> ApiResult<ScopeChange> {
    let phase = phase::by_ids(&s.store, &[id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no phase has the id {id}")))?;
    Ok(s.committed(ScopeChange { phase, scope }))
}

/// Scopes a phase to parts of a published version of its account; input errors are named
/// under `input` (`input.catalogVersionId`, `input.products[2]`).
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn set(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    expected_version: i32,
    catalog_version: CatalogVersionId,
    scope: &CatalogScope,
) -> ApiResult<ScopeChange> {
    who.authorize(Action::WriteEngagement)?;
    let set = catalog_scope::set(
        &s.store,
        &who.subject,
        id,
        expected_version,
        catalog_version,
        scope,
    )
    .await
    .map_err(|e| ApiError::from(e).under("input"))?;
    changed(s, id, Some(set)).await
}

/// Moves a phase's scope onto a newer published version of its account.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn move_to(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    expected_version: i32,
    catalog_version: CatalogVersionId,
) -> ApiResult<ScopeChange> {
    who.authorize(Action::WriteEngagement)?;
    let moved = catalog_scope::move_to(
        &s.store,
        &who.subject,
        id,
        expected_version,
        catalog_version,
    )
    .await?;
    changed(s, id, Some(moved)).await
}

/// Takes a phase's catalog scope away.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn clear(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    expected_version: i32,
) -> ApiResult<ScopeChange> {
    who.authorize(Action::WriteEngagement)?;
    catalog_scope::clear(&s.store, &who.subject, id, expected_version).await?;
    changed(s, id, None).await
}

/// Marks products of an account migrated to the target platform, or takes the mark back;
/// returns the keys whose mark changed.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn mark_migrated(
    s: &Services,
    who: &Principal,
    account: AccountId,
    keys: &[String],
    migrated: bool,
) -> ApiResult<Vec<String>> {
    who.authorize(Action::WriteEngagement)?;
    let changed =
        catalog_scope::mark_migrated(&s.store, &who.subject, account, keys, migrated).await?;
    Ok(s.committed(changed))
}
