//! Statements of work, change requests and time entries in the API. Money fields are hidden
//! from PRODUCT and VIEWER.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::engagement::Phase;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, ChangeRequestId, EngagementId, PhaseId, SowId, TeamMemberId};
use tandem_domain::money::{Currency, Money};
use tandem_domain::sow::{
    self as rules, ChangeRequest, LoggedTime, NewSow, NewTimeEntry, Rate, ScopeItem, Sow, TimeEntry,
};
use tandem_persistence::page::Page;
use tandem_persistence::sow::SowFilter;

use super::account::AccountNode;
use super::common::context::{Allowed, loaders, parts};
use super::common::input::bounded_ids;
use super::common::paging::{PageInfo, Paging};
use super::engagement::{EngagementNode, PhaseNode};
use super::enums::{ChangeRequestStatus, SowStatus, WorkKind};
use super::ids::{self, Kind};
use super::money::MoneyValue;
use super::scalars::{Date, Long};
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service;

fn money(minor: i64, currency: Currency) -> MoneyValue {
    Money::new(minor, currency).into()
}

/// A statement of work: a fixed-price scope with a T&M budget beside it.
pub struct SowNode(pub Sow);

/// A role and what one hour of it costs.
pub struct RateNode(Rate, Currency);

#[Object(name = "Rate")]
impl RateNode {
    /// The role.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// What one hour costs. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn hourly_rate(&self) -> Option<MoneyValue> {
        Some(money(self.0.hourly_rate, self.1))
    }
}

/// A fixed-price deliverable.
pub struct ScopeItemNode(ScopeItem, Option<EngagementId>);

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
        phase_of(ctx, self.1, self.0.phase_id).await
    }
}

async fn phase_of(
    ctx: &Context<'_>,
    engagement: Option<EngagementId>,
    phase: Option<PhaseId>,
) -> async_graphql::Result<Option<PhaseNode>> {
    let (Some(engagement), Some(phase)) = (engagement, phase) else {
        return Ok(None);
    };
    let phases: Arc<[Phase]> = loaders(ctx)?
        .phases()
        .load_one(engagement)
        .await?
        .unwrap_or_default();
    Ok(phases
        .iter()
        .find(|p| p.id == phase)
        .cloned()
        .map(PhaseNode))
}

/// The figures frozen when the SOW was signed.
pub struct BaselineNode(rules::Baseline, Currency);

#[Object(name = "SowBaseline")]
impl BaselineNode {
    /// The fixed price at signing. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn fixed_price(&self) -> Option<MoneyValue> {
        Some(money(self.0.fixed_price, self.1))
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
        self.0.tm_amount_cap.map(|a| money(a, self.1))
    }
}

/// A budget position: the SOW's, or one phase's share of it.
pub struct BudgetNode {
    figures: rules::BudgetFigures,
    currency: Currency,
}

#[Object(name = "BudgetFigures")]
impl BudgetNode {
    /// Estimated in-scope hours.
    async fn estimated_hours(&self) -> f64 {
        self.figures.estimated_hours.as_decimal()
    }
    /// In-scope hours logged.
    async fn in_scope_hours(&self) -> f64 {
        self.figures.in_scope_hours.as_decimal()
    }
    /// T&M hours logged.
    async fn tm_hours(&self) -> f64 {
        self.figures.tm_hours.as_decimal()
    }
    /// The value of the T&M hours at the rates they were logged at. Hidden from PRODUCT and
    /// VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn tm_amount(&self) -> Option<MoneyValue> {
        Some(money(self.figures.tm_amount, self.currency))
    }
    /// T&M used against its cap in percent (by amount when there is an amount cap, else by
    /// hours); null without a cap.
    async fn burn_percent(&self) -> Option<f64> {
        self.figures.burn_percent
    }
    /// T&M hours as a percentage of all hours logged: the scope-creep signal; null before any
    /// time is logged.
    async fn tm_share_percent(&self) -> Option<f64> {
        self.figures.tm_share_percent
    }
    /// In-scope hours at completion: logged hours plus the estimate of scope whose phase is not
    /// delivered yet.
    async fn forecast_in_scope_hours(&self) -> f64 {
        self.figures.forecast_in_scope_hours.as_decimal()
    }
}

