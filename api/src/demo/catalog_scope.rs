//! Demo catalog scopes: on each account with a published catalog version, the "Catalog model"
//! phase is scoped to every product line of the latest version and each product-line phase
//! whose line the version has to that line. Product-line phases that are delivered or accepted
//! have all their products marked migrated, those in progress the first half, so that
//! `Phase.catalogScope` shows progress beside each phase's status (the catalog phase shows the
//! account's progress over the whole catalog).
//!
//! The demo's catalog accounts are picked independently of the ones given an engagement, so an
//! account with a published version but no engagement gets a small one here: the catalog model
//! accepted, its first product line in progress, the others planned.

use std::collections::BTreeSet;

use chrono::Utc;
use tandem_domain::catalog::PublishedVersion;
use tandem_domain::catalog::scope::CatalogScope;
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, NewEngagement, NewPhase, PhaseStatus,
};
use tandem_domain::ids::AccountId;
use tandem_persistence::catalog_scope;
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::{PersistenceResult, Store};

/// The name of the catalog-modeling phase, as the demo's engagements call it.
const CATALOG_PHASE: &str = "Catalog model";

/// Scopes the catalog and product-line phases of the `accounts` (the demo's catalog accounts)
/// that have a published catalog version.
pub(super) async fn load(store: &Store, accounts: &[(AccountId, &str)]) -> PersistenceResult<()> {
    let ids: Vec<AccountId> = accounts.iter().map(|(a, _)| *a).collect();
    let latest = catalog_scope::latest_versions(store, &ids).await?;
    let version_ids: Vec<_> = latest.values().map(|(id, _)| *id).collect();
    let versions = catalog_scope::versions_by_ids(store, &version_ids).await?;
    let engagements = engagement::by_accounts(store, &ids).await?;
    for account in ids {
        let Some(version) = latest.get(&account).and_then(|(id, _)| versions.get(id)) else {
            continue;
        };
        let mut mine: Vec<_> = engagements
            .get(&account)
            .map(|es| es.iter().map(|e| e.id).collect())
            .unwrap_or_default();
        if mine.is_empty() {
            mine.push(catalog_engagement(store, account, version).await?);
        }
        scope_phases(store, account, version, &mine).await?;
    }
    Ok(())
}

/// The product lines of a version, sorted.
fn lines(version: &PublishedVersion) -> BTreeSet<&str> {
    version
        .model
        .products
        .iter()
        .map(|p| p.product_line.as_str())
        .collect()
}

/// Scopes the phases of `engagements` and marks the products of their finished and running
/// product-line phases migrated.
async fn scope_phases(
    store: &Store,
    account: AccountId,
    version: &PublishedVersion,
    engagements: &[tandem_domain::ids::EngagementId],
) -> PersistenceResult<()> {
    let lines = lines(version);
    let phases = phase::of_engagements(store, engagements).await?;
    let mut migrated = Vec::new();
    for p in phases.values().flatten() {
        let (product_lines, line_phase) = match p.data.focus_kind {
            FocusKind::ProductLine if lines.contains(p.data.focus.as_str()) => {
                (vec![p.data.focus.clone()], true)
            }
            _ if p.data.name == CATALOG_PHASE => {
                (lines.iter().map(|l| l.to_string()).collect(), false)
            }
            _ => continue,
        };
        let scope = CatalogScope {
            product_lines,
            ..CatalogScope::default()
        };
        let set =
            catalog_scope::set(store, super::seed::ACTOR, p.id, 0, version.id, &scope).await?;
        if !line_phase {
            continue;
        }
        let keys = set.scope.selected(&version.model);
        let done = match p.status {
            PhaseStatus::Delivered | PhaseStatus::Accepted => keys.len(),
            PhaseStatus::InProgress => keys.len().div_ceil(2),
            PhaseStatus::Planned => 0,
        };
        migrated.extend(
            keys.into_iter()
                .take(done)
                .map(|i| version.model.products[i].key.clone()),
        );
    }
    if !migrated.is_empty() {
        catalog_scope::mark_migrated(store, super::seed::ACTOR, account, &migrated, true).await?;
    }
    Ok(())
}

/// An active replatforming engagement that moves the version's catalog one product line at a
/// time: the catalog model accepted, the first line in progress, the others planned.
async fn catalog_engagement(
    store: &Store,
    account: AccountId,
    version: &PublishedVersion,
) -> PersistenceResult<tandem_domain::ids::EngagementId> {
    let today = Utc::now().date_naive();
    let data = NewEngagement {
        name: "Catalog replatforming".into(),
        kind: EngagementKind::Replatforming,
        source_platform: Some("Legacy Commerce 6".into()),
        target_platform: Some("Tandem Commerce".into()),
        lead_id: None,
        description: Some("Move the published catalog model one product line at a time.".into()),
        planned_start: Some(today),
    }
    .validate()?;
    let e = engagement::create(store, super::seed::ACTOR, account, data).await?;
    engagement::transition(
        store,
        super::seed::ACTOR,
        e.id,
        e.version,
        EngagementStatus::Active,
    )
    .await?;
    let new_phase = |name: &str, focus_kind: FocusKind, focus: &str| NewPhase {
        name: name.into(),
        focus_kind,
        focus: focus.into(),
        objective: Some(format!("Move {} to the new platform", focus.to_lowercase())),
        expected_value: None,
        planned_start: None,
        planned_end: None,
        milestones: vec![],
        scope: vec![],
    };
    let catalog = phase::create(
        store,
        super::seed::ACTOR,
        e.id,
        new_phase(
            CATALOG_PHASE,
            FocusKind::Problem,
            "A clean, agreed catalog model",
        )
        .validate()?,
        vec![],
    )
    .await?;
    let mut v = catalog.version;
    for next in [
        PhaseStatus::InProgress,
        PhaseStatus::Delivered,
        PhaseStatus::Accepted,
    ] {
        v = phase::transition(store, super::seed::ACTOR, catalog.id, v, next, today)
            .await?
            .version;
    }
    for (n, line) in lines(version).into_iter().enumerate() {
        let p = phase::create(
            store,
            super::seed::ACTOR,
            e.id,
            new_phase(line, FocusKind::ProductLine, line).validate()?,
            vec![catalog.id],
        )
        .await?;
        if n == 0 {
            phase::transition(
                store,
                super::seed::ACTOR,
                p.id,
                p.version,
                PhaseStatus::InProgress,
                today,
            )
            .await?;
        }
    }
    Ok(e.id)
}
