//! The opportunity query root: one by id, filtered pages, and the pipeline's stages.

use async_graphql::{Context, ID, Object};

use super::input::{OpportunityFilterInput, opportunity_id};
use super::node::{OpportunityConnection, OpportunityNode, OpportunityStageNode};
use crate::graphql::common::context::parts;
use crate::graphql::common::paging::Paging;
use crate::graphql::ids;
use crate::service::opportunity as svc;

#[derive(Default)]
pub struct OpportunityQuery;

#[Object]
impl OpportunityQuery {
    /// The opportunity with this id, or `null`.
    async fn opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<OpportunityNode>> {
        let (s, who) = parts(ctx)?;
        let id = opportunity_id(&id)?;
        Ok(svc::get(s, who, id).await?.map(OpportunityNode))
    }

    /// Opportunities across accounts, soonest to close first: filter by status, kind, close
    /// day and account. Pages forwards (`first`, `after`).
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<OpportunityFilterInput>,
    ) -> async_graphql::Result<OpportunityConnection> {
        let (s, who) = parts(ctx)?;
        let window = Paging::forwards(first, after)?.window(ids::decode_cursor)?;
        let filter = filter.unwrap_or_default().into_domain()?;
        Ok(OpportunityConnection(
            svc::list(s, who, &filter, &window).await?,
        ))
    }

    /// The stages of the opportunity pipeline, in order.
    async fn opportunity_stages(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OpportunityStageNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::stages(s, who)
            .await?
            .into_iter()
            .map(OpportunityStageNode)
            .collect())
    }
}
