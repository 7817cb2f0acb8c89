//! The SOW mutation root and its payloads: drafting, editing and moving SOWs, raising and
//! deciding change requests, and logging time.

use async_graphql::{Context, Object, SimpleObject};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, ChangeRequestId, EngagementId, PhaseId, SowId, TeamMemberId};
use tandem_domain::sow::{NewTimeEntry, Sow};

use super::input::{
    ChangeSowStatusInput, CreateSowInput, DecideChangeRequestInput, LogTimeInput,
    RaiseChangeRequestInput, UpdateSowInput,
};
use super::node::{ChangeRequestNode, SowNode};
use super::time_entry::TimeEntryNode;
use crate::error::ApiError;
use crate::graphql::common::context::parts;
use crate::graphql::ids::{self, Kind};
use crate::service;

/// The result of a SOW mutation.
#[derive(SimpleObject)]
pub(super) struct SowPayload {
    /// The SOW as it is now.
    pub sow: SowNode,
}

/// The result of a change-request mutation.
#[derive(SimpleObject)]
pub(super) struct ChangeRequestPayload {
    /// The change request as it is now.
    pub change_request: ChangeRequestNode,
    /// Its SOW as it is now.
    pub sow: SowNode,
}

/// The result of `logTime`.
#[derive(SimpleObject)]
pub(super) struct LogTimePayload {
    /// The new entry.
    pub time_entry: TimeEntryNode,
    /// Its SOW, with the budget figures as they are now.
    pub sow: SowNode,
}

#[derive(Default)]
pub struct SowMutation;

pub(super) async fn reload(ctx: &Context<'_>, id: SowId) -> async_graphql::Result<Sow> {
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
        let hours = Hours::from_decimal("input.hours", input.hours).map_err(ApiError::from)?;
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
            hours: Hours::from_decimal("input.hours", input.hours).map_err(ApiError::from)?,
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
