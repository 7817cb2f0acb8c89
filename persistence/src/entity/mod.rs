//! sea-orm entities: the tables as rows. They never leave this crate; repositories convert them
//! to domain types at the boundary.

pub mod account;
pub mod account_event;
pub mod account_tag;
pub mod catalog_draft;
pub mod catalog_session;
pub mod catalog_version;
pub mod change_request;
pub mod contact;
pub mod engagement;
pub mod idempotency_key;
pub mod phase;
pub mod phase_dependency;
pub mod revenue_event;
pub mod sow;
pub mod sow_scope_item;
pub mod team_member;
pub mod time_entry;
