//! A webhook endpoint as the API shows it, and its deliveries with every attempt at them.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::ids::WebhookDeliveryId;
use tandem_domain::webhook::{Attempt, Delivery, Endpoint};
use tandem_persistence::webhook::DeliveryQuery;

use crate::graphql::common::context::parts;
use crate::graphql::common::paging::first_or;
use crate::graphql::enums::EventKind;
use crate::graphql::ids::{self, Kind};
use crate::service::automation as svc;

/// Where an integration wants events pushed. Each delivery is a POST of JSON in the endpoint's
/// `envelope` (Tandem's `{deliveryId, event}`, or a CloudEvent in HTTP binary content mode),
/// signed as its `signatureScheme` says (Standard Webhooks `webhook-id`, `webhook-timestamp`
/// and `webhook-signature`, or Tandem's `Tandem-Signature`), with `Tandem-Delivery`,
/// `Tandem-Event-Cursor` and `Tandem-Event-Kind` headers. A 2xx answer delivers it; anything
/// else is retried with exponential backoff. An endpoint that fails for too long is disabled,
/// with the reason in `disabledReason`.
pub(super) struct WebhookEndpointNode {
    pub(super) endpoint: Endpoint,
    /// Shown once, in the answer to `registerWebhookEndpoint` or `rotateWebhookSecret`.
    pub(super) reveal_secret: bool,
}

#[Object(name = "WebhookEndpoint")]
impl WebhookEndpointNode {
    /// The endpoint's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.endpoint.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.endpoint.version
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        self.endpoint.data.url.as_str()
    }
    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.endpoint.data.description.as_deref()
    }
    /// The event kinds it receives; every kind when empty.
    async fn event_kinds(&self) -> Vec<EventKind> {
        self.endpoint
            .data
            .event_kinds
            .iter()
            .map(|k| (*k).into())
            .collect()
    }
    /// The signing secret (`whsec_` and base64): only in the answer to
    /// `registerWebhookEndpoint` or `rotateWebhookSecret`, `null` ever after. Keep it where the
    /// receiver can read it.
    async fn secret(&self) -> Option<&str> {
        self.reveal_secret
            .then_some(self.endpoint.secrets.current.as_str())
    }
    /// How deliveries are signed.
    async fn signature_scheme(&self) -> WebhookSignatureScheme {
        self.endpoint.data.signature_scheme.into()
    }
    /// What deliveries look like.
    async fn envelope(&self) -> WebhookEnvelope {
        self.endpoint.data.envelope.into()
    }
    /// The most deliveries sent to it in any one second; `null` when unlimited.
    async fn rate_limit_per_second(&self) -> Option<i32> {
        self.endpoint
            .data
            .rate_limit_per_second
            .and_then(|n| i32::try_from(n).ok())
    }
    /// Until when the secret replaced by the latest rotation still signs deliveries beside the
    /// current one; `null` when only the current one signs.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.endpoint.secrets.overlap_ends(Utc::now())
    }
    /// Whether deliveries are made.
    async fn enabled(&self) -> bool {
        self.endpoint.enabled
    }
    /// Why the server disabled it, when it did.
    async fn disabled_reason(&self) -> Option<&str> {
        self.endpoint.disabled_reason.as_deref()
    }
    /// Since when every attempt has failed; `null` while deliveries succeed.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.endpoint.failing_since
    }
    /// Failed attempts in a row.
    async fn consecutive_failures(&self) -> i32 {
        self.endpoint.consecutive_failures
    }
    /// Its deliveries, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many (0–100).")] first: i32,
        #[graphql(default, desc = "Only these statuses; all when empty.")] statuses: Vec<
            WebhookDeliveryStatus,
        >,
    ) -> async_graphql::Result<Vec<WebhookDeliveryNode>> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(Some(first), 20)?;
        let query = DeliveryQuery {
            statuses: statuses.into_iter().map(Into::into).collect(),
            limit,
        };
        let deliveries = svc::deliveries(s, who, &self.endpoint, &query).await?;
        let ids: Vec<WebhookDeliveryId> = deliveries.iter().map(|d| d.id).collect();
        let mut attempts = svc::attempts(s, who, &ids).await?;
        Ok(deliveries
            .into_iter()
            .map(|d| {
                let mine: Vec<_> = attempts.extract_if(.., |a| a.delivery_id == d.id).collect();
                WebhookDeliveryNode(d, mine)
            })
            .collect())
    }
    /// Who registered it.
    async fn created_by(&self) -> &str {
        &self.endpoint.created_by
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.endpoint.created_at
    }
}

/// How an endpoint's deliveries are signed.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::webhook::SignatureScheme")]
pub(super) enum WebhookSignatureScheme {
    /// Standard Webhooks 1.0: `webhook-id` (the delivery's id), `webhook-timestamp` (Unix
    /// seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
    /// keyed by the base64-decoded part of the `whsec_` secret; several space-separated during a
    /// rotation). Any Standard Webhooks library verifies it. The default for new endpoints.
    StandardWebhooks,
    /// Tandem's own: `Tandem-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"
    /// keyed by the secret's text>` (one `v1=` per secret during a rotation). Endpoints
    /// registered before Standard Webhooks keep it.
    Tandem,
}

/// What a delivery looks like. Either way it is signed as the endpoint's scheme says.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::webhook::Envelope")]
pub(super) enum WebhookEnvelope {
    /// The body is `{deliveryId, event}`.
    Tandem,
    /// CloudEvents 1.0 in HTTP binary content mode: `ce-specversion: 1.0`, `ce-id` (the
    /// delivery's id), `ce-source: /tandem`, `ce-type` (`com.tandem.` and the event kind in
    /// lower case, dotted: `com.tandem.playbook.fired`), `ce-time`, `ce-subject` (the subject's
    /// global id); the body is the event.
    CloudEvents,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::webhook::DeliveryStatus")]
pub(super) enum WebhookDeliveryStatus {
    /// Not delivered yet; another attempt is due.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: every attempt failed, or the endpoint was deleted.
    Failed,
}

/// One event owed to one endpoint, and every attempt at it.
pub(super) struct WebhookDeliveryNode(pub(super) Delivery, pub(super) Vec<Attempt>);

/// What `recoverWebhookDeliveries` did.
#[derive(SimpleObject)]
pub(super) struct WebhookRecovery {
    /// How many failed deliveries are owed again.
    pub requeued: i32,
}

/// One attempt at a delivery.
#[derive(SimpleObject)]
pub(super) struct WebhookAttempt {
    /// 1 for the first.
    pub attempt: i32,
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status the endpoint answered, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
}

#[Object(name = "WebhookDelivery")]
impl WebhookDeliveryNode {
    /// The delivery's id, also sent as `webhook-id`, `Tandem-Delivery` and `ce-id`: a receiver
    /// that sees it twice has seen a retry.
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookDelivery, self.0.id.0)
    }
    /// The cursor of the event delivered.
    async fn event_cursor(&self) -> String {
        self.0.event_cursor.to_string()
    }
    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made.
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// What went wrong last.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// Every attempt, in order.
    async fn attempts(&self) -> Vec<WebhookAttempt> {
        self.1
            .iter()
            .map(|a| WebhookAttempt {
                attempt: a.attempt,
                attempted_at: a.attempted_at,
                status_code: a.status_code,
                error: a.error.clone(),
                duration_ms: a.duration_ms.min(i64::from(i32::MAX)) as i32,
            })
            .collect()
    }
}
