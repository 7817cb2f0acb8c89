//! A filtered list's count by the enumerated dimensions is read from the counts the database
//! keeps per combination of them (migration 27, `account::count`), which must always equal a
//! count of the matching rows (`account::count_rows`), whatever wrote the accounts.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use tandem_domain::Patch;
use tandem_domain::account::{AccountPatch, LifecycleStage, NewAccount, TouchTier};
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_persistence::Store;
use tandem_persistence::account::{self, AccountFilter};
use tandem_tests::db_test;

mod common;
use common::open;
use common::team_member::member;

/// An account with the dimensions the counts are kept by.
async fn create(
    store: &Store,
    name: &str,
    tier: TouchTier,
    stage: LifecycleStage,
    owner: Option<TeamMemberId>,
    industry: Option<&str>,
    plan: Option<&str>,
) -> AccountId {
    let data = NewAccount {
        name: name.into(),
        touch_tier: tier,
        lifecycle_stage: stage,
        owner_id: owner,
        industry: industry.map(Into::into),
        plan: plan.map(Into::into),
        ..NewAccount::default()
    };
    account::create(store, "tester", data.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// Filters over every dimension, alone and combined, live and with the archived.
fn filters(owners: &[TeamMemberId]) -> Vec<AccountFilter> {
    let base = [
        AccountFilter {
            touch_tiers: vec![TouchTier::High],
            ..AccountFilter::default()
        },
        AccountFilter {
            touch_tiers: vec![TouchTier::Low, TouchTier::Tech],
            lifecycle_stages: vec![LifecycleStage::Renewal],
            ..AccountFilter::default()
        },
        AccountFilter {
            owner_ids: owners.to_vec(),
            ..AccountFilter::default()
        },
        AccountFilter {
            owner_ids: vec![owners[0]],
            industries: vec!["Apparel".into(), "Beauty".into()],
            ..AccountFilter::default()
        },
        AccountFilter {
            plans: vec!["Growth".into()],
            industries: vec!["Grocery".into()],
            ..AccountFilter::default()
        },
        AccountFilter {
            plans: vec!["Nonesuch".into()],
            ..AccountFilter::default()
        },
        AccountFilter {
            lifecycle_stages: vec![LifecycleStage::Onboarding, LifecycleStage::Adoption],
            plans: vec!["Growth".into(), "Plus".into()],
            ..AccountFilter::default()
        },
    ];
    base.iter()
        .cloned()
        .flat_map(|f| {
            [
                f.clone(),
                AccountFilter {
                    include_archived: true,
                    ..f
                },
            ]
        })
        .collect()
}

/// Asserts that the kept counts of every filter equal a count of the rows; returns the counts.
async fn agree(store: &Store, filters: &[AccountFilter]) -> Vec<u64> {
    let mut kept = Vec::new();
    for f in filters {
        let counted = account::count_rows(store, f).await.unwrap();
        let read = account::count(store, f).await.unwrap();
        assert_eq!(read, counted, "{f:?}");
        kept.push(read);
    }
    kept
}

const TIERS: [TouchTier; 4] = [
    TouchTier::High,
    TouchTier::Medium,
    TouchTier::Low,
    TouchTier::Tech,
];
const STAGES: [LifecycleStage; 4] = [
    LifecycleStage::Onboarding,
    LifecycleStage::Adoption,
    LifecycleStage::Expansion,
    LifecycleStage::Renewal,
];
const INDUSTRIES: [Option<&str>; 4] = [Some("Apparel"), Some("Beauty"), Some("Grocery"), None];
const PLANS: [Option<&str>; 3] = [Some("Growth"), Some("Plus"), None];

db_test! {
    async fn the_kept_counts_equal_a_count_of_the_rows_after_every_kind_of_write(db) {
        let store = Arc::new(open(&db).await);
        let owners = vec![member(&store, "Ana").await, member(&store, "Ben").await];
        let filters = filters(&owners);
        assert!(agree(&store, &filters).await.iter().all(|n| *n == 0));

        let mut ids = Vec::new();
        for i in 0..40usize {
            let owner = if i % 5 == 4 { None } else { Some(owners[i % 2]) };
            ids.push(
                create(&store, &format!("Account {i}"), TIERS[i % 4], STAGES[(i / 3) % 4], owner,
                       INDUSTRIES[(i / 2) % 4], PLANS[i % 3]).await,
            );
        }
        let counts = agree(&store, &filters).await;
        assert!(counts.iter().filter(|n| **n > 0).count() >= 8, "the filters match some: {counts:?}");

        // Every dimension moved by the repository, one at a time, and an archive.
        account::update(&store, "x", ids[0], 1, |a| a.patched(AccountPatch {
            touch_tier: Some(TouchTier::Tech), ..AccountPatch::default() })).await.unwrap();
        account::update(&store, "x", ids[1], 1, |a| a.patched(AccountPatch {
            lifecycle_stage: Some(LifecycleStage::Renewal), ..AccountPatch::default() })).await.unwrap();
        account::update(&store, "x", ids[2], 1, |a| a.patched(AccountPatch {
            owner_id: Patch::Clear, ..AccountPatch::default() })).await.unwrap();
        account::update(&store, "x", ids[4], 1, |a| a.patched(AccountPatch {
            owner_id: Patch::Set(owners[0]), industry: Patch::Set("Apparel".into()),
            plan: Patch::Clear, ..AccountPatch::default() })).await.unwrap();
        account::archive(&store, "x", ids[5], 1).await.unwrap();
        account::archive(&store, "x", ids[6], 1).await.unwrap();
        // A change to something else moves no count.
        account::update(&store, "x", ids[7], 1, |a| a.patched(AccountPatch {
            name: Some("Renamed".into()), ..AccountPatch::default() })).await.unwrap();
        let after = agree(&store, &filters).await;
        assert_ne!(after, counts, "the writes moved some counts");

        // Writes that bypass the repositories are counted all the same.
        let raw = db.connect().await;
        let backend = raw.get_database_backend();
        let exec = |sql: &'static str, id: AccountId| {
            let raw = &raw;
            async move {
                let sql = if backend == sea_orm::DbBackend::Postgres {
                    sql.replace('?', "$1")
                } else {
                    sql.to_owned()
                };
                let done = raw
                    .execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [id.0.into()]))
                    .await
                    .unwrap();
                assert_eq!(done.rows_affected(), 1);
            }
        };
        exec("UPDATE accounts SET archived_at = NULL WHERE id = ?", ids[5]).await;
        exec("UPDATE accounts SET plan = 'Growth', industry = 'Grocery' WHERE id = ?", ids[8]).await;
        exec("UPDATE accounts SET plan = NULL, touch_tier = 'HIGH', archived_at = updated_at WHERE id = ?", ids[9]).await;
        exec("DELETE FROM accounts WHERE id = ?", ids[10]).await;
        agree(&store, &filters).await;

        // Concurrent writers (separate connections on PostgreSQL) lose no count.
        let mut writers = Vec::new();
        for n in 0..24usize {
            let store = store.clone();
            let owner = owners[n % 2];
            writers.push(tokio::spawn(async move {
                create(&store, &format!("Concurrent {n}"), TIERS[n % 4], STAGES[n % 4], Some(owner),
                       INDUSTRIES[n % 4], PLANS[n % 3]).await
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        agree(&store, &filters).await;
    }
}