/// One phase's share of a SOW's budget.
pub struct PhaseBudgetNode {
    phase: Option<PhaseId>,
    engagement: Option<EngagementId>,
    budget: BudgetNode,
}

#[Object(name = "PhaseBudget")]
impl PhaseBudgetNode {
    /// The phase; null for hours and scope not booked to a phase.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        phase_of(ctx, self.engagement, self.phase).await
    }
    /// The figures for that phase (burn is null: caps apply to the whole SOW).
    async fn budget(&self) -> &BudgetNode {
        &self.budget
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
        loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map(AccountNode)
            .ok_or_else(|| ApiError::not_found("the SOW's account no longer exists").into())
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
        Some(money(self.0.data.fixed_price, self.0.data.currency))
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
            .map(|a| money(a, self.0.data.currency))
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
pub struct ChangeRequestNode(pub ChangeRequest, Currency);

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
        Some(money(self.0.amount, self.1))
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

/// Hours logged against a SOW.
pub struct TimeEntryNode(
    pub(crate) TimeEntry,
    pub(crate) Currency,
    pub(crate) Option<EngagementId>,
);

#[Object(name = "TimeEntry")]
impl TimeEntryNode {
    /// The entry's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::TimeEntry, self.0.id.0)
    }
    /// Who worked.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        Ok(loaders(ctx)?
            .team_members()
            .load_one(self.0.team_member_id)
            .await?
            .map(TeamMemberNode))
    }
    /// In which role.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// On which phase.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        phase_of(ctx, self.2, self.0.phase_id).await
    }
    /// On which day.
    async fn worked_on(&self) -> Date {
        Date(self.0.worked_on)
    }
    /// How long.
    async fn hours(&self) -> f64 {
        self.0.hours.as_decimal()
    }
    /// In scope or T&M.
    async fn kind(&self) -> WorkKind {
        self.0.kind.into()
    }
    /// The hours at the role's rate when logged. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn amount(&self) -> Option<MoneyValue> {
        Some(money(self.0.amount, self.1))
    }
    /// What was done.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was logged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The weekly timesheet it is on; its hours count as burn once that is approved.
    async fn timesheet(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::timesheet::TimesheetNode>> {
        let Some(id) = self.0.timesheet_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .timesheets()
            .load_one(id)
            .await?
            .map(super::timesheet::TimesheetNode))
    }
}

/// One time entry in a page.
#[derive(SimpleObject)]
pub struct TimeEntryEdge {
    /// Pass to `after` to page from here.
    pub cursor: String,
    /// The entry.
    pub node: TimeEntryNode,
}

/// A page of time entries.
pub struct TimeEntryConnection {
    page: Page<TimeEntry>,
    currency: Currency,
    engagement: Option<EngagementId>,
}

#[Object]
impl TimeEntryConnection {
    /// The entries, each with its cursor.
    async fn edges(&self) -> Vec<TimeEntryEdge> {
        self.page
            .items
            .iter()
            .map(|t| TimeEntryEdge {
                cursor: ids::encode_cursor(&t.id.0),
                node: TimeEntryNode(t.clone(), self.currency, self.engagement),
            })
            .collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(|t| ids::encode_cursor(&t.id.0)),
            end_cursor: self.page.items.last().map(|t| ids::encode_cursor(&t.id.0)),
        }
    }
}

/// Which SOWs a list shows; every criterion narrows it.
#[derive(InputObject, Default)]
#[graphql(name = "SowFilter")]
pub struct SowFilterInput {
    /// With any of these accounts.
    pub account_ids: Option<Vec<ID>>,
    /// For any of these engagements.
    pub engagement_ids: Option<Vec<ID>>,
    /// In any of these statuses.
    pub statuses: Option<Vec<SowStatus>>,
}

/// One SOW in a list.
#[derive(SimpleObject)]
pub struct SowEdge {
    /// Pass to `after` or `before` to page from here.
    pub cursor: String,
    /// The SOW.
    pub node: SowNode,
}

