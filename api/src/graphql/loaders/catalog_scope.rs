//! The loaders behind `Phase.catalogScope` and `CatalogVersion.affectedPhases`: a page of
//! phases costs one query for their scopes, one for the versions they point at (each model read
//! and parsed once per request), one for the accounts' latest versions and one for the
//! accounts' migrated products.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use tandem_domain::catalog::PublishedVersion;
use tandem_domain::catalog::scope::{MigrationMark, PhaseCatalogScope};
use tandem_domain::ids::{AccountId, CatalogVersionId, PhaseId};
use tandem_persistence::Store;
use tandem_persistence::catalog_scope;

use super::batch::make;
use crate::error::ApiError;

/// The catalog-scope loaders of one request, each made on first use.
#[derive(Default)]
pub struct CatalogScopeLoaders {
    scopes: OnceLock<DataLoader<PhaseScopeLoader, HashMapCache>>,
    open_scopes: OnceLock<DataLoader<OpenScopesLoader, HashMapCache>>,
    versions: OnceLock<DataLoader<CatalogVersionLoader, HashMapCache>>,
    latest: OnceLock<DataLoader<LatestVersionLoader, HashMapCache>>,
    migrated: OnceLock<DataLoader<MigratedLoader, HashMapCache>>,
}

/// The catalog-scope loaders with what they need to be made.
pub struct Scoped<'a> {
    pub(super) store: &'a Store,
    pub(super) cached: bool,
    pub(super) loaders: &'a CatalogScopeLoaders,
}

impl<'a> Scoped<'a> {
    /// Each phase's catalog scope.
    pub fn scopes(&self) -> &'a DataLoader<PhaseScopeLoader, HashMapCache> {
        self.loaders
            .scopes
            .get_or_init(|| make(PhaseScopeLoader(self.store.clone()), self.cached))
    }

    /// The scopes of each account's PLANNED or IN_PROGRESS phases.
    pub fn open_scopes(&self) -> &'a DataLoader<OpenScopesLoader, HashMapCache> {
        self.loaders
            .open_scopes
            .get_or_init(|| make(OpenScopesLoader(self.store.clone()), self.cached))
    }

    /// Published versions by id, with their models, shared within the request.
    pub fn versions(&self) -> &'a DataLoader<CatalogVersionLoader, HashMapCache> {
        self.loaders
            .versions
            .get_or_init(|| make(CatalogVersionLoader(self.store.clone()), self.cached))
    }

    /// The id and number of each account's latest published version.
    pub fn latest(&self) -> &'a DataLoader<LatestVersionLoader, HashMapCache> {
        self.loaders
            .latest
            .get_or_init(|| make(LatestVersionLoader(self.store.clone()), self.cached))
    }

    /// Each account's products marked migrated, by key.
    pub fn migrated(&self) -> &'a DataLoader<MigratedLoader, HashMapCache> {
        self.loaders
            .migrated
            .get_or_init(|| make(MigratedLoader(self.store.clone()), self.cached))
    }
}

/// Loads phases' catalog scopes: one query per batch.
pub struct PhaseScopeLoader(Store);

impl Loader<PhaseId> for PhaseScopeLoader {
    type Value = PhaseCatalogScope;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Self::Value>, ApiError> {
        Ok(catalog_scope::of_phases(&self.0, keys).await?)
    }
}

/// Loads the scopes of accounts' open phases: one query per batch.
pub struct OpenScopesLoader(Store);

impl Loader<AccountId> for OpenScopesLoader {
    type Value = Vec<PhaseCatalogScope>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(catalog_scope::open_of_accounts(&self.0, keys).await?)
    }
}

/// Loads published versions with their models: one query per batch, each model parsed once.
pub struct CatalogVersionLoader(Store);

impl Loader<CatalogVersionId> for CatalogVersionLoader {
    type Value = Arc<PublishedVersion>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[CatalogVersionId],
    ) -> Result<HashMap<CatalogVersionId, Self::Value>, ApiError> {
        Ok(catalog_scope::versions_by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect())
    }
}

/// Loads each account's latest version's id and number (no model): one query per batch.
pub struct LatestVersionLoader(Store);

impl Loader<AccountId> for LatestVersionLoader {
    type Value = (CatalogVersionId, i32);
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(catalog_scope::latest_versions(&self.0, keys).await?)
    }
}

/// Loads each account's migrated products: one query per batch.
pub struct MigratedLoader(Store);

impl Loader<AccountId> for MigratedLoader {
    type Value = Arc<HashMap<String, MigrationMark>>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(catalog_scope::migrated_of_accounts(&self.0, keys)
            .await?
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect())
    }
}
