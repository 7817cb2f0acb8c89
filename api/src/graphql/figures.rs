//! The figures in the API: retention, churn, expansion, LTV, NPS, time to value and activation
//! for any period and slice; cohort tables; the portfolio; and the settings behind them.
//! Money figures (MRR, ARR, GRR, NRR, expansion, LTV) are hidden from PRODUCT and VIEWER.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{Duration, NaiveDate, Utc};
use tandem_domain::auth::Action;
use tandem_domain::ids::SegmentId;
use tandem_domain::metrics::{self, AnalyticsSettings, Dimension, Period, Sums};
use tandem_domain::money::{Currency, Money};
use tandem_domain::segment::Slice;

use super::account::AccountNode;
use super::common::context::{Allowed, loaders, parts};
use super::common::paging::first_or;
use super::health::HealthStatus;
use super::ids::{self, Kind};
use super::money::MoneyValue;
use super::scalars::Date;
use super::segment::SegmentCriteriaInput;
use crate::error::{ApiError, ApiResult};
use crate::service;

fn money(minor: i64, currency: Currency) -> MoneyValue {
    Money::new(minor, currency).into()
}

/// How to split a slice.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum FigureDimension {
    /// By touch tier.
    TouchTier,
    /// By industry.
    Industry,
    /// By plan.
    Plan,
    /// By owner (the key is the team member's id).
    Owner,
}

impl From<FigureDimension> for Dimension {
    fn from(d: FigureDimension) -> Self {
        match d {
            FigureDimension::TouchTier => Dimension::TouchTier,
            FigureDimension::Industry => Dimension::Industry,
            FigureDimension::Plan => Dimension::Plan,
            FigureDimension::Owner => Dimension::Owner,
        }
    }
}

/// A period of whole days, both ends included.
#[derive(InputObject, Clone, Copy)]
pub struct PeriodInput {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
}

/// Which accounts a figure covers: those billed in one currency (figures never add up
/// different currencies), narrowed by a saved segment, ad-hoc criteria, or both.
#[derive(InputObject, Clone, Default)]
pub struct SliceInput {
    /// The billing currency (ISO 4217); USD when left out.
    pub currency: Option<String>,
    /// A saved segment's members.
    pub segment_id: Option<ID>,
    /// Criteria applied on the spot.
    pub criteria: Option<SegmentCriteriaInput>,
}

impl SliceInput {
    /// The slice an argument names (every account billed in USD when left out).
    pub(crate) async fn slice(ctx: &Context<'_>, slice: Option<SliceInput>) -> ApiResult<Slice> {
        let (s, who) = parts(ctx)?;
        let slice = slice.unwrap_or_default();
        let currency = match &slice.currency {
            Some(c) => Currency::parse("slice.currency", c).map_err(ApiError::from)?,
            None => Currency::USD,
        };
        let segment = slice
            .segment_id
            .as_ref()
            .map(|id| ids::decode(Kind::Segment, id, "slice.segmentId").map(SegmentId))
            .transpose()?;
        let criteria = slice
            .criteria
            .map(|c| c.into_domain("slice.criteria"))
            .transpose()?;
        service::figures::slice(s, who, currency, segment, criteria).await
    }
}

/// The figures of one slice over one period.
pub struct Figures {
    sums: Sums,
    period: Period,
    settings: AnalyticsSettings,
    currency: Currency,
}

