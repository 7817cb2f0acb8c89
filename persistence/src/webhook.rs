//! Webhook endpoints, the deliveries owed to them, and every attempt at one.
//!
//! Deliveries are written by the automation worker in the same transaction that moves its
//! cursor past the event, so each (endpoint, event) pair is owed exactly once; the dispatcher
//! then sends them, retrying with backoff, and records each attempt.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::event::EventKind;
use tandem_domain::ids::{WebhookDeliveryId, WebhookEndpointId};
use tandem_domain::webhook::{
    self, Attempt, AttemptResult, Delivery, DeliveryStatus, Disabling, Due, Endpoint,
    EndpointChange, EndpointData, PreviousSecret, RetryPolicy, Secrets,
};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

const COLUMNS: &str = "id, url, description, event_kinds, secret, enabled, disabled_reason, \
                       failing_since, consecutive_failures, version, created_by, created_at, \
                       updated_at, archived_at, signature_scheme, envelope, previous_secret, \
                       previous_secret_expires_at, rate_limit_per_second";

fn row(r: &QueryResult) -> PersistenceResult<Endpoint> {
    let url: String = get(r, "url")?;
    let kinds: Vec<EventKind> = serde_json::from_value(get(r, "event_kinds")?)
        .map_err(|e| corrupt("webhook event kinds", e))?;
    let (signature_scheme, envelope) = format(r)?;
    Ok(Endpoint {
        id: WebhookEndpointId(get(r, "id")?),
        data: EndpointData {
            url: url::Url::parse(&url).map_err(|e| corrupt("webhook url", e))?,
            description: get(r, "description")?,
            event_kinds: kinds,
            signature_scheme,
            envelope,
            rate_limit_per_second: rate_limit(r)?,
        },
        secrets: secrets(r)?,
        enabled: get(r, "enabled")?,
        disabled_reason: get(r, "disabled_reason")?,
        failing_since: get(r, "failing_since")?,
        consecutive_failures: get(r, "consecutive_failures")?,
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        archived_at: get(r, "archived_at")?,
    })
}

/// The signature scheme and envelope columns of a row.
fn format(
    r: &QueryResult,
) -> PersistenceResult<(
    tandem_domain::webhook::SignatureScheme,
    tandem_domain::webhook::Envelope,
)> {
    let scheme: String = get(r, "signature_scheme")?;
    let envelope: String = get(r, "envelope")?;
    Ok((
        scheme
            .parse()
            .map_err(|e| corrupt("webhook signature scheme", e))?,
        envelope
            .parse()
            .map_err(|e| corrupt("webhook envelope", e))?,
    ))
}

/// The rate limit column of a row.
fn rate_limit(r: &QueryResult) -> PersistenceResult<Option<u32>> {
    let n: Option<i32> = get(r, "rate_limit_per_second")?;
    n.map(|n| u32::try_from(n).map_err(|e| corrupt("webhook rate limit", e)))
        .transpose()
}

/// The secret columns of a row.
fn secrets(r: &QueryResult) -> PersistenceResult<Secrets> {
    let previous: Option<String> = get(r, "previous_secret")?;
    let expires: Option<DateTime<Utc>> = get(r, "previous_secret_expires_at")?;
    Ok(Secrets {
        current: get(r, "secret")?,
        previous: previous
            .zip(expires)
            .map(|(secret, expires_at)| PreviousSecret { secret, expires_at }),
    })
}

fn kinds_json(kinds: &[EventKind]) -> PersistenceResult<serde_json::Value> {
    serde_json::to_value(kinds).map_err(|e| corrupt("webhook event kinds", e))
}

