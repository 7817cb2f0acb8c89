//! The event relay: one task per server that reads new events from the outbox and broadcasts
//! them to this server's subscribers.
//!
//! The outbox table is the truth; the relay is only a fan-out. It wakes when this server commits
//! a write; on PostgreSQL, when any server sharing the database commits one (LISTEN/NOTIFY);
//! and, as a safety net for a lost notification, on a poll interval. Subscribers never query
//! the database while idle, so a thousand idle subscriptions cost a thousand channel receivers
//! and nothing else.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tandem_domain::event::Event;
use tandem_persistence::Store;
use tandem_persistence::event::{self, EventQuery};
use tokio::sync::{Notify, broadcast, watch};

/// How many events a lagging subscriber may fall behind before it re-reads from storage.
const CHANNEL_CAPACITY: usize = 4096;
/// How many events one outbox read takes.
const BATCH: u64 = 500;

/// A handle to the relay. Cheap to clone.
#[derive(Clone)]
pub struct EventRelay {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Arc<Event>>,
    wake: Notify,
    /// The cursor of the last event broadcast: set before each send.
    cursor: AtomicI64,
}

impl EventRelay {
    /// Starts the relay from the newest event in storage. It stops when `shutdown` turns true.
    pub async fn start(
        store: Store,
        poll_interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<EventRelay, tandem_persistence::PersistenceError> {
        let start = event::latest_cursor(&store).await?;
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        let relay = EventRelay {
            inner: Arc::new(Inner {
                sender,
                wake: Notify::new(),
                cursor: AtomicI64::new(start),
            }),
        };
        if let Some(listener) = tandem_persistence::cluster::listen(&store).await? {
            tokio::spawn(listen(
                listener,
                store.scope().to_owned(),
                relay.inner.clone(),
                shutdown.clone(),
            ));
        }
        let inner = relay.inner.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = inner.wake.notified() => {}
                    _ = tokio::time::sleep(poll_interval) => {}
                    _ = shutdown.changed() => return,
                }
                if let Err(e) = inner.forward(&store).await {
                    tracing::warn!(error = %e, "event relay could not read the outbox; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        });
        Ok(relay)
    }

    /// Tells the relay that this server has committed events.
    pub fn notify(&self) {
        self.inner.wake.notify_one();
    }

    /// The cursor of the last event broadcast (for the relay-lag gauge).
    pub fn cursor(&self) -> i64 {
        self.inner.cursor.load(Ordering::Relaxed)
    }

    /// How many subscriptions are listening now.
    pub fn subscribers(&self) -> usize {
        self.inner.sender.receiver_count()
    }

    /// A receiver of every event broadcast from now on, and the cursor of the last event
    /// broadcast before it: every later event arrives on the receiver.
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Event>>, i64) {
        let receiver = self.inner.sender.subscribe();
        (receiver, self.inner.cursor.load(Ordering::SeqCst))
    }
}

/// Wakes the relay on every notification from a server of this deployment. The listener
/// reconnects by itself after a lost connection; the relay is woken then too, since
/// notifications sent meanwhile are gone.
async fn listen(
    mut listener: tandem_persistence::cluster::PgListener,
    scope: String,
    inner: Arc<Inner>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            n = listener.recv() => match n {
                Ok(n) if n.payload() == scope => inner.wake.notify_one(),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "lost the event notification channel; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    inner.wake.notify_one();
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}

impl Inner {
    async fn forward(&self, store: &Store) -> Result<(), tandem_persistence::PersistenceError> {
        loop {
            let after = self.cursor.load(Ordering::SeqCst);
            let batch = event::list(
                store,
                &EventQuery {
                    after,
                    limit: BATCH,
                    ..EventQuery::default()
                },
            )
            .await?;
            let full = batch.len() as u64 == BATCH;
            for e in batch {
                self.cursor.store(e.cursor, Ordering::SeqCst);
                // No receivers is fine: nobody is subscribed right now.
                let _ = self.sender.send(Arc::new(e));
            }
            if !full {
                return Ok(());
            }
        }
    }
}
