//! The JetStream relay: publishes every account-change event to a NATS JetStream stream, in
//! commit (cursor) order, exactly once in effect, from one server at a time.
//!
//! It runs only when `TANDEM_NATS_URL` is set. Like the automation worker it leads under a
//! lease of its own ([`tandem_persistence::cluster::Lease`], named `jetstream`): a standby takes
//! over within `TANDEM_WORKER_STANDBY_INTERVAL` when the leader stops or dies. The leader
//!
//! - connects, creates the stream over `<prefix>.>` when it is missing, and finds where to
//!   resume: after its recorded position, or after the newest event the stream already holds
//!   when the previous leader died between the broker's acknowledgement and the record;
//! - publishes the events after that position, each as the JSON an API client sees (the
//!   webhook payload's `event`), on `<prefix>.<KIND>.<account global id or none>`, with
//!   `Nats-Msg-Id` = the cursor (a re-publish within the stream's duplicate window is dropped)
//!   and `Nats-Expected-Last-Sequence` = the stream sequence it expects before it, so that a
//!   message can never land after a later one: if one publish fails, every later one of the
//!   batch is refused too, and the relay resumes from what the stream holds;
//! - records the position only after the acknowledgements (`event_relays`);
//! - wakes on every committed event (this server's relay, which hears the other servers too)
//!   and polls every second as a safety net.
//!
//! When NATS is unreachable it retries with backoff (from 250 ms, doubling up to
//! `TANDEM_NATS_RETRY_MAX`) and catches up when NATS returns. The stream belongs to the relay:
//! nothing else may publish to it, or the expected sequences fail and the relay keeps retrying.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use tandem_domain::event::Event;
use tandem_domain::relay;
use tandem_persistence::cluster::Lease;
use tandem_persistence::event::{self, EventQuery};
use tandem_persistence::{Store, event_relay};
use tokio::sync::{broadcast, watch};

use crate::graphql::ids::{self, Kind};
use crate::service::Services;
use crate::settings::NatsSettings;

/// The lease the relay leads under.
const LEASE: &str = "jetstream";
/// Events one batch publishes before it waits for their acknowledgements.
const BATCH: u64 = 500;
/// The first wait after a failure.
const RETRY_BASE: Duration = Duration::from_millis(250);
/// How long a connection attempt, a JetStream request or an acknowledgement may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The safety-net poll, for a wake-up that never came.
const POLL: Duration = Duration::from_secs(1);

/// A handle to the relay, for the metrics. Cheap to clone.
#[derive(Clone)]
pub struct JetStreamRelay {
    stream: Arc<str>,
    stats: Arc<Stats>,
}

#[derive(Default)]
struct Stats {
    leading: AtomicBool,
    published: AtomicU64,
    /// Commit to acknowledgement of the last event acknowledged, in microseconds.
    delay_micros: AtomicU64,
}

impl JetStreamRelay {
    /// The stream the relay publishes to, which names its position too.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// Whether this server leads the relay now.
    pub fn leading(&self) -> bool {
        self.stats.leading.load(Ordering::Relaxed)
    }

    /// Events this server has had acknowledged since it started.
    pub fn published(&self) -> u64 {
        self.stats.published.load(Ordering::Relaxed)
    }

    /// From commit to acknowledgement of the last event this server had acknowledged.
    pub fn last_delay(&self) -> Duration {
        Duration::from_micros(self.stats.delay_micros.load(Ordering::Relaxed))
    }
}

/// Starts the relay in the background; it stops when `shutdown` turns true.
pub fn start(
    services: Services,
    settings: NatsSettings,
    standby_interval: Duration,
    shutdown: watch::Receiver<bool>,
) -> JetStreamRelay {
    let handle = JetStreamRelay {
        stream: settings.stream.as_str().into(),
        stats: Arc::default(),
    };
    tokio::spawn(run(
        services,
        settings,
        standby_interval,
        handle.stats.clone(),
        shutdown,
    ));
    handle
}

