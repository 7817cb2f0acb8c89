//! The SOW query root: one SOW by id, and filtered pages of them.

use async_graphql::{Context, ID, Object};
use tandem_domain::ids::SowId;

use super::input::SowFilterInput;
use super::node::{SowConnection, SowNode};
use crate::graphql::common::context::parts;
use crate::graphql::common::paging::Paging;
use crate::graphql::ids::{self, Kind};
use crate::service;

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
        let filter = filter.unwrap_or_default().into_domain()?;
        let page = service::sow::list(s, who, &filter, &window).await?;
        Ok(SowConnection { page, filter })
    }
}
