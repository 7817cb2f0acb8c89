//! Tandem's storage: sea-orm entities, repositories, transactions and the event outbox, on
//! SQLite (the embedded default) and PostgreSQL (production) through the same code.
//!
//! Repositories speak domain types. A write runs in one transaction together with the
//! account-change event it causes, so a change and its event are committed or lost together.

mod entity;

pub mod account;
pub mod activity;
pub mod automation;
pub mod catalog;
pub mod catalog_scope;
mod change;
pub mod cluster;
pub mod contact;
pub mod engagement;
pub mod engagement_outcome;
pub mod error;
pub mod event;
pub mod event_relay;
pub mod external;
pub mod figures;
pub mod health;
pub mod idempotency;
pub mod opportunity;
pub mod outcome;
pub mod outcome_comparison;
pub mod outlook;
pub mod page;
pub mod playbook;
pub mod renewal;
pub mod revenue;
pub mod revenue_outlook;
pub mod segment;
pub mod settings;
pub mod signals;
pub mod sow;
pub mod sql;
pub mod store;
pub mod success;
pub mod task;
pub mod team_member;
pub mod template;
pub mod timesheet;
pub mod usage;
pub mod value_timeline;
mod versioned;
pub mod webhook;

pub use error::{PersistenceError, PersistenceResult};
pub use store::{Backend, PoolStatus, Store, StoreOptions};
