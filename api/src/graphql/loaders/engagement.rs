//! Loaders of engagements, their phases (whole, outlines, heads) and baselines.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use tandem_domain::engagement::{Engagement, Phase, PhaseHead, PhaseOutline};
use tandem_domain::ids::{AccountId, EngagementId, PhaseId};
use tandem_persistence::{Store, engagement};

use super::batch::shared;
use crate::error::ApiError;

/// Loads engagements by id.
pub struct EngagementLoader(pub(super) Store);

impl Loader<EngagementId> for EngagementLoader {
    type Value = Engagement;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Engagement>, ApiError> {
        Ok(engagement::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect())
    }
}

/// Loads each account's engagements.
pub struct EngagementsByAccountLoader(pub(super) Store);

impl Loader<AccountId> for EngagementsByAccountLoader {
    type Value = Arc<[Engagement]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AccountId],
    ) -> Result<HashMap<AccountId, Arc<[Engagement]>>, ApiError> {
        Ok(shared(engagement::by_accounts(&self.0, keys).await?))
    }
}

/// A loader of each engagement's phases, in order, through one of the persistence layer's
/// readers (which differ in how much of a phase they read: whole, as `PhaseOutline` or as
/// `PhaseHead`).
macro_rules! phases_loader {
    ($(#[$doc:meta])* $name:ident, $view:ty, $read:path) => {
        $(#[$doc])*
        pub struct $name(pub(super) Store);

        impl Loader<EngagementId> for $name {
            type Value = Arc<[$view]>;
            type Error = ApiError;

            async fn load(
                &self,
                keys: &[EngagementId],
            ) -> Result<HashMap<EngagementId, Arc<[$view]>>, ApiError> {
                Ok(shared($read(&self.0, keys).await?))
            }
        }
    };
}

phases_loader!(
    /// Loads each engagement's phases.
    PhasesLoader,
    Phase,
    engagement::phase::of_engagements
);
phases_loader!(
    /// Loads each engagement's phases without their dependencies.
    PhasesWithoutDependenciesLoader,
    Phase,
    engagement::phase::of_engagements_without_dependencies
);
phases_loader!(
    /// Loads each engagement's phases, their outlines only.
    PhaseOutlinesLoader,
    PhaseOutline,
    engagement::phase::outlines_of_engagements
);
phases_loader!(
    /// Loads each engagement's phases, their heads only.
    PhaseHeadsLoader,
    PhaseHead,
    engagement::phase::heads_of_engagements
);

/// Loads phases by id.
pub struct PhaseByIdLoader(pub(super) Store);

impl Loader<PhaseId> for PhaseByIdLoader {
    type Value = Phase;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Phase>, ApiError> {
        Ok(engagement::phase::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect())
    }
}

/// Loads each engagement's baselines, newest first.
pub struct BaselinesLoader(pub(super) Store);

impl Loader<EngagementId> for BaselinesLoader {
    type Value = Vec<tandem_domain::baseline::Baseline>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Self::Value>, ApiError> {
        Ok(engagement::baseline::of_engagements(&self.0, keys).await?)
    }
}
