//! Statement-of-work, change-request and time operations.

use chrono::{NaiveDate, Utc};
use tandem_domain::DomainError;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, ChangeRequestId, EngagementId, SowId, TeamMemberId};
use tandem_domain::sow::{
    ChangeRequest, ChangeRequestStatus, NewSow, NewTimeEntry, Sow, SowStatus, TimeEntry,
};
use tandem_persistence::page::{Page, Window};
use tandem_persistence::sow::{self, SowFilter};
use uuid::Uuid;

use super::Services;
use crate::error::ApiResult;

/// One SOW, or `None`.
#[tracing::instrument(level = "debug", name = "service::sow::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: SowId) -> ApiResult<Option<Sow>> {
    who.authorize(Action::Read)?;
    Ok(sow::get(&s.store, id).await?)
}

/// A page of SOWs.
#[tracing::instrument(level = "debug", name = "service::sow::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    filter: &SowFilter,
    window: &Window<Uuid>,
) -> ApiResult<Page<Sow>> {
    who.authorize(Action::Read)?;
    Ok(sow::list(&s.store, filter, window).await?)
}

/// How many SOWs match.
#[tracing::instrument(level = "debug", name = "service::sow::count", skip_all)]
pub async fn count(s: &Services, who: &Principal, filter: &SowFilter) -> ApiResult<u64> {
    who.authorize(Action::Read)?;
    Ok(sow::count(&s.store, filter).await?)
}

/// A page of a SOW's time entries.
#[tracing::instrument(level = "debug", name = "service::sow::time_entries", skip_all)]
pub async fn time_entries(
    s: &Services,
    who: &Principal,
    id: SowId,
    window: &Window<Uuid>,
) -> ApiResult<Page<TimeEntry>> {
    who.authorize(Action::Read)?;
    Ok(sow::time_entries(&s.store, id, window).await?)
}

/// Drafts a SOW.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account_id))]
pub async fn create(
    s: &Services,
    who: &Principal,
    account_id: AccountId,
    engagement_id: Option<EngagementId>,
    input: NewSow,
) -> ApiResult<Sow> {
    who.authorize(Action::WriteEngagement)?;
    let created = sow::create(&s.store, &who.subject, account_id, engagement_id, input).await?;
    Ok(s.committed(created))
}

/// Replaces a draft or proposed SOW's fields.
#[tracing::instrument(skip_all, fields(subject = %who.subject, sow = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: SowId,
    version: i32,
    input: NewSow,
) -> ApiResult<Sow> {
    who.authorize(Action::WriteEngagement)?;
    let updated = sow::update(&s.store, &who.subject, id, version, input).await?;
    Ok(s.committed(updated))
}

/// Moves a SOW to another status.
#[tracing::instrument(skip_all, fields(subject = %who.subject, sow = %id))]
pub async fn change_status(
    s: &Services,
    who: &Principal,
    id: SowId,
    version: i32,
    status: SowStatus,
) -> ApiResult<Sow> {
    who.authorize(Action::WriteEngagement)?;
    let moved = sow::transition(
        &s.store,
        &who.subject,
        id,
        version,
        status,
        Utc::now().date_naive(),
    )
    .await?;
    Ok(s.committed(moved))
}

/// Raises a change request against a signed SOW.
#[tracing::instrument(skip_all, fields(subject = %who.subject, sow = %id))]
pub async fn raise_change_request(
    s: &Services,
    who: &Principal,
    id: SowId,
    hours: Hours,
    amount: i64,
    reason: &str,
) -> ApiResult<ChangeRequest> {
    who.authorize(Action::WriteEngagement)?;
    let raised =
        sow::raise_change_request(&s.store, &who.subject, id, hours, amount, reason).await?;
    Ok(s.committed(raised))
}

/// Approves or rejects a change request; returns it and its SOW as they are now.
#[tracing::instrument(skip_all, fields(subject = %who.subject, change_request = %id))]
pub async fn decide_change_request(
    s: &Services,
    who: &Principal,
    id: ChangeRequestId,
    version: i32,
    decision: ChangeRequestStatus,
) -> ApiResult<(ChangeRequest, Sow)> {
    who.authorize(Action::WriteEngagement)?;
    if decision == ChangeRequestStatus::Proposed {
        return Err(DomainError::invalid("decision", "decide APPROVED or REJECTED").into());
    }
    let decided = sow::decide_change_request(&s.store, &who.subject, id, version, decision).await?;
    Ok(s.committed(decided))
}

/// Logs hours against a signed SOW; the team member defaults to the caller.
#[tracing::instrument(skip_all, fields(subject = %who.subject, sow = %id))]
pub async fn log_time(
    s: &Services,
    who: &Principal,
    id: SowId,
    team_member: Option<TeamMemberId>,
    mut input: NewTimeEntry,
    worked_on: Option<NaiveDate>,
) -> ApiResult<TimeEntry> {
    who.authorize(Action::WriteEngagement)?;
    let today = Utc::now().date_naive();
    input.team_member_id = match team_member {
        Some(m) => m,
        None => who.subject.parse::<Uuid>().map(TeamMemberId).map_err(|_| {
            DomainError::invalid(
                "teamMemberId",
                "is required: the caller's token does not name a team member",
            )
        })?,
    };
    input.worked_on = worked_on.unwrap_or(today);
    let entry = sow::log_time(&s.store, &who.subject, id, input, today).await?;
    Ok(s.committed(entry))
}
