//! The application state every request handler shares: the schema, the token verifier, the
//! services and the limits. It has a module of its own so that the server's builder (`app`) and
//! the transports (`http`, `ws`) all depend on it and none on another.

use tandem_domain::auth::Principal;
use tokio::sync::watch;

use crate::auth::Verifier;
use crate::graphql::TandemSchema;
use crate::graphql::known::Known;
use crate::service::Services;
use crate::settings::Limits;

/// What every request handler shares.
pub struct AppState {
    /// The schema, with the services in its data.
    pub schema: TandemSchema,
    /// The schema's types, to complete answers with field errors to the spec's shape.
    pub shape: std::sync::Arc<crate::graphql::complete::Shape>,
    /// Requests that passed validation before, run without validating them again.
    pub known: Known,
    /// The schema a CUSTOMER is served: pruned to what it may see (`graphql::audience`).
    pub customer_schema: TandemSchema,
    /// The customer schema's requests that passed its validation before.
    pub customer_known: Known,
    /// Checks bearer tokens.
    pub verifier: Verifier,
    /// Storage and the event relay.
    pub services: Services,
    /// Request limits.
    pub limits: Limits,
    /// The GraphiQL page, when enabled.
    pub graphiql: Option<String>,
    /// Turns true when the server begins to shut down.
    pub shutdown: watch::Receiver<bool>,
    /// Requests per token subject.
    pub limiter: std::sync::Arc<crate::rate_limit::RateLimiter>,
    /// Request counters and latencies, for `GET /metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Persisted queries and the trusted-documents allowlist.
    pub documents: std::sync::Arc<crate::http::trusted::Documents>,
    /// The JetStream relay, when `TANDEM_NATS_URL` is set.
    pub jetstream: Option<crate::jetstream::JetStreamRelay>,
    /// GraphQL requests being handled now: shutdown waits for them.
    pub in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl AppState {
    /// The schema that serves `who` — the customer's for a CUSTOMER, else the whole one — with
    /// its memo of requests that passed validation.
    pub fn schema_for(&self, who: &Principal) -> (&TandemSchema, &Known) {
        if who.is_customer() {
            (&self.customer_schema, &self.customer_known)
        } else {
            (&self.schema, &self.known)
        }
    }
}
