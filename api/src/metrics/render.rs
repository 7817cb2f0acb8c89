//! The Prometheus text exposition format (0.0.4) of the counters and the scrape-time gauges.

use std::fmt::Write;

use tandem_persistence::PoolStatus;
use tandem_persistence::webhook::Backlog;

use super::series::{BOUNDS_MICROS, Outcome, Sums};

/// What a scrape reads besides the counters. A reading that failed (the database did not
/// answer) is `None`, and its series are left out of that scrape.
#[derive(Debug, Default, Clone)]
pub struct Gauges {
    /// GraphQL requests being handled now.
    pub in_flight: usize,
    /// The database pool.
    pub pool: Option<PoolStatus>,
    /// The cursor of the last event the relay has broadcast.
    pub relay_cursor: i64,
    /// The newest cursor in the outbox.
    pub outbox_cursor: Option<i64>,
    /// Event subscriptions listening to the relay.
    pub event_subscriptions: usize,
    /// Webhook deliveries still owed.
    pub webhooks: Option<Backlog>,
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

pub(super) fn render(
    labels: &[Box<str>],
    sums: &[Sums],
    refused: &[u64],
    websockets: i64,
    g: &Gauges,
) -> String {
    let mut out = String::with_capacity(4096);
    header(
        &mut out,
        "tandem_graphql_requests_total",
        "counter",
        "GraphQL requests run over HTTP, by operationName (the first 100 distinct names; later ones are \"(other)\") and outcome (ok, or error with the first error's code).",
    );
    for (label, s) in labels.iter().zip(sums) {
        for (i, &n) in s.outcomes.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let _ = match Outcome::code(i) {
                None => writeln!(
                    out,
                    "tandem_graphql_requests_total{{operation=\"{label}\",outcome=\"ok\"}} {n}"
                ),
                Some(code) => writeln!(
                    out,
                    "tandem_graphql_requests_total{{operation=\"{label}\",outcome=\"error\",code=\"{code}\"}} {n}"
                ),
            };
        }
    }
    let name = "tandem_graphql_request_duration_seconds";
    header(
        &mut out,
        name,
        "histogram",
        "How long GraphQL requests over HTTP took, from reading their parameters to their answer, by operationName.",
    );
    for (label, s) in labels.iter().zip(sums) {
        let count: u64 = s.buckets.iter().sum();
        if count == 0 {
            continue;
        }
        let mut cumulative = 0;
        for (i, n) in s.buckets.iter().enumerate() {
            cumulative += n;
            let le = match BOUNDS_MICROS.get(i) {
                Some(&bound) => (bound as f64 / 1e6).to_string(),
                None => "+Inf".to_owned(),
            };
            let _ = writeln!(
                out,
                "{name}_bucket{{operation=\"{label}\",le=\"{le}\"}} {cumulative}"
            );
        }
        let seconds = s.micros as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{operation=\"{label}\"}} {seconds}");
        let _ = writeln!(out, "{name}_count{{operation=\"{label}\"}} {count}");
    }
    header(
        &mut out,
        "tandem_graphql_refused_total",
        "counter",
        "GraphQL requests over HTTP refused before they ran: no or a bad token (UNAUTHENTICATED), over the caller's rate (RATE_LIMITED).",
    );
    for (i, &n) in refused.iter().enumerate() {
        if let (Some(code), true) = (Outcome::code(i), n > 0) {
            let _ = writeln!(out, "tandem_graphql_refused_total{{code=\"{code}\"}} {n}");
        }
    }
    gauge(
        &mut out,
        "tandem_graphql_requests_in_flight",
        "GraphQL requests over HTTP being handled now.",
        g.in_flight,
    );
    gauge(
        &mut out,
        "tandem_websocket_connections",
        "Open GraphQL WebSocket connections.",
        websockets,
    );
    gauge(
        &mut out,
        "tandem_event_subscriptions",
        "Event subscriptions listening to this server's event relay.",
        g.event_subscriptions,
    );
    gauge(
        &mut out,
        "tandem_event_relay_cursor",
        "The cursor of the last event this server's relay has broadcast.",
        g.relay_cursor,
    );
    if let Some(outbox) = g.outbox_cursor {
        gauge(
            &mut out,
            "tandem_event_outbox_cursor",
            "The newest event cursor in the outbox.",
            outbox,
        );
        gauge(
            &mut out,
            "tandem_event_relay_lag_events",
            "Events in the outbox this server's relay has not broadcast yet.",
            (outbox - g.relay_cursor).max(0),
        );
    }
    if let Some(pool) = g.pool {
        header(
            &mut out,
            "tandem_db_pool_connections",
            "gauge",
            "Database connections open, by state.",
        );
        let busy = pool.open.saturating_sub(pool.idle);
        let _ = writeln!(
            out,
            "tandem_db_pool_connections{{state=\"idle\"}} {}\ntandem_db_pool_connections{{state=\"in_use\"}} {busy}",
            pool.idle
        );
        gauge(
            &mut out,
            "tandem_db_pool_max_connections",
            "The most database connections the pool opens.",
            pool.max,
        );
    }
    if let Some(backlog) = g.webhooks {
        gauge(
            &mut out,
            "tandem_webhook_deliveries_pending",
            "Webhook deliveries not yet delivered nor given up.",
            backlog.pending,
        );
        gauge(
            &mut out,
            "tandem_webhook_deliveries_due",
            "Pending webhook deliveries whose next attempt is due now.",
            backlog.due,
        );
    }
    out
}
