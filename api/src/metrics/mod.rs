//! What operators scrape at `GET /metrics` (Prometheus text format 0.0.4): GraphQL requests by
//! operation and outcome, their latency, and gauges of the database pool, the event relay, the
//! webhook backlog and the WebSocket subscribers.
//!
//! The per-request cost is the point of this module's shape: a request that finishes adds to
//! three counters of its own thread's shard (outcome, latency bucket, latency sum: three
//! uncontended relaxed atomic adds, no lock, nothing shared written), after finding its
//! operation's slot in a per-thread map keyed by the name it sent (no allocation; a name is
//! copied once per thread the first time that thread sees it). A scrape adds the shards up.
//!
//! Operation names are the client's choice, so they are bounded: the first
//! [`MAX_OPERATIONS`] distinct valid GraphQL names get a series each, and every later one (and
//! any `operationName` that is not a GraphQL name) counts as `(other)`; a request without an
//! `operationName` counts as `(anonymous)`. Once the table is full it is frozen and shared
//! read-only, so a client sending endless new names costs a hash lookup, nothing more.

mod names;
mod render;
mod series;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use thread_local::ThreadLocal;

pub use render::{Gauges, JetStreamGauges};
pub use series::{MAX_OPERATIONS, Operation, Outcome};

use names::Names;
use series::{BOUNDS_MICROS, BUCKETS, OUTCOMES, SLOTS, Sums};

/// One operation's counters in one thread's shard.
#[derive(Default)]
struct Slot {
    outcomes: [AtomicU64; OUTCOMES],
    buckets: [AtomicU64; BUCKETS],
    micros: AtomicU64,
}

/// One thread's counters: written by that thread only, read by scrapes.
struct Shard {
    slots: Box<[Slot]>,
}

impl Shard {
    fn new() -> Shard {
        Shard {
            slots: (0..SLOTS).map(|_| Slot::default()).collect(),
        }
    }
}

/// The server's metrics. One per running server (tests run several in one process).
pub struct Metrics {
    names: Names,
    shards: ThreadLocal<Shard>,
    refused: [AtomicU64; OUTCOMES],
    websockets: AtomicI64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty counters.
    pub fn new() -> Metrics {
        Metrics {
            names: Names::default(),
            shards: ThreadLocal::new(),
            refused: Default::default(),
            websockets: AtomicI64::new(0),
        }
    }

    /// The series of a request's operation, from the `operationName` it sent.
    #[inline]
    pub fn operation(&self, name: Option<&str>) -> Operation {
        Operation(self.names.slot(name))
    }

    /// Counts a GraphQL request that ran: its operation, how it ended and how long it took.
    #[inline]
    pub fn observe(&self, operation: Operation, outcome: Outcome, elapsed: Duration) {
        let slot = &self.shards.get_or(Shard::new).slots[operation.0];
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = BOUNDS_MICROS.partition_point(|&bound| bound < micros);
        slot.outcomes[usize::from(outcome.0)].fetch_add(1, Ordering::Relaxed);
        slot.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        slot.micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a request refused before it ran (no token, a bad one, or over its rate).
    pub fn refused(&self, outcome: Outcome) {
        self.refused[usize::from(outcome.0)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an open WebSocket connection until the guard is dropped.
    pub fn websocket(&self) -> WebSocketGuard<'_> {
        self.websockets.fetch_add(1, Ordering::Relaxed);
        WebSocketGuard(&self.websockets)
    }

    /// The exposition text: these counters and `gauges`, read by the caller at scrape time.
    pub fn render(&self, gauges: &Gauges) -> String {
        let labels = self.names.labels();
        let sums: Vec<Sums> = (0..labels.len())
            .map(|i| {
                let mut s = Sums {
                    outcomes: [0; OUTCOMES],
                    buckets: [0; BUCKETS],
                    micros: 0,
                };
                for shard in self.shards.iter() {
                    let slot = &shard.slots[i];
                    for (sum, n) in s.outcomes.iter_mut().zip(&slot.outcomes) {
                        *sum += n.load(Ordering::Relaxed);
                    }
                    for (sum, n) in s.buckets.iter_mut().zip(&slot.buckets) {
                        *sum += n.load(Ordering::Relaxed);
                    }
                    s.micros += slot.micros.load(Ordering::Relaxed);
                }
                s
            })
            .collect();
        let refused: Vec<u64> = self
            .refused
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect();
        let websockets = self.websockets.load(Ordering::Relaxed).max(0);
        render::render(&labels, &sums, &refused, websockets, gauges)
    }
}

/// An open WebSocket connection, counted while it lives.
pub struct WebSocketGuard<'a>(&'a AtomicI64);

impl Drop for WebSocketGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_every_code_the_api_raises() {
        use crate::error::Code;
        for code in [
            Code::BadUserInput,
            Code::Unauthenticated,
            Code::Forbidden,
            Code::NotFound,
            Code::Conflict,
            Code::Internal,
            Code::RateLimited,
        ] {
            let outcome = Outcome::error(code.as_str());
            assert_eq!(Outcome::code(outcome.0.into()), Some(code.as_str()));
        }
        assert_eq!(
            Outcome::code(Outcome::error("TEAPOT").0.into()),
            Some("OTHER")
        );
        assert_eq!(Outcome::code(Outcome::of(&[]).0.into()), None);
    }

    #[test]
    fn latency_falls_in_the_first_bucket_that_holds_it() {
        let m = Metrics::new();
        let op = m.operation(None);
        m.observe(op, Outcome::OK, Duration::from_micros(500));
        m.observe(op, Outcome::OK, Duration::from_micros(501));
        m.observe(op, Outcome::OK, Duration::from_secs(60));
        let text = m.render(&Gauges::default());
        let line = |le: &str| {
            let start = format!(
                "tandem_graphql_request_duration_seconds_bucket{{operation=\"(anonymous)\",le=\"{le}\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(start.as_str()))
                .unwrap_or_else(|| panic!("no {le} bucket in\n{text}"))
                .to_owned()
        };
        assert_eq!(line("0.0005"), "1");
        assert_eq!(line("0.001"), "2");
        assert_eq!(line("10"), "2");
        assert_eq!(line("+Inf"), "3");
    }
}
