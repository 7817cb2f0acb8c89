//! The opportunity and stage object types, and pages of opportunities.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use tandem_domain::auth::Action;
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::opportunity::{Opportunity, Stage};
use tandem_persistence::page::Page;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::graphql::account::AccountNode;
use crate::graphql::common::context::{Allowed, loaders};
use crate::graphql::common::paging::{PageInfo, Paging};
use crate::graphql::engagement::PhaseNode;
use crate::graphql::ids::{self, Kind};
use crate::graphql::money::MoneyValue;
use crate::graphql::scalars::Date;
use crate::graphql::sow::SowNode;
use crate::graphql::success::GoalNode;
use crate::graphql::team_member::TeamMemberNode;

/// What kind of revenue an opportunity is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::opportunity::OpportunityKind")]
pub enum OpportunityKind {
    /// Keeping the contract at its renewal; the MRR delta is the uplift (0 when flat). Its win
    /// records no revenue: renewals are decided with `decideRenewal` and billed as before.
    Renewal,
    /// More of what the account buys; its win records an EXPANSION (NEW or REACTIVATION for an
    /// account not paying).
    Upsell,
    /// Less of it; its win records a CONTRACTION.
    Downsell,
    /// Another product; its win records revenue as an upsell's does.
    CrossSell,
    /// More services work: one-off value; its win drafts a SOW.
    ServicesFollowOn,
}

/// Where an opportunity stands: OPEN until WON or LOST, which are final.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::opportunity::OpportunityStatus")]
pub enum OpportunityStatus {
    /// In play.
    Open,
    /// Won.
    Won,
    /// Lost.
    Lost,
}

/// A stage of the opportunity pipeline.
pub struct OpportunityStageNode(pub Stage);

#[Object(name = "OpportunityStage")]
impl OpportunityStageNode {
    /// The stage's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::OpportunityStage, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `setOpportunityStage`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its place in the pipeline; lower comes first.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The probability an opportunity in it closes won, unless the opportunity overrides it.
    async fn default_probability(&self) -> f64 {
        self.0.default_probability
    }
}

/// Revenue a team expects to win or keep on an account.
pub struct OpportunityNode(pub Opportunity);

impl OpportunityNode {
    async fn money(&self, ctx: &Context<'_>, minor: i64) -> ApiResult<MoneyValue> {
        let currency = loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map_or(Currency::USD, |a| a.data.currency);
        Ok(Money::new(minor, currency).into())
    }

    async fn stage_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        loaders(ctx)?
            .opportunity_stages()
            .load_one(self.0.stage_id)
            .await
    }
}

