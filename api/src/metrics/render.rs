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
    /// The JetStream relay, when it is configured.
    pub jetstream: Option<JetStreamGauges>,
}

/// The JetStream relay's state at a scrape.
#[derive(Debug, Default, Clone)]
pub struct JetStreamGauges {
    /// Whether this server leads the relay.
    pub leading: bool,
    /// Events this server has had acknowledged since it started.
    pub published: u64,
    /// Commit to acknowledgement of the last event this server had acknowledged, in seconds.
    pub delay_seconds: f64,
    /// The relay's recorded position, the newest cursor, and the age of the oldest event not
    /// yet acknowledged; `None` when the database did not answer.
    pub lag: Option<(i64, i64, f64)>,
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
    if let Some(js) = &g.jetstream {
        jetstream(&mut out, js);
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

fn jetstream(out: &mut String, js: &JetStreamGauges) {
    gauge(
        out,
        "tandem_jetstream_relay_leading",
        "1 when this server runs the JetStream relay, 0 when another server (or none) does.",
        u8::from(js.leading),
    );
    header(
        out,
        "tandem_jetstream_published_total",
        "counter",
        "Events this server has published to JetStream and had acknowledged since it started.",
    );
    let _ = writeln!(out, "tandem_jetstream_published_total {}", js.published);
    gauge(
        out,
        "tandem_jetstream_relay_delay_seconds",
        "From commit to JetStream acknowledgement of the last event this server published.",
        js.delay_seconds,
    );
    if let Some((position, latest, seconds)) = js.lag {
        gauge(
            out,
            "tandem_jetstream_relay_cursor",
            "The cursor of the last event JetStream acknowledged (the relay's recorded position).",
            position,
        );
        gauge(
            out,
            "tandem_jetstream_relay_lag_events",
            "The newest outbox cursor less the JetStream relay's position.",
            (latest - position).max(0),
        );
        gauge(
            out,
            "tandem_jetstream_relay_lag_seconds",
            "The age of the oldest event not yet acknowledged by JetStream (0 when level).",
            seconds,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, name: &str) -> Option<&'a str> {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
    }

    #[test]
    fn jetstream_series_appear_only_with_the_relay_and_lag_counts_from_its_position() {
        let render = |g: &Gauges| super::render(&[], &[], &[], 0, g);
        let off = render(&Gauges::default());
        assert!(!off.contains("tandem_jetstream_"), "{off}");
        let on = render(&Gauges {
            jetstream: Some(JetStreamGauges {
                leading: true,
                published: 40,
                delay_seconds: 0.25,
                lag: Some((40, 52, 1.5)),
            }),
            ..Gauges::default()
        });
        assert_eq!(line(&on, "tandem_jetstream_relay_leading"), Some("1"));
        assert_eq!(line(&on, "tandem_jetstream_published_total"), Some("40"));
        assert_eq!(line(&on, "tandem_jetstream_relay_cursor"), Some("40"));
        assert_eq!(line(&on, "tandem_jetstream_relay_lag_events"), Some("12"));
        assert_eq!(line(&on, "tandem_jetstream_relay_lag_seconds"), Some("1.5"));
        assert_eq!(
            line(&on, "tandem_jetstream_relay_delay_seconds"),
            Some("0.25")
        );
    }
}
