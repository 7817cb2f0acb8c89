//! Automation's mutations: define, change and archive playbooks; create and change tasks;
//! register, change and delete webhook endpoints and rotate their secrets.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use tandem_domain::ids::{AccountId, PlaybookId, TaskId, WebhookDeliveryId, WebhookEndpointId};
use tandem_domain::playbook::{self as rules, PlaybookChange, PlaybookData};

use super::input::{
    CreatePlaybookInput, CreateTaskInput, RegisterWebhookEndpointInput, RotateWebhookSecretInput,
    UpdatePlaybookInput, UpdateTaskInput, UpdateWebhookEndpointInput, actions,
};
use super::playbook::PlaybookNode;
use super::task::TaskNode;
use super::webhook::{WebhookDeliveryNode, WebhookEndpointNode, WebhookRecovery};
use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::parts;
use crate::graphql::common::input::patch;
use crate::graphql::ids::{self, Kind};
use crate::service::automation as svc;

#[derive(Default)]
pub struct AutomationMutation;

#[Object]
impl AutomationMutation {
    /// Defines a playbook (ADMIN, CS_MANAGER).
    async fn create_playbook(
        &self,
        ctx: &Context<'_>,
        input: CreatePlaybookInput,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let data = (|| -> ApiResult<PlaybookData> {
            Ok(PlaybookData::validate(
                &input.name,
                input.description.as_deref(),
                input.trigger.into_domain()?,
                input.condition.unwrap_or_default().into_domain()?,
                actions(input.actions)?,
            )?)
        })()
        .map_err(|e| e.under("input"))?;
        Ok(PlaybookNode(
            svc::create_playbook(s, who, data, input.enabled)
                .await
                .map_err(|e| e.under("input"))?,
        ))
    }

