//! Acting on the event stream: playbooks, tasks and webhook endpoints.

use tandem_domain::auth::{Action, Principal, Role};
use tandem_domain::event::EventKind;
use tandem_domain::ids::{AccountId, PlaybookId, TaskId, TeamMemberId, WebhookEndpointId};
use tandem_domain::playbook::{
    Playbook, PlaybookChange, Run, Task, TaskChange, TaskData, TaskStatus,
};
use tandem_domain::webhook::{
    Attempt, Delivery, Endpoint, EndpointChange, EndpointData, Envelope, SignatureScheme, signing,
};
use tandem_domain::{DomainError, Patch};
use tandem_persistence::playbook;
use tandem_persistence::task::{self, TaskQuery};
use tandem_persistence::webhook::{self, DeliveryQuery};

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

/// Defines a playbook.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::create_playbook",
    skip_all
)]
pub async fn create_playbook(
    s: &Services,
    who: &Principal,
    data: tandem_domain::playbook::PlaybookData,
    enabled: bool,
) -> ApiResult<Playbook> {
    who.authorize(Action::ManagePlaybooks)?;
    let p = playbook::create(&s.store, &who.subject, data, enabled).await?;
    Ok(s.committed(p))
}

/// Changes, enables, disables or archives a playbook still at `version`.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::update_playbook",
    skip_all
)]
pub async fn update_playbook(
    s: &Services,
    who: &Principal,
    id: PlaybookId,
    version: i32,
    change: impl FnOnce(&Playbook) -> tandem_domain::DomainResult<PlaybookChange>,
) -> ApiResult<Playbook> {
    who.authorize(Action::ManagePlaybooks)?;
    let p = playbook::update(&s.store, id, version, change).await?;
    Ok(s.committed(p))
}

/// The live playbooks.
#[tracing::instrument(level = "debug", name = "service::automation::playbooks", skip_all)]
pub async fn playbooks(s: &Services, who: &Principal) -> ApiResult<Vec<Playbook>> {
    who.authorize(Action::ReadInsights)?;
    Ok(playbook::list(&s.store).await?)
}

/// One playbook.
#[tracing::instrument(level = "debug", name = "service::automation::playbook", skip_all)]
pub async fn playbook(
    s: &Services,
    who: &Principal,
    id: PlaybookId,
) -> ApiResult<Option<Playbook>> {
    who.authorize(Action::ReadInsights)?;
    Ok(playbook::get_one(&s.store, id).await?)
}

/// The accounts a playbook would act on now, at most `limit`, and how many there are.
#[tracing::instrument(level = "debug", name = "service::automation::dry_run", skip_all)]
pub async fn dry_run(
    s: &Services,
    who: &Principal,
    p: &Playbook,
    limit: u64,
) -> ApiResult<(Vec<AccountId>, u64)> {
    who.authorize(Action::ReadInsights)?;
    Ok(playbook::dry_run(&s.store, p, limit).await?)
}

/// A playbook's latest firings.
#[tracing::instrument(level = "debug", name = "service::automation::runs", skip_all)]
pub async fn runs(
    s: &Services,
    who: &Principal,
    id: PlaybookId,
    limit: u64,
) -> ApiResult<Vec<Run>> {
    who.authorize(Action::ReadInsights)?;
    Ok(playbook::runs(&s.store, id, limit).await?)
}

/// Creates a task.
#[tracing::instrument(level = "debug", name = "service::automation::create_task", skip_all)]
pub async fn create_task(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: TaskData,
    risk: Option<tandem_domain::ids::RiskId>,
) -> ApiResult<Task> {
    who.authorize(Action::WriteTask)?;
    let t = task::create(&s.store, &who.subject, account, data, risk).await?;
    Ok(s.committed(t))
}

/// A change to a task's fields, as a person typed it.
#[derive(Debug, Clone, Default)]
pub struct TaskEdit {
    /// A new title.
    pub title: Option<String>,
    /// New notes, or none.
    pub notes: Patch<String>,
    /// A new assignee, or none.
    pub assignee_id: Patch<TeamMemberId>,
    /// A new due date, or none.
    pub due_on: Patch<chrono::NaiveDate>,
    /// A new status.
    pub status: Option<TaskStatus>,
}

