//! Opportunities in the API: renewal, upsell, downsell, cross-sell and services follow-on
//! revenue moving through the pipeline's stages until won or lost. Money fields are hidden from
//! PRODUCT and VIEWER.
//!
//! The object types ([`node`]), the query and mutation roots ([`query`], [`mutation`]) and
//! their inputs ([`input`]).

mod input;
mod mutation;
mod node;
mod query;

pub use mutation::OpportunityMutation;
pub use node::{OpportunityConnection, OpportunityNode, OpportunityStageNode, OpportunityStatus};
pub use query::OpportunityQuery;
