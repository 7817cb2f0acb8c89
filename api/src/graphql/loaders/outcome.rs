//! Loaders of outcomes: accepted phases' health and revenue, and engagements' outcomes.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use tandem_domain::ids::EngagementId;
use tandem_domain::outcome::{AcceptedPhase, RevenueOutcome, ScorePoint};
use tandem_persistence::Store;
use tandem_persistence::outcome;

use crate::error::ApiError;

/// Loads accepted phases' health figures: one query per batch for all of them.
pub struct OutcomeHealthLoader(pub(super) Store);

impl Loader<AcceptedPhase> for OutcomeHealthLoader {
    type Value = HashMap<u64, ScorePoint>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AcceptedPhase],
    ) -> Result<HashMap<AcceptedPhase, Self::Value>, ApiError> {
        let mut found = outcome::health(&self.0, keys, Utc::now().date_naive()).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(&k.phase).unwrap_or_default()))
            .collect())
    }
}

/// Loads accepted phases' revenue movements, summed in SQL: one query per batch.
pub struct OutcomeRevenueLoader(pub(super) Store);

impl Loader<AcceptedPhase> for OutcomeRevenueLoader {
    type Value = RevenueOutcome;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AcceptedPhase],
    ) -> Result<HashMap<AcceptedPhase, Self::Value>, ApiError> {
        let mut found = outcome::revenue(&self.0, keys, Utc::now().date_naive()).await?;
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(&k.phase).map(|v| (*k, v)))
            .collect())
    }
}

/// Loads engagements' outcomes: three statements per batch, however many engagements.
pub struct EngagementOutcomeLoader(pub(super) Store);

impl Loader<EngagementId> for EngagementOutcomeLoader {
    type Value = tandem_domain::engagement_outcome::EngagementOutcome;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Self::Value>, ApiError> {
        Ok(tandem_persistence::engagement_outcome::of_engagements(
            &self.0,
            keys,
            Utc::now().date_naive(),
        )
        .await?)
    }
}
