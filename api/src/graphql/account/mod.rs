//! Accounts in the API.
//!
//! The account's object type ([`node`]), reading accounts ([`query`]) and changing them
//! ([`mutation`]).

mod mutation;
mod node;
mod query;

pub use mutation::AccountMutation;
pub use node::AccountNode;
pub use query::AccountQuery;
