//! `GET /metrics`: the counters, and gauges read now (two aggregate statements: the outbox's
//! newest cursor and the webhook backlog, bounded by the request timeout). It asks for no
//! token, as Prometheus scrapers send none; `TANDEM_METRICS=off` removes it.

use actix_web::{HttpResponse, web};
use tandem_persistence::{event, webhook};

use crate::metrics::Gauges;
use crate::state::AppState;

/// The exposition text (format 0.0.4).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let store = &state.services.store;
    let relay = &state.services.relay;
    let reads = async {
        tokio::join!(
            event::latest_cursor(store),
            webhook::backlog(store, chrono::Utc::now())
        )
    };
    let (outbox, webhooks) = match tokio::time::timeout(state.limits.request_timeout, reads).await {
        Ok((outbox, webhooks)) => (
            outbox
                .inspect_err(|e| tracing::warn!(error = %e, "metrics: outbox cursor unread"))
                .ok(),
            webhooks
                .inspect_err(|e| tracing::warn!(error = %e, "metrics: webhook backlog unread"))
                .ok(),
        ),
        Err(_) => {
            tracing::warn!("metrics: the database did not answer in time");
            (None, None)
        }
    };
    let gauges = Gauges {
        in_flight: state.in_flight.load(std::sync::atomic::Ordering::Relaxed),
        pool: Some(store.pool_status()),
        relay_cursor: relay.cursor(),
        outbox_cursor: outbox,
        event_subscriptions: relay.subscribers(),
        webhooks,
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&gauges))
}
