//! Account-change events in the API: a paged history and a live subscription over the same
//! stream, with the same cursors.

use std::sync::Arc;

use async_graphql::{Context, ID, Json, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use tandem_domain::event::Event;
use tandem_domain::ids::AccountId;
use tandem_persistence::event::EventQuery as StoredEvents;

use super::account::AccountNode;
use super::common::context::parts;
use super::common::paging::{DEFAULT_PAGE, PageInfo, first_or};
use super::enums::EventKind;
use super::ids::{self, Kind};
use crate::error::{ApiError, ApiResult};
use crate::service;

/// One changed field.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field's name as this API spells it.
    pub field: String,
    /// Its value before the change (`null` for a creation).
    pub before: Json<serde_json::Value>,
    /// Its value after the change.
    pub after: Json<serde_json::Value>,
}

/// A change that matters, recorded in the same transaction as the change itself.
pub struct AccountEventNode(pub Arc<Event>);

#[Object(name = "AccountEvent")]
impl AccountEventNode {
    /// The event's position in the stream: strictly increasing in commit order. Pass the last
    /// one you saw as `after` to resume without missing or repeating anything.
    async fn cursor(&self) -> String {
        self.0.cursor.to_string()
    }
    /// What happened.
    async fn kind(&self) -> EventKind {
        self.0.event.kind.into()
    }
    /// The id of the account concerned; `null` for changes that concern no single account
    /// (team members).
    async fn account_id(&self) -> Option<ID> {
        self.0
            .event
            .account_id
            .map(|a| ids::encode(Kind::Account, a.0))
    }
    /// The account concerned, as it is now.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        let Some(id) = self.0.event.account_id else {
            return Ok(None);
        };
        Ok(AccountNode::load(ctx, id).await?)
    }
    /// The id of the object that changed (an account, a contact, a playbook…).
    async fn subject_id(&self) -> ID {
        ids::subject_of(&self.0)
    }
    /// Who made the change: the subject of their token.
    async fn actor(&self) -> &str {
        &self.0.event.actor
    }
    /// When the change was made.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The fields that changed, with their values before and after.
    async fn changes(&self) -> Vec<FieldChange> {
        self.0
            .event
            .changes
            .iter()
            .map(|c| FieldChange {
                field: c.field.clone(),
                before: Json(c.before.clone()),
                after: Json(c.after.clone()),
            })
            .collect()
    }
}

/// One event in a page, with its cursor.
#[derive(SimpleObject)]
pub struct AccountEventEdge {
    /// The event's cursor.
    pub cursor: String,
    /// The event.
    pub node: AccountEventNode,
}

/// A page of events, oldest first.
#[derive(SimpleObject)]
pub struct AccountEventConnection {
    /// The events, each with its cursor.
    pub edges: Vec<AccountEventEdge>,
    /// Where this page sits.
    pub page_info: PageInfo,
}

fn parse_cursor(field: &str, after: Option<String>) -> ApiResult<Option<i64>> {
    after
        .map(|c| {
            c.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::invalid(field, format!("'{c}' is not an event cursor")))
        })
        .transpose()
}

fn account_filter(account_id: Option<ID>) -> ApiResult<Option<AccountId>> {
    account_id
        .map(|id| ids::decode(Kind::Account, &id, "accountId").map(AccountId))
        .transpose()
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The account-change history, oldest first: every event after `after` (from the start when
    /// it is absent), optionally for one account and some kinds. At most 100 per page.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn account_events(
        &self,
        ctx: &Context<'_>,
        account_id: Option<ID>,
        kinds: Option<Vec<EventKind>>,
        after: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<AccountEventConnection> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(first, DEFAULT_PAGE)?;
        let after = parse_cursor("after", after)?;
        let query = StoredEvents {
            after: after.unwrap_or(0),
            account_id: account_filter(account_id)?,
            kinds: kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            limit: limit + 1,
        };
        let mut events = service::event::list(s, who, &query).await?;
        let has_next = events.len() as u64 > limit;
        events.truncate(limit as usize);
        let edges: Vec<AccountEventEdge> = events
            .into_iter()
            .map(|e| AccountEventEdge {
                cursor: e.cursor.to_string(),
                node: AccountEventNode(Arc::new(e)),
            })
            .collect();
        Ok(AccountEventConnection {
            page_info: PageInfo {
                has_next_page: has_next,
                has_previous_page: after.is_some_and(|a| a > 0),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
}

#[derive(Default)]
pub struct EventSubscription;

#[Subscription]
impl EventSubscription {
    /// Account-change events as they are committed, optionally for one account and some kinds.
    /// With `after`, first every stored event after that cursor, then live ones: no gap, no
    /// duplicate. Without it, only events from now on.
    async fn account_changes(
        &self,
        ctx: &Context<'_>,
        account_id: Option<ID>,
        kinds: Option<Vec<EventKind>>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<AccountEventNode>> + use<>>
    {
        let (s, who) = parts(ctx)?;
        let after = parse_cursor("after", after)?;
        let kinds = kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let stream = service::event::follow(s, who, account_filter(account_id)?, kinds, after)?;
        Ok(stream.map(|item| item.map(AccountEventNode).map_err(Into::into)))
    }
}
