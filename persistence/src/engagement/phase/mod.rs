//! Phases: ordered steps of an engagement, with dependencies between them. Reading whole
//! phases ([`read`]), their outlines and heads for lists that show nothing else ([`outline`]),
//! writing them ([`write`]) and the goals they serve ([`goals`]); one row mapping ([`row`]).

mod goals;
mod outline;
mod read;
mod row;
mod write;

pub use goals::{link_goal, link_goals, record_realised_value};
pub use outline::{heads_of_engagements, outlines_of_engagements};
pub(crate) use read::load;
pub use read::{by_ids, of_engagements, of_engagements_without_dependencies};
pub(crate) use write::create_in;
pub use write::{create, reposition, set_dependencies, transition, transition_with, update};
