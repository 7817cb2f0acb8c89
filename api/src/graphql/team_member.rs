//! Team members in the API.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::hours::Hours;
use tandem_domain::ids::TeamMemberId;
use tandem_domain::team_member::{NewTeamMember, TeamMember, TeamMemberPatch};

use super::common::context::parts;
use super::common::input::patch;
use super::enums::{Role, Team};
use super::ids::{self, Kind};
use crate::error::ApiError;
use crate::service;

/// A person at the vendor.
pub struct TeamMemberNode(pub TeamMember);

#[Object(name = "TeamMember")]
impl TeamMemberNode {
    /// Its ids in other systems (a CRM, HR), one per source.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::sync::ExternalIdValue>> {
        super::sync::ExternalIdValue::of(ctx, self.0.id).await
    }
    /// The member's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::TeamMember, self.0.id.0)
    }
    /// The raw id, which is also the `sub` of this person's tokens.
    async fn subject(&self) -> String {
        self.0.id.to_string()
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// Work e-mail address.
    async fn email(&self) -> &str {
        &self.0.data.email
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.data.title.as_deref()
    }
    /// The team they work in.
    async fn team(&self) -> Team {
        self.0.data.team.into()
    }
    /// The access role their tokens carry.
    async fn role(&self) -> Role {
        self.0.data.role.into()
    }
    /// Hours they work in a full week: the base of their capacity in `utilisation`.
    async fn weekly_capacity_hours(&self) -> f64 {
        self.0.data.weekly_capacity.as_decimal()
    }
    /// A services lead: with the SERVICES role, may approve and return other people's
    /// timesheets.
    async fn lead(&self) -> bool {
        self.0.data.lead
    }
    /// When they joined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When their record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When they were archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

#[derive(Default)]
pub struct TeamMemberQuery;

#[Object]
impl TeamMemberQuery {
    /// The team member with this id, or `null`.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        let (s, who) = parts(ctx)?;
        let id = TeamMemberId(ids::decode(Kind::TeamMember, &id, "id")?);
        Ok(service::team_member::get(s, who, id)
            .await?
            .map(TeamMemberNode))
    }

    /// The team by name, optionally one team of it.
    async fn team_members(
        &self,
        ctx: &Context<'_>,
        team: Option<Team>,
        #[graphql(default = false)] include_archived: bool,
    ) -> async_graphql::Result<Vec<TeamMemberNode>> {
        let (s, who) = parts(ctx)?;
        Ok(
            service::team_member::list(s, who, team.map(Into::into), include_archived)
                .await?
                .into_iter()
                .map(TeamMemberNode)
                .collect(),
        )
    }
}

/// A new team member.
#[derive(InputObject)]
pub struct CreateTeamMemberInput {
    /// Full name.
    pub name: String,
    /// Work e-mail address, unique across the team.
    pub email: String,
    /// Job title.
    pub title: Option<String>,
    /// The team they work in.
    pub team: Team,
    /// The access role their tokens will carry.
    pub role: Role,
    /// Hours in a full week, in [0, 80]; 40 when omitted.
    pub weekly_capacity_hours: Option<f64>,
    /// A services lead (may approve timesheets with the SERVICES role); false when omitted.
    #[graphql(default)]
    pub lead: bool,
}

/// A change to a team member. Absent fields stay; `null` clears the title.
#[derive(InputObject)]
pub struct UpdateTeamMemberInput {
    /// The member's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new e-mail address.
    pub email: Option<String>,
    /// A new title, or `null`.
    pub title: MaybeUndefined<String>,
    /// A new team.
    pub team: Option<Team>,
    /// A new role.
    pub role: Option<Role>,
    /// New weekly capacity in hours, in [0, 80].
    pub weekly_capacity_hours: Option<f64>,
    /// Mark or unmark as a services lead.
    pub lead: Option<bool>,
}

/// Which team member to archive.
#[derive(InputObject)]
pub struct ArchiveTeamMemberInput {
    /// The member's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The result of a team-member mutation.
#[derive(SimpleObject)]
pub struct TeamMemberPayload {
    /// The member as they are now.
    pub team_member: TeamMemberNode,
}

fn capacity(hours: Option<f64>) -> Result<Option<Hours>, ApiError> {
    hours
        .map(|h| Hours::from_decimal("weeklyCapacityHours", h))
        .transpose()
        .map_err(|e| ApiError::from(e).under("input"))
}

#[derive(Default)]
pub struct TeamMemberMutation;

#[Object]
impl TeamMemberMutation {
    /// Adds a team member. Needs ADMIN.
    async fn create_team_member(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamMemberInput,
    ) -> async_graphql::Result<TeamMemberPayload> {
        let (s, who) = parts(ctx)?;
        let new = NewTeamMember {
            name: input.name,
            email: input.email,
            title: input.title,
            team: input.team.into(),
            role: input.role.into(),
            weekly_capacity: capacity(input.weekly_capacity_hours)?,
            lead: input.lead,
        };
        let member = service::team_member::create(s, who, new)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(TeamMemberPayload {
            team_member: TeamMemberNode(member),
        })
    }

    /// Changes a team member who is still at `input.version`. Needs ADMIN.
    async fn update_team_member(
        &self,
        ctx: &Context<'_>,
        input: UpdateTeamMemberInput,
    ) -> async_graphql::Result<TeamMemberPayload> {
        let (s, who) = parts(ctx)?;
        let id = TeamMemberId(ids::decode(Kind::TeamMember, &input.id, "input.id")?);
        let change = TeamMemberPatch {
            name: input.name,
            email: input.email,
            title: patch(input.title, Ok)?,
            team: input.team.map(Into::into),
            role: input.role.map(Into::into),
            weekly_capacity: capacity(input.weekly_capacity_hours)?,
            lead: input.lead,
        };
        let member = service::team_member::update(s, who, id, input.version, change)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(TeamMemberPayload {
            team_member: TeamMemberNode(member),
        })
    }

    /// Archives a team member who is still at `input.version` and owns no active account.
    /// Needs ADMIN.
    async fn archive_team_member(
        &self,
        ctx: &Context<'_>,
        input: ArchiveTeamMemberInput,
    ) -> async_graphql::Result<TeamMemberPayload> {
        let (s, who) = parts(ctx)?;
        let id = TeamMemberId(ids::decode(Kind::TeamMember, &input.id, "input.id")?);
        let member = service::team_member::archive(s, who, id, input.version).await?;
        Ok(TeamMemberPayload {
            team_member: TeamMemberNode(member),
        })
    }
}