/// Changes a task still at `version`: its fields, or its status (not both at once, so that each
/// change is one event).
#[tracing::instrument(level = "debug", name = "service::automation::update_task", skip_all)]
pub async fn update_task(
    s: &Services,
    who: &Principal,
    id: TaskId,
    version: i32,
    edit: TaskEdit,
) -> ApiResult<Task> {
    who.authorize(Action::WriteTask)?;
    let fields_changed = edit.title.is_some()
        || edit.notes != Patch::Keep
        || edit.assignee_id != Patch::Keep
        || edit.due_on != Patch::Keep;
    if fields_changed && edit.status.is_some() {
        return Err(ApiError::invalid(
            "status",
            "change a task's status on its own, not together with its other fields",
        ));
    }
    let t = task::update(&s.store, &who.subject, id, version, |current| {
        Ok(match edit.status {
            Some(status) => TaskChange::Status(status),
            None => TaskChange::Fields(current.data.patch(
                edit.title.as_deref(),
                edit.notes,
                edit.assignee_id,
                edit.due_on,
            )?),
        })
    })
    .await?;
    Ok(s.committed(t))
}

/// Tasks as `query` selects them.
#[tracing::instrument(level = "debug", name = "service::automation::tasks", skip_all)]
pub async fn tasks(s: &Services, who: &Principal, query: &TaskQuery) -> ApiResult<Vec<Task>> {
    who.authorize(Action::ReadInsights)?;
    Ok(task::list(&s.store, query).await?)
}

/// One task.
#[tracing::instrument(level = "debug", name = "service::automation::task", skip_all)]
pub async fn task(s: &Services, who: &Principal, id: TaskId) -> ApiResult<Option<Task>> {
    who.authorize(Action::ReadInsights)?;
    Ok(task::get_one(&s.store, id).await?)
}

/// The caller's own tasks: its token's subject must be a team member's id.
#[tracing::instrument(level = "debug", name = "service::automation::my_tasks", skip_all)]
pub async fn my_tasks(s: &Services, who: &Principal, mut query: TaskQuery) -> ApiResult<Vec<Task>> {
    who.authorize(Action::ReadInsights)?;
    let Ok(me) = who.subject.parse::<uuid::Uuid>() else {
        return Err(ApiError::new(
            Code::BadUserInput,
            "this token's subject is not a team member's id, so it has no tasks of its own",
        ));
    };
    query.assignee_id = Some(TeamMemberId(me));
    Ok(task::list(&s.store, &query).await?)
}

/// A fresh signing secret: `whsec_` and the base64 of 32 bytes from the operating system's
/// random source.
fn new_secret() -> ApiResult<String> {
    let mut random = [0u8; signing::SECRET_BYTES];
    getrandom::fill(&mut random).map_err(|e| {
        tracing::error!(error = %e, "the operating system gave no random bytes");
        ApiError::new(Code::Internal, "cannot make a signing secret now")
    })?;
    Ok(signing::new_secret(random))
}

/// What an integration registers.
#[derive(Debug, Clone)]
pub struct WebhookRegistration<'a> {
    /// Where to POST deliveries.
    pub url: &'a str,
    /// What it is for.
    pub description: Option<&'a str>,
    /// The event kinds it wants; every kind when empty.
    pub event_kinds: Vec<EventKind>,
    /// How deliveries are signed.
    pub signature_scheme: SignatureScheme,
    /// What deliveries look like.
    pub envelope: Envelope,
    /// The most deliveries a second; unlimited when `None`.
    pub rate_limit_per_second: Option<i64>,
}

/// Registers an endpoint; the returned endpoint carries its secret, which is never shown again.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::register_webhook",
    skip_all
)]
pub async fn register_webhook(
    s: &Services,
    who: &Principal,
    r: WebhookRegistration<'_>,
) -> ApiResult<Endpoint> {
    who.authorize(Action::ManageWebhooks)?;
    let data = EndpointData::validate(
        r.url,
        r.description,
        r.event_kinds,
        r.signature_scheme,
        r.envelope,
    )?
    .with_rate_limit(r.rate_limit_per_second)?;
    crate::webhook::check_host(&data.url, &s.webhook_allowed_networks)
        .await
        .map_err(|why| DomainError::invalid("url", why))?;
    Ok(webhook::create(&s.store, &who.subject, data, new_secret()?).await?)
}

