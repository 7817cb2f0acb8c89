//! Loaders of statements of work, their change requests and logged time.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, SowId};
use tandem_domain::sow::{ChangeRequest, LoggedTime, Sow};
use tandem_persistence::{Store, sow};

use crate::error::ApiError;

/// Loads each account's SOWs.
pub struct SowsByAccountLoader(pub(super) Store);

impl Loader<AccountId> for SowsByAccountLoader {
    type Value = Vec<Sow>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Vec<Sow>>, ApiError> {
        Ok(sow::by_accounts(&self.0, keys).await?)
    }
}

/// Loads SOWs by id.
pub struct SowLoader(pub(super) Store);

impl Loader<SowId> for SowLoader {
    type Value = Sow;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Sow>, ApiError> {
        Ok(sow::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect())
    }
}

/// Loads each SOW's change requests.
pub struct ChangeRequestsLoader(pub(super) Store);

impl Loader<SowId> for ChangeRequestsLoader {
    type Value = Vec<ChangeRequest>;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Vec<ChangeRequest>>, ApiError> {
        Ok(sow::change_requests(&self.0, keys).await?)
    }
}

/// Loads each SOW's logged-time sums.
pub struct LoggedLoader(pub(super) Store);

impl Loader<SowId> for LoggedLoader {
    type Value = LoggedTime;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, LoggedTime>, ApiError> {
        Ok(sow::logged_by_sow(&self.0, keys).await?)
    }
}

/// Loads each SOW's logged-time sums per phase.
pub struct LoggedByPhaseLoader(pub(super) Store);

impl Loader<SowId> for LoggedByPhaseLoader {
    type Value = HashMap<Option<PhaseId>, LoggedTime>;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Self::Value>, ApiError> {
        Ok(sow::logged_by_phase(&self.0, keys).await?)
    }
}

/// Loads each engagement's SOWs.
pub struct SowsByEngagementLoader(pub(super) Store);

impl Loader<EngagementId> for SowsByEngagementLoader {
    type Value = Vec<Sow>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Vec<Sow>>, ApiError> {
        Ok(sow::by_engagements(&self.0, keys).await?)
    }
}
