//! Reading accounts: one by id, or a page in an order, filtered; with the cursors that page
//! through it.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use tandem_domain::account::Account;
use tandem_domain::auth::Action;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_persistence::account::{AccountFilter, AccountKey, AccountOrder};
use tandem_persistence::page::Page;

use super::node::AccountNode;
use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::parts;
use crate::graphql::common::input::{bounded, bounded_ids};
use crate::graphql::common::paging::{PageInfo, Paging};
use crate::graphql::enums::{LifecycleStage, TouchTier};
use crate::graphql::ids::{self, Kind};
use crate::graphql::plain::{Fast, FastList};
use crate::service;

/// The order of an account list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountOrderBy {
    /// By name, A to Z, ignoring case.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Oldest first.
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
}

impl AccountOrderBy {
    fn tag(self) -> u8 {
        self as u8
    }
}

/// Which accounts a list shows. Every criterion narrows the list; a list criterion matches any
/// of its values, except `tags`, which must all be present.
#[derive(InputObject, Default)]
#[graphql(name = "AccountFilter")]
pub struct AccountFilterInput {
    /// Text the name or the domain contains, ignoring case.
    pub search: Option<String>,
    /// Any of these touch tiers.
    pub touch_tiers: Option<Vec<TouchTier>>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Option<Vec<LifecycleStage>>,
    /// Owned by any of these team members.
    pub owner_ids: Option<Vec<ID>>,
    /// In any of these industries (exact match).
    pub industries: Option<Vec<String>>,
    /// On any of these plans (exact match).
    pub plans: Option<Vec<String>>,
    /// Carrying all of these tags.
    pub tags: Option<Vec<String>>,
    /// Include archived accounts.
    #[graphql(default = false)]
    pub include_archived: bool,
    /// Members of this saved segment.
    pub segment_id: Option<ID>,
    /// Segment criteria (health, MRR, usage, needs…) applied on the spot.
    pub criteria: Option<crate::graphql::segment::SegmentCriteriaInput>,
}

impl AccountFilterInput {
    /// The storage filter, with the saved segment's criteria (loaded and authorized) and the
    /// ad-hoc ones.
    pub(crate) async fn resolve(
        self,
        s: &service::Services,
        who: &tandem_domain::auth::Principal,
    ) -> ApiResult<AccountFilter> {
        let segment = self
            .segment_id
            .as_ref()
            .map(|id| ids::decode(Kind::Segment, id, "filter.segmentId"))
            .transpose()?;
        let criteria = self
            .criteria
            .clone()
            .map(|c| c.into_domain("filter.criteria"))
            .transpose()?;
        let mut filter = self.into_filter()?;
        if let Some(id) = segment {
            let seg =
                service::segment::live_segment(s, who, tandem_domain::ids::SegmentId(id)).await?;
            filter.criteria.push(seg.filter);
        }
        if let Some(c) = criteria.filter(|c| !c.is_empty()) {
            who.authorize(Action::ReadInsights)?;
            filter.criteria.push(c.validate()?);
        }
        Ok(filter)
    }

    fn into_filter(self) -> ApiResult<AccountFilter> {
        if let Some(s) = &self.search
            && s.chars().count() > 200
        {
            return Err(ApiError::invalid(
                "filter.search",
                "is longer than 200 characters",
            ));
        }
        let owner_ids = bounded_ids(
            "filter.ownerIds",
            Kind::TeamMember,
            self.owner_ids,
            TeamMemberId,
        )?;
        Ok(AccountFilter {
            search: self.search,
            touch_tiers: bounded("filter.touchTiers", self.touch_tiers)?
                .into_iter()
                .map(Into::into)
                .collect(),
            lifecycle_stages: bounded("filter.lifecycleStages", self.lifecycle_stages)?
                .into_iter()
                .map(Into::into)
                .collect(),
            owner_ids,
            industries: bounded("filter.industries", self.industries)?,
            plans: bounded("filter.plans", self.plans)?,
            tags: bounded("filter.tags", self.tags)?,
            include_archived: self.include_archived,
            criteria: Vec::new(),
        })
    }
}

