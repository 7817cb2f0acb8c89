//! Engagements and phases in the API.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tandem_domain::engagement::{
    self as rules, Engagement, EngagementPatch, Milestone, NewEngagement, NewPhase, Phase,
    PhasePatch, PhaseScopeItem,
};
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, TeamMemberId};
use tandem_persistence::engagement::EngagementFilter;
use tandem_persistence::page::Page;

use super::account::AccountNode;
use super::common::context::{loaders, parts};
use super::common::input::{bounded_ids, patch};
use super::common::paging::{PageInfo, Paging};
use super::enums::{EngagementKind, EngagementStatus, FocusKind, PhaseStatus};
use super::ids::{self, Kind};
use super::plain::{FastList, Plain, value};
use super::scalars::Date;
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service;

/// A piece of services work for an account, run in phases.
pub struct EngagementNode(pub Engagement);

/// How far an engagement has come.
#[derive(SimpleObject)]
pub struct EngagementProgress {
    /// Phases the customer has accepted.
    pub accepted_phases: i32,
    /// All phases.
    pub total_phases: i32,
    /// Accepted phases as a share of all phases, 0 to 1 (0 without phases).
    pub by_count: f64,
    /// Accepted phases as a share of all phases weighted by their estimated in-scope hours in
    /// the engagement's SOWs, 0 to 1; null while no scope item is booked to a phase.
    pub by_budget_weight: Option<f64>,
}

