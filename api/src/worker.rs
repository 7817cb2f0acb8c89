//! The automation worker: playbooks and webhook deliveries, run from the event stream rather
//! than inside the requests that caused the events.
//!
//! Every server starts one; exactly one of the servers sharing a database leads at a time (a
//! PostgreSQL advisory lock held on a connection of its own), and a standby takes over within
//! `TANDEM_WORKER_STANDBY_INTERVAL` when the leader stops or dies. The leader
//!
//! - reads the outbox from its stored cursor and, per batch, fires event playbooks, owes
//!   webhook deliveries and moves the cursor in one transaction
//!   ([`tandem_persistence::automation`]), so a crash neither skips nor repeats an effect;
//! - sweeps the threshold playbooks after writes and every `TANDEM_PLAYBOOK_SWEEP_INTERVAL`;
//! - refits the revenue outlook's renewal model on its schedule ([`crate::refit`]);
//! - sends due webhook deliveries, signed, with retries and backoff, recording every attempt,
//!   and defers those beyond their endpoint's rate limit to its next second.
//!
//! Webhook delivery is at least once: a server that dies after an endpoint accepted a delivery
//! but before recording it sends it again after the takeover, with the same delivery id
//! (`webhook-id`, `Tandem-Delivery`, `ce-id`), which receivers use to drop the repeat.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tandem_domain::webhook::{self, AttemptResult, Due, RetryPolicy};
use tandem_persistence::automation;
use tandem_persistence::cluster::Lease;
use tokio::sync::{Notify, Semaphore, watch};

use crate::service::Services;
use crate::settings::AutomationSettings;

/// Events one batch takes.
const BATCH: u64 = 200;
/// Threshold sweeps run at most this often, however many writes wake the worker.
const SWEEP_DEBOUNCE: Duration = Duration::from_millis(250);
/// How long the worker lets writes gather after one wakes it.
const GATHER: Duration = Duration::from_millis(25);
/// Deliveries in flight at once.
const CONCURRENT_DELIVERIES: usize = 16;

/// Starts the worker in the background; it stops when `shutdown` turns true.
pub fn start(services: Services, settings: AutomationSettings, shutdown: watch::Receiver<bool>) {
    if !settings.enabled {
        tracing::info!("the automation worker is disabled on this server (TANDEM_AUTOMATION)");
        return;
    }
    tokio::spawn(run(services, settings, shutdown));
}