/// Registers an endpoint, enabled, signing with `secret`.
pub async fn create(
    store: &Store,
    actor: &str,
    data: EndpointData,
    secret: String,
) -> PersistenceResult<Endpoint> {
    let now = Utc::now();
    let endpoint = Endpoint {
        id: WebhookEndpointId::new(),
        data,
        secrets: Secrets::new(secret),
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        consecutive_failures: 0,
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut q = Sql::new(&format!(
        "INSERT INTO webhook_endpoints ({COLUMNS}) VALUES ("
    ));
    q.bind(endpoint.id.0)
        .push(", ")
        .bind(endpoint.data.url.as_str())
        .push(", ")
        .bind(endpoint.data.description.clone())
        .push(", ")
        .bind(kinds_json(&endpoint.data.event_kinds)?)
        .push(", ")
        .bind(endpoint.secrets.current.as_str())
        .push(", ")
        .bind(true)
        .push(", NULL, NULL, 0, 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", NULL, ")
        .bind(endpoint.data.signature_scheme.as_str())
        .push(", ")
        .bind(endpoint.data.envelope.as_str())
        .push(", NULL, NULL, ")
        .bind(endpoint.data.rate_limit_per_second.map(|n| n as i32))
        .push(")");
    q.execute(store.conn()).await?;
    Ok(endpoint)
}

/// Changes an endpoint still at `version`: its definition, whether it is enabled, its secrets
/// (a rotation), or deletes it. Disabling an enabled endpoint records the
/// `WEBHOOK_ENDPOINT_DISABLED` event by `actor` in the same transaction.
pub async fn update(
    store: &Store,
    actor: &str,
    id: WebhookEndpointId,
    version: i32,
    change: impl FnOnce(&Endpoint) -> PersistenceResult<EndpointChange>,
) -> PersistenceResult<Endpoint> {
    let tx = store.begin_write().await?;
    let current = one(&tx, id).await?.ok_or_else(|| not_found(id))?;
    if current.archived_at.is_some() {
        return Err(PersistenceError::Conflict(
            "the webhook endpoint has been deleted".to_owned(),
        ));
    }
    versioned::check("webhook endpoint", version, current.version)?;
    let change = change(&current)?;
    let now = Utc::now();
    let enabling = change.enabled && !current.enabled;
    let updated = Endpoint {
        data: change.data,
        secrets: change.secrets,
        enabled: change.enabled && !change.archive,
        disabled_reason: if enabling {
            None
        } else {
            current.disabled_reason.clone()
        },
        failing_since: if enabling {
            None
        } else {
            current.failing_since
        },
        consecutive_failures: if enabling {
            0
        } else {
            current.consecutive_failures
        },
        version: version + 1,
        updated_at: now,
        archived_at: change.archive.then_some(now),
        ..current
    };
    let mut q = Sql::new("UPDATE webhook_endpoints SET url = ");
    q.bind(updated.data.url.as_str())
        .push(", description = ")
        .bind(updated.data.description.clone())
        .push(", event_kinds = ")
        .bind(kinds_json(&updated.data.event_kinds)?)
        .push(", signature_scheme = ")
        .bind(updated.data.signature_scheme.as_str())
        .push(", envelope = ")
        .bind(updated.data.envelope.as_str())
        .push(", rate_limit_per_second = ")
        .bind(updated.data.rate_limit_per_second.map(|n| n as i32))
        .push(", secret = ")
        .bind(updated.secrets.current.as_str())
        .push(", previous_secret = ")
        .bind(updated.secrets.previous.as_ref().map(|p| p.secret.clone()))
        .push(", previous_secret_expires_at = ")
        .bind(updated.secrets.previous.as_ref().map(|p| p.expires_at))
        .push(", enabled = ")
        .bind(updated.enabled)
        .push(", disabled_reason = ")
        .bind(updated.disabled_reason.clone())
        .push(", failing_since = ")
        .bind(updated.failing_since)
        .push(", consecutive_failures = ")
        .bind(updated.consecutive_failures)
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(", archived_at = ")
        .bind(updated.archived_at)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "webhook endpoint").await?;
    if enabling {
        let mut q = Sql::new("UPDATE webhook_deliveries SET next_attempt_at = ");
        q.bind(now)
            .push(" WHERE endpoint_id = ")
            .bind(id.0)
            .push(" AND status = ")
            .bind(DeliveryStatus::Pending.as_str());
        q.execute(&tx).await?;
    }
    if change.archive {
        let mut q = Sql::new("UPDATE webhook_deliveries SET status = ");
        q.bind(DeliveryStatus::Failed.as_str())
            .push(", next_attempt_at = NULL, last_error = 'the endpoint was deleted' WHERE endpoint_id = ")
            .bind(id.0)
            .push(" AND status = ")
            .bind(DeliveryStatus::Pending.as_str());
        q.execute(&tx).await?;
    }
    if current.enabled && !updated.enabled && !change.archive {
        let event = webhook::disabled_event(id, actor, Disabling::ByHand);
        crate::event::append(store, &tx, event).await?;
    }
    tx.commit().await?;
    Ok(updated)
}

fn not_found(id: WebhookEndpointId) -> PersistenceError {
    PersistenceError::NotFound {
        entity: "webhook endpoint",
        id: id.to_string(),
    }
}

async fn one(
    conn: &impl ConnectionTrait,
    id: WebhookEndpointId,
) -> PersistenceResult<Option<Endpoint>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE id = "
    ));
    q.bind(id.0);
    q.all(conn).await?.first().map(row).transpose()
}

