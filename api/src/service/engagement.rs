//! Engagement and phase operations.

use chrono::{NaiveDate, Utc};
use tandem_domain::DomainError;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::engagement::{
    Engagement, EngagementPatch, EngagementStatus, NewEngagement, NewPhase, Phase, PhasePatch,
    PhaseStatus,
};
use tandem_domain::ids::{AccountId, EngagementId, PhaseId};
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::page::{Page, Window};
use uuid::Uuid;

use super::Services;
use crate::error::ApiResult;

/// One engagement, or `None`.
#[tracing::instrument(level = "debug", name = "service::engagement::get", skip_all)]
///
/// A customer sees the engagements of its own accounts (they are shared with it by default);
/// another account's answers `None`, as an id that names nothing does.
pub async fn get(s: &Services, who: &Principal, id: EngagementId) -> ApiResult<Option<Engagement>> {
    if !who.is_customer() {
        who.authorize(Action::Read)?;
    }
    let found = engagement::get(&s.store, id).await?;
    Ok(found.filter(|e| who.may_see_account(e.account_id)))
}

/// One phase, or `None`.
///
/// A customer sees the phases of its own accounts' engagements (shared by default); another
/// account's answers `None`, as an id that names nothing does.
#[tracing::instrument(level = "debug", name = "service::engagement::get_phase", skip_all)]
pub async fn get_phase(s: &Services, who: &Principal, id: PhaseId) -> ApiResult<Option<Phase>> {
    if !who.is_customer() {
        who.authorize(Action::Read)?;
        return Ok(phase::by_ids(&s.store, &[id]).await?.pop());
    }
    let Some(found) = phase::by_ids(&s.store, &[id]).await?.pop() else {
        return Ok(None);
    };
    let owner = engagement::get(&s.store, found.engagement_id).await?;
    Ok(owner
        .filter(|e| who.may_see_account(e.account_id))
        .map(|_| found))
}

/// A page of engagements.
#[tracing::instrument(level = "debug", name = "service::engagement::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    filter: &EngagementFilter,
    window: &Window<Uuid>,
) -> ApiResult<Page<Engagement>> {
    who.authorize(Action::Read)?;
    Ok(engagement::list(&s.store, filter, window).await?)
}

/// How many engagements match.
#[tracing::instrument(level = "debug", name = "service::engagement::count", skip_all)]
pub async fn count(s: &Services, who: &Principal, filter: &EngagementFilter) -> ApiResult<u64> {
    who.authorize(Action::Read)?;
    Ok(engagement::count(&s.store, filter).await?)
}

/// Scopes an engagement on an account.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account_id))]
pub async fn create(
    s: &Services,
    who: &Principal,
    account_id: AccountId,
    input: NewEngagement,
) -> ApiResult<Engagement> {
    who.authorize(Action::WriteEngagement)?;
    let data = input.validate()?;
    let created = engagement::create(&s.store, &who.subject, account_id, data).await?;
    Ok(s.committed(created))
}

/// Changes an engagement's fields.
#[tracing::instrument(skip_all, fields(subject = %who.subject, engagement = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: EngagementId,
    version: i32,
    patch: EngagementPatch,
) -> ApiResult<Engagement> {
    who.authorize(Action::WriteEngagement)?;
    let updated =
        engagement::update(&s.store, &who.subject, id, version, |e| e.patched(patch)).await?;
    Ok(s.committed(updated))
}

/// Moves an engagement to another status.
#[tracing::instrument(skip_all, fields(subject = %who.subject, engagement = %id))]
pub async fn change_status(
    s: &Services,
    who: &Principal,
    id: EngagementId,
    version: i32,
    status: EngagementStatus,
) -> ApiResult<Engagement> {
    who.authorize(Action::WriteEngagement)?;
    let moved = engagement::transition(&s.store, &who.subject, id, version, status).await?;
    Ok(s.committed(moved))
}

/// Adds a phase at the end of an engagement.
#[tracing::instrument(skip_all, fields(subject = %who.subject, engagement = %engagement_id))]
pub async fn add_phase(
    s: &Services,
    who: &Principal,
    engagement_id: EngagementId,
    input: NewPhase,
    depends_on: Vec<PhaseId>,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let data = input.validate()?;
    let created = phase::create(&s.store, &who.subject, engagement_id, data, depends_on).await?;
    Ok(s.committed(created))
}

/// Changes a phase's fields.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn update_phase(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    patch: PhasePatch,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let updated = phase::update(&s.store, &who.subject, id, version, |p| p.patched(patch)).await?;
    Ok(s.committed(updated))
}

/// Links a phase to a goal of its account's success plan, or unlinks it (`None`).
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn link_phase_goal(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    goal: Option<tandem_domain::ids::GoalId>,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let updated = phase::link_goal(&s.store, &who.subject, id, version, goal).await?;
    Ok(s.committed(updated))
}

/// Replaces the goals of its account's success plan that a phase serves (empty: none).
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn link_phase_goals(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    goals: Vec<tandem_domain::ids::GoalId>,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let updated = phase::link_goals(&s.store, &who.subject, id, version, goals).await?;
    Ok(s.committed(updated))
}

/// Records the value an accepted phase realised.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn record_realised_value(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    value: &str,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let value = tandem_domain::outcome::realised_value("realisedValue", value)?;
    let updated = phase::record_realised_value(&s.store, &who.subject, id, version, value).await?;
    Ok(s.committed(updated))
}

/// Moves a phase to another status, recorded as of `on` (today when absent; never the future),
/// with the value it realised when the move is acceptance and one is given.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn change_phase_status(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    status: PhaseStatus,
    on: Option<NaiveDate>,
    realised_value: Option<String>,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let today = Utc::now().date_naive();
    let on = on.unwrap_or(today);
    if on > today {
        return Err(DomainError::invalid("on", format!("{on} is in the future")).into());
    }
    let moved = phase::transition_with(
        &s.store,
        &who.subject,
        id,
        version,
        status,
        on,
        realised_value,
    )
    .await?;
    Ok(s.committed(moved))
}

/// Replaces the phases a phase depends on.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn set_dependencies(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    depends_on: Vec<PhaseId>,
) -> ApiResult<Phase> {
    who.authorize(Action::WriteEngagement)?;
    let updated = phase::set_dependencies(&s.store, &who.subject, id, version, depends_on).await?;
    Ok(s.committed(updated))
}

/// Moves a phase to another position; returns the engagement's phases in their new order.
#[tracing::instrument(skip_all, fields(subject = %who.subject, phase = %id))]
pub async fn move_phase(
    s: &Services,
    who: &Principal,
    id: PhaseId,
    version: i32,
    position: usize,
) -> ApiResult<Vec<Phase>> {
    who.authorize(Action::WriteEngagement)?;
    let order = phase::reposition(&s.store, &who.subject, id, version, position).await?;
    Ok(s.committed(order))
}
