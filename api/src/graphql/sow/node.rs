//! The SOW and change-request object types, with the SOW's rate card, scope, baseline and
//! connection. A SOW and its change requests refer to each other, so they live together.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::engagement::Phase;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{EngagementId, PhaseId};
use tandem_domain::money::Currency;
use tandem_domain::sow::{self as rules, ChangeRequest, LoggedTime, Rate, ScopeItem, Sow};
use tandem_persistence::page::Page;
use tandem_persistence::sow::SowFilter;

use super::budget::{BudgetNode, PhaseBudgetNode};
use super::time_entry::TimeEntryConnection;
use crate::error::{ApiError, ApiResult};
use crate::graphql::account::AccountNode;
use crate::graphql::common::context::{Allowed, loaders, parts};
use crate::graphql::common::paging::{PageInfo, Paging};
use crate::graphql::engagement::{EngagementNode, PhaseNode};
use crate::graphql::enums::{ChangeRequestStatus, SowStatus};
use crate::graphql::ids::{self, Kind};
use crate::graphql::money::MoneyValue;
use crate::graphql::scalars::Date;
use crate::service;

/// A statement of work: a fixed-price scope with a T&M budget beside it.
pub struct SowNode(pub Sow);

/// A role and what one hour of it costs.
pub(super) struct RateNode(Rate, Currency);

#[Object(name = "Rate")]
impl RateNode {
    /// The role.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// What one hour costs. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn hourly_rate(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(self.0.hourly_rate, self.1))
    }
}

/// A fixed-price deliverable.
pub(super) struct ScopeItemNode(ScopeItem, Option<EngagementId>);

#[Object(name = "ScopeItem")]
impl ScopeItemNode {
    /// What is delivered.
    async fn deliverable(&self) -> &str {
        &self.0.deliverable
    }
    /// The hours it is estimated to take.
    async fn estimated_hours(&self) -> f64 {
        self.0.estimated_hours.as_decimal()
    }
    /// The phase it belongs to.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        PhaseNode::named(ctx, self.1, self.0.phase_id).await
    }
}

/// The figures frozen when the SOW was signed.
pub(super) struct BaselineNode(rules::Baseline, Currency);

#[Object(name = "SowBaseline")]
impl BaselineNode {
    /// The fixed price at signing. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn fixed_price(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(self.0.fixed_price, self.1))
    }
    /// The estimated in-scope hours at signing.
    async fn estimated_hours(&self) -> f64 {
        self.0.estimated_hours.as_decimal()
    }
    /// The T&M hours cap at signing.
    async fn tm_hours_cap(&self) -> Option<f64> {
        self.0.tm_hours_cap.map(Hours::as_decimal)
    }
    /// The T&M amount cap at signing. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn tm_amount_cap(&self) -> Option<MoneyValue> {
        self.0.tm_amount_cap.map(|a| MoneyValue::of(a, self.1))
    }
}