impl EngagementNode {
    async fn phase_list(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        Ok(loaders(ctx)?
            .phases()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

impl Plain for EngagementNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let e = &self.0;
        match name {
            "id" => value(ids::encode(Kind::Engagement, e.id.0)),
            "version" => value(e.version),
            "name" => value(e.data.name.clone()),
            "kind" => value(EngagementKind::from(e.data.kind)),
            "sourcePlatform" => value(e.data.source_platform.clone()),
            "targetPlatform" => value(e.data.target_platform.clone()),
            "description" => value(e.data.description.clone()),
            "plannedStart" => value(e.data.planned_start.map(Date)),
            "status" => value(EngagementStatus::from(e.status)),
            "templateVersion" => value(e.template.map(|t| t.version)),
            "createdAt" => value(e.created_at),
            "updatedAt" => value(e.updated_at),
            _ => None,
        }
    }
}

#[Object(name = "Engagement")]
impl EngagementNode {
    /// The engagement's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Engagement, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The account it serves.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountNode> {
        loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map(AccountNode)
            .ok_or_else(|| ApiError::not_found("the engagement's account no longer exists").into())
    }
    /// A short name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// What kind of work it is.
    async fn kind(&self) -> EngagementKind {
        self.0.data.kind.into()
    }
    /// The platform the merchant leaves.
    async fn source_platform(&self) -> Option<&str> {
        self.0.data.source_platform.as_deref()
    }
    /// The platform the merchant moves to.
    async fn target_platform(&self) -> Option<&str> {
        self.0.data.target_platform.as_deref()
    }
    /// The services lead.
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(lead) = self.0.data.lead_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(lead)
            .await?
            .map(TeamMemberNode))
    }
    /// What the engagement is for.
    async fn description(&self) -> Option<&str> {
        self.0.data.description.as_deref()
    }
    /// When work is planned to start.
    async fn planned_start(&self) -> Option<Date> {
        self.0.data.planned_start.map(Date)
    }
    /// Where it stands.
    async fn status(&self) -> EngagementStatus {
        self.0.status.into()
    }
    /// Its phases, in order.
    async fn phases(&self, ctx: &Context<'_>) -> async_graphql::Result<FastList<PhaseNode>> {
        // A phase's own dependencies are read by `dependsOn` and `blockedBy` only; without
        // them, the phases come from a loader that leaves them out (one query less), and when
        // nothing but a phase's heads or outline is asked for, from one that reads only those.
        let shown = ctx.look_ahead();
        let asks_only = |fields: &[&str]| {
            ctx.field()
                .selection_set()
                .all(|f| fields.contains(&f.name()))
        };
        let phases = if asks_only(PHASE_HEAD) {
            loaders(ctx)?
                .phase_heads()
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
        } else if asks_only(PHASE_OUTLINE) {
            loaders(ctx)?
                .phase_outlines()
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
        } else if shown.field("dependsOn").exists() || shown.field("blockedBy").exists() {
            self.phase_list(ctx).await?
        } else {
            loaders(ctx)?
                .phases_without_dependencies()
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
        };
        Ok(phases.iter().cloned().map(PhaseNode).collect())
    }
    /// Accepted phases against all phases.
    async fn progress(&self, ctx: &Context<'_>) -> async_graphql::Result<EngagementProgress> {
        let phases = self.phase_list(ctx).await?;
        let sows = loaders(ctx)?
            .sows_by_engagement()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let p = tandem_domain::engagement_progress::engagement_progress(&phases, &sows);
        Ok(EngagementProgress {
            accepted_phases: p.accepted_phases as i32,
            total_phases: p.total_phases as i32,
            by_count: p.by_count,
            by_budget_weight: p.by_budget_weight,
        })
    }
    /// Its statements of work, oldest first.
    async fn sows(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::sow::SowNode>> {
        Ok(loaders(ctx)?
            .sows_by_engagement()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(super::sow::SowNode)
            .collect())
    }
    /// Planned phases whose dependencies are all delivered: what can start next.
    async fn next_startable_phases(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PhaseNode>> {
        let phases = self.phase_list(ctx).await?;
        Ok(rules::next_startable(&phases)
            .into_iter()
            .cloned()
            .map(PhaseNode)
            .collect())
    }
    /// The latest any phase is, in days, against its planned delivery (negative: early; null
    /// without planned dates).
    async fn slippage_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        let today = Utc::now().date_naive();
        Ok(self
            .phase_list(ctx)
            .await?
            .iter()
            .filter_map(|p| p.slippage(today).end_days)
            .max())
    }
    /// The template it was made from (`createEngagementFromTemplate`), even if archived since;
    /// null for an engagement scoped by hand.
    async fn template(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::template::EngagementTemplateNode>> {
        let Some(t) = self.0.template else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .templates()
            .load_one(t.id)
            .await?
            .map(super::template::EngagementTemplateNode))
    }
    /// The version of the template it was made from.
    async fn template_version(&self) -> Option<i32> {
        self.0.template.map(|t| t.version)
    }
    /// Its baselines, newest first, each held against the plan now.
    async fn baselines(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::template::BaselineNode>> {
        Ok(loaders(ctx)?
            .baselines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(super::template::BaselineNode)
            .collect())
    }
    /// What it delivered and what followed: time to first value, approved hours and their T&M
    /// share, and the account's MRR movements in the 90 days after its accepted phases (each
    /// counted once) — comparisons over time, not causal claims. Not for INTEGRATION.
    #[graphql(guard = "super::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)")]
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::engagement_outcome::EngagementOutcomeNode>> {
        Ok(super::engagement_outcome::of(ctx, self.0.id).await?)
    }
    /// When it was scoped.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A checkpoint inside a phase.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "MilestoneInput")]
pub struct MilestoneValue {
    /// What is reached.
    pub name: String,
    /// When it is due.
    pub due: Option<Date>,
    /// When it was reached.
    pub done_on: Option<Date>,
}

impl From<MilestoneValue> for Milestone {
    fn from(m: MilestoneValue) -> Self {
        Milestone {
            name: m.name,
            due: m.due.map(|d| d.0),
            done_on: m.done_on.map(|d| d.0),
        }
    }
}

/// A deliverable of a phase and the hours it is estimated to take.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "PhaseScopeItem", input_name = "PhaseScopeItemInput")]
pub struct PhaseScopeItemValue {
    /// What is delivered.
    pub deliverable: String,
    /// The hours it is estimated to take (more than 0, up to two decimals).
    pub estimated_hours: f64,
}

impl PhaseScopeItemValue {
    /// Scope items as typed; `field` is the list's input path.
    pub(crate) fn into_domain(
        field: &str,
        list: Vec<PhaseScopeItemValue>,
    ) -> ApiResult<Vec<PhaseScopeItem>> {
        list.into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(PhaseScopeItem {
                    deliverable: s.deliverable,
                    estimated_hours: tandem_domain::hours::Hours::from_decimal(
                        &format!("{field}[{i}].estimatedHours"),
                        s.estimated_hours,
                    )?,
                })
            })
            .collect()
    }
}

