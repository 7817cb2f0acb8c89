//! Catalog scopes of phases in the API: which part of a published catalog-model version a phase
//! moves, its progress as products marked migrated, the impact of newer versions, and the
//! mutations that set, move and clear a scope and mark products migrated.
//!
//! Everything nested loads through the request's loaders: a page of phases costs one query per
//! kind of data, and each version's model is read and parsed once per request.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::catalog::PublishedVersion;
use tandem_domain::catalog::scope::{
    self, CatalogScope, MigrationMark, PhaseCatalogScope, ScopeImpact, ScopeProgress,
};
use tandem_domain::ids::{AccountId, CatalogVersionId, PhaseId};
use tokio::sync::OnceCell;

use super::catalog::{ChangedValue, VersionNode};
use super::common::context::{loaders, parts};
use super::engagement::PhaseNode;
use super::ids::{self, Kind};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::service::catalog_scope::ScopeChange;

/// The version a scope points at and the account's migrated products, loaded once per node.
struct Loaded {
    version: Arc<PublishedVersion>,
    migrated: Arc<std::collections::HashMap<String, MigrationMark>>,
    progress: ScopeProgress,
}

/// A phase's catalog scope.
pub struct PhaseCatalogScopeNode {
    scope: PhaseCatalogScope,
    loaded: OnceCell<Arc<Loaded>>,
}

impl PhaseCatalogScopeNode {
    fn new(scope: PhaseCatalogScope) -> Self {
        PhaseCatalogScopeNode {
            scope,
            loaded: OnceCell::new(),
        }
    }

    async fn loaded(&self, ctx: &Context<'_>) -> ApiResult<Arc<Loaded>> {
        self.loaded
            .get_or_try_init(|| async {
                let l = loaders(ctx)?.catalog_scope();
                let (version, migrated) = futures_util::try_join!(
                    l.versions().load_one(self.scope.catalog_version_id),
                    l.migrated().load_one(self.scope.account_id),
                )?;
                let version = version.ok_or_else(|| {
                    ApiError::not_found("the scope's catalog version no longer exists")
                })?;
                let migrated = migrated.unwrap_or_default();
                let progress = scope::progress(&self.scope.scope, &version.model, |k| {
                    migrated.contains_key(k)
                });
                Ok(Arc::new(Loaded {
                    version,
                    migrated,
                    progress,
                }))
            })
            .await
            .cloned()
    }
}

/// A product the phase moves.
#[derive(SimpleObject)]
#[graphql(name = "ScopedCatalogProduct")]
pub struct ScopedProductValue {
    /// Its key (stable across versions).
    pub key: String,
    /// Its name in the scope's version.
    pub name: String,
    /// Its product line.
    pub product_line: String,
    /// Its product type's key.
    pub product_type: String,
    /// How many variants it yields in the scope's version.
    pub variant_count: i64,
    /// Whether it is marked migrated on the target platform (`markProductsMigrated`).
    pub migrated: bool,
    /// When it was marked migrated; null while it is not.
    pub migrated_at: Option<DateTime<Utc>>,
    /// Who marked it migrated; null while it is not.
    pub migrated_by: Option<String>,
}

/// What a newer published version changes inside a phase's scope.
#[derive(SimpleObject)]
#[graphql(name = "CatalogScopeImpact")]
pub struct ScopeImpactValue {
    /// The newer version's id: pass it to `movePhaseCatalogScope` to move the phase onto it.
    pub catalog_version_id: ID,
    /// The newer version's number.
    pub catalog_version_number: i32,
    /// Whether anything inside the scope changed; false when the newer version changed only
    /// products outside it.
    pub affected: bool,
    /// Keys of products the scope would select in the newer version but does not now: new
    /// products, or products moved into a named line or type.
    pub added: Vec<String>,
    /// Keys of products in scope now that the newer version no longer has there.
    pub removed: Vec<String>,
    /// Products in scope in both versions whose content differs, with the fields that differ
    /// (`variants` when the variants they yield differ).
    pub changed: Vec<ChangedValue>,
}

