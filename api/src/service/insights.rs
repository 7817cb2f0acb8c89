//! Customer health and the figures: signals in (usage, revenue, surveys, tickets, billing),
//! success plans, segments, health models and scores, and the figures out.

use std::time::Instant;

use chrono::{NaiveDate, Utc};
use tandem_domain::account::TouchTier;
use tandem_domain::auth::{Action, Principal, Role};
use tandem_domain::health::{HealthModelDef, HealthStatus};
use tandem_domain::ids::{AccountId, GoalId, HealthModelId, SegmentId};
use tandem_domain::metrics::{AnalyticsSettings, Period, Slice};
use tandem_domain::segment::SegmentFilter;
use tandem_domain::signals::{BillingStatus, RevenueKind, UsageEvent};
use tandem_domain::success::{GoalData, GoalStatus, ReviewData};
use tandem_persistence::figures::{self, Dimension, Sums};
use tandem_persistence::health::{self, HealthModel, RecomputeReport, Scope, ScoreRecord};
use tandem_persistence::revenue::{self, RevenueMovement};
use tandem_persistence::segment::{self, Segment};
use tandem_persistence::signals::{self, SurveyResponse, Ticket};
use tandem_persistence::success::{self, Goal, Review};
use tandem_persistence::usage::{self, Ingested};

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

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
pub async fn record_survey(
    s: &Services,
    who: &Principal,
    response: SurveyResponse,
) -> ApiResult<SurveyResponse> {
    who.authorize(Action::WriteSignals)?;
    Ok(signals::record_survey(&s.store, &who.subject, response).await?)
}

/// An account's survey answers.
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
pub async fn record_ticket(s: &Services, who: &Principal, ticket: Ticket) -> ApiResult<Ticket> {
    who.authorize(Action::WriteSignals)?;
    Ok(signals::upsert_ticket(&s.store, &who.subject, ticket).await?)
}

/// An account's tickets.
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
pub async fn billing(
    s: &Services,
    who: &Principal,
    account: AccountId,
) -> ApiResult<Option<BillingStatus>> {
    who.authorize(Action::ReadInsights)?;
    Ok(signals::billing(&s.store, account).await?)
}

/// Adds a goal to an account's success plan.
pub async fn create_goal(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: GoalData,
    status: GoalStatus,
) -> ApiResult<Goal> {
    who.authorize(Action::WriteSuccessPlan)?;
    let data = data.validate()?;
    let goal = success::create_goal(&s.store, &who.subject, account, data, status).await?;
    Ok(s.committed(goal))
}

/// Changes a goal still at `version`.
pub async fn update_goal(
    s: &Services,
    who: &Principal,
    id: GoalId,
    version: i32,
    patch: tandem_domain::success::GoalPatch,
    status: Option<GoalStatus>,
) -> ApiResult<Goal> {
    who.authorize(Action::WriteSuccessPlan)?;
    let goal = success::update_goal(&s.store, &who.subject, id, version, |g| {
        Ok((patch.apply(&g.data)?, status.unwrap_or(g.status)))
    })
    .await?;
    Ok(s.committed(goal))
}

/// Records a business review.
pub async fn record_review(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: ReviewData,
) -> ApiResult<Review> {
    who.authorize(Action::WriteSuccessPlan)?;
    let data = data.validate()?;
    let review = success::record_review(&s.store, &who.subject, account, data).await?;
    Ok(s.committed(review))
}

/// One goal.
pub async fn goal(s: &Services, who: &Principal, id: GoalId) -> ApiResult<Option<Goal>> {
    who.authorize(Action::ReadInsights)?;
    Ok(success::goal(&s.store, id).await?)
}

/// Saves a segment.
pub async fn create_segment(
    s: &Services,
    who: &Principal,
    name: &str,
    description: Option<&str>,
    filter: SegmentFilter,
) -> ApiResult<Segment> {
    who.authorize(Action::ManageHealth)?;
    let (name, description) = tandem_domain::segment::check_name(name, description)?;
    let filter = filter.validate()?;
    Ok(segment::create(&s.store, name, description, filter).await?)
}

/// Changes or archives a segment still at `version`.
pub async fn update_segment(
    s: &Services,
    who: &Principal,
    id: SegmentId,
    version: i32,
    change: SegmentChange,
) -> ApiResult<Segment> {
    who.authorize(Action::ManageHealth)?;
    Ok(segment::update(&s.store, id, version, |current| {
        let (name, description) = match &change.name {
            Some(n) => tandem_domain::segment::check_name(
                n,
                change
                    .description
                    .clone()
                    .apply(current.description.clone())
                    .as_deref(),
            )?,
            None => tandem_domain::segment::check_name(
                &current.name,
                change
                    .description
                    .clone()
                    .apply(current.description.clone())
                    .as_deref(),
            )?,
        };
        let filter = match &change.filter {
            Some(f) => f.clone().validate()?,
            None => current.filter.clone(),
        };
        Ok(Segment {
            name,
            description,
            filter,
            archived_at: if change.archive {
                Some(Utc::now())
            } else {
                None
            },
            ..current.clone()
        })
    })
    .await?)
}