/// One endpoint by id, deleted or not.
pub async fn get_one(store: &Store, id: WebhookEndpointId) -> PersistenceResult<Option<Endpoint>> {
    one(store.conn(), id).await
}

/// The live endpoints, oldest first; only those `created_by` registered when given.
pub async fn list(store: &Store, created_by: Option<&str>) -> PersistenceResult<Vec<Endpoint>> {
    live(store.conn(), created_by, false).await
}

pub(crate) async fn live(
    conn: &impl ConnectionTrait,
    created_by: Option<&str>,
    enabled_only: bool,
) -> PersistenceResult<Vec<Endpoint>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE archived_at IS NULL"
    ));
    if let Some(who) = created_by {
        q.push(" AND created_by = ").bind(who);
    }
    if enabled_only {
        q.push(" AND enabled = ").bind(true);
    }
    q.push(" ORDER BY created_at, id");
    q.all(conn).await?.iter().map(row).collect()
}

const DELIVERY_COLUMNS: &str = "id, endpoint_id, event_cursor, status, attempts, next_attempt_at, \
                                last_error, created_at, delivered_at";

fn delivery(r: &QueryResult) -> PersistenceResult<Delivery> {
    let status: String = get(r, "status")?;
    Ok(Delivery {
        id: WebhookDeliveryId(get(r, "id")?),
        endpoint_id: WebhookEndpointId(get(r, "endpoint_id")?),
        event_cursor: get(r, "event_cursor")?,
        status: status
            .parse()
            .map_err(|e| corrupt("webhook delivery status", e))?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        last_error: get(r, "last_error")?,
        created_at: get(r, "created_at")?,
        delivered_at: get(r, "delivered_at")?,
    })
}

/// Owes every enabled endpoint that wants it the event at `cursor`. Runs inside the worker's
/// transaction; the unique (endpoint, event) key makes a repeat impossible.
pub(crate) async fn enqueue(
    conn: &impl ConnectionTrait,
    endpoints: &[Endpoint],
    cursor: i64,
    kind: EventKind,
    now: DateTime<Utc>,
) -> PersistenceResult<usize> {
    let wanting: Vec<&Endpoint> = endpoints.iter().filter(|e| e.data.wants(kind)).collect();
    if wanting.is_empty() {
        return Ok(0);
    }
    let mut q = Sql::new(&format!(
        "INSERT INTO webhook_deliveries ({DELIVERY_COLUMNS}) VALUES "
    ));
    for (i, e) in wanting.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(")
            .bind(WebhookDeliveryId::new().0)
            .push(", ")
            .bind(e.id.0)
            .push(", ")
            .bind(cursor)
            .push(", ")
            .bind(DeliveryStatus::Pending.as_str())
            .push(", 0, ")
            .bind(now)
            .push(", NULL, ")
            .bind(now)
            .push(", NULL)");
    }
    q.execute(conn).await?;
    Ok(wanting.len())
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    /// Only these statuses; all when empty.
    pub statuses: Vec<DeliveryStatus>,
    /// At most this many, newest first.
    pub limit: u64,
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    store: &Store,
    endpoint: WebhookEndpointId,
    query: &DeliveryQuery,
) -> PersistenceResult<Vec<Delivery>> {
    let mut q = Sql::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = "
    ));
    q.bind(endpoint.0);
    if !query.statuses.is_empty() {
        q.push(" AND status IN ")
            .bind_list(query.statuses.iter().map(|s| s.as_str()));
    }
    q.push(" ORDER BY event_cursor DESC LIMIT ")
        .bind(query.limit as i64);
    q.all(store.conn()).await?.iter().map(delivery).collect()
}

/// The attempts at each of `deliveries`, in order.
pub async fn attempts(
    store: &Store,
    deliveries: &[WebhookDeliveryId],
) -> PersistenceResult<Vec<Attempt>> {
    let mut out = Vec::new();
    for chunk in deliveries.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT delivery_id, attempt, attempted_at, status_code, error, duration_ms \
             FROM webhook_attempts WHERE delivery_id IN ",
        );
        q.bind_list(chunk.iter().map(|d| d.0))
            .push(" ORDER BY delivery_id, attempt");
        for r in q.all(store.conn()).await? {
            out.push(Attempt {
                delivery_id: WebhookDeliveryId(get(&r, "delivery_id")?),
                attempt: get(&r, "attempt")?,
                attempted_at: get(&r, "attempted_at")?,
                status_code: get(&r, "status_code")?,
                error: get(&r, "error")?,
                duration_ms: get(&r, "duration_ms")?,
            });
        }
    }
    Ok(out)
}