#[Object]
impl Figures {
    /// The group's key (touch tier, industry, plan or owner id); `null` for the whole slice or
    /// for accounts without a value.
    async fn key(&self) -> Option<&str> {
        self.sums.key.as_deref()
    }
    /// Accounts paying at the period's start: the cohort retention is measured on.
    async fn accounts_at_start(&self) -> i64 {
        self.sums.movements.accounts_at_start
    }
    /// The cohort's MRR at the period's start.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn start_mrr(&self) -> MoneyValue {
        money(self.sums.movements.start_mrr, self.currency)
    }
    /// MRR at the period's end over every account of the slice.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr(&self) -> MoneyValue {
        money(self.sums.end_mrr, self.currency)
    }
    /// ARR at the period's end: 12 × MRR.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn arr(&self) -> MoneyValue {
        money(self.sums.end_mrr * 12, self.currency)
    }
    /// Accounts paying at the period's end.
    async fn paying_accounts(&self) -> i64 {
        self.sums.paying_at_end
    }
    /// Gross revenue retention: (start − contraction − churn) / start; `null` without a cohort.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn grr(&self) -> Option<f64> {
        metrics::grr(&self.sums.movements)
    }
    /// Net revenue retention: (start + expansion + reactivation − contraction − churn) / start.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn nrr(&self) -> Option<f64> {
        metrics::nrr(&self.sums.movements)
    }
    /// Logo churn: cohort accounts that churned (and had not come back by the end) / cohort.
    async fn logo_churn(&self) -> Option<f64> {
        metrics::logo_churn(&self.sums.movements)
    }
    /// Cohort accounts that churned and had not come back by the period's end.
    async fn churned_accounts(&self) -> i64 {
        self.sums.movements.churned_accounts
    }
    /// Expansion revenue: expansion + reactivation of the cohort in the period.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn expansion_revenue(&self) -> MoneyValue {
        money(
            metrics::expansion_revenue(&self.sums.movements),
            self.currency,
        )
    }
    /// MRR lost to contraction in the period.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn contraction(&self) -> MoneyValue {
        money(self.sums.movements.contraction, self.currency)
    }
    /// MRR lost to churn in the period.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn churn(&self) -> MoneyValue {
        money(self.sums.movements.churn, self.currency)
    }
    /// Average revenue per cohort account at the start.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn arpa(&self) -> Option<MoneyValue> {
        metrics::arpa(&self.sums.movements).map(|a| money(a, self.currency))
    }
    /// The monthly revenue churn rate: (churn + contraction) / start MRR per month of 365.25 / 12 = 30.4375 days.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn monthly_revenue_churn_rate(&self) -> Option<f64> {
        metrics::monthly_churn_rate(&self.sums.movements, self.period.days())
    }
    /// Lifetime value: ARPA × gross margin / monthly revenue churn rate, capped at the
    /// configured months of margin (the cap also answers when churn is zero).
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn ltv(&self) -> Option<MoneyValue> {
        let m = &self.sums.movements;
        let arpa = metrics::arpa(m)?;
        let rate = metrics::monthly_churn_rate(m, self.period.days())?;
        Some(money(
            metrics::ltv(
                arpa,
                f64::from(self.settings.gross_margin_percent) / 100.0,
                rate,
                self.settings.ltv_cap_months,
            ),
            self.currency,
        ))
    }
    /// NPS of the answers given in the period: % promoters − % detractors.
    async fn nps(&self) -> Option<f64> {
        let (p, n, d) = self.sums.nps;
        metrics::nps(p, n, d)
    }
    /// NPS answers given in the period.
    async fn nps_responses(&self) -> i64 {
        let (p, n, d) = self.sums.nps;
        p + n + d
    }
    /// Accounts that started (first NEW revenue) in the period.
    async fn started_accounts(&self) -> i64 {
        self.sums.started
    }
    /// Of those, the share that used the configured number of key features within the
    /// configured days of their start.
    async fn activation_rate(&self) -> Option<f64> {
        (self.sums.started > 0).then(|| self.sums.activated as f64 / self.sums.started as f64)
    }
    /// Of those, how many reached a first value event (a value feature used, or a goal
    /// achieved).
    async fn reached_value(&self) -> i64 {
        self.sums.reached_value
    }
    /// The average days from start to the first value event, over those that reached one.
    async fn average_time_to_value_days(&self) -> Option<f64> {
        (self.sums.reached_value > 0)
            .then(|| self.sums.days_to_value as f64 / self.sums.reached_value as f64)
    }
}

/// The figures of a slice over a period, in total and by group.
pub struct FigureReport {
    total: Sums,
    groups: Vec<Sums>,
    period: Period,
    settings: AnalyticsSettings,
    currency: Currency,
}

