//! Loaders of success-plan goals and business reviews.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::{AccountId, PhaseId};
use tandem_persistence::Store;
use tandem_persistence::outcome::{self};

use crate::error::ApiError;

/// Loads each account's goals.
pub struct GoalsLoader(pub(super) Store);

impl Loader<AccountId> for GoalsLoader {
    type Value = Vec<tandem_domain::success::Goal>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::success::goals_of(&self.0, keys).await?)
    }
}

/// Loads each account's business reviews.
pub struct ReviewsLoader(pub(super) Store);

impl Loader<AccountId> for ReviewsLoader {
    type Value = Vec<tandem_domain::success::Review>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::success::reviews_of(&self.0, keys).await?)
    }
}

/// Loads goals by id.
pub struct GoalLoader(pub(super) Store);

impl Loader<tandem_domain::ids::GoalId> for GoalLoader {
    type Value = tandem_domain::success::Goal;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::GoalId],
    ) -> Result<HashMap<tandem_domain::ids::GoalId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(tandem_persistence::success::goals_by_ids(&self.0, &ids)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect())
    }
}

/// Loads the goals each phase serves: one query per batch.
pub struct PhaseGoalsLoader(pub(super) Store);

impl Loader<PhaseId> for PhaseGoalsLoader {
    type Value = Vec<tandem_domain::success::Goal>;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Self::Value>, ApiError> {
        Ok(outcome::goals_of_phases(&self.0, keys).await?)
    }
}
