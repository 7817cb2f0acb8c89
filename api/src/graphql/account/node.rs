//! The account object type: its fields, its money, health and usage, and the objects around it.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use tandem_domain::account::{Account, Untagged};
use tandem_domain::auth::Action;
use tandem_domain::money::Money;

use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::{Allowed, loaders, parts};
use crate::graphql::common::paging::{DEFAULT_PAGE, first_or};
use crate::graphql::contact::ContactNode;
use crate::graphql::engagement::EngagementNode;
use crate::graphql::enums::{CompanySize, LifecycleStage, TouchTier};
use crate::graphql::ids::{self, Kind};
use crate::graphql::money::MoneyValue;
use crate::graphql::plain::{Fast, FastList, Plain, value};
use crate::graphql::scalars::Date;
use crate::graphql::sow::SowNode;
use crate::graphql::team_member::TeamMemberNode;
use crate::service;

/// A customer organisation, as far as it was read: an account of a page that does not show
/// tags comes without them (`persistence::account::list_with`), and its `tags` field, if asked
/// after all, loads them.
pub struct AccountNode {
    account: Untagged,
    /// Its tags, when the read that made the node had them.
    tags: Option<Vec<String>>,
}

impl From<Account> for AccountNode {
    /// The node of an account read whole, tags and all.
    fn from(account: Account) -> Self {
        let (account, tags) = account.untagged();
        AccountNode {
            account,
            tags: Some(tags),
        }
    }
}

/// `tags` is not plain: an account read without them answers it through a loader.
impl Plain for AccountNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let a = &self.account;
        match name {
            "id" => value(ids::encode(Kind::Account, a.id.0)),
            "version" => value(a.version),
            "name" => value(a.data.name.clone()),
            "domain" => value(a.data.domain.clone()),
            "industry" => value(a.data.industry.clone()),
            "companySize" => value(a.data.company_size.map(CompanySize::from)),
            "region" => value(a.data.region.clone()),
            "plan" => value(a.data.plan.clone()),
            "touchTier" => value(TouchTier::from(a.data.touch_tier)),
            "lifecycleStage" => value(LifecycleStage::from(a.data.lifecycle_stage)),
            "renewalDate" => value(a.data.renewal_date.map(Date)),
            "currency" => value(a.data.currency.as_str().to_owned()),
            "createdAt" => value(a.created_at),
            "updatedAt" => value(a.updated_at),
            "archivedAt" => value(a.archived_at),
            _ => None,
        }
    }
}