#[Object]
impl FigureReport {
    /// The first day.
    async fn from(&self) -> Date {
        Date(self.period.from)
    }
    /// The last day.
    async fn to(&self) -> Date {
        Date(self.period.to)
    }
    /// The whole slice.
    async fn total(&self) -> Figures {
        Figures {
            sums: self.total.clone(),
            period: self.period,
            settings: self.settings.clone(),
            currency: self.currency,
        }
    }
    /// One entry per group when `groupBy` was given, by key.
    async fn groups(&self) -> Vec<Figures> {
        self.groups
            .iter()
            .map(|g| Figures {
                sums: g.clone(),
                period: self.period,
                settings: self.settings.clone(),
                currency: self.currency,
            })
            .collect()
    }
}

/// One month of a cohort.
#[derive(SimpleObject)]
pub struct CohortMonth {
    /// Months since the start month (0 = the start month's end).
    pub months_since_start: i32,
    /// Accounts still paying at that month's end.
    pub paying_accounts: i64,
    /// Their MRR then.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    pub mrr: MoneyValue,
    /// MRR then / MRR at the start month's end.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    pub revenue_retention: Option<f64>,
    /// Accounts paying then / accounts that started.
    pub logo_retention: Option<f64>,
}

/// The accounts that started in one month, month by month.
#[derive(SimpleObject)]
pub struct Cohort {
    /// The first day of the start month.
    pub month: Date,
    /// Accounts that started that month.
    pub accounts: i64,
    /// Month by month since, for months that have ended.
    pub months: Vec<CohortMonth>,
}

/// An account's latest score against an earlier one.
#[derive(SimpleObject)]
pub struct HealthMover {
    /// The account.
    pub account: AccountNode,
    /// Its latest score.
    pub score: f64,
    /// Its score at the start of the window.
    pub previous_score: f64,
    /// Points moved (negative: dropped).
    pub change: f64,
}

/// How many live accounts of the slice have a status.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: HealthStatus,
    /// Accounts with it.
    pub count: i64,
}

/// A CS manager's morning view of a slice of live accounts.
pub struct PortfolioView {
    slice: Slice,
    counts: tokio::sync::OnceCell<Vec<(Option<tandem_domain::health::HealthStatus>, i64)>>,
    money: tokio::sync::OnceCell<(i64, i64)>,
}

impl PortfolioView {
    async fn counts(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<&Vec<(Option<tandem_domain::health::HealthStatus>, i64)>> {
        let (s, who) = parts(ctx)?;
        self.counts
            .get_or_try_init(|| service::figures::status_counts(s, who, &self.slice))
            .await
    }

    async fn money(&self, ctx: &Context<'_>) -> ApiResult<(i64, i64)> {
        let (s, who) = parts(ctx)?;
        self.money
            .get_or_try_init(|| service::figures::mrr_at_risk(s, who, &self.slice))
            .await
            .copied()
    }
}

/// Renewals within a window.
pub struct RenewalWindow {
    slice: Slice,
    from: NaiveDate,
    until: NaiveDate,
    totals: tokio::sync::OnceCell<(i64, i64)>,
}

impl RenewalWindow {
    async fn totals(&self, ctx: &Context<'_>) -> ApiResult<(i64, i64)> {
        let (s, who) = parts(ctx)?;
        self.totals
            .get_or_try_init(|| {
                service::figures::renewals(s, who, &self.slice, self.from, self.until)
            })
            .await
            .copied()
    }
}

#[Object]
impl RenewalWindow {
    /// How many accounts renew.
    async fn count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(
            service::figures::renewals(s, who, &self.slice, self.from, self.until)
                .await?
                .0,
        )
    }
    /// Their MRR today.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr(&self, ctx: &Context<'_>) -> async_graphql::Result<MoneyValue> {
        Ok(money(self.totals(ctx).await?.1, self.slice.currency))
    }
    /// The first of them, soonest first.
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<AccountNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), 10)?;
        let ids =
            service::figures::next_renewals(s, who, &self.slice, self.from, self.until, first)
                .await?;
        let loaded = loaders(ctx)?
            .accounts()
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| loaded.get(id).cloned().map(AccountNode::from))
            .collect())
    }
}

