//! Signals in: usage, revenue movements, survey answers, support tickets and billing status,
//! and reading them back (an integration sees only the rows it recorded).

use chrono::NaiveDate;
use tandem_domain::auth::{Action, Principal, Role};
use tandem_domain::ids::AccountId;
use tandem_domain::signals::{
    BillingStatus, DayUsage, FeatureUsage, Ingested, RevenueKind, RevenueMovement, SurveyResponse,
    Ticket, UsageEvent,
};
use tandem_persistence::revenue;
use tandem_persistence::signals;
use tandem_persistence::usage;

use super::Services;
use crate::error::{ApiError, ApiResult};

/// Whose rows a caller may read back: an integration sees only what it recorded.
pub fn recorded_by_filter(who: &Principal) -> Option<&str> {
    (who.role == Role::Integration).then_some(who.subject.as_str())
}

/// Records a batch of usage events.
#[tracing::instrument(skip_all, fields(subject = %who.subject, events = events.len()))]
pub async fn record_usage(
    s: &Services,
    who: &Principal,
    key: Option<&str>,
    events: &[UsageEvent],
) -> ApiResult<Ingested> {
    who.authorize(Action::WriteSignals)?;
    Ok(usage::ingest(&s.store, &who.subject, key, events).await?)
}

/// Records a revenue movement.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn record_revenue(
    s: &Services,
    who: &Principal,
    account: AccountId,
    kind: RevenueKind,
    amount: Option<i64>,
    effective_on: NaiveDate,
) -> ApiResult<RevenueMovement> {
    who.authorize(Action::RecordRevenue)?;
    let m = revenue::record(&s.store, &who.subject, account, kind, amount, effective_on).await?;
    Ok(s.committed(m))
}

/// An account's revenue movements (an integration sees only those it recorded).
#[tracing::instrument(
    level = "debug",
    name = "service::signals::revenue_movements",
    skip_all
)]
pub async fn revenue_movements(
    s: &Services,
    who: &Principal,
    account: AccountId,
    limit: u64,
) -> ApiResult<Vec<RevenueMovement>> {
    who.authorize(Action::SeeMoney)?;
    Ok(revenue::movements(&s.store, account, recorded_by_filter(who), limit).await?)
}

/// Records a survey answer.
#[tracing::instrument(level = "debug", name = "service::signals::record_survey", skip_all)]
pub async fn record_survey(
    s: &Services,
    who: &Principal,
    response: SurveyResponse,
) -> ApiResult<SurveyResponse> {
    who.authorize(Action::WriteSignals)?;
    Ok(signals::record_survey(&s.store, &who.subject, response).await?)
}

/// An account's survey answers.
#[tracing::instrument(level = "debug", name = "service::signals::surveys", skip_all)]
pub async fn surveys(
    s: &Services,
    who: &Principal,
    account: AccountId,
    limit: u64,
) -> ApiResult<Vec<SurveyResponse>> {
    who.authorize(Action::Read)?;
    Ok(signals::surveys(&s.store, account, recorded_by_filter(who), limit).await?)
}

/// Records or updates a support ticket.
#[tracing::instrument(level = "debug", name = "service::signals::record_ticket", skip_all)]
pub async fn record_ticket(s: &Services, who: &Principal, ticket: Ticket) -> ApiResult<Ticket> {
    who.authorize(Action::WriteSignals)?;
    Ok(signals::upsert_ticket(&s.store, &who.subject, ticket).await?)
}

/// An account's tickets.
#[tracing::instrument(level = "debug", name = "service::signals::tickets", skip_all)]
pub async fn tickets(
    s: &Services,
    who: &Principal,
    account: AccountId,
    limit: u64,
) -> ApiResult<Vec<Ticket>> {
    who.authorize(Action::Read)?;
    Ok(signals::tickets(&s.store, account, recorded_by_filter(who), limit).await?)
}

/// Sets an account's billing status.
#[tracing::instrument(level = "debug", name = "service::signals::set_billing", skip_all)]
pub async fn set_billing(
    s: &Services,
    who: &Principal,
    account: AccountId,
    status: BillingStatus,
) -> ApiResult<BillingStatus> {
    who.authorize(Action::WriteSignals)?;
    signals::set_billing(&s.store, &who.subject, account, status).await?;
    Ok(status)
}

/// An account's billing status.
#[tracing::instrument(level = "debug", name = "service::signals::billing", skip_all)]
pub async fn billing(
    s: &Services,
    who: &Principal,
    account: AccountId,
) -> ApiResult<Option<BillingStatus>> {
    who.authorize(Action::ReadInsights)?;
    Ok(signals::billing(&s.store, account).await?)
}

/// A usage window is at most 366 days, forwards.
fn check_window(from: NaiveDate, to: NaiveDate) -> ApiResult<()> {
    if to < from || (to - from).num_days() > 366 {
        return Err(ApiError::invalid(
            "to",
            "must be on or after from and at most 366 days later",
        ));
    }
    Ok(())
}

/// An account's usage per day from `from` to `to` (at most 366 days), days without usage left
/// out.
#[tracing::instrument(level = "debug", name = "service::signals::usage_by_day", skip_all)]
pub async fn usage_by_day(
    s: &Services,
    who: &Principal,
    account: AccountId,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<DayUsage>> {
    who.authorize(Action::ReadInsights)?;
    check_window(from, to)?;
    Ok(usage::daily(&s.store, account, from, to).await?)
}

/// An account's usage per feature from `from` to `to` (at most 366 days), most used first.
#[tracing::instrument(level = "debug", name = "service::signals::feature_usage", skip_all)]
pub async fn feature_usage(
    s: &Services,
    who: &Principal,
    account: AccountId,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<FeatureUsage>> {
    who.authorize(Action::ReadInsights)?;
    check_window(from, to)?;
    Ok(usage::features(&s.store, account, from, to).await?)
}