/// A page of SOWs, oldest first.
pub struct SowConnection {
    page: Page<Sow>,
    filter: SowFilter,
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

#[derive(Default)]
pub struct SowQuery;

#[Object]
impl SowQuery {
    /// The SOW with this id, or `null`.
    async fn sow(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<SowNode>> {
        let (s, who) = parts(ctx)?;
        let id = SowId(ids::decode(Kind::Sow, &id, "id")?);
        Ok(service::sow::get(s, who, id).await?.map(SowNode))
    }

    /// SOWs across accounts, oldest first: filter by account, engagement or status.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1"
    )]
    async fn sows(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<SowFilterInput>,
    ) -> async_graphql::Result<SowConnection> {
        let (s, who) = parts(ctx)?;
        let window = Paging::parse(first, after, last, before)?.by_id()?;
        let f = filter.unwrap_or_default();
        let filter = SowFilter {
            account_ids: bounded_ids("filter.accountIds", Kind::Account, f.account_ids, AccountId)?,
            engagement_ids: bounded_ids(
                "filter.engagementIds",
                Kind::Engagement,
                f.engagement_ids,
                EngagementId,
            )?,
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let page = service::sow::list(s, who, &filter, &window).await?;
        Ok(SowConnection { page, filter })
    }
}

/// A role and its hourly rate.
#[derive(InputObject)]
pub struct RateInput {
    /// The role.
    pub role: String,
    /// What one hour costs, in the SOW currency's minor units.
    pub hourly_rate_minor: Long,
}

/// A fixed-price deliverable.
#[derive(InputObject)]
pub struct ScopeItemInput {
    /// What is delivered.
    pub deliverable: String,
    /// Estimated hours (up to two decimals).
    pub estimated_hours: f64,
    /// The phase of the SOW's engagement it belongs to.
    pub phase_id: Option<ID>,
}

/// The fields of a SOW: all of them, for a new SOW or to replace a draft's.
#[derive(InputObject)]
pub struct SowFieldsInput {
    /// A title.
    pub title: String,
    /// The ISO 4217 currency; USD when not given.
    pub currency: Option<String>,
    /// The fixed price of the scope, in minor units.
    pub fixed_price_minor: Long,
    /// Role → hourly rate.
    #[graphql(default)]
    pub rate_card: Vec<RateInput>,
    /// The fixed-price deliverables.
    #[graphql(default)]
    pub scope: Vec<ScopeItemInput>,
    /// The T&M hours cap.
    pub tm_hours_cap: Option<f64>,
    /// The T&M amount cap, in minor units.
    pub tm_amount_cap_minor: Option<Long>,
}

impl SowFieldsInput {
    fn into_domain(self) -> ApiResult<NewSow> {
        let scope = self
            .scope
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(ScopeItem {
                    deliverable: s.deliverable,
                    estimated_hours: Hours::from_decimal(
                        &format!("fields.scope[{i}].estimatedHours"),
                        s.estimated_hours,
                    )?,
                    phase_id: s
                        .phase_id
                        .map(|id| {
                            ids::decode(Kind::Phase, &id, &format!("fields.scope[{i}].phaseId"))
                                .map(PhaseId)
                        })
                        .transpose()?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(NewSow {
            title: self.title,
            currency: self.currency,
            fixed_price: self.fixed_price_minor.0,
            rate_card: self
                .rate_card
                .into_iter()
                .map(|r| Rate {
                    role: r.role,
                    hourly_rate: r.hourly_rate_minor.0,
                })
                .collect(),
            scope,
            tm_hours_cap: self
                .tm_hours_cap
                .map(|h| Hours::from_decimal("fields.tmHoursCap", h))
                .transpose()?,
            tm_amount_cap: self.tm_amount_cap_minor.map(|a| a.0),
        })
    }
}

/// A new SOW, in DRAFT.
#[derive(InputObject)]
pub struct CreateSowInput {
    /// The account's id.
    pub account_id: ID,
    /// The engagement it prices (of the same account).
    pub engagement_id: Option<ID>,
    /// Its fields.
    pub fields: SowFieldsInput,
}

/// New fields for a draft or proposed SOW (a signed one changes only through change requests).
#[derive(InputObject)]
pub struct UpdateSowInput {
    /// The SOW's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// Its new fields, replacing the old.
    pub fields: SowFieldsInput,
}

/// A status change for a SOW.
#[derive(InputObject)]
pub struct ChangeSowStatusInput {
    /// The SOW's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The status to move to.
    pub status: SowStatus,
}

/// A change request against a signed SOW's T&M budget.
#[derive(InputObject)]
pub struct RaiseChangeRequestInput {
    /// The SOW's id.
    pub sow_id: ID,
    /// Hours to add to (negative: take from) the T&M hours cap.
    #[graphql(default)]
    pub hours: f64,
    /// Amount to add to (negative: take from) the T&M amount cap, in minor units.
    #[graphql(default_with = "Long(0)")]
    pub amount_minor: Long,
    /// Why.
    pub reason: String,
}

/// A decision on a change request.
#[derive(InputObject)]
pub struct DecideChangeRequestInput {
    /// The change request's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// APPROVED or REJECTED.
    pub decision: ChangeRequestStatus,
}

/// Hours to log against a signed SOW.
#[derive(InputObject)]
pub struct LogTimeInput {
    /// The SOW's id.
    pub sow_id: ID,
    /// Who worked; the caller when absent (their token's subject must be a team member's id).
    pub team_member_id: Option<ID>,
    /// The role, from the SOW's rate card.
    pub role: String,
    /// The phase of the SOW's engagement worked on.
    pub phase_id: Option<ID>,
    /// The day; today when absent; never in the future.
    pub worked_on: Option<Date>,
    /// Hours, more than 0 and at most 24, up to two decimals.
    pub hours: f64,
    /// In scope or T&M.
    pub kind: WorkKind,
    /// What was done.
    pub note: Option<String>,
}

/// The result of a SOW mutation.
#[derive(SimpleObject)]
pub struct SowPayload {
    /// The SOW as it is now.
    pub sow: SowNode,
}

/// The result of a change-request mutation.
#[derive(SimpleObject)]
pub struct ChangeRequestPayload {
    /// The change request as it is now.
    pub change_request: ChangeRequestNode,
    /// Its SOW as it is now.
    pub sow: SowNode,
}

/// The result of `logTime`.
#[derive(SimpleObject)]
pub struct LogTimePayload {
    /// The new entry.
    pub time_entry: TimeEntryNode,
    /// Its SOW, with the budget figures as they are now.
    pub sow: SowNode,
}

#[derive(Default)]
pub struct SowMutation;

async fn reload(ctx: &Context<'_>, id: SowId) -> async_graphql::Result<Sow> {
    let (s, who) = parts(ctx)?;
    service::sow::get(s, who, id)
        .await?
        .ok_or_else(|| ApiError::not_found("the SOW no longer exists").into())
}

#[Object]
impl SowMutation {
    /// Drafts a SOW with an account, optionally for one of its engagements. Needs SERVICES or
    /// ADMIN.
    async fn create_sow(
        &self,
        ctx: &Context<'_>,
        input: CreateSowInput,
    ) -> async_graphql::Result<SowPayload> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let engagement = input
            .engagement_id
            .map(|id| ids::decode(Kind::Engagement, &id, "input.engagementId").map(EngagementId))
            .transpose()?;
        let fields = input.fields.into_domain().map_err(|e| e.under("input"))?;
        let sow = service::sow::create(s, who, account, engagement, fields)
            .await
            .map_err(|e| e.under("input.fields"))?;
        Ok(SowPayload { sow: SowNode(sow) })
    }

    /// Replaces a draft or proposed SOW's fields. Needs SERVICES or ADMIN.
    async fn update_sow(
        &self,
        ctx: &Context<'_>,
        input: UpdateSowInput,
    ) -> async_graphql::Result<SowPayload> {
        let (s, who) = parts(ctx)?;
        let id = SowId(ids::decode(Kind::Sow, &input.id, "input.id")?);
        let fields = input.fields.into_domain().map_err(|e| e.under("input"))?;
        let sow = service::sow::update(s, who, id, input.version, fields)
            .await
            .map_err(|e| e.under("input.fields"))?;
        Ok(SowPayload { sow: SowNode(sow) })
    }

    /// Moves a SOW to another status; signing freezes its original figures. Illegal moves are
    /// refused naming both statuses. Needs SERVICES or ADMIN.
    async fn change_sow_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeSowStatusInput,
    ) -> async_graphql::Result<SowPayload> {
        let (s, who) = parts(ctx)?;
        let id = SowId(ids::decode(Kind::Sow, &input.id, "input.id")?);
        let sow = service::sow::change_status(s, who, id, input.version, input.status.into())
            .await
            .map_err(|e| e.under("input"))?;
        Ok(SowPayload { sow: SowNode(sow) })
    }

