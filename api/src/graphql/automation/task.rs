//! A task as the API shows it: a to-do about an account, for a team member.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::playbook as rules;

use super::playbook::PlaybookNode;
use crate::graphql::account::AccountNode;
use crate::graphql::common::context::{Allowed, loaders};
use crate::graphql::ids::{self, Kind};
use crate::graphql::renewal::RiskNode;
use crate::graphql::scalars::Date;
use crate::graphql::team_member::TeamMemberNode;

/// Where a task stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::playbook::TaskStatus")]
pub(super) enum TaskStatus {
    /// To do.
    Open,
    /// Done.
    Done,
    /// Decided not to do.
    Dismissed,
}

/// A to-do for a team member about an account, made by a person or a playbook.
pub struct TaskNode(pub rules::Task);

#[Object(name = "Task")]
impl TaskNode {
    /// The task's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Task, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateTask`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What to do.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// More about it.
    async fn notes(&self) -> Option<&str> {
        self.0.data.notes.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }
    /// By when.
    async fn due_on(&self) -> Option<Date> {
        self.0.data.due_on.map(Date)
    }
    /// The account it concerns.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(AccountNode::load(ctx, self.0.account_id).await?)
    }
    /// Who should do it; `null` when unassigned.
    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(id) = self.0.data.assignee_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(id)
            .await?
            .map(TeamMemberNode))
    }
    /// The risk it mitigates.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn risk(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RiskNode>> {
        let Some(id) = self.0.risk_id else {
            return Ok(None);
        };
        // Through the account's risks: one batched read for a whole list of tasks.
        Ok(loaders(ctx)?
            .risks()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.id == id)
            .map(RiskNode))
    }
    /// The playbook that created it; `null` when a person did.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn playbook(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PlaybookNode>> {
        let Some(id) = self.0.playbook_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .playbooks()
            .load_one(id)
            .await?
            .map(PlaybookNode))
    }
    /// Who created it: a token subject, or `playbook:<id>`.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was done or dismissed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}
