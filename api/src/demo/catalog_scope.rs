//! Demo catalog scopes: on accounts with a published catalog version, the "Catalog model" phase
//! is scoped to every product line of the latest version and each product-line phase whose
//! line the version has is scoped to that line; products of delivered or accepted phases are
//! marked migrated, and the first product of a phase in progress, so that `Phase.catalogScope`
//! shows progress beside the phase's status.

use std::collections::BTreeSet;

use tandem_domain::catalog::scope::CatalogScope;
use tandem_domain::engagement::{FocusKind, PhaseStatus};
use tandem_persistence::catalog_scope;
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::page::Window;
use tandem_persistence::{PersistenceResult, Store};

/// Scopes the catalog and product-line phases of accounts with a published catalog version.
pub(super) async fn load(store: &Store) -> PersistenceResult<()> {
    let window = Window {
        limit: 1_000,
        after: None,
        before: None,
        from_end: false,
    };
    let engagements = engagement::list(store, &EngagementFilter::default(), &window)
        .await?
        .items;
    let accounts: Vec<_> = engagements.iter().map(|e| e.account_id).collect();
    let latest = catalog_scope::latest_versions(store, &accounts).await?;
    let ids: Vec<_> = latest.values().map(|(id, _)| *id).collect();
    let versions = catalog_scope::versions_by_ids(store, &ids).await?;
    let ids: Vec<_> = engagements.iter().map(|e| e.id).collect();
    let phases = phase::of_engagements(store, &ids).await?;
    for e in &engagements {
        let Some(version) = latest
            .get(&e.account_id)
            .and_then(|(id, _)| versions.get(id))
        else {
            continue;
        };
        let lines: BTreeSet<&str> = version
            .model
            .products
            .iter()
            .map(|p| p.product_line.as_str())
            .collect();
        let mut migrated = Vec::new();
        for p in phases.get(&e.id).into_iter().flatten() {
            let product_lines: Vec<String> = match p.data.focus_kind {
                FocusKind::ProductLine if lines.contains(p.data.focus.as_str()) => {
                    vec![p.data.focus.clone()]
                }
                _ if p.data.name == "Catalog model" => {
                    lines.iter().map(|l| l.to_string()).collect()
                }
                _ => continue,
            };
            let scope = CatalogScope {
                product_lines,
                ..CatalogScope::default()
            };
            let set = catalog_scope::set(store, super::ACTOR, p.id, 0, version.id, &scope).await?;
            let keys = set.scope.selected(&version.model);
            let done = match p.status {
                PhaseStatus::Delivered | PhaseStatus::Accepted => keys.len(),
                PhaseStatus::InProgress => keys.len().min(1),
                PhaseStatus::Planned => 0,
            };
            migrated.extend(
                keys.into_iter()
                    .take(done)
                    .map(|i| version.model.products[i].key.clone()),
            );
        }
        if !migrated.is_empty() {
            catalog_scope::mark_migrated(store, super::ACTOR, e.account_id, &migrated, true)
                .await?;
        }
    }
    Ok(())
}
