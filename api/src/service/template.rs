//! Engagement templates and baselines: managing templates, making an engagement from one, and
//! freezing an engagement's plan as a baseline. Templates and baselines are managed by whoever
//! runs engagements (SERVICES, ADMIN) and read by everyone; hours are not money.

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::baseline::Baseline;
use tandem_domain::engagement::{Engagement, NewEngagement};
use tandem_domain::ids::{AccountId, EngagementId, TeamMemberId, TemplateId};
use tandem_domain::template::{NewTemplate, Template, TemplatePatch};
use tandem_persistence::engagement::baseline;
use tandem_persistence::template;

use super::Services;
use crate::error::ApiResult;

/// The templates, by name; archived ones too when asked.
#[tracing::instrument(level = "debug", name = "service::template::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    include_archived: bool,
) -> ApiResult<Vec<Template>> {
    who.authorize(Action::Read)?;
    Ok(template::list(&s.store, include_archived).await?)
}

/// One template (archived or not), or `None`.
#[tracing::instrument(level = "debug", name = "service::template::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: TemplateId) -> ApiResult<Option<Template>> {
    who.authorize(Action::Read)?;
    Ok(template::get_one(&s.store, id).await?)
}

/// Stores a new template.
#[tracing::instrument(skip_all, fields(subject = %who.subject))]
pub async fn create(s: &Services, who: &Principal, input: NewTemplate) -> ApiResult<Template> {
    who.authorize(Action::WriteEngagement)?;
    let data = input.validate()?;
    Ok(template::create(&s.store, data).await?)
}

/// Changes a template; engagements made from it keep the plan they were made with.
#[tracing::instrument(skip_all, fields(subject = %who.subject, template = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: TemplateId,
    version: i32,
    patch: TemplatePatch,
) -> ApiResult<Template> {
    who.authorize(Action::WriteEngagement)?;
    Ok(template::update(&s.store, id, version, false, |t| t.patched(patch)).await?)
}

/// Archives a template: it makes no more engagements and frees its name.
#[tracing::instrument(skip_all, fields(subject = %who.subject, template = %id))]
pub async fn archive(
    s: &Services,
    who: &Principal,
    id: TemplateId,
    version: i32,
) -> ApiResult<Template> {
    who.authorize(Action::WriteEngagement)?;
    Ok(template::update(&s.store, id, version, true, |t| {
        t.ensure_active()?;
        Ok(t.data.clone())
    })
    .await?)
}

/// What the person making an engagement from a template may set themselves.
#[derive(Debug, Clone, Default)]
pub struct FromTemplate {
    /// The engagement's name; the template's when absent.
    pub name: Option<String>,
    /// The services lead.
    pub lead_id: Option<TeamMemberId>,
    /// The platform the merchant leaves.
    pub source_platform: Option<String>,
    /// The platform the merchant moves to.
    pub target_platform: Option<String>,
}

/// Makes a PLANNED engagement on `account` from template `id`, its phases dated from
/// `start_on`, in one transaction.
#[tracing::instrument(skip_all, fields(subject = %who.subject, template = %id, account = %account))]
pub async fn create_engagement(
    s: &Services,
    who: &Principal,
    id: TemplateId,
    account: AccountId,
    start_on: NaiveDate,
    input: FromTemplate,
) -> ApiResult<Engagement> {
    who.authorize(Action::WriteEngagement)?;
    let (e, _) = template::instantiate(&s.store, &who.subject, id, account, |t| {
        let data = NewEngagement {
            name: input.name.unwrap_or_else(|| t.data.name.clone()),
            kind: t.data.kind,
            source_platform: input.source_platform,
            target_platform: input.target_platform,
            lead_id: input.lead_id,
            description: t.data.description.clone(),
            planned_start: Some(start_on),
        }
        .validate()?;
        Ok((data, t.data.plan(start_on)?))
    })
    .await?;
    Ok(s.committed(e))
}

/// Freezes an engagement's planned dates and hours now, as baseline `name`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, engagement = %engagement))]
pub async fn take_baseline(
    s: &Services,
    who: &Principal,
    engagement: EngagementId,
    name: &str,
) -> ApiResult<Baseline> {
    who.authorize(Action::WriteEngagement)?;
    let b = baseline::take(&s.store, &who.subject, engagement, name, Utc::now()).await?;
    Ok(s.committed(b))
}