    /// Raises a change request against a SIGNED or IN_DELIVERY SOW. Needs SERVICES or ADMIN.
    async fn raise_change_request(
        &self,
        ctx: &Context<'_>,
        input: RaiseChangeRequestInput,
    ) -> async_graphql::Result<ChangeRequestPayload> {
        let (s, who) = parts(ctx)?;
        let id = SowId(ids::decode(Kind::Sow, &input.sow_id, "input.sowId")?);
        let hours = Hours::from_decimal("input.hours", input.hours)?;
        let cr = service::sow::raise_change_request(
            s,
            who,
            id,
            hours,
            input.amount_minor.0,
            &input.reason,
        )
        .await
        .map_err(|e| e.under("input"))?;
        let sow = reload(ctx, id).await?;
        Ok(ChangeRequestPayload {
            change_request: ChangeRequestNode(cr, sow.data.currency),
            sow: SowNode(sow),
        })
    }

    /// Approves or rejects a proposed change request; approval moves the SOW's T&M caps. Needs
    /// SERVICES or ADMIN.
    async fn decide_change_request(
        &self,
        ctx: &Context<'_>,
        input: DecideChangeRequestInput,
    ) -> async_graphql::Result<ChangeRequestPayload> {
        let (s, who) = parts(ctx)?;
        let id = ChangeRequestId(ids::decode(Kind::ChangeRequest, &input.id, "input.id")?);
        let (cr, sow) =
            service::sow::decide_change_request(s, who, id, input.version, input.decision.into())
                .await
                .map_err(|e| e.under("input"))?;
        Ok(ChangeRequestPayload {
            change_request: ChangeRequestNode(cr, sow.data.currency),
            sow: SowNode(sow),
        })
    }

