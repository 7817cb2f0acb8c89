//! Opportunities and the stages of their pipeline.
//!
//! Who may write: ADMIN and CS_MANAGER work every opportunity; SERVICES works services
//! follow-ons only (the ones its own work leads to); only ADMIN configures the stages. An
//! opportunity's kind is fixed when it is opened, so checking it before the write cannot race
//! a change of kind. Reads need `ReadInsights`, as renewals and risks do; money fields are
//! guarded in the schema (`SeeMoney`).

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::{AccountId, OpportunityId, OpportunityStageId};
use tandem_domain::opportunity::{Closing, Opportunity, OpportunityData, OpportunityKind, Stage};
use tandem_domain::{DomainError, DomainResult};
use tandem_persistence::opportunity::{self, OpportunityFilter, OpportunityKey};
use tandem_persistence::page::{Page, Window};

use super::Services;
use crate::error::ApiResult;

/// Refuses a role that may not write opportunities of `kind`.
fn authorize_kind(who: &Principal, kind: OpportunityKind) -> DomainResult<()> {
    match kind {
        OpportunityKind::ServicesFollowOn => who.authorize(Action::ManageServicesOpportunities),
        _ => who.authorize(Action::ManageOpportunities),
    }
}

/// Refuses a role that may not write the opportunity `id` (NOT_FOUND when there is none).
async fn authorize_on(s: &Services, who: &Principal, id: OpportunityId) -> ApiResult<()> {
    who.authorize(Action::ManageServicesOpportunities)?;
    let current = opportunity::by_id(&s.store, id).await?.ok_or_else(|| {
        tandem_persistence::PersistenceError::NotFound {
            entity: "opportunity",
            id: id.to_string(),
        }
    })?;
    Ok(authorize_kind(who, current.data.kind)?)
}

/// The stages of the pipeline, in order.
#[tracing::instrument(level = "debug", name = "service::opportunity::stages", skip_all)]
pub async fn stages(s: &Services, who: &Principal) -> ApiResult<Vec<Stage>> {
    who.authorize(Action::ReadInsights)?;
    Ok(opportunity::stages(&s.store).await?)
}

/// Adds a stage (`read` is `None`) or changes one still at version `read`.
#[tracing::instrument(skip_all, fields(subject = %who.subject))]
pub async fn set_stage(
    s: &Services,
    who: &Principal,
    read: Option<i32>,
    stage: Stage,
) -> ApiResult<Stage> {
    who.authorize(Action::ConfigureOpportunityStages)?;
    let saved = opportunity::set_stage(&s.store, &who.subject, read, stage).await?;
    Ok(s.committed(saved))
}

/// One opportunity.
#[tracing::instrument(level = "debug", name = "service::opportunity::get", skip_all)]
pub async fn get(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
) -> ApiResult<Option<Opportunity>> {
    who.authorize(Action::ReadInsights)?;
    Ok(opportunity::by_id(&s.store, id).await?)
}

/// A page of opportunities, soonest to close first.
#[tracing::instrument(level = "debug", name = "service::opportunity::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    filter: &OpportunityFilter,
    window: &Window<OpportunityKey>,
) -> ApiResult<Page<Opportunity>> {
    who.authorize(Action::ReadInsights)?;
    Ok(opportunity::list(&s.store, filter, window).await?)
}

/// Opens an opportunity on an account, in `stage` or the pipeline's first.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn create(
    s: &Services,
    who: &Principal,
    account: AccountId,
    stage: Option<OpportunityStageId>,
    data: OpportunityData,
) -> ApiResult<Opportunity> {
    authorize_kind(who, data.kind)?;
    let data = data.validate()?;
    let o = opportunity::create(&s.store, &who.subject, account, stage, data).await?;
    Ok(s.committed(o))
}

/// Changes the fields of an open opportunity still at `version`; its kind stays.
#[tracing::instrument(skip_all, fields(subject = %who.subject, opportunity = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
    version: i32,
    change: impl FnOnce(&Opportunity) -> DomainResult<OpportunityData>,
) -> ApiResult<Opportunity> {
    authorize_on(s, who, id).await?;
    let o = opportunity::update(&s.store, &who.subject, id, version, |current| {
        let data = change(current)?;
        if data.kind != current.data.kind {
            return Err(DomainError::invalid(
                "kind",
                "an opportunity keeps its kind; lose this one and open another",
            ));
        }
        data.validate()
    })
    .await?;
    Ok(s.committed(o))
}

/// Moves an open opportunity still at `version` to another stage.
#[tracing::instrument(skip_all, fields(subject = %who.subject, opportunity = %id))]
pub async fn move_stage(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
    version: i32,
    stage: OpportunityStageId,
) -> ApiResult<Opportunity> {
    authorize_on(s, who, id).await?;
    let o = opportunity::move_stage(&s.store, &who.subject, id, version, stage).await?;
    Ok(s.committed(o))
}

/// Wins an open opportunity still at `version`, on `closed_on` (today when not given), with an
/// optional reason; what a win records is in [`opportunity::close`].
#[tracing::instrument(skip_all, fields(subject = %who.subject, opportunity = %id))]
pub async fn win(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
    version: i32,
    reason: Option<&str>,
    closed_on: Option<NaiveDate>,
) -> ApiResult<Opportunity> {
    authorize_on(s, who, id).await?;
    let closing = Closing::won(reason, closed_on.unwrap_or_else(today))?;
    close(s, who, id, version, closing).await
}

/// Loses an open opportunity still at `version`, on `closed_on` (today when not given), saying
/// why.
#[tracing::instrument(skip_all, fields(subject = %who.subject, opportunity = %id))]
pub async fn lose(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
    version: i32,
    reason: &str,
    closed_on: Option<NaiveDate>,
) -> ApiResult<Opportunity> {
    authorize_on(s, who, id).await?;
    let closing = Closing::lost(reason, closed_on.unwrap_or_else(today))?;
    close(s, who, id, version, closing).await
}

/// Today, in UTC: the day a closing that names none happened.
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Wins or loses an open opportunity still at `version`, as `closing` says, for a caller
/// already authorized.
async fn close(
    s: &Services,
    who: &Principal,
    id: OpportunityId,
    version: i32,
    closing: Closing,
) -> ApiResult<Opportunity> {
    let o = opportunity::close(&s.store, &who.subject, id, version, closing).await?;
    Ok(s.committed(o))
}
