//! Statements of work: a fixed-price scope with a time-and-materials budget beside it, change
//! requests once signed, and the hours logged against them.
//!
//! Hours are kept in hundredths ([`Hours`](crate::hours::Hours)) and money in minor units, so
//! every sum is exact.
//!
//! The SOW and its state machine ([`statement`]), what it sells ([`scope`]), change requests
//! ([`change_request`]), logged time ([`time_entry`]) and the budget figures read from it
//! ([`budget`]).

mod budget;
mod change_request;
#[cfg(test)]
mod fixtures;
mod scope;
mod statement;
mod time_entry;

pub use budget::{BudgetFigures, LoggedTime, figures};
pub use change_request::{ChangeRequest, ChangeRequestStatus};
pub use scope::{NewSow, Rate, ScopeItem, SowData};
pub use statement::{Baseline, Sow, SowStatus};
pub use time_entry::{NewTimeEntry, TimeEntry, WorkKind};
