//! Customer health: the models, computing scores now or for every account, and history.

use std::time::Instant;

use chrono::Utc;
use tandem_domain::account::TouchTier;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::health::{HealthModel, HealthModelDef, RecomputeReport, ScoreRecord};
use tandem_domain::ids::{AccountId, HealthModelId, SegmentId};
use tandem_persistence::health::compute::{self, Scope};
use tandem_persistence::health::{model, score};

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

/// The health models.
#[tracing::instrument(level = "debug", name = "service::health::models", skip_all)]
pub async fn models(
    s: &Services,
    who: &Principal,
    include_archived: bool,
) -> ApiResult<Vec<HealthModel>> {
    who.authorize(Action::ReadInsights)?;
    Ok(model::models(&s.store, include_archived).await?)
}

/// Creates a health model.
#[tracing::instrument(level = "debug", name = "service::health::create_model", skip_all)]
pub async fn create_model(
    s: &Services,
    who: &Principal,
    def: HealthModelDef,
    touch_tier: Option<TouchTier>,
    segment_id: Option<SegmentId>,
) -> ApiResult<HealthModel> {
    who.authorize(Action::ManageHealth)?;
    let def = def.validate()?;
    Ok(model::create_model(&s.store, &who.subject, def, touch_tier, segment_id).await?)
}

/// Changes or archives a health model still at `version`.
#[tracing::instrument(level = "debug", name = "service::health::update_model", skip_all)]
pub async fn update_model(
    s: &Services,
    who: &Principal,
    id: HealthModelId,
    version: i32,
    def: Option<HealthModelDef>,
    archive: bool,
) -> ApiResult<HealthModel> {
    who.authorize(Action::ManageHealth)?;
    let def = def.map(HealthModelDef::validate).transpose()?;
    Ok(model::update_model(&s.store, &who.subject, id, version, def, archive).await?)
}

/// Computes one account's score now.
#[tracing::instrument(level = "debug", name = "service::health::compute_one", skip_all)]
pub async fn compute_one(
    s: &Services,
    who: &Principal,
    account: AccountId,
) -> ApiResult<Option<ScoreRecord>> {
    who.authorize(Action::ManageHealth)?;
    if tandem_persistence::account::get(&s.store, account)
        .await?
        .is_none_or(|a| a.archived_at.is_some())
    {
        return Err(ApiError::new(
            Code::NotFound,
            format!("no active account has the id {account}"),
        ));
    }
    compute::recompute(
        &s.store,
        &who.subject,
        Scope::Accounts(&[account]),
        Utc::now(),
    )
    .await?;
    s.committed(());
    Ok(score::current(&s.store, &[account]).await?.remove(&account))
}

/// Recomputes every live account's score; returns what it did and how long it took.
#[tracing::instrument(level = "debug", name = "service::health::recompute_all", skip_all)]
pub async fn recompute_all(
    s: &Services,
    who: &Principal,
) -> ApiResult<(RecomputeReport, std::time::Duration)> {
    who.authorize(Action::ManageHealth)?;
    let started = Instant::now();
    let report = compute::recompute(&s.store, &who.subject, Scope::All, Utc::now()).await?;
    s.committed(());
    Ok((report, started.elapsed()))
}

/// An account's score history.
#[tracing::instrument(level = "debug", name = "service::health::history", skip_all)]
pub async fn history(
    s: &Services,
    who: &Principal,
    account: AccountId,
    days: i64,
    limit: u64,
) -> ApiResult<Vec<ScoreRecord>> {
    who.authorize(Action::ReadInsights)?;
    let since = Utc::now() - chrono::Duration::days(days);
    Ok(score::history(&s.store, account, Some(since), limit).await?)
}
