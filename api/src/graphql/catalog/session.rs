//! A catalog-modeling session as the API shows it: who is in the room and what was decided.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::catalog::session::CatalogSession;

use crate::graphql::account::AccountNode;
use crate::graphql::common::context::loaders;
use crate::graphql::contact::ContactNode;
use crate::graphql::enums::SessionStatus;
use crate::graphql::ids::{self, Kind};
use crate::graphql::team_member::TeamMemberNode;

/// A decision taken in a session.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogDecision", input_name = "CatalogDecisionInput")]
pub(super) struct DecisionValue {
    /// What was decided.
    pub what: String,
    /// Why.
    pub why: Option<String>,
    /// Who decided.
    pub by: Option<String>,
}

/// A working session with the merchant on its catalog.
pub(super) struct SessionNode(pub CatalogSession);

#[Object(name = "CatalogSession")]
impl SessionNode {
    /// The session's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CatalogSession, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What it is about.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// Where it stands.
    async fn status(&self) -> SessionStatus {
        self.0.status.into()
    }
    /// When it is held.
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.data.scheduled_at
    }
    /// The account whose catalog it models.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(AccountNode::load(ctx, self.0.account_id).await?)
    }
    /// Who runs it.
    async fn facilitator(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(f) = self.0.data.facilitator_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(f)
            .await?
            .map(TeamMemberNode))
    }
    /// The id of the engagement phase it serves.
    async fn phase_id(&self) -> Option<ID> {
        self.0.data.phase_id.map(|p| ids::encode(Kind::Phase, p.0))
    }
    /// The merchant's people in the room.
    async fn attendees(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ContactNode>> {
        let contacts = loaders(ctx)?
            .contacts()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or_default();
        Ok(contacts
            .into_iter()
            .filter(|c| self.0.data.attendees.contains(&c.id))
            .map(ContactNode)
            .collect())
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.data.notes.as_deref()
    }
    /// Decisions taken.
    async fn decisions(&self) -> Vec<DecisionValue> {
        self.0
            .data
            .decisions
            .iter()
            .map(|d| DecisionValue {
                what: d.what.clone(),
                why: d.why.clone(),
                by: d.by.clone(),
            })
            .collect()
    }
}