fn impact_value(version: &PublishedVersion, i: ScopeImpact) -> ScopeImpactValue {
    ScopeImpactValue {
        catalog_version_id: ids::encode(Kind::CatalogVersion, version.id.0),
        catalog_version_number: version.number,
        affected: !i.is_empty(),
        added: i.added,
        removed: i.removed,
        changed: i
            .changed
            .into_iter()
            .map(|c| ChangedValue {
                key: c.key,
                fields: c.fields,
            })
            .collect(),
    }
}

/// A phase whose catalog scope a newer version changes.
#[derive(SimpleObject)]
#[graphql(name = "CatalogAffectedPhase")]
pub struct AffectedPhase {
    /// The phase (PLANNED or IN_PROGRESS).
    pub phase: PhaseNode,
    /// The number of the older version it is scoped to, and stays on until moved.
    pub scoped_version_number: i32,
    /// What this version changes inside its scope.
    pub impact: ScopeImpactValue,
}

/// The part of a published catalog-model version a phase moves — product lines, product types
/// and single products — and how far it has got: products marked migrated on the target
/// platform. A scope stays on its version until moved with `movePhaseCatalogScope`.
#[Object(name = "PhaseCatalogScope")]
impl PhaseCatalogScopeNode {
    /// Pass it back as `expectedVersion` to change, move or clear the scope.
    async fn version(&self) -> i32 {
        self.scope.version
    }
    /// When the scope last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.scope.updated_at
    }
    /// The id of the published version the phase was planned on.
    async fn catalog_version_id(&self) -> ID {
        ids::encode(Kind::CatalogVersion, self.scope.catalog_version_id.0)
    }
    /// The number of the published version the phase was planned on.
    async fn catalog_version_number(&self) -> i32 {
        self.scope.catalog_version_number
    }
    /// The published version the phase was planned on, with its whole model.
    async fn catalog_version(&self, ctx: &Context<'_>) -> async_graphql::Result<VersionNode> {
        let loaded = self.loaded(ctx).await?;
        Ok(VersionNode::new((*loaded.version).clone()))
    }
    /// Product lines named: all their products are in scope.
    async fn product_lines(&self) -> &[String] {
        &self.scope.scope.product_lines
    }
    /// Product type keys named: all their products are in scope.
    async fn product_types(&self) -> &[String] {
        &self.scope.scope.product_types
    }
    /// Product keys named one by one.
    async fn products(&self) -> &[String] {
        &self.scope.scope.products
    }
    /// The products the phase moves — those whose line, type or key is named — in model order,
    /// each with its variant count and whether it is marked migrated.
    async fn products_in_scope(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ScopedProductValue>> {
        let loaded = self.loaded(ctx).await?;
        Ok(loaded
            .progress
            .products
            .iter()
            .map(|p| {
                let product = &loaded.version.model.products[p.index];
                let mark = loaded.migrated.get(&product.key);
                ScopedProductValue {
                    key: product.key.clone(),
                    name: product.name.clone(),
                    product_line: product.product_line.clone(),
                    product_type: product.product_type.clone(),
                    variant_count: p.variants as i64,
                    migrated: p.migrated,
                    migrated_at: mark.map(|m| m.migrated_at),
                    migrated_by: mark.map(|m| m.migrated_by.clone()),
                }
            })
            .collect())
    }
    /// How many products the phase moves.
    async fn product_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.loaded(ctx).await?.progress.products.len() as i64)
    }
    /// How many variants those products yield.
    async fn variant_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.loaded(ctx).await?.progress.variants as i64)
    }
    /// How many of the products are marked migrated on the target platform.
    async fn migrated_products(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.loaded(ctx).await?.progress.migrated_products as i64)
    }
    /// How many variants the migrated products yield.
    async fn migrated_variants(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.loaded(ctx).await?.progress.migrated_variants as i64)
    }
    /// Migrated products over products in scope, 0 to 1 (0 when the scope selects none); read
    /// it beside the phase's status.
    async fn progress(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(self.loaded(ctx).await?.progress.fraction())
    }
    /// The number of the account's latest published version; above `catalogVersionNumber`
    /// when a newer one exists.
    async fn latest_version_number(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(loaders(ctx)?
            .catalog_scope()
            .latest()
            .load_one(self.scope.account_id)
            .await?
            .map_or(self.scope.catalog_version_number, |(_, n)| n))
    }
    /// What the account's latest published version changes inside this scope, when it is newer
    /// than the scope's version; null while the scope is on the latest version. Move the phase
    /// onto it with `movePhaseCatalogScope` once re-planned.
    async fn newer_version(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ScopeImpactValue>> {
        let l = loaders(ctx)?.catalog_scope();
        let Some((latest, number)) = l.latest().load_one(self.scope.account_id).await? else {
            return Ok(None);
        };
        if number <= self.scope.catalog_version_number {
            return Ok(None);
        }
        let old = self.loaded(ctx).await?;
        let new = l.versions().load_one(latest).await?.ok_or_else(|| {
            ApiError::not_found("the account's latest catalog version no longer exists")
        })?;
        let impact = scope::impact(&self.scope.scope, &old.version.model, &new.model);
        Ok(Some(impact_value(&new, impact)))
    }
}

