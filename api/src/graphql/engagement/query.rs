//! Reading engagements: one by id, or a filtered page.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use tandem_domain::engagement::Engagement;
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, TeamMemberId};
use tandem_persistence::engagement::EngagementFilter;
use tandem_persistence::page::Page;

use super::node::EngagementNode;
use super::phase::PhaseNode;
use crate::error::ApiResult;
use crate::graphql::common::context::parts;
use crate::graphql::common::input::bounded_ids;
use crate::graphql::common::paging::{PageInfo, Paging};
use crate::graphql::enums::{EngagementKind, EngagementStatus};
use crate::graphql::ids::{self, Kind};
use crate::service;

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

pub(super) fn cursor(e: &Engagement) -> String {
    ids::encode_cursor(&e.id.0)
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
            .map(PhaseNode::from))
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
