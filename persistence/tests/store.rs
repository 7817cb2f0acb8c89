//! Repository behaviour on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tandem_domain::account::{AccountPatch, LifecycleStage, NewAccount, TouchTier};
use tandem_domain::auth::Role;
use tandem_domain::contact::{NewContact, StakeholderRole};
use tandem_domain::event::{EventKind, NewEvent, SubjectKind};
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::NewRevenueMovement;
use tandem_domain::team_member::{NewTeamMember, Team};
use tandem_domain::{DomainError, Patch};
use tandem_persistence::account::{AccountFilter, AccountKey, AccountOrder};
use tandem_persistence::event::EventQuery;
use tandem_persistence::page::Window;
use tandem_persistence::{PersistenceError, Store, account, contact, event, revenue, team_member};
use tandem_tests::db_test;

mod common;
use common::open;

fn new_account(name: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        ..NewAccount::default()
    }
}

async fn create(store: &Store, name: &str) -> tandem_domain::account::Account {
    account::create(store, "tester", new_account(name).validate().unwrap())
        .await
        .unwrap()
}

fn window(limit: u64) -> Window<AccountKey> {
    Window {
        limit,
        after: None,
        before: None,
        from_end: false,
    }
}

async fn all_events(store: &Store) -> Vec<tandem_domain::event::Event> {
    event::list(
        store,
        &EventQuery {
            limit: 10_000,
            ..EventQuery::default()
        },
    )
    .await
    .unwrap()
}

db_test! {
    async fn a_created_account_reads_back_with_its_tags(db) {
        let store = open(&db).await;
        let data = NewAccount {
            name: "Acme Outdoor".into(),
            tags: vec!["vip".into(), "beta".into()],
            renewal_date: NaiveDate::from_ymd_opt(2027, 3, 31),
            traits: Some(serde_json::json!({"crmId": "0013000000abc"})),
            ..NewAccount::default()
        }
        .validate()
        .unwrap();
        let created = account::create(&store, "tester", data).await.unwrap();
        let read = account::get(&store, created.id).await.unwrap().unwrap();
        assert_eq!(read.data, created.data);
        assert_eq!(read.data.tags, vec!["beta", "vip"]);
        assert_eq!(read.version, 1);
    }
}

db_test! {
    async fn an_update_bumps_the_version_and_records_what_changed(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        let updated = account::update(&store, "ann", a.id, 1, |acc| {
            acc.patched(AccountPatch { touch_tier: Some(TouchTier::High), ..AccountPatch::default() })
        })
        .await
        .unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.data.touch_tier, TouchTier::High);
        let events = all_events(&store).await;
        assert_eq!(events.len(), 2);
        let last = &events[1];
        assert_eq!(last.event.kind, EventKind::AccountUpdated);
        assert_eq!(last.event.actor, "ann");
        assert_eq!(last.event.changes.len(), 1);
        assert_eq!(last.event.changes[0].field, "touchTier");
        assert_eq!(last.event.changes[0].before, "MEDIUM");
        assert_eq!(last.event.changes[0].after, "HIGH");
    }
}

db_test! {
    async fn a_stale_version_is_refused_and_writes_nothing(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        account::update(&store, "x", a.id, 1, |acc| {
            acc.patched(AccountPatch { plan: Patch::Set("Growth".into()), ..AccountPatch::default() })
        })
        .await
        .unwrap();
        let err = account::update(&store, "x", a.id, 1, |acc| {
            acc.patched(AccountPatch { plan: Patch::Set("Enterprise".into()), ..AccountPatch::default() })
        })
        .await
        .unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert_eq!(account::get(&store, a.id).await.unwrap().unwrap().data.plan.as_deref(), Some("Growth"));
        assert_eq!(all_events(&store).await.len(), 2);
    }
}

db_test! {
    async fn a_refused_change_rolls_back_and_writes_no_event(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        let err = account::update(&store, "x", a.id, 1, |acc| {
            acc.patched(AccountPatch { owner_id: Patch::Set(tandem_domain::ids::TeamMemberId::new()), ..AccountPatch::default() })
        })
        .await
        .unwrap_err();
        assert!(
            matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "ownerId"),
            "{err:?}"
        );
        assert_eq!(all_events(&store).await.len(), 1);
        assert_eq!(account::get(&store, a.id).await.unwrap().unwrap().version, 1);
    }
}