#[Object(name = "Account")]
impl AccountNode {
    /// The account's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Account, self.account.id.0)
    }
    /// Bumped on every change; pass it back to `updateAccount` and `archiveAccount`.
    async fn version(&self) -> i32 {
        self.account.version
    }
    /// The organisation's name.
    async fn name(&self) -> &str {
        &self.account.data.name
    }
    /// Its main internet domain.
    async fn domain(&self) -> Option<&str> {
        self.account.data.domain.as_deref()
    }
    /// Its industry, in the vendor's own taxonomy.
    async fn industry(&self) -> Option<&str> {
        self.account.data.industry.as_deref()
    }
    /// Its size band by employees.
    async fn company_size(&self) -> Option<CompanySize> {
        self.account.data.company_size.map(Into::into)
    }
    /// Its sales region.
    async fn region(&self) -> Option<&str> {
        self.account.data.region.as_deref()
    }
    /// The plan it is on.
    async fn plan(&self) -> Option<&str> {
        self.account.data.plan.as_deref()
    }
    /// How it is served.
    async fn touch_tier(&self) -> TouchTier {
        self.account.data.touch_tier.into()
    }
    /// Where it is in its life with the vendor.
    async fn lifecycle_stage(&self) -> LifecycleStage {
        self.account.data.lifecycle_stage.into()
    }
    /// The team member who owns the relationship.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(owner) = self.account.data.owner_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(owner)
            .await?
            .map(TeamMemberNode))
    }
    /// When its contract next renews.
    async fn renewal_date(&self) -> Option<Date> {
        self.account.data.renewal_date.map(Date)
    }
    /// The ISO 4217 currency it is billed in.
    async fn currency(&self) -> &str {
        self.account.data.currency.as_str()
    }
    /// Labels for filtering, lower case, sorted.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        if let Some(tags) = &self.tags {
            return Ok(tags.clone());
        }
        let whole = loaders(ctx)?.accounts().load_one(self.account.id).await?;
        Ok(whole.map(|a| a.data.tags).unwrap_or_default())
    }
    /// Free-form attributes from other systems.
    async fn traits(&self) -> Json<serde_json::Map<String, serde_json::Value>> {
        Json(self.account.data.traits.clone())
    }
    /// What it needs from the vendor.
    async fn needs(&self) -> NeedsValue {
        let n = &self.account.data.needs;
        NeedsValue {
            jobs_to_be_done: n.jobs_to_be_done.clone(),
            pain_points: n.pain_points.clone(),
            value_drivers: n.value_drivers.clone(),
        }
    }
    /// Monthly recurring revenue today: the sum of its revenue movements up to today. Hidden
    /// (null, with a FORBIDDEN error) from the PRODUCT and VIEWER roles.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Fast<MoneyValue>>> {
        Ok(Some(Fast(self.mrr_money(ctx).await?.into())))
    }
    /// Annual recurring revenue today: 12 × MRR. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn arr(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Fast<MoneyValue>>> {
        Ok(Some(Fast(self.mrr_money(ctx).await?.times(12).into())))
    }
    /// Its active contacts, by name.
    async fn contacts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ContactNode>> {
        Ok(loaders(ctx)?
            .contacts()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(ContactNode)
            .collect())
    }
    /// Its services engagements, oldest first.
    async fn engagements(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<FastList<EngagementNode>> {
        Ok(loaders(ctx)?
            .engagements_by_account()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default()
            .iter()
            .cloned()
            .map(EngagementNode)
            .collect())
    }
    /// Its statements of work, oldest first.
    async fn sows(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SowNode>> {
        Ok(loaders(ctx)?
            .sows_by_account()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(SowNode)
            .collect())
    }
    /// Its latest health score with the breakdown and the 30/90-day trend; `null` until scored.
    /// Not for INTEGRATION.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn health(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Fast<crate::graphql::health::HealthScoreNode>>> {
        // Without `breakdown` in the selection, from a loader that does not read it.
        let loaders = loaders(ctx)?;
        let score: Option<crate::graphql::health::HealthScoreNode> = if ctx
            .field()
            .selection_set()
            .all(|f| crate::graphql::health::HEALTH_OUTLINE.contains(&f.name()))
        {
            loaders
                .health_outlines()
                .load_one(self.account.id)
                .await?
                .map(Into::into)
        } else {
            loaders
                .health()
                .load_one(self.account.id)
                .await?
                .map(Into::into)
        };
        Ok(score.map(Fast))
    }
    /// Its scores over the last `days` days, newest first.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn health_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 90)] days: i32,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<crate::graphql::health::HealthScoreNode>> {
        let (s, who) = parts(ctx)?;
        if !(1..=3660).contains(&days) {
            return Err(ApiError::invalid("days", "must be from 1 to 3660").into());
        }
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(
            service::health::history(s, who, self.account.id, i64::from(days), first)
                .await?
                .into_iter()
                .map(crate::graphql::health::HealthScoreNode::from)
                .collect(),
        )
    }
    /// Why its health moved: each component's change in points between the latest score and
    /// the latest one at least `days` days older, biggest move first.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn health_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 30)] days: i32,
    ) -> async_graphql::Result<Vec<HealthMove>> {
        let (s, who) = parts(ctx)?;
        if !(1..=3660).contains(&days) {
            return Err(ApiError::invalid("days", "must be from 1 to 3660").into());
        }
        let history = service::health::history(s, who, self.account.id, 3660, 500).await?;
        let Some(latest) = history.first() else {
            return Ok(Vec::new());
        };
        let cutoff = latest.computed_at - chrono::Duration::days(i64::from(days));
        let Some(earlier) = history.iter().find(|h| h.computed_at <= cutoff) else {
            return Ok(Vec::new());
        };
        Ok(
            tandem_domain::health::explain(&earlier.score, &latest.score)
                .into_iter()
                .map(|(component, points)| HealthMove {
                    component: component.into(),
                    points: (points * 10.0).round() / 10.0,
                })
                .collect(),
        )
    }
    /// Its product usage over the last 30 days (from the daily roll-ups).
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn usage(&self, ctx: &Context<'_>) -> async_graphql::Result<UsageSummaryValue> {
        let u = loaders(ctx)?
            .usage()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default();
        Ok(UsageSummaryValue {
            active_days30: u.active_days as i32,
            events30: u.events,
            active_users30: u.active_users as i32,
            last_active_on: u.last_active_on.map(Date),
        })
    }
    /// Its usage per day from `from` to `to` (at most 366 days), days without usage left out.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn usage_by_day(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<Vec<UsageDay>> {
        let (s, who) = parts(ctx)?;
        Ok(
            service::signals::usage_by_day(s, who, self.account.id, from.0, to.0)
                .await?
                .into_iter()
                .map(|d| UsageDay {
                    day: Date(d.day),
                    events: d.events,
                    quantity: d.quantity,
                    active_users: d.active_users as i32,
                })
                .collect(),
        )
    }
    /// Its usage per feature from `from` to `to` (at most 366 days), most used first.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn feature_usage(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<Vec<FeatureUsageValue>> {
        let (s, who) = parts(ctx)?;
        Ok(
            service::signals::feature_usage(s, who, self.account.id, from.0, to.0)
                .await?
                .into_iter()
                .map(|f| FeatureUsageValue {
                    feature: f.feature,
                    events: f.events,
                    quantity: f.quantity,
                    active_days: f.active_days as i32,
                    first_used_on: f.first_used_on.map(Date),
                    last_used_on: Date(f.last_used_on),
                })
                .collect(),
        )
    }
    /// Its success-plan goals, by due date.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::success::GoalNode>> {
        Ok(loaders(ctx)?
            .goals()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::success::GoalNode)
            .collect())
    }
    /// Its business reviews, newest first.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn business_reviews(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::success::BusinessReview>> {
        Ok(loaders(ctx)?
            .reviews()
            .load_one(self.account.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// Its revenue movements, newest first (an integration sees those it recorded). Hidden
    /// from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn revenue_movements(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<crate::graphql::signals::RevenueMovementNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(
            service::signals::revenue_movements(s, who, self.account.id, first)
                .await?
                .into_iter()
                .map(crate::graphql::signals::RevenueMovementNode)
                .collect(),
        )
    }
    /// Its survey answers, newest first (an integration sees those it recorded).
    async fn survey_responses(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<crate::graphql::signals::SurveyResponseNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(service::signals::surveys(s, who, self.account.id, first)
            .await?
            .into_iter()
            .map(crate::graphql::signals::SurveyResponseNode)
            .collect())
    }
    /// Its support tickets, open ones first (an integration sees those it recorded).
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<crate::graphql::signals::TicketNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(service::signals::tickets(s, who, self.account.id, first)
            .await?
            .into_iter()
            .map(crate::graphql::signals::TicketNode)
            .collect())
    }
    /// Its ids in other systems (a CRM, billing), one per source.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::sync::ExternalIdValue>> {
        crate::graphql::sync::ExternalIdValue::of(ctx, self.account.id).await
    }
    /// Its risks, most severe first; OPEN and MITIGATING ones when `statuses` is left out.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn risks(
        &self,
        ctx: &Context<'_>,
        statuses: Option<Vec<crate::graphql::renewal::RiskStatus>>,
    ) -> async_graphql::Result<Vec<crate::graphql::renewal::RiskNode>> {
        let statuses = statuses.unwrap_or_else(|| {
            vec![
                crate::graphql::renewal::RiskStatus::Open,
                crate::graphql::renewal::RiskStatus::Mitigating,
            ]
        });
        crate::graphql::renewal::RiskNode::of_account(ctx, self.account.id, statuses).await
    }
    /// Its renewals, newest first: the one in play (no outcome yet) and the decided ones.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn renewals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::renewal::RenewalNode>> {
        crate::graphql::renewal::RenewalNode::of_account(
            ctx,
            self.account.id,
            self.account.data.currency,
        )
        .await
    }
    /// Its opportunities, soonest to close first, in `statuses` (all when left out); paged
    /// forwards.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        statuses: Option<Vec<crate::graphql::opportunity::OpportunityStatus>>,
    ) -> async_graphql::Result<crate::graphql::opportunity::OpportunityConnection> {
        crate::graphql::opportunity::OpportunityConnection::of_account(
            ctx,
            self.account.id,
            statuses.unwrap_or_default(),
            first,
            after,
        )
        .await
    }
    /// Its story, newest first: notes, meetings, calls and e-mails merged with its
    /// account-change events. `kinds` narrows it (all when left out).
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kinds: Option<Vec<crate::graphql::activity::TimelineItemKind>>,
    ) -> async_graphql::Result<crate::graphql::activity::TimelineConnection> {
        crate::graphql::activity::TimelineConnection::of_account(
            ctx,
            self.account.id,
            first,
            after,
            kinds.unwrap_or_default(),
        )
        .await
    }
    /// Its value timeline, newest first (by day, then kind, then record): phases delivered and
    /// accepted, goals achieved or missed, health status changes, revenue movements and
    /// catalog versions published, between `from` and `to` inclusive (either may be left
    /// open), of `kinds` (all when left out), at most `first` (0 to 500; narrow `to` to read
    /// further back). Entries stand side by side in time; none is claimed to cause another.
    /// Amounts are null for PRODUCT and VIEWER. Not for INTEGRATION.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn value_timeline(
        &self,
        ctx: &Context<'_>,
        from: Option<Date>,
        to: Option<Date>,
        #[graphql(default = 100)] first: Option<i32>,
        kinds: Option<Vec<crate::graphql::value_timeline::ValueEventKind>>,
    ) -> async_graphql::Result<Vec<crate::graphql::value_timeline::ValueEventNode>> {
        crate::graphql::value_timeline::ValueEventNode::of_account(
            ctx,
            self.account.id,
            from,
            to,
            first,
            kinds.unwrap_or_default(),
        )
        .await
    }
    /// Whether it pays its invoices; `null` when never recorded.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn billing_status(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::signals::BillingStatus>> {
        let (s, who) = parts(ctx)?;
        Ok(service::signals::billing(s, who, self.account.id)
            .await?
            .map(Into::into))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.account.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.account.updated_at
    }
    /// When it was archived; archived accounts refuse changes and are left out of lists unless
    /// asked for.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.account.archived_at
    }
}

