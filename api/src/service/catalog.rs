//! Catalog-modeling operations.

use tandem_domain::DomainResult;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::catalog::session::{CatalogSession, SessionData, SessionStatus};
use tandem_domain::catalog::{CatalogModel, Draft, PublishedVersion};
use tandem_domain::ids::{AccountId, CatalogSessionId};
use tandem_persistence::catalog;

use super::Services;
use crate::error::ApiResult;

/// The account's draft model.
#[tracing::instrument(level = "debug", name = "service::catalog::draft", skip_all)]
pub async fn draft(s: &Services, who: &Principal, account: AccountId) -> ApiResult<Draft> {
    who.authorize(Action::Read)?;
    Ok(catalog::draft(&s.store, account).await?)
}

/// The account's published versions.
#[tracing::instrument(level = "debug", name = "service::catalog::versions", skip_all)]
pub async fn versions(
    s: &Services,
    who: &Principal,
    account: AccountId,
) -> ApiResult<Vec<PublishedVersion>> {
    who.authorize(Action::Read)?;
    Ok(catalog::versions(&s.store, account).await?)
}

/// One published version.
#[tracing::instrument(level = "debug", name = "service::catalog::version", skip_all)]
pub async fn version(
    s: &Services,
    who: &Principal,
    account: AccountId,
    number: i32,
) -> ApiResult<Option<PublishedVersion>> {
    who.authorize(Action::Read)?;
    Ok(catalog::version(&s.store, account, number).await?)
}

/// The account's sessions.
#[tracing::instrument(level = "debug", name = "service::catalog::sessions", skip_all)]
pub async fn sessions(
    s: &Services,
    who: &Principal,
    account: AccountId,
) -> ApiResult<Vec<CatalogSession>> {
    who.authorize(Action::Read)?;
    Ok(catalog::sessions(&s.store, account).await?)
}

/// Changes the draft still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn edit(
    s: &Services,
    who: &Principal,
    account: AccountId,
    version: i32,
    change: impl FnOnce(&mut CatalogModel) -> DomainResult<String>,
) -> ApiResult<Draft> {
    who.authorize(Action::WriteCatalog)?;
    let draft = catalog::change_draft(&s.store, &who.subject, account, version, change).await?;
    Ok(s.committed(draft))
}

/// Publishes the draft still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn publish(
    s: &Services,
    who: &Principal,
    account: AccountId,
    version: i32,
) -> ApiResult<PublishedVersion> {
    who.authorize(Action::WriteCatalog)?;
    let published = catalog::publish(&s.store, &who.subject, account, version).await?;
    Ok(s.committed(published))
}

/// Schedules a session.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn schedule(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: SessionData,
) -> ApiResult<CatalogSession> {
    who.authorize(Action::WriteCatalog)?;
    let data = data.validate()?;
    let session = catalog::schedule(&s.store, &who.subject, account, data).await?;
    Ok(s.committed(session))
}

/// Changes a session's fields and, optionally, its status.
#[tracing::instrument(skip_all, fields(subject = %who.subject, session = %id))]
pub async fn update_session(
    s: &Services,
    who: &Principal,
    id: CatalogSessionId,
    version: i32,
    change: impl FnOnce(&CatalogSession) -> DomainResult<SessionData>,
    status: Option<SessionStatus>,
) -> ApiResult<CatalogSession> {
    who.authorize(Action::WriteCatalog)?;
    let session =
        catalog::update_session(&s.store, &who.subject, id, version, change, status).await?;
    Ok(s.committed(session))
}
