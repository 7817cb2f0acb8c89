//! Team-member operations.

use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::TeamMemberId;
use tandem_domain::team_member::{NewTeamMember, Team, TeamMember, TeamMemberPatch};
use tandem_persistence::team_member;

use super::Services;
use crate::error::ApiResult;

/// One team member, or `None`.
#[tracing::instrument(level = "debug", name = "service::team_member::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: TeamMemberId) -> ApiResult<Option<TeamMember>> {
    who.authorize(Action::Read)?;
    Ok(team_member::get(&s.store, id).await?)
}

/// The team member the caller's token names, if its subject is a team member's id.
#[tracing::instrument(level = "debug", name = "service::team_member::me", skip_all)]
pub async fn me(s: &Services, who: &Principal) -> ApiResult<Option<TeamMember>> {
    match who.subject.parse::<uuid::Uuid>() {
        Ok(id) => get(s, who, TeamMemberId(id)).await,
        Err(_) => Ok(None),
    }
}

/// The team, optionally one team of it.
#[tracing::instrument(level = "debug", name = "service::team_member::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    team: Option<Team>,
    include_archived: bool,
) -> ApiResult<Vec<TeamMember>> {
    who.authorize(Action::Read)?;
    Ok(team_member::list(&s.store, team, include_archived).await?)
}

/// Adds a team member.
#[tracing::instrument(skip_all, fields(subject = %who.subject))]
pub async fn create(s: &Services, who: &Principal, input: NewTeamMember) -> ApiResult<TeamMember> {
    who.authorize(Action::ManageTeam)?;
    let data = input.validate()?;
    let created = team_member::create(&s.store, &who.subject, data).await?;
    Ok(s.committed(created))
}

/// Updates a team member who is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, member = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: TeamMemberId,
    version: i32,
    patch: TeamMemberPatch,
) -> ApiResult<TeamMember> {
    who.authorize(Action::ManageTeam)?;
    let updated =
        team_member::update(&s.store, &who.subject, id, version, |m| m.patched(patch)).await?;
    Ok(s.committed(updated))
}

/// Archives a team member who is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, member = %id))]
pub async fn archive(
    s: &Services,
    who: &Principal,
    id: TeamMemberId,
    version: i32,
) -> ApiResult<TeamMember> {
    who.authorize(Action::ManageTeam)?;
    let archived = team_member::archive(&s.store, &who.subject, id, version).await?;
    Ok(s.committed(archived))
}
