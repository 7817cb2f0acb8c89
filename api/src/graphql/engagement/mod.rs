//! Engagements and phases in the API.
//!
//! The engagement's object type ([`node`]), the phase's ([`phase`]), reading them ([`query`])
//! and changing them ([`mutation`]).

mod mutation;
mod node;
mod phase;
mod query;

pub use mutation::{EngagementMutation, EngagementPayload};
pub use node::EngagementNode;
pub use phase::{PhaseNode, PhaseScopeItemValue};
pub use query::EngagementQuery;