async fn run(
    services: Services,
    settings: AutomationSettings,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match Lease::try_acquire(&services.store, "automation").await {
            Ok(Some(lease)) => {
                tracing::info!("this server now runs the automation worker");
                lead(&services, &settings, lease, &mut shutdown).await;
                tracing::info!("this server no longer runs the automation worker");
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot try to lead the automation worker"),
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.standby_interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn lead(
    services: &Services,
    settings: &AutomationSettings,
    mut lease: Lease,
    shutdown: &mut watch::Receiver<bool>,
) {
    let store = &services.store;
    let (mut events, _) = services.relay.subscribe();
    let (stop_tx, stop_rx) = watch::channel(false);
    let dispatch = Arc::new(Notify::new());
    let dispatcher = match Dispatcher::new(services.clone(), settings.clone()) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "cannot build the webhook client");
            return;
        }
    };
    let refitter = tokio::spawn(crate::refit::run(services.clone(), stop_rx.clone()));
    let dispatcher = tokio::spawn(dispatcher.run(dispatch.clone(), stop_rx));
    let mut position = None;
    let mut last_sweep: Option<Instant> = None;
    let mut sweep_due = true;
    loop {
        if !lease.alive().await {
            tracing::warn!("lost the connection that holds the automation lock; standing by");
            break;
        }
        // Catch up with the stream.
        loop {
            let from = match position {
                Some(p) => p,
                None => match automation::position(store).await {
                    Ok(p) => *position.insert(p),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the automation cursor");
                        break;
                    }
                },
            };
            match automation::process_events(store, from, BATCH).await {
                Ok(batch) => {
                    position = Some(batch.position);
                    if batch.deliveries > 0 {
                        dispatch.notify_one();
                    }
                    if batch.fired > 0 {
                        services.relay.notify();
                    }
                    if batch.events > 0 {
                        sweep_due = true;
                    }
                    if (batch.events as u64) < BATCH {
                        break;
                    }
                }
                Err(tandem_persistence::PersistenceError::Conflict(_)) => position = None,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot process events; retrying");
                    break;
                }
            }
        }
        let since_sweep = last_sweep.map(|t| t.elapsed());
        if since_sweep.is_none_or(|d| d >= settings.sweep_interval) {
            sweep_due = true;
        }
        if sweep_due && since_sweep.is_none_or(|d| d >= SWEEP_DEBOUNCE) {
            match automation::sweep(store).await {
                Ok(fired) => {
                    if fired > 0 {
                        services.relay.notify();
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot sweep the threshold playbooks"),
            }
            last_sweep = Some(Instant::now());
            sweep_due = false;
        }
        let wait = if sweep_due {
            SWEEP_DEBOUNCE
        } else {
            settings.sweep_interval.min(Duration::from_secs(1))
        };
        tokio::select! {
            r = events.recv() => {
                if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                    break;
                }
            }
            _ = services.automation.notified() => sweep_due = true,
            _ = tokio::time::sleep(wait) => continue,
            _ = shutdown.changed() => break,
        }
        // Woken by a write: let the writes of the next moment gather into one batch rather than
        // reading the outbox once per event under a stream of writes.
        tokio::time::sleep(GATHER).await;
        while !matches!(
            events.try_recv(),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty
                | tokio::sync::broadcast::error::TryRecvError::Closed)
        ) {}
    }
    let _ = stop_tx.send(true);
    let _ = dispatcher.await;
    let _ = refitter.await;
    lease.release().await;
}

/// Sends due webhook deliveries.
struct Dispatcher {
    services: Services,
    settings: AutomationSettings,
    client: reqwest::Client,
}

impl Dispatcher {
    fn new(services: Services, settings: AutomationSettings) -> reqwest::Result<Dispatcher> {
        let client = reqwest::Client::builder()
            .timeout(settings.webhook_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(crate::webhook::GuardedResolver {
                allowed: settings.webhook_allowed_networks.clone(),
            }))
            .build()?;
        Ok(Dispatcher {
            services,
            settings,
            client,
        })
    }