    /// Changes, enables or disables a playbook (ADMIN, CS_MANAGER).
    async fn update_playbook(
        &self,
        ctx: &Context<'_>,
        input: UpdatePlaybookInput,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &input.id, "id")?);
        let under = |e: ApiError| e.under("input");
        let trigger = input
            .trigger
            .map(|t| t.into_domain())
            .transpose()
            .map_err(under)?;
        let condition = input
            .condition
            .map(|c| c.into_domain())
            .transpose()
            .map_err(under)?;
        let new_actions = input.actions.map(actions).transpose().map_err(under)?;
        let description = patch(input.description, Ok)?;
        Ok(PlaybookNode(
            svc::update_playbook(s, who, id, input.version, |current| {
                let d = &current.data;
                let data = PlaybookData::validate(
                    input.name.as_deref().unwrap_or(&d.name),
                    description.apply(d.description.clone()).as_deref(),
                    trigger.unwrap_or_else(|| d.trigger.clone()),
                    condition.unwrap_or_else(|| d.condition.clone()),
                    new_actions.unwrap_or_else(|| d.actions.clone()),
                )?;
                Ok(PlaybookChange {
                    data,
                    enabled: input.enabled.unwrap_or(current.enabled),
                    archive: false,
                })
            })
            .await
            .map_err(under)?,
        ))
    }

    /// Archives a playbook: it stops firing for good and its name is free again.
    async fn archive_playbook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &id, "id")?);
        Ok(PlaybookNode(
            svc::update_playbook(s, who, id, version, |current| {
                Ok(PlaybookChange {
                    data: current.data.clone(),
                    enabled: false,
                    archive: true,
                })
            })
            .await?,
        ))
    }

    /// Creates a task (ADMIN, CS_MANAGER, SERVICES); `TASK_CREATED`.
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        input: CreateTaskInput,
    ) -> async_graphql::Result<TaskNode> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(Kind::Account, &input.account_id, "accountId")?);
        let under = |e: ApiError| e.under("input");
        let assignee = input
            .assignee_id
            .map(|id| ids::team_member(&id, "assigneeId"))
            .transpose()
            .map_err(under)?;
        let data = rules::TaskData::validate(
            &input.title,
            input.notes.as_deref(),
            assignee,
            input.due_on.map(|d| d.0),
        )
        .map_err(|e| under(e.into()))?;
        let risk = input
            .risk_id
            .map(|id| ids::decode(Kind::Risk, &id, "riskId").map(tandem_domain::ids::RiskId))
            .transpose()
            .map_err(under)?;
        Ok(TaskNode(
            svc::create_task(s, who, account, data, risk)
                .await
                .map_err(under)?,
        ))
    }

    /// Changes a task: its fields (`TASK_UPDATED`) or its status (`TASK_STATUS_CHANGED`).
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskInput,
    ) -> async_graphql::Result<TaskNode> {
        let (s, who) = parts(ctx)?;
        let id = TaskId(ids::decode(Kind::Task, &input.id, "id")?);
        let edit = svc::TaskEdit {
            title: input.title,
            notes: patch(input.notes, Ok)?,
            assignee_id: patch(input.assignee_id, |id| ids::team_member(&id, "assigneeId"))?,
            due_on: patch(input.due_on, |d| Ok(d.0))?,
            status: input.status.map(Into::into),
        };
        Ok(TaskNode(
            svc::update_task(s, who, id, input.version, edit)
                .await
                .map_err(|e| e.under("input"))?,
        ))
    }

    /// Registers a webhook endpoint (ADMIN, INTEGRATION). The answer carries the signing secret,
    /// shown this once.
    async fn register_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: RegisterWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let registration = svc::WebhookRegistration {
            url: &input.url,
            description: input.description.as_deref(),
            event_kinds: input.event_kinds.into_iter().map(Into::into).collect(),
            signature_scheme: input.signature_scheme.into(),
            envelope: input.envelope.into(),
            rate_limit_per_second: input.rate_limit_per_second.map(i64::from),
        };
        let endpoint = svc::register_webhook(s, who, registration)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: true,
        })
    }

    /// Changes, enables or disables a webhook endpoint.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &input.id, "id")?);
        let edit = svc::WebhookEdit {
            url: input.url,
            description: patch(input.description, Ok)?,
            event_kinds: input
                .event_kinds
                .map(|k| k.into_iter().map(Into::into).collect()),
            signature_scheme: input.signature_scheme.map(Into::into),
            envelope: input.envelope.map(Into::into),
            rate_limit_per_second: patch(input.rate_limit_per_second, |n| Ok(i64::from(n)))?,
            enabled: input.enabled,
            delete: false,
        };
        let endpoint = svc::update_webhook(s, who, id, input.version, edit)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: false,
        })
    }

    /// Gives a webhook endpoint a new signing secret, shown this once in the answer. For
    /// `overlapSeconds` (a day by default) every delivery carries two signatures, by the new
    /// secret and the old, so receivers can switch without refusing a delivery; after it, only
    /// the new one. A second rotation during an overlap retires the oldest secret at once.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: RotateWebhookSecretInput,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &input.id, "id")?);
        let endpoint = svc::rotate_webhook_secret(
            s,
            who,
            id,
            input.version,
            input.overlap_seconds.map(i64::from),
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: true,
        })
    }

    /// Sends one webhook delivery again, whatever its status: a new attempt with the same
    /// delivery id, retried with backoff if it fails. Its endpoint must be enabled.
    async fn resend_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<WebhookDeliveryNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookDeliveryId(ids::decode(Kind::WebhookDelivery, &id, "id")?);
        let delivery = svc::resend_webhook_delivery(s, who, id).await?;
        let attempts = svc::attempts(s, who, &[delivery.id]).await?;
        Ok(WebhookDeliveryNode(delivery, attempts))
    }

    /// Sends again every FAILED delivery of an endpoint owed since `since` (for after an
    /// outage of the receiver). Its endpoint must be enabled.
    async fn recover_webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        since: DateTime<Utc>,
    ) -> async_graphql::Result<WebhookRecovery> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(
            Kind::WebhookEndpoint,
            &endpoint_id,
            "endpointId",
        )?);
        let requeued = svc::recover_webhook_deliveries(s, who, id, since).await?;
        Ok(WebhookRecovery {
            requeued: i32::try_from(requeued).unwrap_or(i32::MAX),
        })
    }

    /// Deletes a webhook endpoint: no more deliveries are made; pending ones are given up.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &id, "id")?);
        let edit = svc::WebhookEdit {
            delete: true,
            ..svc::WebhookEdit::default()
        };
        let endpoint = svc::update_webhook(s, who, id, version, edit).await?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: false,
        })
    }
}
