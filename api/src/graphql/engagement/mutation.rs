//! Changing engagements and their phases: each mutation calls one service function.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use tandem_domain::engagement::{EngagementPatch, NewEngagement, NewPhase, PhasePatch};
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, TeamMemberId};

use super::node::EngagementNode;
use super::phase::{MilestoneValue, PhaseNode, PhaseScopeItemValue};
use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::parts;
use crate::graphql::common::input::patch;
use crate::graphql::enums::{EngagementKind, EngagementStatus, FocusKind, PhaseStatus};
use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::Date;
use crate::service;

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

pub(super) fn phase_ids(field: &str, ids: &[ID]) -> ApiResult<Vec<PhaseId>> {
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phase: PhaseNode::from(p),
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
            phases: order.into_iter().map(PhaseNode::from).collect(),
        })
    }
}