/// A page cursor: the order it belongs to and the position in it.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Cursor {
    o: u8,
    #[serde(flatten)]
    key: AccountKey,
}

pub(super) fn cursor_of(order: AccountOrderBy, account: &Account) -> String {
    ids::encode_cursor(&Cursor {
        o: order.tag(),
        key: AccountKey::of(account),
    })
}

pub(super) fn decode_cursor(
    order: AccountOrderBy,
    field: &str,
    cursor: &str,
) -> ApiResult<AccountKey> {
    let c: Cursor = ids::decode_cursor(cursor, field)?;
    if c.o != order.tag() {
        return Err(ApiError::invalid(
            field,
            "this cursor belongs to a list in another order; pass the same orderBy as the page it came from",
        ));
    }
    Ok(c.key)
}

/// One account in a list, with its cursor.
#[derive(SimpleObject)]
pub struct AccountEdge {
    /// Pass to `after` or `before` to page from here.
    pub cursor: String,
    /// The account.
    pub node: AccountNode,
}

/// A page of accounts.
pub struct AccountConnection {
    page: Page<Account>,
    filter: AccountFilter,
    order: AccountOrderBy,
}

#[Object]
impl AccountConnection {
    /// The accounts of this page, each with its cursor.
    async fn edges(&self) -> Vec<AccountEdge> {
        self.page
            .items
            .iter()
            .map(|a| AccountEdge {
                cursor: cursor_of(self.order, a),
                node: AccountNode(a.clone()),
            })
            .collect()
    }
    /// The accounts of this page.
    async fn nodes(&self) -> FastList<AccountNode> {
        self.page.items.iter().cloned().map(AccountNode).collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(|a| cursor_of(self.order, a)),
            end_cursor: self.page.items.last().map(|a| cursor_of(self.order, a)),
        }
    }
    /// How many accounts match the filter, across all pages (counted in SQL).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(service::account::count(s, who, &self.filter).await? as i64)
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The account with this id, or `null`.
    async fn account(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Fast<AccountNode>>> {
        let (s, who) = parts(ctx)?;
        let id = AccountId(ids::decode(Kind::Account, &id, "id")?);
        Ok(service::account::get(s, who, id)
            .await?
            .map(|a| Fast(AccountNode(a))))
    }

    /// Accounts, a page at a time: `first` (and `after`) reads forwards, `last` (and `before`)
    /// backwards. At most 100 per page; 20 when neither `first` nor `last` is given.
    #[graphql(
        complexity = "first.or(last).map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AccountFilterInput>,
        #[graphql(desc = "The order; NAME_ASC when not given.")] order_by: Option<AccountOrderBy>,
    ) -> async_graphql::Result<AccountConnection> {
        let (s, who) = parts(ctx)?;
        let order_by = order_by.unwrap_or_default();
        let window = Paging::parse(first, after, last, before)?
            .window(|cursor, field| decode_cursor(order_by, field, cursor))?;
        let filter = filter.unwrap_or_default().resolve(s, who).await?;
        // Tags cost a query of their own: read them only when the page shows them.
        let shown = ctx.look_ahead();
        let tags = shown.field("nodes").field("tags").exists()
            || shown.field("edges").field("node").field("tags").exists();
        let page = service::account::list(s, who, &filter, order_by.into(), &window, tags).await?;
        Ok(AccountConnection {
            page,
            filter,
            order: order_by,
        })
    }
}

impl From<AccountOrderBy> for AccountOrder {
    fn from(o: AccountOrderBy) -> Self {
        match o {
            AccountOrderBy::NameAsc => AccountOrder::NameAsc,
            AccountOrderBy::NameDesc => AccountOrder::NameDesc,
            AccountOrderBy::CreatedAtAsc => AccountOrder::CreatedAsc,
            AccountOrderBy::CreatedAtDesc => AccountOrder::CreatedDesc,
        }
    }
}