    /// Logs hours against a SIGNED or IN_DELIVERY SOW, priced at the role's rate. Needs SERVICES
    /// or ADMIN.
    async fn log_time(
        &self,
        ctx: &Context<'_>,
        input: LogTimeInput,
    ) -> async_graphql::Result<LogTimePayload> {
        let (s, who) = parts(ctx)?;
        let id = SowId(ids::decode(Kind::Sow, &input.sow_id, "input.sowId")?);
        let member = input
            .team_member_id
            .map(|m| ids::decode(Kind::TeamMember, &m, "input.teamMemberId").map(TeamMemberId))
            .transpose()?;
        let entry = NewTimeEntry {
            team_member_id: member.unwrap_or_default(),
            role: input.role,
            phase_id: input
                .phase_id
                .map(|p| ids::decode(Kind::Phase, &p, "input.phaseId").map(PhaseId))
                .transpose()?,
            worked_on: chrono::NaiveDate::MIN,
            hours: Hours::from_decimal("input.hours", input.hours)?,
            kind: input.kind.into(),
            note: input.note,
        };
        let entry = service::sow::log_time(s, who, id, member, entry, input.worked_on.map(|d| d.0))
            .await
            .map_err(|e| e.under("input"))?;
        let sow = reload(ctx, id).await?;
        Ok(LogTimePayload {
            time_entry: TimeEntryNode(entry, sow.data.currency, sow.engagement_id),
            sow: SowNode(sow),
        })
    }
}
