//! The GraphQL schema: types that wrap domain types, resolvers that call one service each, and
//! the limits every request runs under.
//!
//! One module per feature (`account`, `engagement`, …) holds its object types, queries,
//! mutations and inputs; what features share lives in [`common`] and in the low modules
//! (`ids`, `enums`, `scalars`, `money`); [`schema`] merges the features into the schema.

pub mod account;
pub mod activity;
pub mod audience;
pub mod automation;
pub mod catalog;
pub mod catalog_scope;
pub mod common;
pub mod complete;
pub mod contact;
pub mod engagement;
pub mod engagement_outcome;
pub mod enums;
pub mod event;
pub mod figures;
pub mod health;
pub mod ids;
pub mod json;
pub mod known;
pub mod limits;
pub mod loaders;
pub mod money;
pub mod node;
pub mod opportunity;
pub mod outcome;
pub mod outcome_comparison;
pub mod outlook;
pub mod plain;
pub mod renewal;
pub mod revenue_outlook;
pub mod scalars;
pub mod schema;
pub mod segment;
pub mod signals;
pub mod sow;
pub mod success;
pub mod sync;
pub mod team_member;
pub mod template;
pub mod timesheet;
pub mod value_timeline;
pub mod viewer;

pub use schema::{Mutation, Query, SchemaOptions, Subscription, TandemSchema, build_schema, sdl};
