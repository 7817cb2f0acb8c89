//! Risks and renewals.

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::{AccountId, RenewalId, RiskId};
use tandem_domain::renewal::{
    Decision, PipelineRow, ReasonRow, Renewal, RenewalData, Risk, RiskData, RiskStatus,
};
use tandem_domain::segment::Slice;
use tandem_persistence::renewal;

use super::Services;
use crate::error::ApiResult;

/// Raises a risk.
#[tracing::instrument(level = "debug", name = "service::renewal::raise", skip_all)]
pub async fn raise(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: RiskData,
) -> ApiResult<Risk> {
    who.authorize(Action::WriteRisk)?;
    let r = renewal::raise(&s.store, &who.subject, account, data).await?;
    Ok(s.committed(r))
}

/// Changes a risk still at `version`.
#[tracing::instrument(level = "debug", name = "service::renewal::update_risk", skip_all)]
pub async fn update_risk(
    s: &Services,
    who: &Principal,
    id: RiskId,
    version: i32,
    change: impl FnOnce(&Risk) -> tandem_domain::DomainResult<(RiskData, RiskStatus)>,
) -> ApiResult<Risk> {
    who.authorize(Action::WriteRisk)?;
    let r = renewal::update(&s.store, &who.subject, id, version, change).await?;
    Ok(s.committed(r))
}

/// One risk.
#[tracing::instrument(level = "debug", name = "service::renewal::risk", skip_all)]
pub async fn risk(s: &Services, who: &Principal, id: RiskId) -> ApiResult<Option<Risk>> {
    who.authorize(Action::ReadInsights)?;
    Ok(renewal::get_risk(&s.store, id).await?)
}

/// Sets the forecast of the account's renewal in play (opening one when none is).
#[tracing::instrument(level = "debug", name = "service::renewal::forecast", skip_all)]
pub async fn forecast(
    s: &Services,
    who: &Principal,
    account: AccountId,
    version: Option<i32>,
    data: RenewalData,
) -> ApiResult<Renewal> {
    who.authorize(Action::ManageRenewals)?;
    let r = renewal::forecast(&s.store, &who.subject, account, version, data).await?;
    Ok(s.committed(r))
}

/// Decides a renewal.
#[tracing::instrument(level = "debug", name = "service::renewal::decide", skip_all)]
pub async fn decide(
    s: &Services,
    who: &Principal,
    id: RenewalId,
    version: i32,
    decide: impl FnOnce(&Renewal, i64) -> tandem_domain::DomainResult<Decision>,
) -> ApiResult<Renewal> {
    who.authorize(Action::ManageRenewals)?;
    let r = renewal::decide(&s.store, &who.subject, id, version, decide).await?;
    Ok(s.committed(r))
}

/// The renewal pipeline over a slice.
#[tracing::instrument(level = "debug", name = "service::renewal::pipeline", skip_all)]
pub async fn pipeline(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<PipelineRow>> {
    who.authorize(Action::ReadInsights)?;
    let today = Utc::now().date_naive();
    Ok(renewal::pipeline(&s.store, slice, today, from, to).await?)
}

/// Churn and downgrade reasons over a slice.
#[tracing::instrument(level = "debug", name = "service::renewal::churn_reasons", skip_all)]
pub async fn churn_reasons(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<ReasonRow>> {
    who.authorize(Action::ReadInsights)?;
    let today = Utc::now().date_naive();
    Ok(renewal::churn_reasons(&s.store, slice, today, from, to).await?)
}
