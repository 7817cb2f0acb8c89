//! Loaders of what a renewal's likelihood to renew needs: its features (as they stand now, or
//! at its snapshot once decided) and, once per request, the closed-renewal count and the latest
//! model every score of the request is made with.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::RenewalId;
use tandem_domain::outlook::features::Features;
use tandem_persistence::Store;
use tandem_persistence::outlook::Basis;

use crate::error::ApiError;

/// Loads each renewal's features: one statement per 200 renewals.
pub struct RenewalFeaturesLoader(pub(super) Store);

impl Loader<RenewalId> for RenewalFeaturesLoader {
    type Value = Features;
    type Error = ApiError;

    async fn load(&self, keys: &[RenewalId]) -> Result<HashMap<RenewalId, Features>, ApiError> {
        Ok(tandem_persistence::outlook::features_of(&self.0, keys).await?)
    }
}

/// The one key of [`OutlookBasisLoader`]: the basis as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Latest;

/// Loads the closed-renewal count and the latest model, once per request whatever the number
/// of renewals scored.
pub struct OutlookBasisLoader(pub(super) Store);

impl Loader<Latest> for OutlookBasisLoader {
    type Value = Arc<Basis>;
    type Error = ApiError;

    async fn load(&self, _: &[Latest]) -> Result<HashMap<Latest, Arc<Basis>>, ApiError> {
        let basis = tandem_persistence::outlook::basis(&self.0).await?;
        Ok(HashMap::from([(Latest, Arc::new(basis))]))
    }
}
