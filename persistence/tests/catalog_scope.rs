//! Phases' catalog scopes and migrated products on SQLite and PostgreSQL, and the migration
//! that stores them.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_domain::catalog::scope::CatalogScope;
use tandem_domain::catalog::{CatalogModel, Product, ProductType};
use tandem_domain::engagement::{FocusKind, NewPhase};
use tandem_domain::ids::{AccountId, CatalogVersionId, PhaseId};
use tandem_persistence::engagement::phase;
use tandem_persistence::{PersistenceError, Store, catalog, catalog_scope};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::engagement::replatforming;
use common::open;

fn product(key: &str, line: &str) -> Product {
    Product {
        key: key.into(),
        name: key.into(),
        product_type: "top".into(),
        product_line: line.into(),
        axes: vec![],
        excluded: vec![],
        attributes: Default::default(),
        variant_values: vec![],
        sku_pattern: "{product}".into(),
    }
}

/// An account with a published one-type model (TEE and POLO in Apparel, MUG in Home) and a
/// phase of one of its engagements.
async fn fixture(store: &Store) -> (AccountId, CatalogVersionId, PhaseId) {
    let a = customer(store, "Acme").await;
    let draft = catalog::change_draft(store, "t", a, 0, |m| {
        *m = CatalogModel {
            product_types: vec![ProductType {
                key: "top".into(),
                name: "Top".into(),
                attributes: vec![],
            }],
            products: vec![
                product("TEE", "Apparel"),
                product("POLO", "Apparel"),
                product("MUG", "Home"),
            ],
            ..Default::default()
        };
        Ok("model".into())
    })
    .await
    .unwrap();
    let version = catalog::publish(store, "t", a, draft.version)
        .await
        .unwrap();
    let e = replatforming(store, a).await;
    let p = phase::create(
        store,
        "lead",
        e.id,
        NewPhase {
            name: "Apparel".into(),
            focus_kind: FocusKind::ProductLine,
            focus: "Apparel".into(),
            objective: None,
            expected_value: None,
            planned_start: None,
            planned_end: None,
            milestones: vec![],
            scope: vec![],
        }
        .validate()
        .unwrap(),
        vec![],
    )
    .await
    .unwrap();
    (a, version.id, p.id)
}

fn lines(l: &[&str]) -> CatalogScope {
    CatalogScope {
        product_lines: l.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

db_test! {
    async fn a_scope_is_versioned_and_marks_belong_to_the_account(db) {
        let store = open(&db).await;
        let (account, version, p) = fixture(&store).await;
        let set = catalog_scope::set(&store, "lead", p, 0, version, &lines(&["Apparel"])).await.unwrap();
        assert_eq!((set.version, set.catalog_version_number), (1, 1));
        let err = catalog_scope::set(&store, "lead", p, 0, version, &lines(&["Home"])).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { .. }), "{err}");
        let read = catalog_scope::of_phases(&store, &[p]).await.unwrap();
        assert_eq!(read[&p].scope, lines(&["Apparel"]));
        assert_eq!(read[&p].account_id, account);

        let changed = catalog_scope::mark_migrated(&store, "lead", account, &["TEE".into(), "MUG".into()], true).await.unwrap();
        assert_eq!(changed, vec!["MUG", "TEE"]);
        let marks = catalog_scope::migrated_of_accounts(&store, &[account]).await.unwrap();
        assert_eq!(marks[&account].len(), 2);
        assert_eq!(marks[&account]["TEE"].migrated_by, "lead");
        let open = catalog_scope::open_of_accounts(&store, &[account]).await.unwrap();
        assert_eq!(open[&account].len(), 1);
        let latest = catalog_scope::latest_versions(&store, &[account]).await.unwrap();
        assert_eq!(latest[&account], (version, 1));
    }
}

db_test! {
    async fn the_catalog_scope_migration_goes_down_and_up_again(db) {
        use tandem_migrations::{Migrator, MigratorTrait};
        let store = open(&db).await;
        let (_, version, p) = fixture(&store).await;
        catalog_scope::set(&store, "lead", p, 0, version, &lines(&["Apparel"])).await.unwrap();
        let conn = db.connect().await;
        // Back to before migration 000014, whatever came after it.
        let steps = Migrator::migrations().len() as u32 - 13;
        Migrator::down(&conn, Some(steps)).await.unwrap();
        assert!(catalog_scope::of_phases(&store, &[p]).await.is_err(), "the table is gone");
        Migrator::up(&conn, None).await.unwrap();
        assert!(catalog_scope::of_phases(&store, &[p]).await.unwrap().is_empty());
        let set = catalog_scope::set(&store, "lead", p, 0, version, &lines(&["Home"])).await.unwrap();
        assert_eq!(set.version, 1);
    }
}
