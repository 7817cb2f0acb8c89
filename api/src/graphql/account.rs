//! Accounts in the API.

use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use tandem_domain::account::{Account, AccountPatch, Needs, NewAccount};
use tandem_domain::auth::Action;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::money::Money;
use tandem_persistence::account::{AccountFilter, AccountKey, AccountOrder};
use tandem_persistence::page::Page;

use super::common::context::{Allowed, loaders, parts};
use super::common::input::{bounded, patch};
use super::common::paging::{DEFAULT_PAGE, PageInfo, Paging, first_or};
use super::contact::ContactNode;
use super::engagement::EngagementNode;
use super::enums::{CompanySize, LifecycleStage, TouchTier};
use super::ids::{self, Kind};
use super::money::MoneyValue;
use super::plain::{Fast, FastList, Plain, value};
use super::scalars::Date;
use super::sow::SowNode;
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service;

/// A customer organisation.
pub struct AccountNode(pub Account);

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

impl Plain for AccountNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let a = &self.0;
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
            "tags" => value(a.data.tags.clone()),
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
        ids::encode(Kind::Account, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateAccount` and `archiveAccount`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The organisation's name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// Its main internet domain.
    async fn domain(&self) -> Option<&str> {
        self.0.data.domain.as_deref()
    }
    /// Its industry, in the vendor's own taxonomy.
    async fn industry(&self) -> Option<&str> {
        self.0.data.industry.as_deref()
    }
    /// Its size band by employees.
    async fn company_size(&self) -> Option<CompanySize> {
        self.0.data.company_size.map(Into::into)
    }
    /// Its sales region.
    async fn region(&self) -> Option<&str> {
        self.0.data.region.as_deref()
    }
    /// The plan it is on.
    async fn plan(&self) -> Option<&str> {
        self.0.data.plan.as_deref()
    }
    /// How it is served.
    async fn touch_tier(&self) -> TouchTier {
        self.0.data.touch_tier.into()
    }
    /// Where it is in its life with the vendor.
    async fn lifecycle_stage(&self) -> LifecycleStage {
        self.0.data.lifecycle_stage.into()
    }
    /// The team member who owns the relationship.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(owner) = self.0.data.owner_id else {
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
        self.0.data.renewal_date.map(Date)
    }
    /// The ISO 4217 currency it is billed in.
    async fn currency(&self) -> &str {
        self.0.data.currency.as_str()
    }
    /// Labels for filtering, lower case, sorted.
    async fn tags(&self) -> &[String] {
        &self.0.data.tags
    }
    /// Free-form attributes from other systems.
    async fn traits(&self) -> Json<serde_json::Map<String, serde_json::Value>> {
        Json(self.0.data.traits.clone())
    }
    /// What it needs from the vendor.
    async fn needs(&self) -> NeedsValue {
        let n = &self.0.data.needs;
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
            .load_one(self.0.id)
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
            .load_one(self.0.id)
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
            .load_one(self.0.id)
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
    ) -> async_graphql::Result<Option<Fast<super::health::HealthScoreNode>>> {
        // Without `breakdown` in the selection, from a loader that does not read it.
        let loaders = loaders(ctx)?;
        let score: Option<super::health::HealthScoreNode> = if ctx
            .field()
            .selection_set()
            .all(|f| super::health::HEALTH_OUTLINE.contains(&f.name()))
        {
            loaders
                .health_outlines()
                .load_one(self.0.id)
                .await?
                .map(Into::into)
        } else {
            loaders.health().load_one(self.0.id).await?.map(Into::into)
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
    ) -> async_graphql::Result<Vec<super::health::HealthScoreNode>> {
        let (s, who) = parts(ctx)?;
        if !(1..=3660).contains(&days) {
            return Err(ApiError::invalid("days", "must be from 1 to 3660").into());
        }
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(
            service::health::history(s, who, self.0.id, i64::from(days), first)
                .await?
                .into_iter()
                .map(super::health::HealthScoreNode::from)
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
        let history = service::health::history(s, who, self.0.id, 3660, 500).await?;
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
            .load_one(self.0.id)
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
            service::signals::usage_by_day(s, who, self.0.id, from.0, to.0)
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
            service::signals::feature_usage(s, who, self.0.id, from.0, to.0)
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
    ) -> async_graphql::Result<Vec<super::success::GoalNode>> {
        Ok(loaders(ctx)?
            .goals()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(super::success::GoalNode)
            .collect())
    }
    /// Its business reviews, newest first.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn business_reviews(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::success::BusinessReview>> {
        Ok(loaders(ctx)?
            .reviews()
            .load_one(self.0.id)
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
    ) -> async_graphql::Result<Vec<super::signals::RevenueMovementNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(
            service::signals::revenue_movements(s, who, self.0.id, first)
                .await?
                .into_iter()
                .map(super::signals::RevenueMovementNode)
                .collect(),
        )
    }
    /// Its survey answers, newest first (an integration sees those it recorded).
    async fn survey_responses(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<super::signals::SurveyResponseNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(service::signals::surveys(s, who, self.0.id, first)
            .await?
            .into_iter()
            .map(super::signals::SurveyResponseNode)
            .collect())
    }
    /// Its support tickets, open ones first (an integration sees those it recorded).
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<super::signals::TicketNode>> {
        let (s, who) = parts(ctx)?;
        let first = first_or(Some(first), DEFAULT_PAGE)?;
        Ok(service::signals::tickets(s, who, self.0.id, first)
            .await?
            .into_iter()
            .map(super::signals::TicketNode)
            .collect())
    }
    /// Its ids in other systems (a CRM, billing), one per source.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::sync::ExternalIdValue>> {
        super::sync::ExternalIdValue::of(ctx, self.0.id).await
    }
    /// Its risks, most severe first; OPEN and MITIGATING ones when `statuses` is left out.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn risks(
        &self,
        ctx: &Context<'_>,
        statuses: Option<Vec<super::renewal::RiskStatus>>,
    ) -> async_graphql::Result<Vec<super::renewal::RiskNode>> {
        let statuses = statuses.unwrap_or_else(|| {
            vec![
                super::renewal::RiskStatus::Open,
                super::renewal::RiskStatus::Mitigating,
            ]
        });
        super::renewal::RiskNode::of_account(ctx, self.0.id, statuses).await
    }
    /// Its renewals, newest first: the one in play (no outcome yet) and the decided ones.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn renewals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::renewal::RenewalNode>> {
        super::renewal::RenewalNode::of_account(ctx, self.0.id, self.0.data.currency).await
    }
    /// Its story, newest first: notes, meetings, calls and e-mails merged with its
    /// account-change events. `kinds` narrows it (all when left out).
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kinds: Option<Vec<super::activity::TimelineItemKind>>,
    ) -> async_graphql::Result<super::activity::TimelineConnection> {
        super::activity::TimelineConnection::of_account(
            ctx,
            self.0.id,
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
        kinds: Option<Vec<super::value_timeline::ValueEventKind>>,
    ) -> async_graphql::Result<Vec<super::value_timeline::ValueEventNode>> {
        super::value_timeline::ValueEventNode::of_account(
            ctx,
            self.0.id,
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
    ) -> async_graphql::Result<Option<super::signals::BillingStatus>> {
        let (s, who) = parts(ctx)?;
        Ok(service::signals::billing(s, who, self.0.id)
            .await?
            .map(Into::into))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived; archived accounts refuse changes and are left out of lists unless
    /// asked for.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

impl AccountNode {
    async fn mrr_money(&self, ctx: &Context<'_>) -> ApiResult<Money> {
        let minor = loaders(ctx)?.mrr().load_one(self.0.id).await?.unwrap_or(0);
        Ok(Money::new(minor, self.0.data.currency))
    }
}

/// A component's move between two scores.
#[derive(SimpleObject)]
pub struct HealthMove {
    /// The component.
    pub component: super::health::HealthComponent,
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

/// The order of an account list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountOrderBy {
    /// By name, A to Z, ignoring case.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Oldest first.
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
}

impl From<AccountOrderBy> for AccountOrder {
    fn from(o: AccountOrderBy) -> Self {
        match o {
            AccountOrderBy::NameAsc => AccountOrder::NameAsc,
            AccountOrderBy::NameDesc => AccountOrder::NameDesc,
            AccountOrderBy::CreatedAtAsc => AccountOrder::CreatedAsc,
            AccountOrderBy::CreatedAtDesc => AccountOrder::CreatedDesc,
        }
    }
}

impl AccountOrderBy {
    fn tag(self) -> u8 {
        self as u8
    }
}

/// Which accounts a list shows. Every criterion narrows the list; a list criterion matches any
/// of its values, except `tags`, which must all be present.
#[derive(InputObject, Default)]
#[graphql(name = "AccountFilter")]
pub struct AccountFilterInput {
    /// Text the name or the domain contains, ignoring case.
    pub search: Option<String>,
    /// Any of these touch tiers.
    pub touch_tiers: Option<Vec<TouchTier>>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Option<Vec<LifecycleStage>>,
    /// Owned by any of these team members.
    pub owner_ids: Option<Vec<ID>>,
    /// In any of these industries (exact match).
    pub industries: Option<Vec<String>>,
    /// On any of these plans (exact match).
    pub plans: Option<Vec<String>>,
    /// Carrying all of these tags.
    pub tags: Option<Vec<String>>,
    /// Include archived accounts.
    #[graphql(default = false)]
    pub include_archived: bool,
    /// Members of this saved segment.
    pub segment_id: Option<ID>,
    /// Segment criteria (health, MRR, usage, needs…) applied on the spot.
    pub criteria: Option<super::segment::SegmentCriteriaInput>,
}

impl AccountFilterInput {
    /// The storage filter, with the saved segment's criteria (loaded and authorized) and the
    /// ad-hoc ones.
    pub(crate) async fn resolve(
        self,
        s: &service::Services,
        who: &tandem_domain::auth::Principal,
    ) -> ApiResult<AccountFilter> {
        let segment = self
            .segment_id
            .as_ref()
            .map(|id| ids::decode(Kind::Segment, id, "filter.segmentId"))
            .transpose()?;
        let criteria = self
            .criteria
            .clone()
            .map(|c| c.into_domain("filter.criteria"))
            .transpose()?;
        let mut filter = self.into_filter()?;
        if let Some(id) = segment {
            let seg =
                service::segment::live_segment(s, who, tandem_domain::ids::SegmentId(id)).await?;
            filter.criteria.push(seg.filter);
        }
        if let Some(c) = criteria.filter(|c| !c.is_empty()) {
            who.authorize(Action::ReadInsights)?;
            filter.criteria.push(c.validate()?);
        }
        Ok(filter)
    }

    fn into_filter(self) -> ApiResult<AccountFilter> {
        if let Some(s) = &self.search
            && s.chars().count() > 200
        {
            return Err(ApiError::invalid(
                "filter.search",
                "is longer than 200 characters",
            ));
        }
        let owner_ids = bounded("filter.ownerIds", self.owner_ids)?
            .iter()
            .enumerate()
            .map(|(i, id)| {
                ids::decode(Kind::TeamMember, id, &format!("filter.ownerIds[{i}]"))
                    .map(TeamMemberId)
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(AccountFilter {
            search: self.search,
            touch_tiers: bounded("filter.touchTiers", self.touch_tiers)?
                .into_iter()
                .map(Into::into)
                .collect(),
            lifecycle_stages: bounded("filter.lifecycleStages", self.lifecycle_stages)?
                .into_iter()
                .map(Into::into)
                .collect(),
            owner_ids,
            industries: bounded("filter.industries", self.industries)?,
            plans: bounded("filter.plans", self.plans)?,
            tags: bounded("filter.tags", self.tags)?,
            include_archived: self.include_archived,
            criteria: Vec::new(),
        })
    }
}

/// A page cursor: the order it belongs to and the position in it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    o: u8,
    #[serde(flatten)]
    key: AccountKey,
}

fn cursor_of(order: AccountOrderBy, account: &Account) -> String {
    ids::encode_cursor(&Cursor {
        o: order.tag(),
        key: AccountKey::of(account),
    })
}

fn decode_cursor(order: AccountOrderBy, field: &str, cursor: &str) -> ApiResult<AccountKey> {
    let c: Cursor = ids::decode_cursor(cursor, field)?;
    if c.o != order.tag() {
        return Err(ApiError::invalid(
            field,
            "this cursor belongs to a list in another order; pass the same orderBy as the page it came from",
        ));
    }
    Ok(c.key)
}

/// One account in a list, with its cursor.
#[derive(SimpleObject)]
pub struct AccountEdge {
    /// Pass to `after` or `before` to page from here.
    pub cursor: String,
    /// The account.
    pub node: AccountNode,
}

/// A page of accounts.
pub struct AccountConnection {
    page: Page<Account>,
    filter: AccountFilter,
    order: AccountOrderBy,
}

#[Object]
impl AccountConnection {
    /// The accounts of this page, each with its cursor.
    async fn edges(&self) -> Vec<AccountEdge> {
        self.page
            .items
            .iter()
            .map(|a| AccountEdge {
                cursor: cursor_of(self.order, a),
                node: AccountNode(a.clone()),
            })
            .collect()
    }
    /// The accounts of this page.
    async fn nodes(&self) -> FastList<AccountNode> {
        self.page.items.iter().cloned().map(AccountNode).collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(|a| cursor_of(self.order, a)),
            end_cursor: self.page.items.last().map(|a| cursor_of(self.order, a)),
        }
    }
    /// How many accounts match the filter, across all pages (counted in SQL).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(service::account::count(s, who, &self.filter).await? as i64)
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The account with this id, or `null`.
    async fn account(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Fast<AccountNode>>> {
        let (s, who) = parts(ctx)?;
        let id = AccountId(ids::decode(Kind::Account, &id, "id")?);
        Ok(service::account::get(s, who, id)
            .await?
            .map(|a| Fast(AccountNode(a))))
    }

    /// Accounts, a page at a time: `first` (and `after`) reads forwards, `last` (and `before`)
    /// backwards. At most 100 per page; 20 when neither `first` nor `last` is given.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AccountFilterInput>,
        #[graphql(desc = "The order; NAME_ASC when not given.")] order_by: Option<AccountOrderBy>,
    ) -> async_graphql::Result<AccountConnection> {
        let (s, who) = parts(ctx)?;
        let order_by = order_by.unwrap_or_default();
        let window = Paging::parse(first, after, last, before)?
            .window(|cursor, field| decode_cursor(order_by, field, cursor))?;
        let filter = filter.unwrap_or_default().resolve(s, who).await?;
        // Tags cost a query of their own: read them only when the page shows them.
        let shown = ctx.look_ahead();
        let tags = shown.field("nodes").field("tags").exists()
            || shown.field("edges").field("node").field("tags").exists();
        let page = service::account::list(s, who, &filter, order_by.into(), &window, tags).await?;
        Ok(AccountConnection {
            page,
            filter,
            order: order_by,
        })
    }
}

/// What an account needs, as lists of short statements.
#[derive(InputObject, Default)]
pub struct AccountNeedsInput {
    /// The jobs the customer hires the product to do.
    #[graphql(default)]
    pub jobs_to_be_done: Vec<String>,
    /// What hurts today.
    #[graphql(default)]
    pub pain_points: Vec<String>,
    /// What the customer values most.
    #[graphql(default)]
    pub value_drivers: Vec<String>,
}

impl From<AccountNeedsInput> for Needs {
    fn from(n: AccountNeedsInput) -> Self {
        Needs {
            jobs_to_be_done: n.jobs_to_be_done,
            pain_points: n.pain_points,
            value_drivers: n.value_drivers,
        }
    }
}

/// A new account.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// The organisation's name (1–200 characters).
    pub name: String,
    /// Its main internet domain; a pasted URL is reduced to its host.
    pub domain: Option<String>,
    /// Its industry.
    pub industry: Option<String>,
    /// Its size band.
    pub company_size: Option<CompanySize>,
    /// Its sales region.
    pub region: Option<String>,
    /// The plan it is on.
    pub plan: Option<String>,
    /// How it is served.
    #[graphql(default_with = "TouchTier::Medium")]
    pub touch_tier: TouchTier,
    /// Where it is in its life with the vendor.
    #[graphql(default_with = "LifecycleStage::Onboarding")]
    pub lifecycle_stage: LifecycleStage,
    /// The owning team member's id.
    pub owner_id: Option<ID>,
    /// When its contract next renews.
    pub renewal_date: Option<Date>,
    /// The ISO 4217 currency it is billed in; USD when not given.
    pub currency: Option<String>,
    /// Labels (letters, digits, `-`, `_`, `:`, `.`; at most 50).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Free-form attributes: a JSON object of at most 16 KiB.
    pub traits: Option<Json<serde_json::Value>>,
    /// What it needs from the vendor.
    pub needs: Option<AccountNeedsInput>,
}

/// A change to an account. Absent fields stay as they are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    /// The account's id.
    pub id: ID,
    /// The version you read; a stale version is refused with CONFLICT.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new domain, or `null` to clear it.
    pub domain: MaybeUndefined<String>,
    /// A new industry, or `null`.
    pub industry: MaybeUndefined<String>,
    /// A new size band, or `null`.
    pub company_size: MaybeUndefined<CompanySize>,
    /// A new region, or `null`.
    pub region: MaybeUndefined<String>,
    /// A new plan, or `null`.
    pub plan: MaybeUndefined<String>,
    /// A new touch tier.
    pub touch_tier: Option<TouchTier>,
    /// A new lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// A new owner's id, or `null` for none.
    pub owner_id: MaybeUndefined<ID>,
    /// A new renewal date, or `null`.
    pub renewal_date: MaybeUndefined<Date>,
    /// A new currency.
    pub currency: Option<String>,
    /// The full new set of tags.
    pub tags: Option<Vec<String>>,
    /// New traits (replacing the old), or `null` to clear them.
    pub traits: MaybeUndefined<Json<serde_json::Value>>,
    /// New needs (replacing the old).
    pub needs: Option<AccountNeedsInput>,
}

/// Which account to archive.
#[derive(InputObject)]
pub struct ArchiveAccountInput {
    /// The account's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The result of `createAccount`.
#[derive(SimpleObject)]
pub struct CreateAccountPayload {
    /// The new account.
    pub account: AccountNode,
}

/// The result of `updateAccount`.
#[derive(SimpleObject)]
pub struct UpdateAccountPayload {
    /// The account as it is now.
    pub account: AccountNode,
}

/// The result of `archiveAccount`.
#[derive(SimpleObject)]
pub struct ArchiveAccountPayload {
    /// The archived account.
    pub account: AccountNode,
}

impl CreateAccountInput {
    fn into_domain(self) -> ApiResult<NewAccount> {
        Ok(NewAccount {
            name: self.name,
            domain: self.domain,
            industry: self.industry,
            company_size: self.company_size.map(Into::into),
            region: self.region,
            plan: self.plan,
            touch_tier: self.touch_tier.into(),
            lifecycle_stage: self.lifecycle_stage.into(),
            owner_id: self
                .owner_id
                .map(|id| ids::team_member(&id, "input.ownerId"))
                .transpose()?,
            renewal_date: self.renewal_date.map(|d| d.0),
            currency: self.currency,
            tags: self.tags,
            traits: self.traits.map(|j| j.0),
            needs: self.needs.map(Into::into).unwrap_or_default(),
        })
    }
}

impl UpdateAccountInput {
    fn into_domain(self) -> ApiResult<(AccountId, i32, AccountPatch)> {
        let id = AccountId(ids::decode(Kind::Account, &self.id, "input.id")?);
        let ok = |v| Ok(v);
        Ok((
            id,
            self.version,
            AccountPatch {
                name: self.name,
                domain: patch(self.domain, ok)?,
                industry: patch(self.industry, ok)?,
                company_size: patch(self.company_size, |c| Ok(c.into()))?,
                region: patch(self.region, ok)?,
                plan: patch(self.plan, ok)?,
                touch_tier: self.touch_tier.map(Into::into),
                lifecycle_stage: self.lifecycle_stage.map(Into::into),
                owner_id: patch(self.owner_id, |id| ids::team_member(&id, "input.ownerId"))?,
                renewal_date: patch(self.renewal_date, |d| Ok(d.0))?,
                currency: self.currency,
                tags: self.tags,
                traits: patch(self.traits, |j| Ok(j.0))?,
                needs: self.needs.map(Into::into),
            },
        ))
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account. Needs ADMIN, CS_MANAGER or INTEGRATION.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> async_graphql::Result<CreateAccountPayload> {
        let (s, who) = parts(ctx)?;
        let input = input.into_domain()?;
        let account = service::account::create(s, who, input)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(CreateAccountPayload {
            account: AccountNode(account),
        })
    }

    /// Changes an account that is still at `input.version`. Needs ADMIN, CS_MANAGER or
    /// INTEGRATION.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAccountInput,
    ) -> async_graphql::Result<UpdateAccountPayload> {
        let (s, who) = parts(ctx)?;
        let (id, version, patch) = input.into_domain()?;
        let account = service::account::update(s, who, id, version, patch)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(UpdateAccountPayload {
            account: AccountNode(account),
        })
    }

    /// Archives an account that is still at `input.version`. Needs ADMIN or CS_MANAGER.
    async fn archive_account(
        &self,
        ctx: &Context<'_>,
        input: ArchiveAccountInput,
    ) -> async_graphql::Result<ArchiveAccountPayload> {
        let (s, who) = parts(ctx)?;
        let id = AccountId(ids::decode(Kind::Account, &input.id, "input.id")?);
        let account = service::account::archive(s, who, id, input.version).await?;
        Ok(ArchiveAccountPayload {
            account: AccountNode(account),
        })
    }
}
