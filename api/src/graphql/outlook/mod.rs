//! The revenue outlook in the API: a renewal's likelihood to renew (`Renewal.likelihoodToRenew`:
//! a probability with its reasons and the model's version, or "not enough history"), the fitted
//! models with their backtests beside the manager's calls, and `refitOutlookModel`.
//!
//! The object types ([`node`]) and the query and mutation roots ([`query`], [`mutation`]).

mod mutation;
mod node;
mod query;

pub use mutation::OutlookMutation;
pub use node::LikelihoodToRenew;
pub use query::OutlookQuery;
