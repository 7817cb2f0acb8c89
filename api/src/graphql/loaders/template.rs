//! The loader of engagement templates.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_persistence::Store;

use crate::error::ApiError;

/// Loads engagement templates by id.
pub struct TemplateLoader(pub(super) Store);

impl Loader<tandem_domain::ids::TemplateId> for TemplateLoader {
    type Value = tandem_domain::template::Template;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::TemplateId],
    ) -> Result<HashMap<tandem_domain::ids::TemplateId, Self::Value>, ApiError> {
        Ok(tandem_persistence::template::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}