db_test! {
    async fn archiving_hides_an_account_from_lists_and_freezes_it(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        create(&store, "Globex").await;
        let archived = account::archive(&store, "x", a.id, 1).await.unwrap();
        assert!(archived.archived_at.is_some());
        let filter = AccountFilter::default();
        assert_eq!(account::count(&store, &filter).await.unwrap(), 1);
        let all = AccountFilter { include_archived: true, ..AccountFilter::default() };
        assert_eq!(account::count(&store, &all).await.unwrap(), 2);
        let err = account::archive(&store, "x", a.id, 2).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Conflict(_))), "{err:?}");
    }
}

db_test! {
    async fn the_account_tallies_follow_every_write_to_accounts(db) {
        use sea_orm::ConnectionTrait;
        let store = Arc::new(open(&db).await);
        let raw = db.connect().await;
        let live = AccountFilter::default();
        let all = AccountFilter { include_archived: true, ..AccountFilter::default() };
        // What counting the rows says, beside what the tallies say.
        let counted = |sql: &'static str| {
            let raw = &raw;
            async move {
                let row = raw.query_one_raw(sea_orm::Statement::from_string(raw.get_database_backend(), sql))
                    .await.unwrap().unwrap();
                row.try_get_by_index::<i64>(0).unwrap() as u64
            }
        };
        let agree = |expect_live: u64, expect_all: u64| {
            let (store, live, all) = (&store, &live, &all);
            async move {
                assert_eq!(account::count(store, live).await.unwrap(), expect_live);
                assert_eq!(account::count(store, all).await.unwrap(), expect_all);
                assert_eq!(counted("SELECT COUNT(*) FROM accounts WHERE archived_at IS NULL").await, expect_live);
                assert_eq!(counted("SELECT COUNT(*) FROM accounts").await, expect_all);
            }
        };
        agree(0, 0).await;
        let a = create(&store, "Acme").await;
        let b = create(&store, "Globex").await;
        create(&store, "Initech").await;
        agree(3, 3).await;
        account::archive(&store, "x", a.id, 1).await.unwrap();
        agree(2, 3).await;
        // An update that leaves archived_at alone moves nothing.
        account::update(&store, "x", b.id, 1, |acc| {
            acc.patched(AccountPatch { plan: Patch::Set("Growth".into()), ..AccountPatch::default() })
        }).await.unwrap();
        agree(2, 3).await;

        // Writes that bypass the repositories are tallied all the same.
        let exec = |sql: &'static str, id: AccountId| {
            let raw = &raw;
            async move {
                let backend = raw.get_database_backend();
                let sql = if backend == sea_orm::DbBackend::Postgres { sql.replace('?', "$1") } else { sql.to_owned() };
                let done = raw.execute_raw(sea_orm::Statement::from_sql_and_values(backend, sql, [id.0.into()]))
                    .await.unwrap();
                assert_eq!(done.rows_affected(), 1);
            }
        };
        exec("UPDATE accounts SET archived_at = NULL WHERE id = ?", a.id).await;
        agree(3, 3).await;
        exec("DELETE FROM accounts WHERE id = ?", a.id).await;
        agree(2, 2).await;

        // Concurrent writers (separate connections on PostgreSQL) lose no count.
        let mut writers = Vec::new();
        for n in 0..24 {
            let store = store.clone();
            writers.push(tokio::spawn(async move { create(&store, &format!("Concurrent {n}")).await }));
        }
        for w in writers {
            w.await.unwrap();
        }
        agree(26, 26).await;

        // On PostgreSQL, a session with another search path writing the table by its schema's
        // name is tallied in the same schema.
        if let Some(schema) = &db.pg_schema {
            let other = create(&store, "Other path").await;
            raw.execute_unprepared("SET search_path TO public").await.unwrap();
            let sql = format!("UPDATE {schema}.accounts SET archived_at = updated_at WHERE id = $1");
            raw.execute_raw(sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, [other.id.0.into()]))
                .await.unwrap();
            raw.execute_unprepared(&format!("SET search_path TO {schema}")).await.unwrap();
            agree(26, 27).await;
        }
    }
}

