//! Engagement templates and baselines in the API.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tandem_domain::baseline::{self as rules, Baseline, PhaseVariance};
use tandem_domain::engagement::Phase;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, EngagementId, TeamMemberId, TemplateId};
use tandem_domain::template::{
    NewTemplate, Template, TemplateMilestone, TemplatePatch, TemplatePhase,
};

use super::common::context::{loaders, parts};
use super::common::input::patch;
use super::engagement::{EngagementNode, EngagementPayload, PhaseNode, PhaseScopeItemValue};
use super::enums::{EngagementKind, FocusKind};
use super::ids::{self, Kind};
use super::scalars::Date;
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::template::FromTemplate;

/// A reusable plan for an engagement: phases with their dependencies, milestones, scope and
/// estimated hours, in days relative to the engagement's start.
pub struct EngagementTemplateNode(pub Template);

#[Object(name = "EngagementTemplate")]
impl EngagementTemplateNode {
    /// The template's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::EngagementTemplate, self.0.id.0)
    }
    /// Bumped on every change; an engagement remembers the version it was made from.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its name, unique among the templates in use.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// The kind of engagement it makes.
    async fn kind(&self) -> EngagementKind {
        self.0.data.kind.into()
    }
    /// What it is for and when to use it.
    async fn description(&self) -> Option<&str> {
        self.0.data.description.as_deref()
    }
    /// Its phases, in order.
    async fn phases(&self) -> Vec<TemplatePhaseNode> {
        self.0
            .data
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| TemplatePhaseNode(i, p.clone()))
            .collect()
    }
    /// The hours it plans: the sum of its phases' scope.
    async fn planned_hours(&self) -> f64 {
        self.0.data.planned_hours().as_decimal()
    }
    /// How many days an engagement made from it spans, from its start to its last phase's end.
    async fn duration_days(&self) -> i32 {
        self.0
            .data
            .phases
            .iter()
            .map(|p| p.start_offset_days + p.duration_days)
            .max()
            .unwrap_or(0)
    }
    /// When it was archived; an archived template makes no more engagements.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One phase of a template.
pub struct TemplatePhaseNode(usize, TemplatePhase);

#[Object(name = "TemplatePhase")]
impl TemplatePhaseNode {
    /// Its 0-based place in the template: what `dependsOn` names.
    async fn index(&self) -> i32 {
        self.0 as i32
    }
    /// A short name.
    async fn name(&self) -> &str {
        &self.1.name
    }
    /// Whether it is organised around a product line or a problem.
    async fn focus_kind(&self) -> FocusKind {
        self.1.focus_kind.into()
    }
    /// The product line or the problem.
    async fn focus(&self) -> &str {
        &self.1.focus
    }
    /// What it sets out to do.
    async fn objective(&self) -> Option<&str> {
        self.1.objective.as_deref()
    }
    /// The value it should deliver.
    async fn expected_value(&self) -> Option<&str> {
        self.1.expected_value.as_deref()
    }
    /// Days after the engagement's start that it starts.
    async fn start_offset_days(&self) -> i32 {
        self.1.start_offset_days
    }
    /// How many days it lasts, first and last day included.
    async fn duration_days(&self) -> i32 {
        self.1.duration_days
    }
    /// Its checkpoints, each due some days after the phase starts.
    async fn milestones(&self) -> Vec<TemplateMilestoneValue> {
        self.1
            .milestones
            .iter()
            .map(|m| TemplateMilestoneValue {
                name: m.name.clone(),
                offset_days: m.offset_days,
            })
            .collect()
    }
    /// The indexes of the earlier phases it depends on.
    async fn depends_on(&self) -> Vec<i32> {
        self.1.depends_on.iter().map(|d| *d as i32).collect()
    }
    /// Its deliverables and their estimated hours.
    async fn scope(&self) -> Vec<PhaseScopeItemValue> {
        self.1.scope.iter().map(PhaseScopeItemValue::from).collect()
    }
    /// The hours it plans: the sum of its scope.
    async fn planned_hours(&self) -> f64 {
        self.1.planned_hours().as_decimal()
    }
}

/// A checkpoint inside a template phase.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "TemplateMilestone", input_name = "TemplateMilestoneInput")]
pub struct TemplateMilestoneValue {
    /// What is reached.
    pub name: String,
    /// Days after the phase's start (0 is its first day); within the phase.
    pub offset_days: i32,
}