/// A change to an endpoint.
#[derive(Debug, Clone, Default)]
pub struct WebhookEdit {
    /// A new URL.
    pub url: Option<String>,
    /// A new description, or none.
    pub description: Patch<String>,
    /// New event kinds (empty: every kind).
    pub event_kinds: Option<Vec<EventKind>>,
    /// A new signature scheme.
    pub signature_scheme: Option<SignatureScheme>,
    /// A new envelope.
    pub envelope: Option<Envelope>,
    /// A new rate limit, or none.
    pub rate_limit_per_second: Patch<i64>,
    /// Enable or disable it.
    pub enabled: Option<bool>,
    /// Delete it.
    pub delete: bool,
}

/// Changes an endpoint still at `version`. An integration changes only its own endpoints.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::update_webhook",
    skip_all
)]
pub async fn update_webhook(
    s: &Services,
    who: &Principal,
    id: WebhookEndpointId,
    version: i32,
    edit: WebhookEdit,
) -> ApiResult<Endpoint> {
    who.authorize(Action::ManageWebhooks)?;
    visible(s, who, id).await?;
    if let Some(url) = &edit.url {
        let parsed = tandem_domain::webhook::check_url(url)?;
        crate::webhook::check_host(&parsed, &s.webhook_allowed_networks)
            .await
            .map_err(|why| DomainError::invalid("url", why))?;
    }
    Ok(
        webhook::update(&s.store, &who.subject, id, version, |current| {
            let data = EndpointData::validate(
                edit.url.as_deref().unwrap_or(current.data.url.as_str()),
                edit.description
                    .clone()
                    .apply(current.data.description.clone())
                    .as_deref(),
                edit.event_kinds
                    .clone()
                    .unwrap_or_else(|| current.data.event_kinds.clone()),
                edit.signature_scheme
                    .unwrap_or(current.data.signature_scheme),
                edit.envelope.unwrap_or(current.data.envelope),
            )?
            .with_rate_limit(
                edit.rate_limit_per_second
                    .clone()
                    .apply(current.data.rate_limit_per_second.map(i64::from)),
            )?;
            if data.signature_scheme != current.data.signature_scheme {
                signing::check_scheme(data.signature_scheme, &current.secrets.current)?;
            }
            Ok(EndpointChange {
                data,
                enabled: edit.enabled.unwrap_or(current.enabled),
                archive: edit.delete,
                secrets: current.secrets.clone(),
            })
        })
        .await?,
    )
}

/// Gives an endpoint still at `version` a new secret, returned this once. The old secret keeps
/// signing beside it for `overlap_seconds` (a day when left out, at most a week, none at 0), so
/// receivers can move to the new one without refusing a delivery.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::rotate_webhook_secret",
    skip_all
)]
pub async fn rotate_webhook_secret(
    s: &Services,
    who: &Principal,
    id: WebhookEndpointId,
    version: i32,
    overlap_seconds: Option<i64>,
) -> ApiResult<Endpoint> {
    who.authorize(Action::ManageWebhooks)?;
    let overlap = signing::rotation_overlap(overlap_seconds)?;
    visible(s, who, id).await?;
    let secret = new_secret()?;
    Ok(
        webhook::update(&s.store, &who.subject, id, version, |current| {
            Ok(EndpointChange {
                data: current.data.clone(),
                enabled: current.enabled,
                archive: false,
                secrets: current.secrets.rotated(secret, chrono::Utc::now(), overlap),
            })
        })
        .await?,
    )
}