db_test! {
    async fn pages_walk_forward_and_backward_by_name_without_gaps(db) {
        let store = open(&db).await;
        let names = ["delta", "Alpha", "charlie", "Echo", "bravo", "alpha"];
        for n in names {
            create(&store, n).await;
        }
        let filter = AccountFilter::default();
        let mut seen = Vec::new();
        let mut w = window(2);
        loop {
            let page = account::list(&store, &filter, AccountOrder::NameAsc, &w).await.unwrap();
            seen.extend(page.items.iter().map(|a| a.data.name.clone()));
            match page.items.last() {
                Some(last) if page.has_next => w.after = Some(AccountKey::of(last)),
                _ => break,
            }
        }
        let lower: Vec<String> = seen.iter().map(|s| s.to_lowercase()).collect();
        assert_eq!(lower, ["alpha", "alpha", "bravo", "charlie", "delta", "echo"]);

        let back = Window { limit: 2, after: None, before: None, from_end: true };
        let last_page = account::list(&store, &filter, AccountOrder::NameAsc, &back).await.unwrap();
        let names: Vec<&str> = last_page.items.iter().map(|a| a.data.name.as_str()).collect();
        assert_eq!(names, ["delta", "Echo"]);
        assert!(last_page.has_previous);
        let before = Window { before: Some(AccountKey::of(&last_page.items[0])), ..back };
        let prev = account::list(&store, &filter, AccountOrder::NameAsc, &before).await.unwrap();
        let names: Vec<&str> = prev.items.iter().map(|a| a.data.name.as_str()).collect();
        assert_eq!(names, ["bravo", "charlie"]);

        let desc = account::list(&store, &filter, AccountOrder::NameDesc, &window(1)).await.unwrap();
        assert_eq!(desc.items[0].data.name, "Echo");
        let newest = account::list(&store, &filter, AccountOrder::CreatedDesc, &window(1)).await.unwrap();
        assert_eq!(newest.items[0].data.name, "alpha");
    }
}

db_test! {
    async fn filters_narrow_the_list_and_the_count_alike(db) {
        let store = open(&db).await;
        let mk = |name: &str, tier, stage, tags: &[&str], industry: &str| NewAccount {
            name: name.into(),
            touch_tier: tier,
            lifecycle_stage: stage,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            industry: Some(industry.into()),
            domain: Some(format!("{}.com", name.to_lowercase().replace(|c: char| !c.is_alphanumeric(), ""))),
            ..NewAccount::default()
        };
        for data in [
            mk("Acme Outdoor", TouchTier::High, LifecycleStage::Adoption, &["vip", "beta"], "Retail"),
            mk("Globex", TouchTier::High, LifecycleStage::Renewal, &["vip"], "Manufacturing"),
            mk("Initech", TouchTier::Tech, LifecycleStage::Adoption, &[], "Software"),
            mk("100% Cotton_Co", TouchTier::Low, LifecycleStage::Onboarding, &["beta"], "Retail"),
        ] {
            account::create(&store, "x", data.validate().unwrap()).await.unwrap();
        }
        let check = |filter: AccountFilter, expected: &'static [&'static str]| {
            let store = store.clone();
            async move {
                let page = account::list(&store, &filter, AccountOrder::NameAsc, &window(50)).await.unwrap();
                let got: Vec<String> = page.items.into_iter().map(|a| a.data.name).collect();
                assert_eq!(got, expected, "{filter:?}");
                assert_eq!(account::count(&store, &filter).await.unwrap(), expected.len() as u64);
            }
        };
        check(AccountFilter { touch_tiers: vec![TouchTier::High], ..Default::default() }, &["Acme Outdoor", "Globex"]).await;
        check(AccountFilter { tags: vec!["vip".into(), "BETA".into()], ..Default::default() }, &["Acme Outdoor"]).await;
        check(AccountFilter { search: Some("OUTDOOR".into()), ..Default::default() }, &["Acme Outdoor"]).await;
        check(AccountFilter { search: Some("globex.com".into()), ..Default::default() }, &["Globex"]).await;
        check(AccountFilter { search: Some("100%".into()), ..Default::default() }, &["100% Cotton_Co"]).await;
        check(AccountFilter { search: Some("%".into()), ..Default::default() }, &["100% Cotton_Co"]).await;
        check(AccountFilter { industries: vec!["Retail".into()], lifecycle_stages: vec![LifecycleStage::Adoption], ..Default::default() }, &["Acme Outdoor"]).await;
    }
}

db_test! {
    async fn contacts_are_unique_by_email_per_account(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        let b = create(&store, "Globex").await;
        let ann = || NewContact {
            name: "Ann".into(),
            email: "ann@acme.com".into(),
            title: None,
            phone: None,
            stakeholder_role: StakeholderRole::Champion,
        }
        .validate()
        .unwrap();
        let first = contact::create(&store, "x", a.id, ann()).await.unwrap();
        let err = contact::create(&store, "x", a.id, ann()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("ann@acme.com")), "{err:?}");
        contact::create(&store, "x", b.id, ann()).await.unwrap();
        contact::archive(&store, "x", first.id, 1).await.unwrap();
        contact::create(&store, "x", a.id, ann()).await.unwrap();
        let by = contact::by_accounts(&store, &[a.id, b.id, AccountId::new()]).await.unwrap();
        assert_eq!(by[&a.id].len(), 1);
        assert_eq!(by[&b.id].len(), 1);
    }
}

