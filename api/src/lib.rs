//! Tandem's API server: the GraphQL schema over HTTP and WebSocket, authentication, and the
//! `tandem` command's building blocks.
#![recursion_limit = "256"] // the schema's nested async resolver types

pub mod app;
pub mod auth;
pub mod cache;
pub mod demo;
pub mod error;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod jetstream;
pub mod metrics;
pub mod rate_limit;
pub mod refit;
pub mod relay;
pub mod service;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod webhook;
pub mod worker;
pub mod ws;
