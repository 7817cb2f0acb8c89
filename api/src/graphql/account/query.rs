//! Reading accounts: one by id, or a page in an order, filtered; with the cursors that page
//! through it.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use tandem_domain::account::{Account, Untagged};
use tandem_domain::auth::Action;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_persistence::account::{AccountFilter, AccountKey, AccountOrder, Listing};

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

pub(super) fn cursor_of<Tags>(order: AccountOrderBy, account: &Account<Tags>) -> String {
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

/// A page of accounts, with their tags if the page's selection names them.
pub struct AccountConnection {
    listing: Listing,
    filter: AccountFilter,
    order: AccountOrderBy,
}

#[Object]
impl AccountConnection {
    /// The accounts of this page, each with its cursor.
    async fn edges(&self) -> Vec<AccountEdge> {
        self.listing
            .page
            .items
            .iter()
            .map(|a| AccountEdge {
                cursor: cursor_of(self.order, a),
                node: self.node(a),
            })
            .collect()
    }
    /// The accounts of this page.
    async fn nodes(&self) -> FastList<AccountNode> {
        self.listing
            .page
            .items
            .iter()
            .map(|a| self.node(a))
            .collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        let page = &self.listing.page;
        PageInfo {
            has_next_page: page.has_next,
            has_previous_page: page.has_previous,
            start_cursor: page.items.first().map(|a| cursor_of(self.order, a)),
            end_cursor: page.items.last().map(|a| cursor_of(self.order, a)),
        }
    }
    /// How many accounts match the filter, across all pages. With no filter, or one by touch
    /// tiers, lifecycle stages, owners, industries and plans only, it is read from counts the
    /// database keeps per combination of those (a sum over combinations, whatever the size of the
    /// book). With a text search, tags or segment criteria the matching accounts are counted,
    /// which costs in proportion to how many match: it is computed only when this field is
    /// selected, so a page that does not show it should leave it out.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        Ok(service::account::count(s, who, &self.filter).await? as i64)
    }
}

impl AccountConnection {
    /// The node of `account`, one of the page's, with its tags if the page read them.
    fn node(&self, account: &Untagged) -> AccountNode {
        AccountNode::listed(account.clone(), self.listing.tags_of(account.id))
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
            .map(|a| Fast(AccountNode::from(a))))
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
        // Tags cost a statement of their own: read them only when the page shows them. An
        // account read without them loads them if asked after all (`AccountNode::tags`).
        // `a_page_reads_tags_only_when_asked_and_then_answers_them` (below) holds both.
        let shown = ctx.look_ahead();
        let tags = shown.field("nodes").field("tags").exists()
            || shown.field("edges").field("node").field("tags").exists();
        let listing =
            service::account::list(s, who, &filter, order_by.into(), &window, tags).await?;
        Ok(AccountConnection {
            listing,
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

#[cfg(test)]
mod tests {
    //! A page of accounts reads its accounts' tags only when its selection names them, and
    //! then answers them as they are, however the selection names them: against the real
    //! server, on both databases.

    use std::collections::HashMap;
    use std::time::Duration;

    use serde_json::{Value, json};
    use tandem_domain::account::NewAccount;
    use tandem_domain::auth::Role;
    use tandem_persistence::{Store, account};
    use tandem_tests::{TestDb, db_test};

    use crate::app::{self, RunningServer, StartOptions};
    use crate::auth::Issuer;
    use crate::settings::{Overrides, Settings};

    /// A server on `db` whose event relay stays out of the statement counts.
    async fn serve(db: &TestDb) -> (RunningServer, Store, String) {
        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert(
            "TANDEM_JWT_SECRET".into(),
            "account-page-test-secret-of-enough-length".into(),
        );
        vars.insert("TANDEM_EVENT_POLL_INTERVAL".into(), "1h".into());
        vars.insert("TANDEM_RATE_LIMIT_PER_SECOND".into(), "0".into());
        if let Some(schema) = &db.pg_schema {
            vars.insert("TANDEM_DATABASE_SCHEMA".into(), schema.clone());
        }
        let overrides = Overrides {
            bind: Some("127.0.0.1:0".into()),
            database_url: Some(db.url.clone()),
        };
        let settings = Settings::from_vars(&vars, &overrides).unwrap();
        let store = app::connect(&settings).await.unwrap();
        let running = app::start(&settings, store.clone(), StartOptions::default())
            .await
            .unwrap();
        let token = Issuer::new(&settings.auth)
            .unwrap()
            .issue("tester", Role::Viewer, Duration::from_secs(600))
            .unwrap();
        (running, store, token)
    }

    /// The `data` of `query`, and the fewest statements one of three runs of it cost. The
    /// store's counter also sees the background workers' statements (the relay, the automation
    /// worker and its schedules), which only ever add: the fewest of three is the request's own
    /// cost, as the e2e suite's `ok_with_cost` reads it.
    async fn ask(running: &RunningServer, store: &Store, token: &str, query: &str) -> (Value, u64) {
        let mut fewest = u64::MAX;
        let mut data = Value::Null;
        for _ in 0..3 {
            let before = store.statements();
            let body: Value = reqwest::Client::new()
                .post(format!("http://{}/graphql", running.addr))
                .bearer_auth(token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(body.get("errors").is_none(), "{body}");
            fewest = fewest.min(store.statements() - before);
            data = body["data"].clone();
        }
        (data, fewest)
    }

    /// Each account's tags in a page's `nodes` (or its edges' nodes), by name.
    fn tags(nodes: &Value) -> Vec<(String, Value)> {
        let nodes = nodes.as_array().unwrap().iter();
        let nodes = nodes.map(|n| n.get("node").unwrap_or(n));
        nodes
            .map(|n| (n["name"].as_str().unwrap().to_owned(), n["tags"].clone()))
            .collect()
    }

    db_test! {
        async fn a_page_reads_tags_only_when_asked_and_then_answers_them(db) {
            let (running, store, token) = serve(&db).await;
            for (name, tags) in [("Acme", vec!["vip", "beta"]), ("Globex", vec![])] {
                let tags = tags.into_iter().map(String::from).collect();
                let data = NewAccount { name: name.into(), tags, ..NewAccount::default() };
                account::create(&store, "tester", data.validate().unwrap()).await.unwrap();
            }
            // Whatever the server does once at start is done.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let expected = vec![("Acme".to_owned(), json!(["beta", "vip"])), ("Globex".to_owned(), json!([]))];

            let (_, statements) = ask(&running, &store, &token, "{ accounts { nodes { name } } }").await;
            assert_eq!(statements, 1, "a page shown without tags reads none");
            for (query, path) in [
                ("{ accounts { nodes { name tags } } }", "nodes"),
                ("{ accounts { edges { node { name tags } } } }", "edges"),
                ("{ accounts { nodes { name ... on Account { tags } } } }", "nodes"),
                ("{ accounts { nodes { name ...T } } } fragment T on Account { tags }", "nodes"),
            ] {
                let (data, statements) = ask(&running, &store, &token, query).await;
                assert_eq!(tags(&data["accounts"][path]), expected, "{query}");
                assert_eq!(statements, 2, "{query}: a page's tags are one statement");
            }
            running.stop().await;
        }
    }
}
