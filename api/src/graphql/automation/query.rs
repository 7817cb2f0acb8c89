//! Automation's query fields: playbooks, tasks (the caller's own, or filtered) and webhook
//! endpoints.

use async_graphql::{Context, ID, Object};
use tandem_domain::ids::{AccountId, PlaybookId, TaskId, WebhookEndpointId};
use tandem_persistence::task::TaskQuery;

use super::playbook::PlaybookNode;
use super::task::{TaskNode, TaskStatus};
use super::webhook::WebhookEndpointNode;
use crate::graphql::common::context::parts;
use crate::graphql::common::paging::first_or;
use crate::graphql::ids::{self, Kind};
use crate::service::automation as svc;

#[derive(Default)]
pub struct AutomationQuery;

#[Object]
impl AutomationQuery {
    /// The live playbooks, by name.
    async fn playbooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlaybookNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::playbooks(s, who)
            .await?
            .into_iter()
            .map(PlaybookNode)
            .collect())
    }

    /// One playbook, archived or not.
    async fn playbook(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PlaybookNode>> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &id, "id")?);
        Ok(svc::playbook(s, who, id).await?.map(PlaybookNode))
    }

    /// The signed-in team member's tasks (the token's subject is their id), by due date.
    async fn my_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "vec![TaskStatus::Open]",
            desc = "Only these statuses; OPEN when left out, all when empty."
        )]
        statuses: Vec<TaskStatus>,
        #[graphql(default = 50, desc = "How many (0–100).")] first: i32,
    ) -> async_graphql::Result<Vec<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let query = TaskQuery {
            statuses: statuses.into_iter().map(Into::into).collect(),
            limit: first_or(Some(first), 50)?,
            ..TaskQuery::default()
        };
        Ok(svc::my_tasks(s, who, query)
            .await?
            .into_iter()
            .map(TaskNode)
            .collect())
    }

    /// Tasks by due date, filtered.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tasks on this account.")] account_id: Option<ID>,
        #[graphql(desc = "Only tasks assigned to this team member.")] assignee_id: Option<ID>,
        #[graphql(desc = "Only tasks this playbook made.")] playbook_id: Option<ID>,
        #[graphql(default, desc = "Only these statuses; all when empty.")] statuses: Vec<
            TaskStatus,
        >,
        #[graphql(default = 50, desc = "How many (0–100).")] first: i32,
    ) -> async_graphql::Result<Vec<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let query = TaskQuery {
            account_id: account_id
                .map(|id| ids::decode(Kind::Account, &id, "accountId").map(AccountId))
                .transpose()?,
            assignee_id: assignee_id
                .map(|id| ids::team_member(&id, "assigneeId"))
                .transpose()?,
            playbook_id: playbook_id
                .map(|id| ids::decode(Kind::Playbook, &id, "playbookId").map(PlaybookId))
                .transpose()?,
            statuses: statuses.into_iter().map(Into::into).collect(),
            due_by: None,
            limit: first_or(Some(first), 50)?,
        };
        Ok(svc::tasks(s, who, &query)
            .await?
            .into_iter()
            .map(TaskNode)
            .collect())
    }

    /// One task.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let id = TaskId(ids::decode(Kind::Task, &id, "id")?);
        Ok(svc::task(s, who, id).await?.map(TaskNode))
    }

    /// The webhook endpoints the caller may see: an integration its own, an admin all.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEndpointNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::webhook_endpoints(s, who)
            .await?
            .into_iter()
            .map(|endpoint| WebhookEndpointNode {
                endpoint,
                reveal_secret: false,
            })
            .collect())
    }

    /// One webhook endpoint, when the caller may see it.
    async fn webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<WebhookEndpointNode>> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &id, "id")?);
        Ok(svc::webhook_endpoint(s, who, id)
            .await?
            .map(|endpoint| WebhookEndpointNode {
                endpoint,
                reveal_secret: false,
            }))
    }
}
