//! GraphQL over HTTP, per the GraphQL-over-HTTP specification: POST with `application/json`,
//! GET with URL parameters (queries only), responses in `application/graphql-response+json` or
//! `application/json` as the client accepts, and the status codes the specification asks for.
//!
//! [`execute`] handles the GraphQL endpoint, [`request`] reads what a request carries,
//! [`media`] writes what it answers, [`probe`] serves health and readiness, and [`metrics`]
//! what operators scrape. A request that accepts `text/event-stream` is answered as Server-Sent
//! Events by [`sse`] (the graphql-sse protocol); [`trusted`] holds persisted queries and the
//! trusted-documents allowlist.

mod execute;
mod media;
mod metrics;
mod probe;
mod request;
mod sse;
pub mod trusted;

pub use execute::{get, post};
pub use metrics::metrics;
pub use probe::{healthz, not_found, readyz};