async fn run(
    services: Services,
    settings: NatsSettings,
    standby_interval: Duration,
    stats: Arc<Stats>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match Lease::try_acquire(&services.store, LEASE).await {
            Ok(Some(lease)) => {
                tracing::info!(stream = %settings.stream, "this server now runs the JetStream relay");
                stats.leading.store(true, Ordering::Relaxed);
                lead(&services, &settings, &stats, lease, &mut shutdown).await;
                stats.leading.store(false, Ordering::Relaxed);
                tracing::info!("this server no longer runs the JetStream relay");
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot try to lead the JetStream relay"),
        }
        tokio::select! {
            _ = tokio::time::sleep(standby_interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Relays while this server holds the lease: one session per connection, retried with backoff
/// after a failure.
async fn lead(
    services: &Services,
    settings: &NatsSettings,
    stats: &Stats,
    mut lease: Lease,
    shutdown: &mut watch::Receiver<bool>,
) {
    let (mut wake, _) = services.relay.subscribe();
    let mut failures = 0;
    loop {
        let mut session = Session {
            store: &services.store,
            settings,
            stats,
            lease: &mut lease,
            failures: &mut failures,
        };
        match session.run(&mut wake, shutdown).await {
            Ok(()) => break,
            Err(e) => {
                failures += 1;
                let delay = relay::retry_delay(failures, RETRY_BASE, settings.retry_max);
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "the JetStream relay failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.changed() => break,
                }
                if !lease.alive().await {
                    tracing::warn!(
                        "lost the connection that holds the JetStream relay lock; standing by"
                    );
                    break;
                }
            }
        }
    }
    lease.release().await;
}

struct Session<'a> {
    store: &'a Store,
    settings: &'a NatsSettings,
    stats: &'a Stats,
    lease: &'a mut Lease,
    failures: &'a mut u32,
}

/// Where the relay stands in the outbox and in the stream.
struct Cursor {
    /// The last event acknowledged.
    position: i64,
    /// The stream's last sequence, which the next publish expects.
    last_sequence: u64,
}

impl Session<'_> {
    /// Connects and relays until shutdown or the loss of the lease (`Ok`), or a failure.
    async fn run(
        &mut self,
        wake: &mut broadcast::Receiver<Arc<Event>>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Result<(), String> {
        let (options, addrs) = connect_options(&self.settings.url);
        let client = options
            .name("tandem")
            .connection_timeout(TIMEOUT)
            .connect(addrs)
            .await
            .map_err(|e| format!("cannot connect to NATS: {e}"))?;
        let js = jetstream::ContextBuilder::new()
            .timeout(TIMEOUT)
            .build(client);
        let stream = js
            .get_or_create_stream(stream::Config {
                name: self.settings.stream.clone(),
                subjects: vec![format!("{}.>", self.settings.subject_prefix)],
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("cannot find or create the stream: {e}"))?;
        let mut cursor = self.resume(&stream).await?;
        *self.failures = 0;
        tracing::info!(after = cursor.position, "the JetStream relay is connected");
        loop {
            self.publish_pending(&js, &mut cursor).await?;
            tokio::select! {
                r = wake.recv() => {
                    if matches!(r, Err(broadcast::error::RecvError::Closed)) {
                        return Ok(());
                    }
                }
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => return Ok(()),
            }
            while !matches!(
                wake.try_recv(),
                Err(broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed)
            ) {}
            if !self.lease.alive().await {
                tracing::warn!(
                    "lost the connection that holds the JetStream relay lock; standing by"
                );
                return Ok(());
            }
        }
    }

    /// Where to go on from: the recorded position, or the newest event in the stream when it is
    /// further on (recorded then, so that the metrics see it too).
    async fn resume(&self, stream: &stream::Stream) -> Result<Cursor, String> {
        let info = stream
            .get_info()
            .await
            .map_err(|e| format!("cannot read the stream's state: {e}"))?;
        let last_sequence = info.state.last_sequence;
        let newest = if last_sequence == 0 {
            None
        } else {
            match stream.get_raw_message(last_sequence).await {
                Ok(m) => m
                    .headers
                    .get(async_nats::header::NATS_MESSAGE_ID)
                    .and_then(|id| relay::cursor_of(id.as_str())),
                Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => None,
                Err(e) => return Err(format!("cannot read the stream's last message: {e}")),
            }
        };
        let name = &self.settings.stream;
        let recorded = event_relay::position(self.store, name)
            .await
            .map_err(|e| format!("cannot read the relay's position: {e}"))?;
        let position = relay::resume_after(recorded, newest);
        if position > recorded {
            tracing::info!(
                recorded,
                position,
                "the stream holds events past the recorded position; resuming after them"
            );
            event_relay::advance(self.store, name, position)
                .await
                .map_err(|e| format!("cannot record the relay's position: {e}"))?;
        }
        Ok(Cursor {
            position,
            last_sequence,
        })
    }

    /// Publishes the events after the position, a batch at a time, until none is left.
    async fn publish_pending(
        &self,
        js: &jetstream::Context,
        cursor: &mut Cursor,
    ) -> Result<(), String> {
        loop {
            let events = event::list(
                self.store,
                &EventQuery {
                    after: cursor.position,
                    limit: BATCH,
                    ..EventQuery::default()
                },
            )
            .await
            .map_err(|e| format!("cannot read the outbox: {e}"))?;
            if events.is_empty() {
                return Ok(());
            }
            let full = events.len() as u64 == BATCH;
            self.publish_batch(js, cursor, &events).await?;
            if !full {
                return Ok(());
            }
        }
    }

    /// Sends a batch without waiting, then takes the acknowledgements in order and records the
    /// position past the last event acknowledged in an unbroken run.
    async fn publish_batch(
        &self,
        js: &jetstream::Context,
        cursor: &mut Cursor,
        events: &[Event],
    ) -> Result<(), String> {
        let mut acks = Vec::with_capacity(events.len());
        let mut failure = None;
        for (i, e) in events.iter().enumerate() {
            let body = serde_json::to_vec(&crate::webhook::event_json(e))
                .map_err(|err| format!("cannot encode event {}: {err}", e.cursor))?;
            let account = e
                .event
                .account_id
                .map(|a| ids::encode(Kind::Account, a.0).to_string());
            let subject = relay::subject(
                &self.settings.subject_prefix,
                e.event.kind,
                account.as_deref(),
            );
            let message = PublishMessage::build()
                .payload(body.into())
                .message_id(relay::message_id(e.cursor))
                .expected_last_sequence(cursor.last_sequence + i as u64);
            match js.send_publish(subject, message).await {
                Ok(ack) => acks.push(ack),
                Err(err) => {
                    failure = Some(format!("cannot publish event {}: {err}", e.cursor));
                    break;
                }
            }
        }
        let mut acked: Option<&Event> = None;
        let mut published = 0;
        for (e, ack) in events.iter().zip(acks) {
            match ack.await {
                Ok(_) if failure.is_some() => {}
                Ok(ack) => {
                    if ack.duplicate {
                        // Already in the stream: a later publish of this batch will be refused
                        // for its expected sequence, and the relay resumes from the stream.
                        tracing::info!(cursor = e.cursor, "JetStream already holds this event");
                    } else {
                        cursor.last_sequence = ack.sequence;
                        published += 1;
                    }
                    acked = Some(e);
                }
                Err(err) => {
                    if failure.is_none() {
                        failure = Some(format!("event {} was not acknowledged: {err}", e.cursor));
                    }
                }
            }
        }
        if let Some(last) = acked {
            event_relay::advance(self.store, &self.settings.stream, last.cursor)
                .await
                .map_err(|e| format!("cannot record the relay's position: {e}"))?;
            cursor.position = last.cursor;
            let delay = (chrono::Utc::now() - last.occurred_at)
                .to_std()
                .unwrap_or_default();
            self.stats
                .delay_micros
                .store(delay.as_micros() as u64, Ordering::Relaxed);
            self.stats.published.fetch_add(published, Ordering::Relaxed);
        }
        failure.map_or(Ok(()), Err)
    }
}

/// The connection options and server addresses of `TANDEM_NATS_URL`: comma-separated URLs, the
/// credentials of the first that carries any (`user:pass@`, or a lone `token@`) used for all.
/// async-nats reads no credentials from the URLs themselves.
fn connect_options(urls: &str) -> (async_nats::ConnectOptions, Vec<String>) {
    let addrs: Vec<String> = urls.split(',').map(|u| u.trim().to_owned()).collect();
    let options = match credentials(&addrs) {
        Some((user, Some(pass))) => async_nats::ConnectOptions::with_user_and_password(user, pass),
        Some((token, None)) => async_nats::ConnectOptions::with_token(token),
        None => async_nats::ConnectOptions::new(),
    };
    (options, addrs)
}

/// The user and password, or the token, of the first URL that carries any.
fn credentials(addrs: &[String]) -> Option<(String, Option<String>)> {
    addrs.iter().find_map(|a| {
        let url = url::Url::parse(a).ok()?;
        let user = url.username();
        (!user.is_empty()).then(|| (user.to_owned(), url.password().map(str::to_owned)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_from_the_first_url_that_has_any() {
        let addrs = |s: &str| connect_options(s).1;
        assert_eq!(credentials(&addrs("nats://a:4222, nats://b:4222")), None);
        assert_eq!(
            credentials(&addrs("nats://a:4222,nats://ann:s3cret@b:4222")),
            Some(("ann".into(), Some("s3cret".into())))
        );
        assert_eq!(
            credentials(&addrs("nats://t0ken@a:4222")),
            Some(("t0ken".into(), None))
        );
        assert_eq!(
            addrs("nats://a:4222, nats://b:4222"),
            ["nats://a:4222", "nats://b:4222"]
        );
    }
}