impl PhaseCatalogScopeNode {
    /// The catalog scope of a phase, through the request's loaders.
    pub(crate) async fn of_phase(
        ctx: &Context<'_>,
        phase: PhaseId,
    ) -> ApiResult<Option<PhaseCatalogScopeNode>> {
        Ok(loaders(ctx)?
            .catalog_scope()
            .scopes()
            .load_one(phase)
            .await?
            .map(PhaseCatalogScopeNode::new))
    }
}

impl AffectedPhase {
    /// The open phases of `version`'s account scoped to an older version whose scope `version`
    /// changes, by phase id.
    pub(crate) async fn of_version(
        ctx: &Context<'_>,
        version: &PublishedVersion,
    ) -> ApiResult<Vec<AffectedPhase>> {
        let l = loaders(ctx)?;
        let scoped: Vec<PhaseCatalogScope> = l
            .catalog_scope()
            .open_scopes()
            .load_one(version.account_id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.catalog_version_number < version.number)
            .collect();
        if scoped.is_empty() {
            return Ok(Vec::new());
        }
        let older: Vec<CatalogVersionId> = scoped.iter().map(|s| s.catalog_version_id).collect();
        let older = l.catalog_scope().versions().load_many(older).await?;
        let mut affected = Vec::new();
        for s in scoped {
            let Some(old) = older.get(&s.catalog_version_id) else {
                continue;
            };
            let impact = scope::impact(&s.scope, &old.model, &version.model);
            if !impact.is_empty() {
                affected.push((s, impact));
            }
        }
        let mut phases = l
            .phase_by_id()
            .load_many(affected.iter().map(|(s, _)| s.phase_id))
            .await?;
        Ok(affected
            .into_iter()
            .filter_map(|(s, impact)| {
                phases.remove(&s.phase_id).map(|p| AffectedPhase {
                    phase: PhaseNode::from(p),
                    scoped_version_number: s.catalog_version_number,
                    impact: impact_value(version, impact),
                })
            })
            .collect())
    }
}

/// The parts of a published version a phase moves.
#[derive(InputObject)]
pub struct PhaseCatalogScopeInput {
    /// A published version of the phase's own account (`CatalogVersion.id`).
    pub catalog_version_id: ID,
    /// Product lines whose products all move (as the version spells them).
    #[graphql(default)]
    pub product_lines: Vec<String>,
    /// Product type keys whose products all move.
    #[graphql(default)]
    pub product_types: Vec<String>,
    /// Product keys that move one by one.
    #[graphql(default)]
    pub products: Vec<String>,
}

/// A phase after a change of its catalog scope.
pub struct PhaseCatalogScopePayload(ScopeChange);

#[Object]
impl PhaseCatalogScopePayload {
    /// The phase.
    async fn phase(&self) -> PhaseNode {
        PhaseNode::from(self.0.phase.clone())
    }
    /// Its catalog scope now; null once cleared.
    async fn catalog_scope(&self) -> Option<PhaseCatalogScopeNode> {
        self.0.scope.clone().map(PhaseCatalogScopeNode::new)
    }
}