db_test! {
    async fn a_team_member_who_owns_accounts_cannot_be_archived(db) {
        let store = open(&db).await;
        let sam = team_member::create(&store, "admin", NewTeamMember {
            name: "Sam".into(),
            email: "sam@vendor.io".into(),
            title: None,
            team: Team::CustomerSuccess,
            role: Role::CsManager,
            weekly_capacity: None,
            lead: false,
        }.validate().unwrap()).await.unwrap();
        let data = NewAccount { owner_id: Some(sam.id), ..new_account("Acme") }.validate().unwrap();
        let a = account::create(&store, "x", data).await.unwrap();
        let err = team_member::archive(&store, "admin", sam.id, 1).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("owns 1")), "{err:?}");
        account::update(&store, "x", a.id, 1, |acc| acc.patched(AccountPatch { owner_id: Patch::Clear, ..Default::default() })).await.unwrap();
        team_member::archive(&store, "admin", sam.id, 1).await.unwrap();
        let events = all_events(&store).await;
        let kinds: Vec<EventKind> = events.iter().map(|e| e.event.kind).collect();
        assert_eq!(kinds, [EventKind::TeamMemberCreated, EventKind::AccountCreated, EventKind::AccountUpdated, EventKind::TeamMemberArchived]);
        assert_eq!(events[3].event.account_id, None);
    }
}

db_test! {
    async fn mrr_is_the_sum_of_movements_up_to_the_day(db) {
        let store = open(&db).await;
        let a = create(&store, "Acme").await;
        let b = create(&store, "Globex").await;
        let usd = |m| Money::new(m, Currency::USD);
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        revenue::import(&store, &[
            NewRevenueMovement { account_id: a.id, kind: "NEW", amount: usd(100_000), effective_on: day(1, 1) },
            NewRevenueMovement { account_id: a.id, kind: "EXPANSION", amount: usd(50_000), effective_on: day(3, 1) },
            NewRevenueMovement { account_id: a.id, kind: "CONTRACTION", amount: usd(-20_000), effective_on: day(6, 1) },
        ]).await.unwrap();
        let mrr = revenue::mrr_on(&store, &[a.id, b.id], day(4, 1)).await.unwrap();
        assert_eq!(mrr.get(&a.id), Some(&150_000));
        assert_eq!(mrr.get(&b.id), None);
        let later = revenue::mrr_on(&store, &[a.id], day(12, 31)).await.unwrap();
        assert_eq!(later[&a.id], 130_000);
    }
}

db_test! {
    /// Writers hold their transactions open for different times after appending, so on
    /// PostgreSQL an identity cursor alone would commit out of order; a reader polling with its
    /// last cursor throughout must still see every event exactly once, in increasing order.
    async fn a_resuming_reader_sees_every_event_once_while_writers_commit_concurrently(db) {
        let store = open(&db).await;
        let writers = 12;
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let store = store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut cursor = 0;
                let mut seen = Vec::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let batch = event::list(&store, &EventQuery { after: cursor, limit: 100, ..Default::default() }).await.unwrap();
                    for e in &batch {
                        assert!(e.cursor > cursor, "cursor went backwards");
                        cursor = e.cursor;
                        seen.push(e.event.subject_id);
                    }
                    if finished && batch.is_empty() {
                        return seen;
                    }
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            })
        };
        let mut handles = Vec::new();
        for i in 0..writers {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                let id = uuid::Uuid::now_v7();
                let tx = store.begin_write().await.unwrap();
                event::append(&store, &tx, NewEvent {
                    account_id: None,
                    subject_kind: SubjectKind::TeamMember,
                    subject_id: id,
                    kind: EventKind::TeamMemberUpdated,
                    actor: format!("writer-{i}"),
                    changes: vec![],
                }).await.unwrap();
                // Hold the transaction open for a varying time after the insert.
                tokio::time::sleep(Duration::from_millis(((writers - i) * 7) as u64)).await;
                tx.commit().await.unwrap();
                id
            }));
        }
        let mut written = BTreeSet::new();
        for h in handles {
            written.insert(h.await.unwrap());
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = reader.await.unwrap();
        assert_eq!(seen.len(), writers, "the reader saw {} of {writers} events", seen.len());
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), written);
    }
}