/// Sends one delivery again now, whatever its status (a new attempt; if it fails, it is retried
/// as any other). Its endpoint must be enabled.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::resend_webhook_delivery",
    skip_all
)]
pub async fn resend_webhook_delivery(
    s: &Services,
    who: &Principal,
    id: tandem_domain::ids::WebhookDeliveryId,
) -> ApiResult<Delivery> {
    who.authorize(Action::ManageWebhooks)?;
    let not_found = || {
        ApiError::new(
            Code::NotFound,
            format!("no webhook delivery has the id {id}"),
        )
    };
    let delivery = webhook::delivery_by_id(&s.store, id)
        .await?
        .ok_or_else(not_found)?;
    let endpoint = webhook_endpoint(s, who, delivery.endpoint_id)
        .await?
        .ok_or_else(not_found)?;
    sendable(&endpoint)?;
    Ok(webhook::resend(&s.store, id, chrono::Utc::now()).await?)
}

/// Sends again every FAILED delivery of an endpoint owed since `since`; how many.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::recover_webhook_deliveries",
    skip_all
)]
pub async fn recover_webhook_deliveries(
    s: &Services,
    who: &Principal,
    id: WebhookEndpointId,
    since: chrono::DateTime<chrono::Utc>,
) -> ApiResult<u64> {
    who.authorize(Action::ManageWebhooks)?;
    let now = chrono::Utc::now();
    tandem_domain::webhook::check_recovery_since(since, now)?;
    let endpoint = webhook_endpoint(s, who, id).await?.ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            format!("no webhook endpoint has the id {id}"),
        )
    })?;
    sendable(&endpoint)?;
    Ok(webhook::recover(&s.store, id, since, now).await?)
}

/// Deliveries are sent only to a live, enabled endpoint: refuse to owe one to any other.
fn sendable(endpoint: &Endpoint) -> ApiResult<()> {
    if endpoint.archived_at.is_some() {
        return Err(ApiError::new(
            Code::Conflict,
            "the webhook endpoint has been deleted",
        ));
    }
    if !endpoint.enabled {
        return Err(ApiError::new(
            Code::Conflict,
            "the webhook endpoint is disabled; enable it first (updateWebhookEndpoint)",
        ));
    }
    Ok(())
}

/// Fails with NOT_FOUND unless the caller may see the endpoint (an integration cannot learn of
/// others' endpoints).
async fn visible(s: &Services, who: &Principal, id: WebhookEndpointId) -> ApiResult<()> {
    webhook_endpoint(s, who, id).await?.ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            format!("no webhook endpoint has the id {id}"),
        )
    })?;
    Ok(())
}

/// The endpoints the caller may see: an integration its own, an admin all.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::webhook_endpoints",
    skip_all
)]
pub async fn webhook_endpoints(s: &Services, who: &Principal) -> ApiResult<Vec<Endpoint>> {
    who.authorize(Action::ManageWebhooks)?;
    Ok(webhook::list(&s.store, own(who)).await?)
}

/// One endpoint, when the caller may see it.
#[tracing::instrument(
    level = "debug",
    name = "service::automation::webhook_endpoint",
    skip_all
)]
pub async fn webhook_endpoint(
    s: &Services,
    who: &Principal,
    id: WebhookEndpointId,
) -> ApiResult<Option<Endpoint>> {
    who.authorize(Action::ManageWebhooks)?;
    Ok(webhook::get_one(&s.store, id)
        .await?
        .filter(|e| own(who).is_none_or(|me| e.created_by == me)))
}

fn own(who: &Principal) -> Option<&str> {
    (who.role == Role::Integration).then_some(who.subject.as_str())
}

/// An endpoint's deliveries, newest first.
#[tracing::instrument(level = "debug", name = "service::automation::deliveries", skip_all)]
pub async fn deliveries(
    s: &Services,
    who: &Principal,
    endpoint: &Endpoint,
    query: &DeliveryQuery,
) -> ApiResult<Vec<Delivery>> {
    who.authorize(Action::ManageWebhooks)?;
    Ok(webhook::deliveries(&s.store, endpoint.id, query).await?)
}

/// The attempts at deliveries.
#[tracing::instrument(level = "debug", name = "service::automation::attempts", skip_all)]
pub async fn attempts(
    s: &Services,
    who: &Principal,
    deliveries: &[tandem_domain::ids::WebhookDeliveryId],
) -> ApiResult<Vec<Attempt>> {
    who.authorize(Action::ManageWebhooks)?;
    Ok(webhook::attempts(&s.store, deliveries).await?)
}
