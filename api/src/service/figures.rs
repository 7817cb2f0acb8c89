//! The figures: their settings, the slice of accounts they cover, the sums, cohorts, the
//! outcome comparison and the portfolio's reads.

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::health::HealthStatus;
use tandem_domain::ids::{AccountId, SegmentId};
use tandem_domain::metrics::{AnalyticsSettings, Cohort, Dimension, Period, Sums};
use tandem_domain::segment::SegmentFilter;
use tandem_domain::segment::Slice;
use tandem_persistence::figures;

use super::Services;
use super::segment::live_segment;
use crate::error::{ApiError, ApiResult};

/// The figures' settings.
#[tracing::instrument(
    level = "debug",
    name = "service::figures::analytics_settings",
    skip_all
)]
pub async fn analytics_settings(s: &Services, who: &Principal) -> ApiResult<AnalyticsSettings> {
    who.authorize(Action::ReadInsights)?;
    Ok(tandem_persistence::settings::analytics(&s.store).await?)
}

/// Saves the figures' settings.
#[tracing::instrument(
    level = "debug",
    name = "service::figures::configure_analytics",
    skip_all
)]
pub async fn configure_analytics(
    s: &Services,
    who: &Principal,
    settings: AnalyticsSettings,
) -> ApiResult<AnalyticsSettings> {
    who.authorize(Action::ManageHealth)?;
    let settings = settings.validate()?;
    tandem_persistence::settings::save_analytics(&s.store, &settings).await?;
    Ok(settings)
}

/// A slice: the accounts billed in `currency` (figures never add up different currencies),
/// a saved segment's filter and ad-hoc criteria, all of which must hold. The segment must be
/// live; it is resolved to its filter here, so storage reads one value.
#[tracing::instrument(level = "debug", name = "service::figures::slice", skip_all)]
pub async fn slice(
    s: &Services,
    who: &Principal,
    currency: tandem_domain::money::Currency,
    segment_id: Option<SegmentId>,
    criteria: Option<SegmentFilter>,
) -> ApiResult<Slice> {
    who.authorize(Action::ReadInsights)?;
    let segment = match segment_id {
        Some(id) => Some(live_segment(s, who, id).await?.filter),
        None => None,
    };
    let criteria = criteria.map(SegmentFilter::validate).transpose()?;
    Ok(Slice {
        currency,
        segment,
        criteria,
    })
}

/// The figures' sums for a period over a slice.
#[tracing::instrument(level = "debug", name = "service::figures::figures", skip_all)]
pub async fn figures(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    dimension: Option<Dimension>,
    period: Period,
) -> ApiResult<(Vec<Sums>, AnalyticsSettings)> {
    who.authorize(Action::ReadInsights)?;
    let settings = tandem_persistence::settings::analytics(&s.store).await?;
    let today = Utc::now().date_naive();
    let sums = figures::sums(&s.store, slice, today, dimension, period, &settings).await?;
    Ok((sums, settings))
}

/// Cohort tables.
#[tracing::instrument(level = "debug", name = "service::figures::cohorts", skip_all)]
pub async fn cohorts(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    to: NaiveDate,
    months: u32,
) -> ApiResult<Vec<Cohort>> {
    who.authorize(Action::SeeMoney)?;
    who.authorize(Action::ReadInsights)?;
    if to < from || (to - from).num_days() > 3660 {
        return Err(ApiError::invalid(
            "to",
            "must be on or after from, at most ten years later",
        ));
    }
    if months > 60 {
        return Err(ApiError::invalid("months", "at most 60 months since start"));
    }
    Ok(figures::cohorts(&s.store, slice, from, to, months, Utc::now().date_naive()).await?)
}

/// The portfolio outcome comparison for a period over a slice: accounts with a phase accepted
/// in the period beside those without, and goals linked to phases beside the rest.
#[tracing::instrument(
    level = "debug",
    name = "service::figures::outcome_comparison",
    skip_all
)]
pub async fn outcome_comparison(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    period: Period,
) -> ApiResult<tandem_domain::outcome_comparison::Comparison> {
    who.authorize(Action::ReadInsights)?;
    let today = Utc::now().date_naive();
    Ok(tandem_persistence::outcome_comparison::compare(&s.store, slice, period, today).await?)
}

/// Live accounts of a portfolio's slice by their latest health status (`None`: not scored).
#[tracing::instrument(level = "debug", name = "service::figures::status_counts", skip_all)]
pub async fn status_counts(
    s: &Services,
    who: &Principal,
    slice: &Slice,
) -> ApiResult<Vec<(Option<HealthStatus>, i64)>> {
    who.authorize(Action::ReadInsights)?;
    Ok(figures::status_counts(&s.store, slice, Utc::now().date_naive()).await?)
}

/// MRR today over a portfolio's live accounts, and the part of it from accounts AT_RISK or
/// CRITICAL.
#[tracing::instrument(level = "debug", name = "service::figures::mrr_at_risk", skip_all)]
pub async fn mrr_at_risk(s: &Services, who: &Principal, slice: &Slice) -> ApiResult<(i64, i64)> {
    who.authorize(Action::ReadInsights)?;
    who.authorize(Action::SeeMoney)?;
    Ok(figures::mrr_at_risk(&s.store, slice, Utc::now().date_naive()).await?)
}

/// The live accounts of a portfolio's slice whose latest score moved most against their score
/// `days` (7, 30 or 90) days before: id, score now, score then, biggest move first.
#[tracing::instrument(level = "debug", name = "service::figures::movers", skip_all)]
pub async fn movers(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    days: i64,
    limit: u64,
) -> ApiResult<Vec<(AccountId, f64, f64)>> {
    who.authorize(Action::ReadInsights)?;
    let today = Utc::now().date_naive();
    Ok(figures::movers(&s.store, slice, today, days, limit).await?)
}

/// Live accounts of a portfolio's slice renewing from `from` (today) to `until`: how many, and
/// their MRR on `from`.
#[tracing::instrument(level = "debug", name = "service::figures::renewals", skip_all)]
pub async fn renewals(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    until: NaiveDate,
) -> ApiResult<(i64, i64)> {
    who.authorize(Action::ReadInsights)?;
    Ok(figures::renewals(&s.store, slice, from, until).await?)
}

/// The first `limit` live accounts of a portfolio's slice renewing from `from` (today) to
/// `until`, soonest first.
#[tracing::instrument(level = "debug", name = "service::figures::next_renewals", skip_all)]
pub async fn next_renewals(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    until: NaiveDate,
    limit: u64,
) -> ApiResult<Vec<AccountId>> {
    who.authorize(Action::ReadInsights)?;
    Ok(figures::next_renewals(&s.store, slice, from, until, limit).await?)
}