impl From<&PhaseScopeItem> for PhaseScopeItemValue {
    fn from(s: &PhaseScopeItem) -> Self {
        PhaseScopeItemValue {
            deliverable: s.deliverable.clone(),
            estimated_hours: s.estimated_hours.as_decimal(),
        }
    }
}

/// Days late against plan (negative: early).
#[derive(SimpleObject)]
pub struct PhaseSlippage {
    /// Actual start (or today, while overdue) minus planned start; null without a plan.
    pub start_days: Option<i64>,
    /// Delivery (or today, while overdue) minus planned end; null without a plan.
    pub end_days: Option<i64>,
}

/// One step of an engagement: a product line or a problem at a time.
pub struct PhaseNode(pub Phase);

/// The fields of a phase that its heads answer (`heads_of_engagements` reads only the columns
/// behind them).
const PHASE_HEAD: &[&str] = &["__typename", "id", "version", "position", "name", "status"];

/// The fields of a phase that its outline answers (`outlines_of_engagements` reads only the
/// columns behind them).
const PHASE_OUTLINE: &[&str] = &[
    "__typename",
    "id",
    "version",
    "position",
    "name",
    "focusKind",
    "focus",
    "status",
    "plannedStart",
    "plannedEnd",
    "actualStart",
    "actualEnd",
    "acceptedOn",
];

impl PhaseNode {
    /// The phase `phase` of `engagement`, through the request's loader; `None` when either is
    /// missing or the engagement has no such phase.
    pub(crate) async fn named(
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
}

impl PhaseNode {
    async fn siblings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        Ok(loaders(ctx)?
            .phases()
            .load_one(self.0.engagement_id)
            .await?
            .unwrap_or_default())
    }
}

impl Plain for PhaseNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let p = &self.0;
        match name {
            "id" => value(ids::encode(Kind::Phase, p.id.0)),
            "version" => value(p.version),
            "position" => value(p.position),
            "name" => value(p.data.name.clone()),
            "focusKind" => value(FocusKind::from(p.data.focus_kind)),
            "focus" => value(p.data.focus.clone()),
            "objective" => value(p.data.objective.clone()),
            "expectedValue" => value(p.data.expected_value.clone()),
            "realisedValue" => value(p.realised_value.clone()),
            "status" => value(PhaseStatus::from(p.status)),
            "plannedStart" => value(p.data.planned_start.map(Date)),
            "plannedEnd" => value(p.data.planned_end.map(Date)),
            "actualStart" => value(p.actual_start.map(Date)),
            "actualEnd" => value(p.actual_end.map(Date)),
            "acceptedOn" => value(p.accepted_on.map(Date)),
            _ => None,
        }
    }
}