/// One phase of a template, as typed.
#[derive(InputObject)]
pub struct TemplatePhaseInput {
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
    /// Days after the engagement's start that it starts (0 or more).
    #[graphql(default)]
    pub start_offset_days: i32,
    /// How many days it lasts, first and last day included (1 or more).
    pub duration_days: i32,
    /// Its checkpoints.
    #[graphql(default)]
    pub milestones: Vec<TemplateMilestoneValue>,
    /// The 0-based indexes of the earlier phases it depends on.
    #[graphql(default)]
    pub depends_on: Vec<i32>,
    /// Its deliverables and their estimated hours.
    #[graphql(default)]
    pub scope: Vec<PhaseScopeItemValue>,
}

/// The phases of a template as typed, with input paths under `phases`.
fn template_phases(list: Vec<TemplatePhaseInput>) -> ApiResult<Vec<TemplatePhase>> {
    list.into_iter()
        .enumerate()
        .map(|(i, p)| {
            let depends_on = p
                .depends_on
                .iter()
                .enumerate()
                .map(|(j, d)| {
                    usize::try_from(*d).map_err(|_| {
                        ApiError::invalid(
                            format!("phases[{i}].dependsOn[{j}]"),
                            format!("{d} is not a phase index; indexes start at 0"),
                        )
                    })
                })
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(TemplatePhase {
                name: p.name,
                focus_kind: p.focus_kind.into(),
                focus: p.focus,
                objective: p.objective,
                expected_value: p.expected_value,
                start_offset_days: p.start_offset_days,
                duration_days: p.duration_days,
                milestones: p
                    .milestones
                    .into_iter()
                    .map(|m| TemplateMilestone {
                        name: m.name,
                        offset_days: m.offset_days,
                    })
                    .collect(),
                depends_on,
                scope: PhaseScopeItemValue::into_domain(&format!("phases[{i}].scope"), p.scope)?,
            })
        })
        .collect()
}

/// A new template.
#[derive(InputObject)]
pub struct CreateEngagementTemplateInput {
    /// Its name, unique among the templates in use.
    pub name: String,
    /// The kind of engagement it makes.
    #[graphql(default_with = "EngagementKind::Replatforming")]
    pub kind: EngagementKind,
    /// What it is for and when to use it.
    pub description: Option<String>,
    /// Its phases, in order (at least one).
    pub phases: Vec<TemplatePhaseInput>,
}

/// A change to a template. Absent fields stay; `phases` replaces the whole list.
#[derive(InputObject)]
pub struct UpdateEngagementTemplateInput {
    /// The template's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new kind.
    pub kind: Option<EngagementKind>,
    /// A new description, or `null`.
    pub description: MaybeUndefined<String>,
    /// The full new list of phases.
    pub phases: Option<Vec<TemplatePhaseInput>>,
}

/// A template to archive.
#[derive(InputObject)]
pub struct ArchiveEngagementTemplateInput {
    /// The template's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// An engagement to make from a template.
#[derive(InputObject)]
pub struct CreateEngagementFromTemplateInput {
    /// The template's id.
    pub template_id: ID,
    /// The account's id.
    pub account_id: ID,
    /// The day the engagement starts: every phase and milestone is dated from it.
    pub start_on: Date,
    /// The engagement's name; the template's when absent.
    pub name: Option<String>,
    /// The services lead's id.
    pub lead_id: Option<ID>,
    /// The platform the merchant leaves.
    pub source_platform: Option<String>,
    /// The platform the merchant moves to.
    pub target_platform: Option<String>,
}

/// A baseline to take.
#[derive(InputObject)]
pub struct TakeBaselineInput {
    /// The engagement's id.
    pub engagement_id: ID,
    /// A name, used once per engagement ("Signed plan").
    pub name: String,
}

fn template_id(id: &ID, field: &str) -> ApiResult<TemplateId> {
    ids::decode(Kind::EngagementTemplate, id, field).map(TemplateId)
}

#[derive(Default)]
pub struct TemplateQuery;

#[Object]
impl TemplateQuery {
    /// The engagement templates, by name; archived ones too with `includeArchived`.
    async fn engagement_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_archived: bool,
    ) -> async_graphql::Result<Vec<EngagementTemplateNode>> {
        let (s, who) = parts(ctx)?;
        Ok(service::template::list(s, who, include_archived)
            .await?
            .into_iter()
            .map(EngagementTemplateNode)
            .collect())
    }