/// Deliveries due by `now` to enabled endpoints, oldest event first, at most `limit`.
pub async fn due(store: &Store, now: DateTime<Utc>, limit: u64) -> PersistenceResult<Vec<Due>> {
    let columns: Vec<String> = DELIVERY_COLUMNS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect();
    let mut q = Sql::new(&format!(
        "SELECT {}, e.url AS url, e.secret AS secret, e.previous_secret AS previous_secret, \
         e.previous_secret_expires_at AS previous_secret_expires_at, \
         e.signature_scheme AS signature_scheme, e.envelope AS envelope, \
         e.rate_limit_per_second AS rate_limit_per_second \
         FROM webhook_deliveries d \
         JOIN webhook_endpoints e ON e.id = d.endpoint_id \
         WHERE d.status = ",
        columns.join(", ")
    ));
    q.bind(DeliveryStatus::Pending.as_str())
        .push(" AND d.next_attempt_at <= ")
        .bind(now)
        .push(" AND e.enabled = ")
        .bind(true)
        .push(" AND e.archived_at IS NULL ORDER BY d.next_attempt_at, d.event_cursor LIMIT ")
        .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            let url: String = get(r, "url")?;
            let (signature_scheme, envelope) = format(r)?;
            Ok(Due {
                delivery: delivery(r)?,
                url: url::Url::parse(&url).map_err(|e| corrupt("webhook url", e))?,
                signature_scheme,
                envelope,
                secrets: secrets(r)?,
                rate_limit_per_second: rate_limit(r)?,
            })
        })
        .collect()
}

