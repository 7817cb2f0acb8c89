//! Relay's object identification: the `Node` interface, `node(id:)` and `nodes(ids:)`.

use async_graphql::{Context, ID, Interface, Object};
use futures_util::future::try_join_all;
use tandem_domain::ids::{AccountId, ContactId, EngagementId, PhaseId, SowId, TeamMemberId};

use super::account::AccountNode;
use super::common::context::{loaders, parts};
use super::contact::ContactNode;
use super::engagement::{EngagementNode, PhaseNode};
use super::ids::{self, Kind};
use super::opportunity::OpportunityNode;
use super::sow::SowNode;
use super::team_member::TeamMemberNode;
use crate::error::ApiError;
use crate::service;

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global id."))]
pub enum Node {
    /// An account.
    Account(AccountNode),
    /// A contact.
    Contact(ContactNode),
    /// A team member.
    TeamMember(TeamMemberNode),
    /// An engagement.
    Engagement(EngagementNode),
    /// A phase of an engagement.
    Phase(PhaseNode),
    /// A statement of work.
    Sow(SowNode),
    /// An opportunity.
    Opportunity(OpportunityNode),
}

#[derive(Default)]
pub struct NodeQuery;

/// The most ids `nodes(ids:)` takes.
const MAX_NODES: usize = 100;

async fn resolve(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    let (s, who) = parts(ctx)?;
    let Some((kind, uuid)) = ids::decode_any(id) else {
        return Ok(None);
    };
    if who.is_customer() && !matches!(kind, Kind::Engagement | Kind::Phase) {
        // Of what a node can be, only engagements and phases are shared with customers (by
        // their services, which answer another account's as none): every other id answers as
        // one that names nothing, whichever account it belongs to (no existence oracle).
        return Ok(None);
    }
    Ok(match kind {
        Kind::Account => {
            who.authorize(tandem_domain::auth::Action::Read)
                .map_err(ApiError::from)?;
            loaders(ctx)?
                .accounts()
                .load_one(AccountId(uuid))
                .await?
                .map(|a| Node::Account(AccountNode::from(a)))
        }
        Kind::Contact => service::contact::get(s, who, ContactId(uuid))
            .await?
            .map(|c| Node::Contact(ContactNode(c))),
        Kind::TeamMember => service::team_member::get(s, who, TeamMemberId(uuid))
            .await?
            .map(|m| Node::TeamMember(TeamMemberNode(m))),
        Kind::Engagement => service::engagement::get(s, who, EngagementId(uuid))
            .await?
            .map(|e| Node::Engagement(EngagementNode(e))),
        Kind::Phase => service::engagement::get_phase(s, who, PhaseId(uuid))
            .await?
            .map(|p| Node::Phase(PhaseNode::from(p))),
        Kind::Sow => service::sow::get(s, who, SowId(uuid))
            .await?
            .map(|x| Node::Sow(SowNode(x))),
        Kind::Opportunity => {
            service::opportunity::get(s, who, tandem_domain::ids::OpportunityId(uuid))
                .await?
                .map(|o| Node::Opportunity(OpportunityNode(o)))
        }
        // Reached through their SOW; not fetchable on their own.
        Kind::ChangeRequest
        | Kind::TimeEntry
        | Kind::CatalogSession
        | Kind::HealthScore
        | Kind::RevenueEvent
        | Kind::Goal
        | Kind::BusinessReview
        | Kind::Segment
        | Kind::HealthModel
        | Kind::SurveyResponse
        | Kind::Ticket
        | Kind::Playbook
        | Kind::Task
        | Kind::WebhookEndpoint
        | Kind::WebhookDelivery
        | Kind::Activity
        | Kind::Risk
        | Kind::Renewal
        | Kind::Timesheet
        | Kind::TimeOff
        | Kind::Allocation
        | Kind::EngagementTemplate
        | Kind::Baseline
        | Kind::CatalogVersion
        | Kind::OpportunityStage
        | Kind::OutlookModel => None,
    })
}

#[Object]
impl NodeQuery {
    /// The object with this global id, or `null` when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        resolve(ctx, &id).await
    }

    /// The objects with these global ids, in the same order; `null` where there is none.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                ApiError::invalid("ids", format!("at most {MAX_NODES} ids per call")).into(),
            );
        }
        try_join_all(ids.iter().map(|id| resolve(ctx, id))).await
    }
}
