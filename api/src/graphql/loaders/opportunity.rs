//! Loaders of each account's opportunities and of the pipeline's stages.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::{AccountId, OpportunityStageId};
use tandem_domain::opportunity::{Opportunity, Stage};
use tandem_persistence::Store;

use super::batch::group;
use crate::error::ApiError;

/// Loads each account's opportunities, every status, soonest to close first.
pub struct OpportunitiesLoader(pub(super) Store);

impl Loader<AccountId> for OpportunitiesLoader {
    type Value = Vec<Opportunity>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let found = tandem_persistence::opportunity::of_accounts(&self.0, keys).await?;
        Ok(group(found, |o| o.account_id))
    }
}

/// Loads stages by id. The pipeline has a handful of stages, so one read of them all answers
/// any batch.
pub struct OpportunityStageLoader(pub(super) Store);

impl Loader<OpportunityStageId> for OpportunityStageLoader {
    type Value = Stage;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[OpportunityStageId],
    ) -> Result<HashMap<OpportunityStageId, Stage>, ApiError> {
        Ok(tandem_persistence::opportunity::stages(&self.0)
            .await?
            .into_iter()
            .filter(|s| keys.contains(&s.id))
            .map(|s| (s.id, s))
            .collect())
    }
}