#[Object(name = "Portfolio")]
impl PortfolioView {
    /// Live accounts in the slice.
    async fn accounts(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.counts(ctx).await?.iter().map(|(_, n)| n).sum())
    }
    /// Live accounts by their latest health status.
    async fn status_counts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StatusCount>> {
        Ok(self
            .counts(ctx)
            .await?
            .iter()
            .filter_map(|(status, count)| {
                status.map(|st| StatusCount {
                    status: st.into(),
                    count: *count,
                })
            })
            .collect())
    }
    /// MRR today over the slice.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr(&self, ctx: &Context<'_>) -> async_graphql::Result<MoneyValue> {
        Ok(money(self.money(ctx).await?.0, self.slice.currency))
    }
    /// MRR today of the accounts AT_RISK or CRITICAL.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr_at_risk(&self, ctx: &Context<'_>) -> async_graphql::Result<MoneyValue> {
        Ok(money(self.money(ctx).await?.1, self.slice.currency))
    }
    /// The accounts whose latest score moved most against their score `days` (7, 30 or 90)
    /// days before it, biggest move first.
    async fn top_movers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
        #[graphql(default = 30)] days: i32,
    ) -> async_graphql::Result<Vec<HealthMover>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), 10)?;
        let moved = service::figures::movers(s, who, &self.slice, i64::from(days), first).await?;
        let loaded = loaders(ctx)?
            .accounts()
            .load_many(moved.iter().map(|(a, _, _)| *a))
            .await?;
        Ok(moved
            .into_iter()
            .filter_map(|(id, now, before)| {
                loaded.get(&id).cloned().map(|a| HealthMover {
                    account: AccountNode::from(a),
                    score: now,
                    previous_score: before,
                    change: ((now - before) * 10.0).round() / 10.0,
                })
            })
            .collect())
    }
    /// Accounts renewing within the next `days` days.
    async fn renewals(
        &self,
        #[graphql(default = 90)] days: i32,
    ) -> async_graphql::Result<RenewalWindow> {
        if !(0..=730).contains(&days) {
            return Err(ApiError::invalid("days", "must be from 0 to 730").into());
        }
        let today = Utc::now().date_naive();
        Ok(RenewalWindow {
            totals: tokio::sync::OnceCell::new(),
            slice: self.slice.clone(),
            from: today,
            until: today + Duration::days(i64::from(days)),
        })
    }
}

/// The figures' settings.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "AnalyticsSettingsInput")]
pub struct AnalyticsSettingsValue {
    /// The features that matter: adoption breadth and activation count them.
    pub key_features: Vec<String>,
    /// Using any of these features is a first value event (time to value).
    pub value_features: Vec<String>,
    /// Activation: at least this many key features used…
    pub activation_min_features: i32,
    /// …within this many days of the account's start.
    pub activation_days: i32,
    /// The gross margin LTV assumes, in percent.
    pub gross_margin_percent: i32,
    /// LTV's cap in months of margin.
    pub ltv_cap_months: i32,
}

impl From<AnalyticsSettings> for AnalyticsSettingsValue {
    fn from(s: AnalyticsSettings) -> Self {
        AnalyticsSettingsValue {
            key_features: s.key_features,
            value_features: s.value_features,
            activation_min_features: s.activation_min_features as i32,
            activation_days: s.activation_days as i32,
            gross_margin_percent: s.gross_margin_percent as i32,
            ltv_cap_months: s.ltv_cap_months as i32,
        }
    }
}

