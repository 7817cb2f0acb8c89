//! `GET /metrics`: the counters, and gauges read now (two aggregate statements: the outbox's
//! newest cursor and the webhook backlog, and with the JetStream relay its position and the
//! time of the oldest event it has not relayed: all bounded by the request timeout). It asks for no
//! token, as Prometheus scrapers send none; `TANDEM_METRICS=off` removes it.

use actix_web::{HttpResponse, web};
use tandem_persistence::{event, event_relay, webhook};

use crate::metrics::{Gauges, JetStreamGauges};
use crate::state::AppState;

/// The exposition text (format 0.0.4).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let store = &state.services.store;
    let relay = &state.services.relay;
    let reads = async {
        let relay_lag = async {
            match &state.jetstream {
                Some(js) => Some(event_relay::lag(store, js.stream()).await),
                None => None,
            }
        };
        tokio::join!(
            event::latest_cursor(store),
            webhook::backlog(store, chrono::Utc::now()),
            relay_lag
        )
    };
    let (outbox, webhooks, relay_lag) =
        match tokio::time::timeout(state.limits.request_timeout, reads).await {
            Ok((outbox, webhooks, relay_lag)) => (
                outbox
                    .inspect_err(|e| tracing::warn!(error = %e, "metrics: outbox cursor unread"))
                    .ok(),
                webhooks
                    .inspect_err(|e| tracing::warn!(error = %e, "metrics: webhook backlog unread"))
                    .ok(),
                relay_lag.and_then(|lag| {
                    lag.inspect_err(
                        |e| tracing::warn!(error = %e, "metrics: JetStream relay unread"),
                    )
                    .ok()
                }),
            ),
            Err(_) => {
                tracing::warn!("metrics: the database did not answer in time");
                (None, None, None)
            }
        };
    let now = chrono::Utc::now();
    let jetstream = state.jetstream.as_ref().map(|js| JetStreamGauges {
        leading: js.leading(),
        published: js.published(),
        delay_seconds: js.last_delay().as_secs_f64(),
        lag: relay_lag.map(|l| {
            (
                l.position,
                l.latest,
                tandem_domain::relay::lag_seconds(l.oldest_pending_at, now),
            )
        }),
    });
    let gauges = Gauges {
        in_flight: state.in_flight.load(std::sync::atomic::Ordering::Relaxed),
        pool: Some(store.pool_status()),
        relay_cursor: relay.cursor(),
        outbox_cursor: outbox,
        event_subscriptions: relay.subscribers(),
        webhooks,
        jetstream,
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&gauges))
}
