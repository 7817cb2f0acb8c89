//! Playbooks, tasks and webhooks in the API: the "act on it" half of customer success.
//!
//! A playbook fires on an account-change event or a threshold crossing and takes its actions on
//! the accounts that meet its condition; a task is a to-do about an account, made by a person or
//! a playbook; a webhook endpoint receives the events an integration asked for.
//!
//! The object types sit one file per concept (`playbook`, `task`, `webhook`); the root
//! fields in `query` and `mutation`; the inputs and their conversion into domain values in
//! `input`.

mod input;
mod mutation;
mod playbook;
mod query;
mod task;
mod webhook;

pub use mutation::AutomationMutation;
pub use query::AutomationQuery;
pub use task::TaskNode;
