//! Catalog modeling in the API: each account's draft model with its validation issues and
//! stats, published versions, diffs, exports and sessions.
//!
//! The object types sit one file per concept (`model`: a model and its parts; `version`: the
//! draft, published versions and diffs; `session`: modeling sessions); the root fields in
//! `query` and `mutation`; the inputs and their conversion into domain values in `input`.

mod input;
mod model;
mod mutation;
mod query;
mod session;
mod version;

pub use mutation::CatalogMutation;
pub use query::CatalogQuery;
pub use version::{ChangedValue, VersionNode};