impl AccountNode {
    /// The account `id` through the request's loader; `None` when no account has it.
    pub(crate) async fn load(
        ctx: &Context<'_>,
        id: tandem_domain::ids::AccountId,
    ) -> ApiResult<Option<AccountNode>> {
        Ok(loaders(ctx)?
            .accounts()
            .load_one(id)
            .await?
            .map(AccountNode::from))
    }

    /// [`load`](Self::load) for an object that must have its account: NOT_FOUND, naming
    /// `whose` ("the SOW's"), when it no longer exists.
    pub(crate) async fn of(
        ctx: &Context<'_>,
        id: tandem_domain::ids::AccountId,
        whose: &str,
    ) -> ApiResult<AccountNode> {
        AccountNode::load(ctx, id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("{whose} account no longer exists")))
    }

    /// The node of an account of a page, read without its tags, with them if they were read.
    pub(super) fn listed(account: Untagged, tags: Option<Vec<String>>) -> AccountNode {
        AccountNode { account, tags }
    }

    async fn mrr_money(&self, ctx: &Context<'_>) -> ApiResult<Money> {
        let minor = loaders(ctx)?
            .mrr()
            .load_one(self.account.id)
            .await?
            .unwrap_or(0);
        Ok(Money::new(minor, self.account.data.currency))
    }
}