#[Object(name = "Phase")]
impl PhaseNode {
    /// The phase's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Phase, self.0.id.0)
    }
    /// The first (by id) of the success-plan goals it serves. Not for INTEGRATION.
    #[graphql(
        guard = "super::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)",
        deprecation = "A phase serves several goals: read `goals`."
    )]
    async fn goal(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::success::GoalNode>> {
        let Some(goal) = self.0.goal_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .goal()
            .load_one(goal)
            .await?
            .map(super::success::GoalNode))
    }
    /// The success-plan goals of its account whose value it should deliver (`linkPhaseGoals`),
    /// by id. Not for INTEGRATION.
    #[graphql(guard = "super::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)")]
    async fn goals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::success::GoalNode>> {
        Ok(loaders(ctx)?
            .phase_goals()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(super::success::GoalNode)
            .collect())
    }
    /// The part of a published catalog-model version the phase moves, with the products and
    /// variants in it, how many are marked migrated, and what a newer version changes in it;
    /// null until `setPhaseCatalogScope`.
    async fn catalog_scope(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::catalog_scope::PhaseCatalogScopeNode>> {
        Ok(super::catalog_scope::PhaseCatalogScopeNode::of_phase(ctx, self.0.id).await?)
    }
    /// The value it realised, as the team recorded it on acceptance or after
    /// (`recordRealisedValue`); set against `expectedValue`, the value it promised.
    async fn realised_value(&self) -> Option<&str> {
        self.0.realised_value.as_deref()
    }
    /// What followed its acceptance on the account — health, goals, MRR movements — as
    /// comparisons over time, not causal claims; null until the customer accepts it. Not for
    /// INTEGRATION.
    #[graphql(guard = "super::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)")]
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::outcome::PhaseOutcomeNode>> {
        let Some(accepted_on) = self.0.accepted_on else {
            return Ok(None);
        };
        let engagement = loaders(ctx)?
            .engagements()
            .load_one(self.0.engagement_id)
            .await?
            .ok_or_else(|| ApiError::not_found("the phase's engagement no longer exists"))?;
        Ok(Some(super::outcome::PhaseOutcomeNode(
            tandem_domain::outcome::AcceptedPhase {
                phase: self.0.id,
                account: engagement.account_id,
                accepted_on,
            },
        )))
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<EngagementNode> {
        loaders(ctx)?
            .engagements()
            .load_one(self.0.engagement_id)
            .await?
            .map(EngagementNode)
            .ok_or_else(|| ApiError::not_found("the phase's engagement no longer exists").into())
    }
    /// Its place in the engagement, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// A short name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// Whether it is organised around a product line or a problem.
    async fn focus_kind(&self) -> FocusKind {
        self.0.data.focus_kind.into()
    }
    /// The product line or the problem.
    async fn focus(&self) -> &str {
        &self.0.data.focus
    }
    /// What it sets out to do.
    async fn objective(&self) -> Option<&str> {
        self.0.data.objective.as_deref()
    }
    /// The value it should deliver.
    async fn expected_value(&self) -> Option<&str> {
        self.0.data.expected_value.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> PhaseStatus {
        self.0.status.into()
    }
    /// Planned start.
    async fn planned_start(&self) -> Option<Date> {
        self.0.data.planned_start.map(Date)
    }
    /// Planned delivery.
    async fn planned_end(&self) -> Option<Date> {
        self.0.data.planned_end.map(Date)
    }
    /// When work started.
    async fn actual_start(&self) -> Option<Date> {
        self.0.actual_start.map(Date)
    }
    /// When it was delivered.
    async fn actual_end(&self) -> Option<Date> {
        self.0.actual_end.map(Date)
    }
    /// When the customer accepted it.
    async fn accepted_on(&self) -> Option<Date> {
        self.0.accepted_on.map(Date)
    }
    /// Checkpoints inside the phase.
    async fn milestones(&self) -> Vec<MilestoneValue> {
        self.0
            .data
            .milestones
            .iter()
            .map(|m| MilestoneValue {
                name: m.name.clone(),
                due: m.due.map(Date),
                done_on: m.done_on.map(Date),
            })
            .collect()
    }
    /// The people allocated to it, by start date.
    async fn allocations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::timesheet::AllocationNode>> {
        super::timesheet::AllocationNode::of_phase(ctx, self.0.id).await
    }
    /// Its deliverables and their estimated hours.
    async fn scope(&self) -> Vec<PhaseScopeItemValue> {
        self.0
            .data
            .scope
            .iter()
            .map(PhaseScopeItemValue::from)
            .collect()
    }
    /// The hours it is planned to take: the sum of its scope's estimated hours.
    async fn planned_hours(&self) -> f64 {
        self.0.data.planned_hours().as_decimal()
    }
    /// The phases it depends on.
    async fn depends_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseNode>> {
        Ok(self
            .siblings(ctx)
            .await?
            .iter()
            .filter(|p| self.0.depends_on.contains(&p.id))
            .cloned()
            .map(PhaseNode)
            .collect())
    }
    /// The phases it depends on that are not delivered yet: what stops it from starting.
    async fn blocked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseNode>> {
        let siblings = self.siblings(ctx).await?;
        Ok(rules::blockers(&self.0, &siblings)
            .into_iter()
            .cloned()
            .map(PhaseNode)
            .collect())
    }
    /// Days late against plan.
    async fn slippage(&self) -> PhaseSlippage {
        let s = self.0.slippage(Utc::now().date_naive());
        PhaseSlippage {
            start_days: s.start_days,
            end_days: s.end_days,
        }
    }
}

/// Which engagements a list shows; every criterion narrows it.
#[derive(InputObject, Default)]
#[graphql(name = "EngagementFilter")]
pub struct EngagementFilterInput {
    /// On any of these accounts.
    pub account_ids: Option<Vec<ID>>,
    /// In any of these statuses.
    pub statuses: Option<Vec<EngagementStatus>>,
    /// Of any of these kinds.
    pub kinds: Option<Vec<EngagementKind>>,
    /// Led by any of these team members.
    pub lead_ids: Option<Vec<ID>>,
}

impl EngagementFilterInput {
    fn into_filter(self) -> ApiResult<EngagementFilter> {
        Ok(EngagementFilter {
            account_ids: bounded_ids(
                "filter.accountIds",
                Kind::Account,
                self.account_ids,
                AccountId,
            )?,
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            lead_ids: bounded_ids(
                "filter.leadIds",
                Kind::TeamMember,
                self.lead_ids,
                TeamMemberId,
            )?,
        })
    }
}

/// One engagement in a list.
#[derive(SimpleObject)]
pub struct EngagementEdge {
    /// Pass to `after` or `before` to page from here.
    pub cursor: String,
    /// The engagement.
    pub node: EngagementNode,
}

/// A page of engagements, oldest first.
pub struct EngagementConnection {
    page: Page<Engagement>,
    filter: EngagementFilter,
}

fn cursor(e: &Engagement) -> String {
    ids::encode_cursor(&e.id.0)
}

#[Object]
impl EngagementConnection {
    /// The engagements of this page, each with its cursor.
    async fn edges(&self) -> Vec<EngagementEdge> {
        self.page
            .items
            .iter()
            .map(|e| EngagementEdge {
                cursor: cursor(e),
                node: EngagementNode(e.clone()),
            })
            .collect()
    }
    /// The engagements of this page.
    async fn nodes(&self) -> Vec<EngagementNode> {
        self.page
            .items
            .iter()
            .cloned()
            .map(EngagementNode)
            .collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(cursor),
            end_cursor: self.page.items.last().map(cursor),
        }
    }
    /// How many engagements match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(service::engagement::count(s, who, &self.filter).await? as i64)
    }
}

