//! Statements of work, change requests and time entries in the API. Money fields are hidden
//! from PRODUCT and VIEWER.
//!
//! The object types ([`node`], with the budget figures in [`budget`] and time entries in
//! [`time_entry`]), the query and mutation roots ([`query`], [`mutation`]) and their inputs
//! ([`input`]).

mod budget;
mod input;
mod mutation;
mod node;
mod query;
mod time_entry;

pub use mutation::SowMutation;
pub use node::SowNode;
pub use query::SowQuery;
pub use time_entry::TimeEntryNode;
