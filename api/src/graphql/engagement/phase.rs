//! The phase object type and the values it carries: milestones, scope items, slippage.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use std::sync::Arc;
use tandem_domain::engagement::{self as rules, Milestone, Phase, PhaseScopeItem};
use tandem_domain::ids::{EngagementId, PhaseId};

use super::node::EngagementNode;
use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::loaders;
use crate::graphql::enums::{FocusKind, PhaseStatus};
use crate::graphql::ids::{self, Kind};
use crate::graphql::plain::{Plain, value};
use crate::graphql::scalars::Date;

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
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)",
        deprecation = "A phase serves several goals: read `goals`."
    )]
    async fn goal(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::success::GoalNode>> {
        let Some(goal) = self.0.goal_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .goal()
            .load_one(goal)
            .await?
            .map(crate::graphql::success::GoalNode))
    }
    /// The success-plan goals of its account whose value it should deliver (`linkPhaseGoals`),
    /// by id. Not for INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)"
    )]
    async fn goals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::success::GoalNode>> {
        Ok(loaders(ctx)?
            .phase_goals()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::success::GoalNode)
            .collect())
    }
    /// The part of a published catalog-model version the phase moves, with the products and
    /// variants in it, how many are marked migrated, and what a newer version changes in it;
    /// null until `setPhaseCatalogScope`.
    async fn catalog_scope(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::catalog_scope::PhaseCatalogScopeNode>> {
        Ok(crate::graphql::catalog_scope::PhaseCatalogScopeNode::of_phase(ctx, self.0.id).await?)
    }
    /// The value it realised, as the team recorded it on acceptance or after
    /// (`recordRealisedValue`); set against `expectedValue`, the value it promised.
    async fn realised_value(&self) -> Option<&str> {
        self.0.realised_value.as_deref()
    }
    /// What followed its acceptance on the account — health, goals, MRR movements — as
    /// comparisons over time, not causal claims; null until the customer accepts it. Not for
    /// INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)"
    )]
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::outcome::PhaseOutcomeNode>> {
        let Some(accepted_on) = self.0.accepted_on else {
            return Ok(None);
        };
        let engagement = loaders(ctx)?
            .engagements()
            .load_one(self.0.engagement_id)
            .await?
            .ok_or_else(|| ApiError::not_found("the phase's engagement no longer exists"))?;
        Ok(Some(crate::graphql::outcome::PhaseOutcomeNode(
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
    ) -> async_graphql::Result<Vec<crate::graphql::timesheet::AllocationNode>> {
        crate::graphql::timesheet::AllocationNode::of_phase(ctx, self.0.id).await
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

impl From<MilestoneValue> for Milestone {
    fn from(m: MilestoneValue) -> Self {
        Milestone {
            name: m.name,
            due: m.due.map(|d| d.0),
            done_on: m.done_on.map(|d| d.0),
        }
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