/// A change to a segment.
#[derive(Debug, Clone, Default)]
pub struct SegmentChange {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or none.
    pub description: tandem_domain::Patch<String>,
    /// A new filter.
    pub filter: Option<SegmentFilter>,
    /// Archive it.
    pub archive: bool,
}

/// Every live segment.
pub async fn segments(s: &Services, who: &Principal) -> ApiResult<Vec<Segment>> {
    who.authorize(Action::ReadInsights)?;
    Ok(segment::list(&s.store).await?)
}

/// One segment.
pub async fn segment(s: &Services, who: &Principal, id: SegmentId) -> ApiResult<Option<Segment>> {
    who.authorize(Action::ReadInsights)?;
    Ok(segment::get_one(&s.store, id).await?)
}

/// A segment that must exist and be live, for filtering.
pub async fn live_segment(s: &Services, who: &Principal, id: SegmentId) -> ApiResult<Segment> {
    who.authorize(Action::ReadInsights)?;
    match segment::get_one(&s.store, id).await? {
        Some(seg) if seg.archived_at.is_none() => Ok(seg),
        Some(seg) => Err(ApiError::new(
            Code::BadUserInput,
            format!("the segment '{}' is archived", seg.name),
        )),
        None => Err(ApiError::new(
            Code::NotFound,
            format!("no segment has the id {id}"),
        )),
    }
}

/// The health models.
pub async fn models(
    s: &Services,
    who: &Principal,
    include_archived: bool,
) -> ApiResult<Vec<HealthModel>> {
    who.authorize(Action::ReadInsights)?;
    Ok(health::models(&s.store, include_archived).await?)
}

/// Creates a health model.
pub async fn create_model(
    s: &Services,
    who: &Principal,
    def: HealthModelDef,
    touch_tier: Option<TouchTier>,
    segment_id: Option<SegmentId>,
) -> ApiResult<HealthModel> {
    who.authorize(Action::ManageHealth)?;
    let def = def.validate()?;
    Ok(health::create_model(&s.store, &who.subject, def, touch_tier, segment_id).await?)
}

/// Changes or archives a health model still at `version`.
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
    Ok(health::update_model(&s.store, &who.subject, id, version, def, archive).await?)
}

/// Computes one account's score now.
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
    health::recompute(
        &s.store,
        &who.subject,
        Scope::Accounts(&[account]),
        Utc::now(),
    )
    .await?;
    s.committed(());
    Ok(health::current(&s.store, &[account])
        .await?
        .remove(&account))
}

/// Recomputes every live account's score; returns what it did and how long it took.
pub async fn recompute_all(
    s: &Services,
    who: &Principal,
) -> ApiResult<(RecomputeReport, std::time::Duration)> {
    who.authorize(Action::ManageHealth)?;
    let started = Instant::now();
    let report = health::recompute(&s.store, &who.subject, Scope::All, Utc::now()).await?;
    s.committed(());
    Ok((report, started.elapsed()))
}

/// An account's score history.
pub async fn history(
    s: &Services,
    who: &Principal,
    account: AccountId,
    days: i64,
    limit: u64,
) -> ApiResult<Vec<ScoreRecord>> {
    who.authorize(Action::ReadInsights)?;
    let since = Utc::now() - chrono::Duration::days(days);
    Ok(health::history(&s.store, account, Some(since), limit).await?)
}

/// The figures' settings.
pub async fn analytics_settings(s: &Services, who: &Principal) -> ApiResult<AnalyticsSettings> {
    who.authorize(Action::ReadInsights)?;
    Ok(tandem_persistence::settings::analytics(&s.store).await?)
}

/// Saves the figures' settings.
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
pub async fn cohorts(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    from: NaiveDate,
    to: NaiveDate,
    months: u32,
) -> ApiResult<Vec<figures::Cohort>> {
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
pub async fn outcome_comparison(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    period: Period,
) -> ApiResult<tandem_persistence::outcome_comparison::Comparison> {
    who.authorize(Action::ReadInsights)?;
    let today = Utc::now().date_naive();
    Ok(tandem_persistence::outcome_comparison::compare(&s.store, slice, period, today).await?)
}

/// Live accounts of a portfolio's slice by their latest health status (`None`: not scored).
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
pub async fn mrr_at_risk(s: &Services, who: &Principal, slice: &Slice) -> ApiResult<(i64, i64)> {
    who.authorize(Action::ReadInsights)?;
    who.authorize(Action::SeeMoney)?;
    Ok(figures::mrr_at_risk(&s.store, slice, Utc::now().date_naive()).await?)
}

/// The live accounts of a portfolio's slice whose latest score moved most against their score
/// `days` (7, 30 or 90) days before: id, score now, score then, biggest move first.
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