    async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let this = Arc::new(self);
        // Deliveries being sent, and those finished since the last read of the due list: a
        // list read before a delivery was recorded may still hold it, and must not send it
        // again.
        let state: Arc<Mutex<(HashSet<uuid::Uuid>, HashSet<uuid::Uuid>)>> = Arc::default();
        let permits = Arc::new(Semaphore::new(CONCURRENT_DELIVERIES));
        // Each rate-limited endpoint's current second. Only this loop sends, so the count is
        // the leader's whole count.
        let mut windows: HashMap<uuid::Uuid, Option<webhook::SendWindow>> = HashMap::new();
        loop {
            if let Ok(mut st) = state.lock() {
                st.1.clear();
            }
            match tandem_persistence::webhook::due(&this.services.store, Utc::now(), 100).await {
                Ok(due) => {
                    for d in due {
                        let id = d.delivery.id.0;
                        let fresh = state
                            .lock()
                            .map(|mut st| !st.1.contains(&id) && st.0.insert(id))
                            .unwrap_or(false);
                        if !fresh {
                            continue;
                        }
                        let window = windows.entry(d.delivery.endpoint_id.0).or_default();
                        if let Err(until) =
                            webhook::admit(window, d.rate_limit_per_second, Utc::now())
                        {
                            if let Ok(mut st) = state.lock() {
                                st.0.remove(&id);
                            }
                            if let Err(e) = tandem_persistence::webhook::defer(
                                &this.services.store,
                                d.delivery.id,
                                until,
                            )
                            .await
                            {
                                tracing::warn!(error = %e, "cannot defer a rate-limited webhook delivery");
                            }
                            continue;
                        }
                        let Ok(permit) = permits.clone().acquire_owned().await else {
                            return;
                        };
                        let (this, state, wake) = (this.clone(), state.clone(), wake.clone());
                        tokio::spawn(async move {
                            this.send(d).await;
                            if let Ok(mut st) = state.lock() {
                                st.1.insert(id);
                                st.0.remove(&id);
                            }
                            drop(permit);
                            wake.notify_one();
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot read due webhook deliveries"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = stop.changed() => break,
            }
        }
        // Let the deliveries in flight finish and be recorded.
        let _ = permits.acquire_many(CONCURRENT_DELIVERIES as u32).await;
    }

    async fn send(&self, due: Due) {
        let store = &self.services.store;
        let attempted_at = Utc::now();
        let started = Instant::now();
        let outcome = self.attempt(&due).await;
        let (status_code, error) = match outcome {
            Ok(status) if (200..300).contains(&status) => (Some(status), None),
            Ok(status) => (
                Some(status),
                Some(format!("the endpoint answered HTTP {status}")),
            ),
            Err(e) => (None, Some(e)),
        };
        let attempts = (due.delivery.attempts + 1) as u32;
        let next_attempt_at = (error.is_some() && attempts < self.settings.webhook_max_attempts)
            .then(|| {
                let delay = webhook::retry_delay(
                    attempts,
                    self.settings.webhook_retry_base,
                    self.settings.webhook_retry_max,
                );
                attempted_at + chrono::Duration::from_std(delay).unwrap_or_default()
            });
        let policy = RetryPolicy {
            next_attempt_at,
            disable_if_failing_since_before: attempted_at
                - chrono::Duration::from_std(self.settings.webhook_disable_after)
                    .unwrap_or_default(),
        };
        let result = AttemptResult {
            attempted_at,
            status_code,
            error,
            duration_ms: started.elapsed().as_millis() as i64,
        };
        if let Err(e) =
            tandem_persistence::webhook::record_attempt(store, &due, &result, policy).await
        {
            tracing::warn!(error = %e, delivery = %due.delivery.id, "cannot record a webhook attempt");
        }
    }

    /// Sends one delivery; the HTTP status, or why there was none.
    async fn attempt(&self, due: &Due) -> Result<u16, String> {
        if let Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) = due.url.host() {
            let ip: Option<IpAddr> = match due.url.host() {
                Some(url::Host::Ipv4(v4)) => Some(v4.into()),
                Some(url::Host::Ipv6(v6)) => Some(v6.into()),
                _ => None,
            };
            if let Some(ip) = ip
                && let Some(why) = webhook::refusal(ip, &self.settings.webhook_allowed_networks)
            {
                return Err(format!(
                    "refused: {ip} is {why}; allow it with TANDEM_WEBHOOK_ALLOWED_NETWORKS"
                ));
            }
        }
        let events = tandem_persistence::event::by_cursors(
            &self.services.store,
            &[due.delivery.event_cursor],
        )
        .await
        .map_err(|e| format!("cannot read the event: {e}"))?;
        let Some(event) = events.first() else {
            return Err("the event no longer exists".to_owned());
        };
        let request = crate::webhook::request(event, due, Utc::now())?;
        let mut post = self.client.post(due.url.clone());
        for (name, value) in request.headers {
            post = post.header(name, value);
        }
        let response = post.body(request.body).send().await.map_err(describe)?;
        Ok(response.status().as_u16())
    }
}

/// A reqwest error as a person reads it, with its causes (the refusal of an address, say).
fn describe(e: reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "the endpoint did not answer in time".to_owned()
    } else if e.is_connect() {
        "cannot connect to the endpoint".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
