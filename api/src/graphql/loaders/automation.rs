//! The loader of playbooks.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_persistence::Store;

use crate::error::ApiError;

/// Loads playbooks by id.
pub struct PlaybookLoader(pub(super) Store);

impl Loader<tandem_domain::ids::PlaybookId> for PlaybookLoader {
    type Value = tandem_domain::playbook::Playbook;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::PlaybookId],
    ) -> Result<HashMap<tandem_domain::ids::PlaybookId, Self::Value>, ApiError> {
        Ok(tandem_persistence::playbook::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect())
    }
}