#[Object(name = "Opportunity")]
impl OpportunityNode {
    /// The opportunity's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Opportunity, self.0.id.0)
    }
    /// Bumped on every change; pass it back to change, move, win or lose it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What kind of revenue.
    async fn kind(&self) -> OpportunityKind {
        self.0.data.kind.into()
    }
    /// A short name.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// Where it stands.
    async fn status(&self) -> OpportunityStatus {
        self.0.status.into()
    }
    /// The stage it is in.
    async fn stage(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<OpportunityStageNode>> {
        Ok(self.stage_of(ctx).await?.map(OpportunityStageNode))
    }
    /// The probability it closes won: its own override, else its stage's default.
    async fn probability(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        let default = self
            .stage_of(ctx)
            .await?
            .map_or(0.0, |s| s.default_probability);
        Ok(self.0.probability(default))
    }
    /// Its own probability, overriding its stage's default; `null` when it has none.
    async fn probability_override(&self) -> Option<f64> {
        self.0.data.probability
    }
    /// The change in MRR if it is won (negative for a downsell). Nullable so that a role that
    /// sees no money gets the rest of the opportunity beside the FORBIDDEN error.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn mrr_delta(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(Some(self.money(ctx, self.0.data.mrr_delta_minor).await?))
    }
    /// One-off services value if it is won (nullable, as `mrrDelta`).
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn services_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(Some(
            self.money(ctx, self.0.data.services_value_minor).await?,
        ))
    }
    /// When it is expected to close.
    async fn expected_close_on(&self) -> Date {
        Date(self.0.data.expected_close_on)
    }
    /// Who owns it.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(id) = self.0.data.owner_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(id)
            .await?
            .map(TeamMemberNode))
    }
    /// The success-plan goal that motivated it.
    async fn goal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<GoalNode>> {
        let Some(id) = self.0.data.goal_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.goal().load_one(id).await?.map(GoalNode))
    }
    /// The engagement phase whose outcome motivated it.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        let Some(id) = self.0.data.phase_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .phase_by_id()
            .load_one(id)
            .await?
            .map(PhaseNode::from))
    }
    /// The account it is with.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(AccountNode::load(ctx, self.0.account_id).await?)
    }
    /// Why it was won or lost.
    async fn close_reason(&self) -> Option<&str> {
        self.0.close_reason.as_deref()
    }
    /// The day it was won or lost.
    async fn closed_on(&self) -> Option<Date> {
        self.0.closed_on.map(Date)
    }
    /// The id of the revenue movement its win recorded (a won upsell, cross-sell or downsell);
    /// the movement is in `Account.revenueMovements`.
    async fn revenue_movement_id(&self) -> Option<ID> {
        self.0
            .revenue_event_id
            .map(|id| ids::encode(Kind::RevenueEvent, id.0))
    }
    /// The SOW its win drafted (a won services follow-on).
    async fn sow(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SowNode>> {
        let Some(id) = self.0.sow_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.sows().load_one(id).await?.map(SowNode))
    }
    /// Who opened it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One opportunity in a list.
#[derive(SimpleObject)]
pub struct OpportunityEdge {
    /// Pass to `after` to page from here.
    pub cursor: String,
    /// The opportunity.
    pub node: OpportunityNode,
}

/// A page of opportunities, soonest to close first.
pub struct OpportunityConnection(pub(super) Page<Opportunity>);

/// The cursor of an opportunity in a list: its close day and id.
pub(super) fn cursor_of(o: &Opportunity) -> String {
    ids::encode_cursor(&(o.data.expected_close_on, o.id.0))
}

#[Object]
impl OpportunityConnection {
    /// The opportunities of this page, each with its cursor.
    async fn edges(&self) -> Vec<OpportunityEdge> {
        self.0
            .items
            .iter()
            .map(|o| OpportunityEdge {
                cursor: cursor_of(o),
                node: OpportunityNode(o.clone()),
            })
            .collect()
    }
    /// The opportunities of this page.
    async fn nodes(&self) -> Vec<OpportunityNode> {
        self.0.items.iter().cloned().map(OpportunityNode).collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.0.has_next,
            has_previous_page: self.0.has_previous,
            start_cursor: self.0.items.first().map(cursor_of),
            end_cursor: self.0.items.last().map(cursor_of),
        }
    }
}

impl OpportunityConnection {
    /// `Account.opportunities`: the account's opportunities in `statuses` (all when empty),
    /// paged forwards, from the request's loader (one query for a page of accounts).
    pub(crate) async fn of_account(
        ctx: &Context<'_>,
        account: AccountId,
        statuses: Vec<OpportunityStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<OpportunityConnection> {
        let window = Paging::forwards(first, after)?.window(ids::decode_cursor)?;
        let after: Option<(NaiveDate, Uuid)> = window.after;
        let statuses: Vec<tandem_domain::opportunity::OpportunityStatus> =
            statuses.into_iter().map(Into::into).collect();
        let rows: Vec<Opportunity> = loaders(ctx)?
            .opportunities()
            .load_one(account)
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|o| statuses.is_empty() || statuses.contains(&o.status))
            .filter(|o| after.is_none_or(|k| (o.data.expected_close_on, o.id.0) > k))
            .take(window.limit as usize + 1)
            .collect();
        Ok(OpportunityConnection(Page::from_rows(rows, &window)))
    }
}