impl AnalyticsSettingsValue {
    fn into_domain(self) -> ApiResult<AnalyticsSettings> {
        let n = |field: &str, v: i32| -> ApiResult<u32> {
            u32::try_from(v).map_err(|_| ApiError::invalid(field, "must not be negative"))
        };
        Ok(AnalyticsSettings {
            key_features: self.key_features,
            value_features: self.value_features,
            activation_min_features: n("activationMinFeatures", self.activation_min_features)?,
            activation_days: n("activationDays", self.activation_days)?,
            gross_margin_percent: n("grossMarginPercent", self.gross_margin_percent)?,
            ltv_cap_months: n("ltvCapMonths", self.ltv_cap_months)?,
        })
    }
}

#[derive(Default)]
pub struct FiguresQuery;

#[Object]
impl FiguresQuery {
    /// The figures for a period over a slice of accounts, optionally split by a dimension.
    /// Everything is summed in SQL; see the README for the definitions.
    async fn figures(
        &self,
        ctx: &Context<'_>,
        period: PeriodInput,
        slice: Option<SliceInput>,
        group_by: Option<FigureDimension>,
    ) -> async_graphql::Result<FigureReport> {
        let (s, who) = parts(ctx)?;
        let period = Period::new(period.from.0, period.to.0).map_err(ApiError::from)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        let (mut total, settings) = service::figures::figures(s, who, &slice, None, period).await?;
        let groups = match group_by {
            Some(d) => {
                service::figures::figures(s, who, &slice, Some(d.into()), period)
                    .await?
                    .0
            }
            None => Vec::new(),
        };
        Ok(FigureReport {
            total: total.pop().unwrap_or_default(),
            groups,
            period,
            settings,
            currency,
        })
    }

    /// Cohort tables: accounts grouped by the month they started (first NEW revenue), with
    /// their MRR and paying accounts month by month since (ADMIN, CS_MANAGER, SERVICES).
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default = 12)] months: i32,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<Vec<Cohort>> {
        let (s, who) = parts(ctx)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        let months = u32::try_from(months)
            .map_err(|_| ApiError::invalid("months", "must not be negative"))?;
        let rows = service::figures::cohorts(s, who, &slice, from.0, to.0, months).await?;
        Ok(rows
            .into_iter()
            .map(|c| {
                let start = c.months.first().map(|m| m.0).unwrap_or(0);
                Cohort {
                    month: Date(c.month),
                    accounts: c.accounts,
                    months: c
                        .months
                        .iter()
                        .enumerate()
                        .map(|(i, (mrr, paying))| CohortMonth {
                            months_since_start: i as i32,
                            paying_accounts: *paying,
                            mrr: money(*mrr, currency),
                            revenue_retention: (start > 0).then(|| *mrr as f64 / start as f64),
                            logo_retention: (c.accounts > 0)
                                .then(|| *paying as f64 / c.accounts as f64),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// The portfolio of live accounts in a slice (all of them by default; a CS manager passes
    /// their own id as `criteria.ownerIds`): health counts, MRR at risk, top movers, renewals.
    async fn portfolio(
        &self,
        ctx: &Context<'_>,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<PortfolioView> {
        let slice = SliceInput::slice(ctx, slice).await?;
        Ok(PortfolioView {
            slice,
            counts: tokio::sync::OnceCell::new(),
            money: tokio::sync::OnceCell::new(),
        })
    }

    /// The settings behind adoption, activation, time to value and LTV.
    async fn analytics_settings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<AnalyticsSettingsValue> {
        let (s, who) = parts(ctx)?;
        Ok(service::figures::analytics_settings(s, who).await?.into())
    }
}

#[derive(Default)]
pub struct FiguresMutation;

#[Object]
impl FiguresMutation {
    /// Saves the settings behind adoption, activation, time to value and LTV (ADMIN,
    /// CS_MANAGER). Recompute health to apply new key features to scores.
    async fn configure_analytics(
        &self,
        ctx: &Context<'_>,
        input: AnalyticsSettingsValue,
    ) -> async_graphql::Result<AnalyticsSettingsValue> {
        let (s, who) = parts(ctx)?;
        let settings = input.into_domain()?;
        Ok(service::figures::configure_analytics(s, who, settings)
            .await?
            .into())
    }
}
