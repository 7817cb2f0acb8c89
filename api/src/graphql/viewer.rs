//! `viewer`: who the caller is.

use async_graphql::{Context, Object};

use super::common::context::parts;
use super::enums::Role;
use super::team_member::TeamMemberNode;
use crate::service;

/// The caller of the request.
pub struct Viewer {
    subject: String,
    role: Role,
}

#[Object]
impl Viewer {
    /// The subject (`sub`) of the caller's token.
    async fn subject(&self) -> &str {
        &self.subject
    }
    /// The role the token grants.
    async fn role(&self) -> Role {
        self.role
    }
    /// The team member the token belongs to, when its subject is a team member's id.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        let (s, who) = parts(ctx)?;
        Ok(service::team_member::me(s, who).await?.map(TeamMemberNode))
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is asking.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
        let (_, who) = parts(ctx)?;
        Ok(Viewer {
            subject: who.subject.clone(),
            role: who.role.into(),
        })
    }
}
