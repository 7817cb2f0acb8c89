//! Statements of work, change requests and time entries, with the budget sums in SQL. Reading
//! SOWs ([`read`]) and writing them ([`write`]), their change requests ([`change_request`]),
//! time entries ([`time_entry`]) and the approved time they burn ([`burn`]); one row mapping
//! ([`row`]).

mod burn;
mod change_request;
mod read;
mod row;
mod time_entry;
mod write;

pub(crate) use burn::APPROVED_ONLY;
pub use burn::{logged_by_phase, logged_by_sow};
pub use change_request::{change_requests, decide_change_request, raise_change_request};
pub use read::{SowFilter, by_accounts, by_engagements, by_ids, count, get, list};
pub use time_entry::{entries_of_timesheets, log_time, time_entries};
pub(crate) use write::create_in;
pub use write::{create, transition, update};