/// What an account needs from the vendor, in its own words.
#[derive(SimpleObject, Clone)]
#[graphql(name = "AccountNeeds")]
pub struct NeedsValue {
    /// The jobs the customer hires the product to do.
    pub jobs_to_be_done: Vec<String>,
    /// What hurts today.
    pub pain_points: Vec<String>,
    /// What the customer values most.
    pub value_drivers: Vec<String>,
}

/// A component's move between two scores.
#[derive(SimpleObject)]
pub struct HealthMove {
    /// The component.
    pub component: crate::graphql::health::HealthComponent,
    /// Points it added to the score (negative: it took them away).
    pub points: f64,
}

/// An account's usage over the last 30 days.
#[derive(SimpleObject)]
#[graphql(name = "UsageSummary")]
pub struct UsageSummaryValue {
    /// Days with any usage.
    pub active_days30: i32,
    /// Events.
    pub events30: i64,
    /// Distinct users.
    pub active_users30: i32,
    /// The last day with usage, ever.
    pub last_active_on: Option<Date>,
}

/// One day of an account's usage.
#[derive(SimpleObject)]
pub struct UsageDay {
    /// The day (UTC).
    pub day: Date,
    /// Events.
    pub events: i64,
    /// Their summed quantity.
    pub quantity: i64,
    /// Distinct users.
    pub active_users: i32,
}

/// An account's use of one feature over a window.
#[derive(SimpleObject)]
#[graphql(name = "FeatureUsage")]
pub struct FeatureUsageValue {
    /// The feature key.
    pub feature: String,
    /// Events in the window.
    pub events: i64,
    /// Their summed quantity.
    pub quantity: i64,
    /// Days in the window it was used.
    pub active_days: i32,
    /// The first day the account ever used it.
    pub first_used_on: Option<Date>,
    /// The last day in the window it was used.
    pub last_used_on: Date,
}