#[derive(Default)]
pub struct EngagementQuery;

#[Object]
impl EngagementQuery {
    /// The engagement with this id, or `null`.
    async fn engagement(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<EngagementNode>> {
        let (s, who) = parts(ctx)?;
        let id = EngagementId(ids::decode(Kind::Engagement, &id, "id")?);
        Ok(service::engagement::get(s, who, id)
            .await?
            .map(EngagementNode))
    }

    /// The phase with this id, or `null`.
    async fn phase(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<PhaseNode>> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &id, "id")?);
        Ok(service::engagement::get_phase(s, who, id)
            .await?
            .map(PhaseNode))
    }

    /// Engagements across accounts, oldest first, for the services team: filter by account,
    /// status, kind or lead. At most 100 per page.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1"
    )]
    async fn engagements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<EngagementFilterInput>,
    ) -> async_graphql::Result<EngagementConnection> {
        let (s, who) = parts(ctx)?;
        let window = Paging::parse(first, after, last, before)?.by_id()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page = service::engagement::list(s, who, &filter, &window).await?;
        Ok(EngagementConnection { page, filter })
    }
}

/// A new engagement on an account.
#[derive(InputObject)]
pub struct CreateEngagementInput {
    /// The account's id.
    pub account_id: ID,
    /// A short name.
    pub name: String,
    /// What kind of work it is.
    #[graphql(default_with = "EngagementKind::Replatforming")]
    pub kind: EngagementKind,
    /// The platform the merchant leaves.
    pub source_platform: Option<String>,
    /// The platform the merchant moves to.
    pub target_platform: Option<String>,
    /// The services lead's id.
    pub lead_id: Option<ID>,
    /// What the engagement is for.
    pub description: Option<String>,
    /// When work is planned to start.
    pub planned_start: Option<Date>,
}