/// Records an attempt and its consequences, in one transaction: the delivery is delivered,
/// rescheduled or given up; the endpoint's failure record is reset or grown, and an endpoint that
/// has failed for too long is disabled with the reason.
pub async fn record_attempt(
    store: &Store,
    due: &Due,
    result: &AttemptResult,
    policy: RetryPolicy,
) -> PersistenceResult<()> {
    let tx = store.begin_write().await?;
    let d = &due.delivery;
    let attempt = d.attempts + 1;
    let mut q = Sql::new(
        "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, duration_ms) VALUES (",
    );
    q.bind(d.id.0)
        .push(", ")
        .bind(attempt)
        .push(", ")
        .bind(result.attempted_at)
        .push(", ")
        .bind(result.status_code.map(i32::from))
        .push(", ")
        .bind(result.error.clone())
        .push(", ")
        .bind(result.duration_ms)
        .push(")");
    q.execute(&tx).await?;
    let (status, next) = match (&result.error, policy.next_attempt_at) {
        (None, _) => (DeliveryStatus::Delivered, None),
        (Some(_), Some(next)) => (DeliveryStatus::Pending, Some(next)),
        (Some(_), None) => (DeliveryStatus::Failed, None),
    };
    let mut q = Sql::new("UPDATE webhook_deliveries SET status = ");
    q.bind(status.as_str())
        .push(", attempts = ")
        .bind(attempt)
        .push(", next_attempt_at = ")
        .bind(next)
        .push(", last_error = ")
        .bind(result.error.clone())
        .push(", delivered_at = ")
        .bind((status == DeliveryStatus::Delivered).then_some(result.attempted_at))
        .push(" WHERE id = ")
        .bind(d.id.0)
        .push(" AND status = ")
        .bind(DeliveryStatus::Pending.as_str());
    if q.execute(&tx).await? == 0 {
        // Settled while it was being sent: given up because its endpoint was deleted. The
        // attempt happened and is recorded; the delivery stays given up (it must not become
        // due again for an endpoint that no longer exists), and the deleted endpoint's
        // failure count stays as it was.
        tx.commit().await?;
        return Ok(());
    }
    match &result.error {
        None => {
            let mut q = Sql::new(
                "UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL WHERE id = ",
            );
            q.bind(d.endpoint_id.0);
            q.execute(&tx).await?;
        }
        Some(error) => {
            let mut q = Sql::new(
                "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, \
                 failing_since = COALESCE(failing_since, ",
            );
            q.bind(result.attempted_at)
                .push(") WHERE id = ")
                .bind(d.endpoint_id.0);
            q.execute(&tx).await?;
            let mut q = Sql::new(
                "SELECT failing_since, consecutive_failures FROM webhook_endpoints WHERE id = ",
            );
            q.bind(d.endpoint_id.0);
            if let Some(r) = q.all(&tx).await?.first() {
                let since: Option<DateTime<Utc>> = get(r, "failing_since")?;
                let failures: i32 = get(r, "consecutive_failures")?;
                if let Some(since) = since
                    && since <= policy.disable_if_failing_since_before
                {
                    let reason = format!(
                        "disabled at {}: every delivery attempt has failed since {} \
                         ({failures} in a row; the last: {error}). Fix the endpoint, then \
                         enable it again; pending deliveries resume then, and events missed \
                         meanwhile can be read with `events(after:)`",
                        result.attempted_at.to_rfc3339(),
                        since.to_rfc3339()
                    );
                    let mut q = Sql::new("UPDATE webhook_endpoints SET enabled = ");
                    q.bind(false)
                        .push(", disabled_reason = ")
                        .bind(reason)
                        .push(", version = version + 1, updated_at = ")
                        .bind(result.attempted_at)
                        .push(" WHERE id = ")
                        .bind(d.endpoint_id.0)
                        .push(" AND enabled = ")
                        .bind(true);
                    // Several attempts at one endpoint can end at once; the first to disable it
                    // records the event.
                    if q.execute(&tx).await? == 1 {
                        let how = Disabling::Failing {
                            failing_since: since,
                            failures,
                        };
                        let event =
                            webhook::disabled_event(d.endpoint_id, webhook::DISPATCHER_ACTOR, how);
                        crate::event::append(store, &tx, event).await?;
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Moves a pending delivery's next attempt to `until` without counting an attempt: its
/// endpoint's rate limit is spent for now.
pub async fn defer(
    store: &Store,
    id: WebhookDeliveryId,
    until: DateTime<Utc>,
) -> PersistenceResult<()> {
    let mut q = Sql::new("UPDATE webhook_deliveries SET next_attempt_at = ");
    q.bind(until)
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND status = ")
        .bind(DeliveryStatus::Pending.as_str());
    q.execute(store.conn()).await?;
    Ok(())
}

/// One delivery by id.
pub async fn delivery_by_id(
    store: &Store,
    id: WebhookDeliveryId,
) -> PersistenceResult<Option<Delivery>> {
    let mut q = Sql::new(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = "
    ));
    q.bind(id.0);
    q.all(store.conn()).await?.first().map(delivery).transpose()
}

/// Makes one delivery due at `now`, whatever its status: a new attempt, retried with backoff
/// like any other if it fails. A delivered one is owed again until the endpoint accepts it.
pub async fn resend(
    store: &Store,
    id: WebhookDeliveryId,
    now: DateTime<Utc>,
) -> PersistenceResult<Delivery> {
    let mut q = Sql::new("UPDATE webhook_deliveries SET status = ");
    q.bind(DeliveryStatus::Pending.as_str())
        .push(", next_attempt_at = ")
        .bind(now)
        .push(", delivered_at = NULL WHERE id = ")
        .bind(id.0);
    if q.execute(store.conn()).await? == 0 {
        return Err(PersistenceError::NotFound {
            entity: "webhook delivery",
            id: id.to_string(),
        });
    }
    delivery_by_id(store, id)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "webhook delivery",
            id: id.to_string(),
        })
}

/// Makes every FAILED delivery of `endpoint` owed since `since` due at `now`; how many.
pub async fn recover(
    store: &Store,
    endpoint: WebhookEndpointId,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> PersistenceResult<u64> {
    let mut q = Sql::new("UPDATE webhook_deliveries SET status = ");
    q.bind(DeliveryStatus::Pending.as_str())
        .push(", next_attempt_at = ")
        .bind(now)
        .push(" WHERE endpoint_id = ")
        .bind(endpoint.0)
        .push(" AND status = ")
        .bind(DeliveryStatus::Failed.as_str())
        .push(" AND created_at >= ")
        .bind(since);
    q.execute(store.conn()).await
}

/// What the dispatcher still owes: deliveries pending (waiting for their first attempt or a
/// retry) and, of those, the ones already due, for the operators' backlog gauges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    /// Deliveries not yet delivered nor given up.
    pub pending: i64,
    /// Pending deliveries whose next attempt is due by now.
    pub due: i64,
}

/// Counts the deliveries still owed (one aggregate statement; read when metrics are scraped).
pub async fn backlog(store: &Store, now: DateTime<Utc>) -> PersistenceResult<Backlog> {
    let mut q = Sql::new(
        "SELECT COUNT(*) AS pending, \
         COALESCE(SUM(CASE WHEN next_attempt_at <= ",
    );
    q.bind(now)
        .push(" THEN 1 ELSE 0 END), 0) AS due FROM webhook_deliveries WHERE status = ")
        .bind(DeliveryStatus::Pending.as_str());
    let rows = q.all(store.conn()).await?;
    let Some(r) = rows.first() else {
        return Ok(Backlog::default());
    };
    Ok(Backlog {
        pending: get(r, "pending")?,
        due: get(r, "due")?,
    })
}
