//! The opportunity mutations: open, change, move, win and lose (ADMIN and CS_MANAGER; SERVICES
//! for services follow-ons), and configure the pipeline's stages (ADMIN).

use async_graphql::{Context, Object};
use tandem_domain::ids::{AccountId, OpportunityStageId};
use tandem_domain::opportunity::{OpportunityData, Stage};

use super::input::{
    CreateOpportunityInput, LoseOpportunityInput, MoveOpportunityStageInput,
    SetOpportunityStageInput, UpdateOpportunityInput, WinOpportunityInput, goal_id, opportunity_id,
    phase_id, stage_id,
};
use super::node::{OpportunityNode, OpportunityStageNode};
use crate::error::ApiError;
use crate::graphql::common::context::parts;
use crate::graphql::common::input::patch;
use crate::graphql::ids::{self, Kind};
use crate::service::opportunity as svc;

#[derive(Default)]
pub struct OpportunityMutation;

fn under(e: ApiError) -> ApiError {
    e.under("input")
}

#[Object]
impl OpportunityMutation {
    /// Opens an opportunity on an account (ADMIN, CS_MANAGER; SERVICES for
    /// SERVICES_FOLLOW_ON); `OPPORTUNITY_CREATED`.
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        input: CreateOpportunityInput,
    ) -> async_graphql::Result<OpportunityNode> {
        let (s, who) = parts(ctx)?;
        let account = ids::decode_as(Kind::Account, &input.account_id, "accountId", AccountId)
            .map_err(under)?;
        let stage = input
            .stage_id
            .map(|id| stage_id(&id, "stageId"))
            .transpose()
            .map_err(under)?;
        let data = OpportunityData {
            kind: input.kind.into(),
            title: input.title,
            mrr_delta_minor: input.mrr_delta_minor.map_or(0, |l| l.0),
            services_value_minor: input.services_value_minor.map_or(0, |l| l.0),
            probability: input.probability,
            expected_close_on: input.expected_close_on.0,
            owner_id: input
                .owner_id
                .map(|id| ids::team_member(&id, "ownerId"))
                .transpose()
                .map_err(under)?,
            goal_id: input
                .goal_id
                .map(|id| goal_id(&id, "goalId"))
                .transpose()
                .map_err(under)?,
            phase_id: input
                .phase_id
                .map(|id| phase_id(&id, "phaseId"))
                .transpose()
                .map_err(under)?,
        };
        let o = svc::create(s, who, account, stage, data)
            .await
            .map_err(under)?;
        Ok(OpportunityNode(o))
    }

    /// Changes an open opportunity still at `version`; `OPPORTUNITY_UPDATED`. A stale version
    /// is a CONFLICT; a WON or LOST one does not change.
    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        input: UpdateOpportunityInput,
    ) -> async_graphql::Result<OpportunityNode> {
        let (s, who) = parts(ctx)?;
        let id = opportunity_id(&input.id).map_err(under)?;
        let probability = patch(input.probability, Ok)?;
        let owner = patch(input.owner_id, |id| ids::team_member(&id, "ownerId")).map_err(under)?;
        let goal = patch(input.goal_id, |id| goal_id(&id, "goalId")).map_err(under)?;
        let phase = patch(input.phase_id, |id| phase_id(&id, "phaseId")).map_err(under)?;
        let o = svc::update(s, who, id, input.version, |current| {
            let d = current.data.clone();
            Ok(OpportunityData {
                title: input.title.unwrap_or(d.title),
                mrr_delta_minor: input.mrr_delta_minor.map_or(d.mrr_delta_minor, |l| l.0),
                services_value_minor: input
                    .services_value_minor
                    .map_or(d.services_value_minor, |l| l.0),
                probability: probability.apply(d.probability),
                expected_close_on: input.expected_close_on.map_or(d.expected_close_on, |x| x.0),
                owner_id: owner.apply(d.owner_id),
                goal_id: goal.apply(d.goal_id),
                phase_id: phase.apply(d.phase_id),
                kind: d.kind,
            })
        })
        .await
        .map_err(under)?;
        Ok(OpportunityNode(o))
    }

    /// Moves an open opportunity still at `version` to another stage;
    /// `OPPORTUNITY_STAGE_CHANGED`.
    async fn move_opportunity_stage(
        &self,
        ctx: &Context<'_>,
        input: MoveOpportunityStageInput,
    ) -> async_graphql::Result<OpportunityNode> {
        let (s, who) = parts(ctx)?;
        let id = opportunity_id(&input.id).map_err(under)?;
        let stage = stage_id(&input.stage_id, "stageId").map_err(under)?;
        let o = svc::move_stage(s, who, id, input.version, stage)
            .await
            .map_err(under)?;
        Ok(OpportunityNode(o))
    }

    /// Wins an open opportunity still at `version`; `OPPORTUNITY_WON`. A won UPSELL, CROSS_SELL
    /// or DOWNSELL records its revenue movement (`REVENUE_RECORDED`, effective on the day it
    /// closed); a won SERVICES_FOLLOW_ON drafts a SOW named after it, priced at its services
    /// value (`SOW_CREATED`); a won RENEWAL moves no revenue. All in one transaction.
    async fn win_opportunity(
        &self,
        ctx: &Context<'_>,
        input: WinOpportunityInput,
    ) -> async_graphql::Result<OpportunityNode> {
        let (s, who) = parts(ctx)?;
        let id = opportunity_id(&input.id).map_err(under)?;
        let on = input.closed_on.map(|d| d.0);
        let o = svc::win(s, who, id, input.version, input.reason.as_deref(), on)
            .await
            .map_err(under)?;
        Ok(OpportunityNode(o))
    }

    /// Loses an open opportunity still at `version`, saying why; `OPPORTUNITY_LOST`.
    async fn lose_opportunity(
        &self,
        ctx: &Context<'_>,
        input: LoseOpportunityInput,
    ) -> async_graphql::Result<OpportunityNode> {
        let (s, who) = parts(ctx)?;
        let id = opportunity_id(&input.id).map_err(under)?;
        let on = input.closed_on.map(|d| d.0);
        let o = svc::lose(s, who, id, input.version, &input.reason, on)
            .await
            .map_err(under)?;
        Ok(OpportunityNode(o))
    }

    /// Adds a stage to the pipeline (no `id`) or changes one still at `version` (ADMIN);
    /// `OPPORTUNITY_STAGE_CONFIGURED`, an event of no account.
    async fn set_opportunity_stage(
        &self,
        ctx: &Context<'_>,
        input: SetOpportunityStageInput,
    ) -> async_graphql::Result<OpportunityStageNode> {
        let (s, who) = parts(ctx)?;
        let (id, read) = match (&input.id, input.version) {
            (None, None) => (OpportunityStageId::new(), None),
            (Some(id), Some(v)) => (stage_id(id, "id").map_err(under)?, Some(v)),
            (Some(_), None) => {
                return Err(under(ApiError::invalid(
                    "version",
                    "pass the version you read of the stage to change",
                ))
                .into());
            }
            (None, Some(_)) => {
                return Err(under(ApiError::invalid(
                    "id",
                    "a version names a stage to change: pass its id too, or leave both out to add one",
                ))
                .into());
            }
        };
        let stage = Stage::validate(
            id,
            &input.name,
            input.position,
            input.default_probability,
            read.unwrap_or(0),
        )
        .map_err(|e| under(e.into()))?;
        Ok(OpportunityStageNode(
            svc::set_stage(s, who, read, stage).await.map_err(under)?,
        ))
    }
}