/// A change to an engagement's fields. Absent fields stay; `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateEngagementInput {
    /// The engagement's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new kind.
    pub kind: Option<EngagementKind>,
    /// A new source platform, or `null`.
    pub source_platform: MaybeUndefined<String>,
    /// A new target platform, or `null`.
    pub target_platform: MaybeUndefined<String>,
    /// A new lead's id, or `null`.
    pub lead_id: MaybeUndefined<ID>,
    /// A new description, or `null`.
    pub description: MaybeUndefined<String>,
    /// A new planned start, or `null`.
    pub planned_start: MaybeUndefined<Date>,
}

/// A status change for an engagement.
#[derive(InputObject)]
pub struct ChangeEngagementStatusInput {
    /// The engagement's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The status to move to.
    pub status: EngagementStatus,
}

/// A new phase, added at the end of its engagement.
#[derive(InputObject)]
pub struct AddPhaseInput {
    /// The engagement's id.
    pub engagement_id: ID,
    /// A short name.
    pub name: String,
    /// Whether it is organised around a product line or a problem.
    #[graphql(default_with = "FocusKind::ProductLine")]
    pub focus_kind: FocusKind,
    /// The product line or the problem.
    pub focus: String,
    /// What it sets out to do.
    pub objective: Option<String>,
    /// The value it should deliver.
    pub expected_value: Option<String>,
    /// Planned start.
    pub planned_start: Option<Date>,
    /// Planned delivery.
    pub planned_end: Option<Date>,
    /// Checkpoints.
    #[graphql(default)]
    pub milestones: Vec<MilestoneValue>,
    /// Phases of the same engagement this one depends on.
    #[graphql(default)]
    pub depends_on: Vec<ID>,
    /// Its deliverables and their estimated hours (its planned hours are their sum).
    #[graphql(default)]
    pub scope: Vec<PhaseScopeItemValue>,
}

/// A change to a phase's fields. Absent fields stay; `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdatePhaseInput {
    /// The phase's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new focus kind.
    pub focus_kind: Option<FocusKind>,
    /// A new focus.
    pub focus: Option<String>,
    /// A new objective, or `null`.
    pub objective: MaybeUndefined<String>,
    /// A new expected value, or `null`.
    pub expected_value: MaybeUndefined<String>,
    /// A new planned start, or `null`.
    pub planned_start: MaybeUndefined<Date>,
    /// A new planned delivery, or `null`.
    pub planned_end: MaybeUndefined<Date>,
    /// The full new list of milestones.
    pub milestones: Option<Vec<MilestoneValue>>,
    /// The full new list of scope items.
    pub scope: Option<Vec<PhaseScopeItemValue>>,
}

/// A status change for a phase.
#[derive(InputObject)]
pub struct ChangePhaseStatusInput {
    /// The phase's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The status to move to.
    pub status: PhaseStatus,
    /// The day it happened (today when absent; never in the future).
    pub on: Option<Date>,
    /// With a move to ACCEPTED only: the value the phase realised (1 to 2,000 characters).
    pub realised_value: Option<String>,
}

/// A new set of success-plan goals for a phase.
#[derive(InputObject)]
pub struct LinkPhaseGoalsInput {
    /// The phase's id.
    pub phase_id: ID,
    /// The version you read.
    pub version: i32,
    /// Goals of the engagement's account (replacing the old set; empty clears it).
    pub goal_ids: Vec<ID>,
}

/// The value an accepted phase realised.
#[derive(InputObject)]
pub struct RecordRealisedValueInput {
    /// The phase's id.
    pub phase_id: ID,
    /// The version you read.
    pub version: i32,
    /// What it realised (1 to 2,000 characters), replacing what was recorded before.
    pub realised_value: String,
}

/// A new set of dependencies for a phase.
#[derive(InputObject)]
pub struct SetPhaseDependenciesInput {
    /// The phase's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The phases of the same engagement it depends on (replacing the old set).
    pub depends_on: Vec<ID>,
}

/// A new place for a phase.
#[derive(InputObject)]
pub struct MovePhaseInput {
    /// The phase's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The new position, from 1; beyond the end means last.
    pub position: i32,
}

/// The result of an engagement mutation.
#[derive(SimpleObject)]
pub struct EngagementPayload {
    /// The engagement as it is now.
    pub engagement: EngagementNode,
}

/// The result of a phase mutation.
#[derive(SimpleObject)]
pub struct PhasePayload {
    /// The phase as it is now.
    pub phase: PhaseNode,
}