    /// The engagement template with this id (archived or not), or `null`.
    async fn engagement_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<EngagementTemplateNode>> {
        let (s, who) = parts(ctx)?;
        let id = template_id(&id, "id")?;
        Ok(service::template::get(s, who, id)
            .await?
            .map(EngagementTemplateNode))
    }
}

#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    /// Stores a new engagement template. Needs SERVICES or ADMIN.
    async fn create_engagement_template(
        &self,
        ctx: &Context<'_>,
        input: CreateEngagementTemplateInput,
    ) -> async_graphql::Result<EngagementTemplateNode> {
        let (s, who) = parts(ctx)?;
        let new = template_phases(input.phases)
            .map(|phases| NewTemplate {
                name: input.name,
                kind: input.kind.into(),
                description: input.description,
                phases,
            })
            .map_err(|e| e.under("input"))?;
        let t = service::template::create(s, who, new)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(EngagementTemplateNode(t))
    }

    /// Changes an engagement template; engagements already made from it keep their plan.
    /// Needs SERVICES or ADMIN.
    async fn update_engagement_template(
        &self,
        ctx: &Context<'_>,
        input: UpdateEngagementTemplateInput,
    ) -> async_graphql::Result<EngagementTemplateNode> {
        let (s, who) = parts(ctx)?;
        let id = template_id(&input.id, "input.id")?;
        let change = TemplatePatch {
            name: input.name,
            kind: input.kind.map(Into::into),
            description: patch(input.description, Ok)?,
            phases: input
                .phases
                .map(template_phases)
                .transpose()
                .map_err(|e| e.under("input"))?,
        };
        let t = service::template::update(s, who, id, input.version, change)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(EngagementTemplateNode(t))
    }

    /// Archives an engagement template: it makes no more engagements, and its name is free
    /// again. Needs SERVICES or ADMIN.
    async fn archive_engagement_template(
        &self,
        ctx: &Context<'_>,
        input: ArchiveEngagementTemplateInput,
    ) -> async_graphql::Result<EngagementTemplateNode> {
        let (s, who) = parts(ctx)?;
        let id = template_id(&input.id, "input.id")?;
        let t = service::template::archive(s, who, id, input.version).await?;
        Ok(EngagementTemplateNode(t))
    }

    /// Makes a PLANNED engagement on an account from a template, in one step: its phases are
    /// dated from `startOn` (a phase starts `startOffsetDays` after it and ends
    /// `durationDays - 1` days after its own start; a milestone is due `offsetDays` after its
    /// phase starts), with the template's dependencies, milestones and scope. Records the same
    /// events as `createEngagement` and `addPhase`. Needs SERVICES or ADMIN.
    async fn create_engagement_from_template(
        &self,
        ctx: &Context<'_>,
        input: CreateEngagementFromTemplateInput,
    ) -> async_graphql::Result<EngagementPayload> {
        let (s, who) = parts(ctx)?;
        let template = template_id(&input.template_id, "input.templateId")?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let from = FromTemplate {
            name: input.name,
            lead_id: input
                .lead_id
                .map(|id| ids::decode(Kind::TeamMember, &id, "input.leadId").map(TeamMemberId))
                .transpose()?,
            source_platform: input.source_platform,
            target_platform: input.target_platform,
        };
        let e =
            service::template::create_engagement(s, who, template, account, input.start_on.0, from)
                .await
                .map_err(|e| e.under("input"))?;
        Ok(EngagementPayload {
            engagement: EngagementNode(e),
        })
    }

    /// Freezes an engagement's planned dates and hours as a named baseline, to hold the plan
    /// against later (`Engagement.baselines`); `BASELINE_TAKEN`. Needs SERVICES or ADMIN.
    async fn take_baseline(
        &self,
        ctx: &Context<'_>,
        input: TakeBaselineInput,
    ) -> async_graphql::Result<BaselineNode> {
        let (s, who) = parts(ctx)?;
        let engagement = EngagementId(ids::decode(
            Kind::Engagement,
            &input.engagement_id,
            "input.engagementId",
        )?);
        let b = service::template::take_baseline(s, who, engagement, &input.name)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(BaselineNode(b))
    }
}

/// An engagement's planned dates and hours frozen at a moment, held against its plan now.
///
/// A phase's current dates are its actual start once work started (else its planned start) and
/// its actual end once delivered (else its planned end); its hours are its planned hours.
pub struct BaselineNode(pub Baseline);

