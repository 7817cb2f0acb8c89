//! The loader of external ids (of accounts, contacts and team members).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_persistence::Store;

use super::batch::group;
use crate::error::ApiError;

/// Loads each account's external ids.
pub struct ExternalIdsLoader(pub(super) Store);

impl Loader<AccountId> for ExternalIdsLoader {
    type Value = Vec<tandem_domain::sync::ExternalId>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|a| a.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::Account,
            &ids,
        )
        .await?;
        Ok(group(found, |e| AccountId(e.entity_id)))
    }
}

impl Loader<tandem_domain::ids::ContactId> for ExternalIdsLoader {
    type Value = Vec<tandem_domain::sync::ExternalId>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::ContactId],
    ) -> Result<HashMap<tandem_domain::ids::ContactId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|c| c.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::Contact,
            &ids,
        )
        .await?;
        Ok(group(found, |e| tandem_domain::ids::ContactId(e.entity_id)))
    }
}

impl Loader<TeamMemberId> for ExternalIdsLoader {
    type Value = Vec<tandem_domain::sync::ExternalId>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TeamMemberId],
    ) -> Result<HashMap<TeamMemberId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|m| m.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::TeamMember,
            &ids,
        )
        .await?;
        Ok(group(found, |e| TeamMemberId(e.entity_id)))
    }
}