/// What `markProductsMigrated` changed.
#[derive(SimpleObject)]
pub struct MarkProductsMigratedPayload {
    /// The keys whose mark changed (those already in the asked state are left out), sorted.
    pub changed: Vec<String>,
    /// Whether they are now marked migrated.
    pub migrated: bool,
}

fn phase_id(id: &ID, field: &str) -> ApiResult<PhaseId> {
    ids::decode(Kind::Phase, id, field).map(PhaseId)
}

fn version_id(id: &ID, field: &str) -> ApiResult<CatalogVersionId> {
    ids::decode(Kind::CatalogVersion, id, field).map(CatalogVersionId)
}

/// The catalog-scope mutations.
#[derive(Default)]
pub struct CatalogScopeMutation;

#[Object]
impl CatalogScopeMutation {
    /// Scopes a phase to parts of a published catalog-model version of its own account: the
    /// products whose line, type or key is named move in this phase. Replaces the scope read at
    /// `expectedVersion` (0 when the phase has none yet). Records `CATALOG_SCOPE_CHANGED`.
    /// Needs SERVICES or ADMIN.
    async fn set_phase_catalog_scope(
        &self,
        ctx: &Context<'_>,
        phase_id: ID,
        input: PhaseCatalogScopeInput,
        expected_version: i32,
    ) -> async_graphql::Result<PhaseCatalogScopePayload> {
        let (s, who) = parts(ctx)?;
        let id = self::phase_id(&phase_id, "phaseId")?;
        let version = version_id(&input.catalog_version_id, "input.catalogVersionId")?;
        let scope = CatalogScope {
            product_lines: input.product_lines,
            product_types: input.product_types,
            products: input.products,
        };
        Ok(PhaseCatalogScopePayload(
            service::catalog_scope::set(s, who, id, expected_version, version, &scope).await?,
        ))
    }

    /// Moves a phase's scope onto a newer published version of its account (see
    /// `PhaseCatalogScope.newerVersion` for what changes), keeping the named parts; refused
    /// when the newer version lacks one of them — set the scope anew then. Records
    /// `CATALOG_SCOPE_CHANGED`. Needs SERVICES or ADMIN.
    async fn move_phase_catalog_scope(
        &self,
        ctx: &Context<'_>,
        phase_id: ID,
        catalog_version_id: ID,
        expected_version: i32,
    ) -> async_graphql::Result<PhaseCatalogScopePayload> {
        let (s, who) = parts(ctx)?;
        let id = self::phase_id(&phase_id, "phaseId")?;
        let version = version_id(&catalog_version_id, "catalogVersionId")?;
        Ok(PhaseCatalogScopePayload(
            service::catalog_scope::move_to(s, who, id, expected_version, version).await?,
        ))
    }

    /// Takes a phase's catalog scope (read at `expectedVersion`) away; marks of migrated
    /// products stay with the account. Records `CATALOG_SCOPE_CHANGED`. Needs SERVICES or
    /// ADMIN.
    async fn clear_phase_catalog_scope(
        &self,
        ctx: &Context<'_>,
        phase_id: ID,
        expected_version: i32,
    ) -> async_graphql::Result<PhaseCatalogScopePayload> {
        let (s, who) = parts(ctx)?;
        let id = self::phase_id(&phase_id, "phaseId")?;
        Ok(PhaseCatalogScopePayload(
            service::catalog_scope::clear(s, who, id, expected_version).await?,
        ))
    }

    /// Marks products of an account (by key, as in any of its published catalog versions)
    /// migrated to the target platform, or takes the mark back with `migrated: false`; every
    /// phase scoped to them shows the progress. Records `PRODUCTS_MIGRATED` when a mark
    /// changed. Needs SERVICES or ADMIN.
    async fn mark_products_migrated(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        product_keys: Vec<String>,
        migrated: bool,
    ) -> async_graphql::Result<MarkProductsMigratedPayload> {
        let (s, who) = parts(ctx)?;
        let account = ids::decode(Kind::Account, &account_id, "accountId").map(AccountId)?;
        let changed =
            service::catalog_scope::mark_migrated(s, who, account, &product_keys, migrated).await?;
        Ok(MarkProductsMigratedPayload { changed, migrated })
    }
}
