//! End-to-end tests: the real server on a free port, spoken to over real HTTP and WebSocket,
//! on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod accounts;
mod audit;
mod auth;
mod automation;
mod catalog;
mod catalog_scope;
mod customer;
mod engagements;
mod events;
mod health;
mod input_errors;
mod metrics;
mod opportunities;
mod oracle;
mod outcome_comparison;
mod outcomes;
mod outlook;
mod plain;
mod protocol;
mod queries;
mod renewals;
mod revenue_outlook;
mod sows;
mod sse;
mod support;
mod sync;
mod templates;
mod timeline;
mod timesheets;
mod trusted;
mod typescript_client;
mod value_timeline;
mod webhook_receiver;
mod webhook_redelivery;
mod webhook_standards;
mod ws_protocol;
