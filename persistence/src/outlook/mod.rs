//! The revenue outlook's storage: the history a renewal model learns from (every decided
//! renewal with its features and the manager's call at its snapshot), the features of renewals
//! to score, and the fitted models, versioned.

mod features;
mod history;
mod model;

pub use features::{Snapshot, features_at};
pub use history::{SNAPSHOT_DAYS_BEFORE, closed_count, closed_renewals, features_of, snapshot_of};
pub use model::{
    Basis, all as models, basis, by_version as model_by_version, latest as latest_model,
    save as save_model,
};