impl BaselineNode {
    async fn phases_now(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        Ok(loaders(ctx)?
            .phases_without_dependencies()
            .load_one(self.0.engagement_id)
            .await?
            .unwrap_or_default())
    }

    async fn variance(&self, ctx: &Context<'_>) -> ApiResult<rules::Variance> {
        Ok(rules::compare(&self.0, &self.phases_now(ctx).await?))
    }
}

#[Object(name = "Baseline")]
impl BaselineNode {
    /// The baseline's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Baseline, self.0.id.0)
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// When it was taken.
    async fn taken_at(&self) -> DateTime<Utc> {
        self.0.taken_at
    }
    /// Who took it (the subject of their token).
    async fn taken_by(&self) -> &str {
        &self.0.taken_by
    }
    /// Each phase against the baseline: the current phases in order, then those removed since.
    async fn phases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BaselinePhaseNode>> {
        let now = self.phases_now(ctx).await?;
        let variance = rules::compare(&self.0, &now);
        Ok(variance
            .phases
            .into_iter()
            .map(|v| {
                let phase = v
                    .phase_id
                    .and_then(|id| now.iter().find(|p| p.id == id).cloned());
                BaselinePhaseNode(v, phase)
            })
            .collect())
    }
    /// The latest current phase end minus the latest baseline phase end, in days (positive:
    /// later than promised); null when either has no dates.
    async fn end_slip_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        Ok(self.variance(ctx).await?.end_slip_days)
    }
    /// Current planned hours minus baseline planned hours (positive: over).
    async fn hours_variance(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(self.variance(ctx).await?.hours_variance().as_decimal())
    }
    /// The planned hours the baseline froze.
    async fn baseline_hours(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(self.variance(ctx).await?.baseline_hours.as_decimal())
    }
    /// The planned hours now.
    async fn current_hours(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(self.variance(ctx).await?.current_hours.as_decimal())
    }
}

/// One phase held against a baseline. A phase added after the baseline has null baseline
/// figures; one removed since has null current figures.
pub struct BaselinePhaseNode(PhaseVariance, Option<Phase>);

#[Object(name = "BaselinePhase")]
impl BaselinePhaseNode {
    /// The phase as it is now; null when it was removed.
    async fn phase(&self) -> Option<PhaseNode> {
        self.1.clone().map(PhaseNode::from)
    }
    /// Its name now, or in the baseline when it was removed.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Its planned start in the baseline.
    async fn baseline_start(&self) -> Option<Date> {
        self.0
            .baseline
            .as_ref()
            .and_then(|b| b.planned_start)
            .map(Date)
    }
    /// Its planned end in the baseline.
    async fn baseline_end(&self) -> Option<Date> {
        self.0
            .baseline
            .as_ref()
            .and_then(|b| b.planned_end)
            .map(Date)
    }
    /// Its planned hours in the baseline.
    async fn baseline_hours(&self) -> Option<f64> {
        self.0
            .baseline
            .as_ref()
            .map(|b| b.planned_hours.as_decimal())
    }
    /// Its start now: the actual start once work started, else the planned start.
    async fn current_start(&self) -> Option<Date> {
        self.0.current.and_then(|c| c.start).map(Date)
    }
    /// Its end now: the actual end once delivered, else the planned end.
    async fn current_end(&self) -> Option<Date> {
        self.0.current.and_then(|c| c.end).map(Date)
    }
    /// Its planned hours now.
    async fn current_hours(&self) -> Option<f64> {
        self.0.current.map(|c| c.hours.as_decimal())
    }
    /// Current start minus baseline start, in days (positive: later).
    async fn start_slip_days(&self) -> Option<i64> {
        self.0.start_slip_days
    }
    /// Current end minus baseline end, in days (positive: later).
    async fn end_slip_days(&self) -> Option<i64> {
        self.0.end_slip_days
    }
    /// Current hours minus baseline hours (positive: over).
    async fn hours_variance(&self) -> Option<f64> {
        self.0.hours_variance.map(Hours::as_decimal)
    }
    /// Whether the phase was added after the baseline.
    async fn added(&self) -> bool {
        self.0.added()
    }
    /// Whether the phase was removed since the baseline.
    async fn removed(&self) -> bool {
        self.0.removed()
    }
}