impl SowNode {
    async fn logged(&self, ctx: &Context<'_>) -> ApiResult<LoggedTime> {
        Ok(loaders(ctx)?
            .logged()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }

    async fn phases(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        match self.0.engagement_id {
            Some(e) => Ok(loaders(ctx)?
                .phases()
                .load_one(e)
                .await?
                .unwrap_or_default()),
            None => Ok(Arc::default()),
        }
    }
}

#[Object(name = "Sow")]
impl SowNode {
    /// The SOW's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Sow, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The account it is with.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountNode> {
        Ok(AccountNode::of(ctx, self.0.account_id, "the SOW's").await?)
    }
    /// The engagement it prices.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EngagementNode>> {
        let Some(e) = self.0.engagement_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .engagements()
            .load_one(e)
            .await?
            .map(EngagementNode))
    }
    /// A title.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// The currency of every amount in it.
    async fn currency(&self) -> &str {
        self.0.data.currency.as_str()
    }
    /// Where it stands.
    async fn status(&self) -> SowStatus {
        self.0.status.into()
    }
    /// The day it was signed.
    async fn signed_on(&self) -> Option<Date> {
        self.0.signed_on.map(Date)
    }
    /// The fixed price of the scope. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn fixed_price(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(
            self.0.data.fixed_price,
            self.0.data.currency,
        ))
    }
    /// Role → hourly rate.
    async fn rate_card(&self) -> Vec<RateNode> {
        self.0
            .data
            .rate_card
            .iter()
            .map(|r| RateNode(r.clone(), self.0.data.currency))
            .collect()
    }
    /// The fixed-price deliverables.
    async fn scope(&self) -> Vec<ScopeItemNode> {
        self.0
            .data
            .scope
            .iter()
            .map(|s| ScopeItemNode(s.clone(), self.0.engagement_id))
            .collect()
    }
    /// The current T&M hours cap (the original plus approved change requests).
    async fn tm_hours_cap(&self) -> Option<f64> {
        self.0.data.tm_hours_cap.map(Hours::as_decimal)
    }
    /// The current T&M amount cap. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn tm_amount_cap(&self) -> Option<MoneyValue> {
        self.0
            .data
            .tm_amount_cap
            .map(|a| MoneyValue::of(a, self.0.data.currency))
    }
    /// The figures at signing, to compare the current ones with; null before signing.
    async fn original(&self) -> Option<BaselineNode> {
        self.0
            .baseline
            .map(|b| BaselineNode(b, self.0.data.currency))
    }
    /// Its change requests, oldest first: the history of its budget.
    async fn change_requests(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ChangeRequestNode>> {
        Ok(loaders(ctx)?
            .change_requests()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|cr| ChangeRequestNode(cr, self.0.data.currency))
            .collect())
    }
    /// Its budget position, from SQL sums of the logged time.
    async fn budget(&self, ctx: &Context<'_>) -> async_graphql::Result<BudgetNode> {
        let figures = rules::figures(
            &self.0.data,
            self.logged(ctx).await?,
            &self.phases(ctx).await?,
        );
        Ok(BudgetNode {
            figures,
            currency: self.0.data.currency,
        })
    }
    /// The budget position per phase (and for work booked to no phase).
    async fn phase_budgets(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PhaseBudgetNode>> {
        let logged: HashMap<Option<PhaseId>, LoggedTime> = loaders(ctx)?
            .logged_by_phase()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let phases = self.phases(ctx).await?;
        let mut keys: Vec<Option<PhaseId>> = phases.iter().map(|p| Some(p.id)).collect();
        keys.push(None);
        Ok(keys
            .into_iter()
            .filter_map(|key| {
                let mut data = self.0.data.clone();
                data.scope.retain(|s| s.phase_id == key);
                data.tm_amount_cap = None;
                data.tm_hours_cap = None;
                let time = logged.get(&key).copied().unwrap_or_default();
                if key.is_none() && data.scope.is_empty() && time == LoggedTime::default() {
                    return None;
                }
                Some(PhaseBudgetNode {
                    phase: key,
                    engagement: self.0.engagement_id,
                    budget: BudgetNode {
                        figures: rules::figures(&data, time, &phases),
                        currency: self.0.data.currency,
                    },
                })
            })
            .collect())
    }
    /// Its time entries, oldest first. At most 100 per page.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn time_entries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TimeEntryConnection> {
        let (s, who) = parts(ctx)?;
        let window = Paging::forwards(first, after)?.by_id()?;
        let page = service::sow::time_entries(s, who, self.0.id, &window).await?;
        Ok(TimeEntryConnection {
            page,
            currency: self.0.data.currency,
            engagement: self.0.engagement_id,
        })
    }
    /// When it was drafted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A change to a signed SOW's T&M budget.
pub(super) struct ChangeRequestNode(pub ChangeRequest, pub(super) Currency);

#[Object(name = "ChangeRequest")]
impl ChangeRequestNode {
    /// The change request's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::ChangeRequest, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The SOW it changes.
    async fn sow(&self, ctx: &Context<'_>) -> async_graphql::Result<SowNode> {
        loaders(ctx)?
            .sows()
            .load_one(self.0.sow_id)
            .await?
            .map(SowNode)
            .ok_or_else(|| ApiError::not_found("the change request's SOW no longer exists").into())
    }
    /// Hours added to (negative: taken from) the T&M hours cap.
    async fn hours(&self) -> f64 {
        self.0.hours.as_decimal()
    }
    /// Amount added to (negative: taken from) the T&M amount cap. Hidden from PRODUCT and
    /// VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn amount(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(self.0.amount, self.1))
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who raised it.
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }
    /// Where it stands.
    async fn status(&self) -> ChangeRequestStatus {
        self.0.status.into()
    }
    /// Who decided.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
    /// When.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// When it was raised.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One SOW in a list.
#[derive(SimpleObject)]
pub(super) struct SowEdge {
    /// Pass to `after` or `before` to page from here.
    pub cursor: String,
    /// The SOW.
    pub node: SowNode,
}

/// A page of SOWs, oldest first.
pub(super) struct SowConnection {
    pub(super) page: Page<Sow>,
    pub(super) filter: SowFilter,
}

#[Object]
impl SowConnection {
    /// The SOWs of this page, each with its cursor.
    async fn edges(&self) -> Vec<SowEdge> {
        self.page
            .items
            .iter()
            .map(|s| SowEdge {
                cursor: ids::encode_cursor(&s.id.0),
                node: SowNode(s.clone()),
            })
            .collect()
    }
    /// The SOWs of this page.
    async fn nodes(&self) -> Vec<SowNode> {
        self.page.items.iter().cloned().map(SowNode).collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(|s| ids::encode_cursor(&s.id.0)),
            end_cursor: self.page.items.last().map(|s| ids::encode_cursor(&s.id.0)),
        }
    }
    /// How many SOWs match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(service::sow::count(s, who, &self.filter).await? as i64)
    }
}