/// The result of `movePhase`.
#[derive(SimpleObject)]
pub struct MovePhasePayload {
    /// The engagement's phases in their new order.
    pub phases: Vec<PhaseNode>,
}

fn phase_ids(field: &str, ids: &[ID]) -> ApiResult<Vec<PhaseId>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| ids::decode(Kind::Phase, id, &format!("{field}[{i}]")).map(PhaseId))
        .collect()
}

#[derive(Default)]
pub struct EngagementMutation;

#[Object]
impl EngagementMutation {
    /// Scopes an engagement on an account, in PLANNED. Needs SERVICES or ADMIN.
    async fn create_engagement(
        &self,
        ctx: &Context<'_>,
        input: CreateEngagementInput,
    ) -> async_graphql::Result<EngagementPayload> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let new = NewEngagement {
            name: input.name,
            kind: input.kind.into(),
            source_platform: input.source_platform,
            target_platform: input.target_platform,
            lead_id: input
                .lead_id
                .map(|id| ids::decode(Kind::TeamMember, &id, "input.leadId").map(TeamMemberId))
                .transpose()?,
            description: input.description,
            planned_start: input.planned_start.map(|d| d.0),
        };
        let e = service::engagement::create(s, who, account, new)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(EngagementPayload {
            engagement: EngagementNode(e),
        })
    }

    /// Changes an engagement's fields. Needs SERVICES or ADMIN.
    async fn update_engagement(
        &self,
        ctx: &Context<'_>,
        input: UpdateEngagementInput,
    ) -> async_graphql::Result<EngagementPayload> {
        let (s, who) = parts(ctx)?;
        let id = EngagementId(ids::decode(Kind::Engagement, &input.id, "input.id")?);
        let change = EngagementPatch {
            name: input.name,
            kind: input.kind.map(Into::into),
            source_platform: patch(input.source_platform, Ok)?,
            target_platform: patch(input.target_platform, Ok)?,
            lead_id: patch(input.lead_id, |id| {
                ids::decode(Kind::TeamMember, &id, "input.leadId").map(TeamMemberId)
            })?,
            description: patch(input.description, Ok)?,
            planned_start: patch(input.planned_start, |d| Ok(d.0))?,
        };
        let e = service::engagement::update(s, who, id, input.version, change)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(EngagementPayload {
            engagement: EngagementNode(e),
        })
    }

    /// Moves an engagement to another status; illegal moves are refused naming both statuses.
    /// Needs SERVICES or ADMIN.
    async fn change_engagement_status(
        &self,
        ctx: &Context<'_>,
        input: ChangeEngagementStatusInput,
    ) -> async_graphql::Result<EngagementPayload> {
        let (s, who) = parts(ctx)?;
        let id = EngagementId(ids::decode(Kind::Engagement, &input.id, "input.id")?);
        let e = service::engagement::change_status(s, who, id, input.version, input.status.into())
            .await
            .map_err(|e| e.under("input"))?;
        Ok(EngagementPayload {
            engagement: EngagementNode(e),
        })
    }

    /// Adds a phase at the end of an open engagement. Needs SERVICES or ADMIN.
    async fn add_phase(
        &self,
        ctx: &Context<'_>,
        input: AddPhaseInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let engagement = EngagementId(ids::decode(
            Kind::Engagement,
            &input.engagement_id,
            "input.engagementId",
        )?);
        let depends_on = phase_ids("input.dependsOn", &input.depends_on)?;
        let new = NewPhase {
            name: input.name,
            focus_kind: input.focus_kind.into(),
            focus: input.focus,
            objective: input.objective,
            expected_value: input.expected_value,
            planned_start: input.planned_start.map(|d| d.0),
            planned_end: input.planned_end.map(|d| d.0),
            milestones: input.milestones.into_iter().map(Into::into).collect(),
            scope: PhaseScopeItemValue::into_domain("input.scope", input.scope)?,
        };
        let p = service::engagement::add_phase(s, who, engagement, new, depends_on)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Replaces the success-plan goals a phase serves (goals of the engagement's account; an
    /// empty list clears them). A goal of another account is refused naming
    /// `input.goalIds[i]`. Needs SERVICES or ADMIN.
    async fn link_phase_goals(
        &self,
        ctx: &Context<'_>,
        input: LinkPhaseGoalsInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.phase_id, "input.phaseId")?);
        let goals = input
            .goal_ids
            .iter()
            .enumerate()
            .map(|(i, g)| {
                ids::decode(Kind::Goal, g, &format!("input.goalIds[{i}]"))
                    .map(tandem_domain::ids::GoalId)
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let p = service::engagement::link_phase_goals(s, who, id, input.version, goals)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Records (or corrects) the value an accepted phase realised; a PHASE_UPDATED event.
    /// Needs SERVICES or ADMIN.
    async fn record_realised_value(
        &self,
        ctx: &Context<'_>,
        input: RecordRealisedValueInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.phase_id, "input.phaseId")?);
        let p = service::engagement::record_realised_value(
            s,
            who,
            id,
            input.version,
            &input.realised_value,
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Adds a success-plan goal (of the same account) to those a phase serves, or unlinks them
    /// all with `goalId: null`. Needs SERVICES or ADMIN.
    #[graphql(deprecation = "Use `linkPhaseGoals`, which sets the whole list of goals.")]
    async fn link_phase_goal(
        &self,
        ctx: &Context<'_>,
        phase_id: ID,
        version: i32,
        goal_id: Option<ID>,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &phase_id, "phaseId")?);
        let goal = goal_id
            .as_ref()
            .map(|g| ids::decode(Kind::Goal, g, "goalId").map(tandem_domain::ids::GoalId))
            .transpose()?;
        let p = service::engagement::link_phase_goal(s, who, id, version, goal).await?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Changes a phase's fields. Needs SERVICES or ADMIN.
    async fn update_phase(
        &self,
        ctx: &Context<'_>,
        input: UpdatePhaseInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.id, "input.id")?);
        let change = PhasePatch {
            name: input.name,
            focus_kind: input.focus_kind.map(Into::into),
            focus: input.focus,
            objective: patch(input.objective, Ok)?,
            expected_value: patch(input.expected_value, Ok)?,
            planned_start: patch(input.planned_start, |d| Ok(d.0))?,
            planned_end: patch(input.planned_end, |d| Ok(d.0))?,
            milestones: input
                .milestones
                .map(|m| m.into_iter().map(Into::into).collect()),
            scope: input
                .scope
                .map(|list| PhaseScopeItemValue::into_domain("input.scope", list))
                .transpose()?,
        };
        let p = service::engagement::update_phase(s, who, id, input.version, change)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Moves a phase to another status: a phase starts only in an ACTIVE engagement and once the
    /// phases it depends on are delivered. Needs SERVICES or ADMIN.
    async fn change_phase_status(
        &self,
        ctx: &Context<'_>,
        input: ChangePhaseStatusInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.id, "input.id")?);
        let p = service::engagement::change_phase_status(
            s,
            who,
            id,
            input.version,
            input.status.into(),
            input.on.map(|d| d.0),
            input.realised_value,
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Replaces the phases a phase depends on; a cycle is refused. Needs SERVICES or ADMIN.
    async fn set_phase_dependencies(
        &self,
        ctx: &Context<'_>,
        input: SetPhaseDependenciesInput,
    ) -> async_graphql::Result<PhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.id, "input.id")?);
        let depends_on = phase_ids("input.dependsOn", &input.depends_on)?;
        let p = service::engagement::set_dependencies(s, who, id, input.version, depends_on)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(PhasePayload {
            phase: PhaseNode(p),
        })
    }

    /// Moves a phase to another position; the others close ranks. Needs SERVICES or ADMIN.
    async fn move_phase(
        &self,
        ctx: &Context<'_>,
        input: MovePhaseInput,
    ) -> async_graphql::Result<MovePhasePayload> {
        let (s, who) = parts(ctx)?;
        let id = PhaseId(ids::decode(Kind::Phase, &input.id, "input.id")?);
        if input.position < 1 {
            return Err(ApiError::invalid("input.position", "positions start at 1").into());
        }
        let order =
            service::engagement::move_phase(s, who, id, input.version, input.position as usize)
                .await?;
        Ok(MovePhasePayload {
            phases: order.into_iter().map(PhaseNode).collect(),
        })
    }
}
