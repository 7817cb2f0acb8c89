//! External ids and upserts by them on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_domain::DomainError;
use tandem_domain::account::{AccountPatch, NewAccount, TouchTier};
use tandem_domain::contact::{ContactPatch, NewContact, StakeholderRole};
use tandem_domain::event::EventKind;
use tandem_domain::sync::{AccountRecord, AccountRef, ContactRecord};
use tandem_domain::sync::{ExternalKind, UpsertStatus};
use tandem_persistence::{PersistenceError, Store, account, contact, external};
use tandem_tests::db_test;
use uuid::Uuid;

mod common;
use common::account::customer;
use common::event::count;
use common::open;

fn account_record(external_id: &str, name: &str, tier: Option<TouchTier>) -> AccountRecord {
    AccountRecord {
        external_id: external_id.into(),
        create: NewAccount {
            name: name.into(),
            touch_tier: tier.unwrap_or_default(),
            ..NewAccount::default()
        },
        patch: AccountPatch {
            name: Some(name.into()),
            touch_tier: tier,
            ..AccountPatch::default()
        },
    }
}

fn contact_record(external_id: &str, account: Option<AccountRef>, email: &str) -> ContactRecord {
    ContactRecord {
        external_id: external_id.into(),
        account,
        create: NewContact {
            name: "Bo".into(),
            email: email.into(),
            title: None,
            phone: None,
            stakeholder_role: StakeholderRole::Champion,
        },
        patch: ContactPatch {
            email: Some(email.into()),
            ..ContactPatch::default()
        },
    }
}

/// The external ids of `entity`, as (source, id).
async fn ids_of(store: &Store, kind: ExternalKind, entity: Uuid) -> Vec<(String, String)> {
    external::of(store, kind, &[entity])
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.source, e.external_id))
        .collect()
}

fn pair(source: &str, id: &str) -> (String, String) {
    (source.into(), id.into())
}

// ---------------------------------------------------------------------------------------------
// Links

db_test! {
    async fn an_object_has_one_id_per_source_listed_by_source(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        external::set(&store, ExternalKind::Account, a.0, "salesforce", Some("001A")).await.unwrap();
        external::set(&store, ExternalKind::Account, a.0, "hubspot", Some("77")).await.unwrap();
        assert_eq!(ids_of(&store, ExternalKind::Account, a.0).await, [pair("hubspot", "77"), pair("salesforce", "001A")]);
        // A new id in a source replaces the old one there.
        external::set(&store, ExternalKind::Account, a.0, "salesforce", Some("001B")).await.unwrap();
        assert_eq!(ids_of(&store, ExternalKind::Account, a.0).await, [pair("hubspot", "77"), pair("salesforce", "001B")]);
        external::set(&store, ExternalKind::Account, a.0, "hubspot", None).await.unwrap();
        assert_eq!(ids_of(&store, ExternalKind::Account, a.0).await, [pair("salesforce", "001B")]);
    }
}

db_test! {
    async fn an_external_id_names_one_object_of_a_kind_in_a_source(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        external::set(&store, ExternalKind::Account, a.0, "salesforce", Some("001A")).await.unwrap();
        let err = external::set(&store, ExternalKind::Account, b.0, "salesforce", Some("001A")).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already names another account")), "{err:?}");
        assert!(ids_of(&store, ExternalKind::Account, b.0).await.is_empty());
        // The same id is free in another source and for another kind.
        external::set(&store, ExternalKind::Account, b.0, "hubspot", Some("001A")).await.unwrap();
        external::set(&store, ExternalKind::Contact, b.0, "salesforce", Some("001A")).await.unwrap();
        assert_eq!(ids_of(&store, ExternalKind::Account, b.0).await, [pair("hubspot", "001A")]);
    }
}

db_test! {
    async fn external_ids_are_read_for_objects_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        external::set(&store, ExternalKind::Account, a.0, "crm", Some("A")).await.unwrap();
        external::set(&store, ExternalKind::Account, b.0, "crm", Some("B")).await.unwrap();
        let mut keys: Vec<Uuid> = (0..600).map(|_| Uuid::now_v7()).collect();
        keys.insert(0, a.0);
        keys.insert(560, b.0);
        let mut got: Vec<String> = external::of(&store, ExternalKind::Account, &keys).await.unwrap().into_iter().map(|e| e.external_id).collect();
        got.sort();
        assert_eq!(got, ["A", "B"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Upserting accounts

db_test! {
    async fn upserting_creates_new_accounts_and_links_them(db) {
        let store = open(&db).await;
        let results = external::upsert_accounts(&store, "crm", "salesforce", vec![
            Ok(account_record("001A", "Acme", Some(TouchTier::High))),
            Ok(account_record("001B", "Globex", None)),
        ]).await.unwrap();
        assert_eq!(results.iter().map(|r| (r.index, r.status)).collect::<Vec<_>>(), [(0, UpsertStatus::Created), (1, UpsertStatus::Created)]);
        let acme = results[0].account.as_ref().unwrap();
        assert_eq!((acme.data.name.as_str(), acme.data.touch_tier), ("Acme", TouchTier::High));
        assert_eq!(ids_of(&store, ExternalKind::Account, acme.id.0).await, [pair("salesforce", "001A")]);
        assert_eq!(count(&store, EventKind::AccountCreated).await, 2);
    }
}

db_test! {
    async fn upserting_a_known_id_updates_its_account_or_leaves_it_unchanged(db) {
        let store = open(&db).await;
        let first = external::upsert_accounts(&store, "crm", "salesforce", vec![Ok(account_record("001A", "Acme", None))]).await.unwrap();
        let id = first[0].account.as_ref().unwrap().id;
        let again = external::upsert_accounts(&store, "crm", "salesforce", vec![
            Ok(account_record("001A", "Acme", Some(TouchTier::High))),
        ]).await.unwrap();
        assert_eq!(again[0].status, UpsertStatus::Updated);
        assert_eq!(again[0].account.as_ref().unwrap().id, id);
        let read = account::get(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.touch_tier, read.version), (TouchTier::High, 2));
        let same = external::upsert_accounts(&store, "crm", "salesforce", vec![
            Ok(account_record("001A", "Acme", Some(TouchTier::High))),
        ]).await.unwrap();
        assert_eq!(same[0].status, UpsertStatus::Unchanged);
        assert_eq!(account::get(&store, id).await.unwrap().unwrap().version, 2);
        assert_eq!(count(&store, EventKind::AccountUpdated).await, 1);
    }
}

db_test! {
    async fn the_same_id_in_another_source_is_another_account(db) {
        let store = open(&db).await;
        let sf = external::upsert_accounts(&store, "crm", "salesforce", vec![Ok(account_record("1", "Acme", None))]).await.unwrap();
        let hs = external::upsert_accounts(&store, "crm", "hubspot", vec![Ok(account_record("1", "Acme EU", None))]).await.unwrap();
        assert_eq!(hs[0].status, UpsertStatus::Created);
        assert_ne!(sf[0].account.as_ref().unwrap().id, hs[0].account.as_ref().unwrap().id);
    }
}

db_test! {
    async fn an_id_twice_in_one_upsert_creates_then_updates(db) {
        let store = open(&db).await;
        let results = external::upsert_accounts(&store, "crm", "salesforce", vec![
            Ok(account_record("001A", "Acme", None)),
            Ok(account_record("001A", "Acme", Some(TouchTier::Tech))),
        ]).await.unwrap();
        assert_eq!((results[0].status, results[1].status), (UpsertStatus::Created, UpsertStatus::Updated));
        let (a, b) = (results[0].account.as_ref().unwrap(), results[1].account.as_ref().unwrap());
        assert_eq!(a.id, b.id);
        assert_eq!(account::get(&store, a.id).await.unwrap().unwrap().data.touch_tier, TouchTier::Tech);
    }
}

db_test! {
    async fn a_failing_record_is_reported_in_its_place_and_the_others_are_written(db) {
        let store = open(&db).await;
        let results = external::upsert_accounts(&store, "crm", "salesforce", vec![
            Ok(account_record("001A", "Acme", None)),
            Err(("001X".into(), DomainError::invalid("name", "missing"))),
            Ok(account_record("001B", "  ", None)),
            Ok(account_record("001C", "Initech", None)),
        ]).await.unwrap();
        let got: Vec<(usize, &str, UpsertStatus)> = results.iter().map(|r| (r.index, r.external_id.as_str(), r.status)).collect();
        assert_eq!(got, [
            (0, "001A", UpsertStatus::Created),
            (1, "001X", UpsertStatus::Failed),
            (2, "001B", UpsertStatus::Failed),
            (3, "001C", UpsertStatus::Created),
        ]);
        assert!(matches!(results[2].error, Some(PersistenceError::Domain(DomainError::Invalid { ref field, .. })) if field == "name"), "{:?}", results[2].error);
        assert!(results[2].account.is_none());
        assert_eq!(count(&store, EventKind::AccountCreated).await, 2);
        // The failed id is still free.
        let retry = external::upsert_accounts(&store, "crm", "salesforce", vec![Ok(account_record("001B", "Fixed", None))]).await.unwrap();
        assert_eq!(retry[0].status, UpsertStatus::Created);
    }
}

// ---------------------------------------------------------------------------------------------
// Upserting contacts

db_test! {
    async fn contacts_join_their_account_by_its_id_in_the_same_source(db) {
        let store = open(&db).await;
        let accounts = external::upsert_accounts(&store, "crm", "salesforce", vec![Ok(account_record("001A", "Acme", None))]).await.unwrap();
        let acme = accounts[0].account.as_ref().unwrap().id;
        let direct = customer(&store, "Direct").await;
        let results = external::upsert_contacts(&store, "crm", "salesforce", vec![
            Ok(contact_record("003A", Some(AccountRef::External("001A".into())), "bo@acme.com")),
            Ok(contact_record("003B", Some(AccountRef::Id(direct)), "bo@direct.com")),
            Ok(contact_record("003C", Some(AccountRef::External("001Z".into())), "x@acme.com")),
        ]).await.unwrap();
        assert_eq!(results.iter().map(|r| r.status).collect::<Vec<_>>(), [UpsertStatus::Created, UpsertStatus::Created, UpsertStatus::Failed]);
        assert_eq!(results[0].contact.as_ref().unwrap().account_id, acme);
        assert_eq!(results[1].contact.as_ref().unwrap().account_id, direct);
        assert!(matches!(results[2].error, Some(PersistenceError::Domain(DomainError::Invalid { ref field, .. })) if field == "accountExternalId"), "{:?}", results[2].error);
        let created = results[0].contact.as_ref().unwrap().id;
        assert_eq!(ids_of(&store, ExternalKind::Contact, created.0).await, [pair("salesforce", "003A")]);
    }
}

db_test! {
    async fn a_new_contact_needs_its_account(db) {
        let store = open(&db).await;
        let results = external::upsert_contacts(&store, "crm", "salesforce", vec![Ok(contact_record("003A", None, "bo@acme.com"))]).await.unwrap();
        assert_eq!(results[0].status, UpsertStatus::Failed);
        assert!(matches!(results[0].error, Some(PersistenceError::Domain(DomainError::Invalid { ref field, .. })) if field == "accountExternalId"));
    }
}

db_test! {
    async fn a_known_contact_updates_without_naming_its_account_but_never_moves(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let first = external::upsert_contacts(&store, "crm", "sf", vec![Ok(contact_record("003A", Some(AccountRef::Id(a)), "bo@acme.com"))]).await.unwrap();
        let id = first[0].contact.as_ref().unwrap().id;
        let updated = external::upsert_contacts(&store, "crm", "sf", vec![Ok(contact_record("003A", None, "bo.new@acme.com"))]).await.unwrap();
        assert_eq!(updated[0].status, UpsertStatus::Updated);
        let moved = external::upsert_contacts(&store, "crm", "sf", vec![Ok(contact_record("003A", Some(AccountRef::Id(b)), "bo.new@acme.com"))]).await.unwrap();
        assert_eq!(moved[0].status, UpsertStatus::Failed);
        let read = &contact::by_ids(&store, &[id]).await.unwrap()[0];
        assert_eq!((read.account_id, read.data.email.as_str()), (a, "bo.new@acme.com"));
        let same = external::upsert_contacts(&store, "crm", "sf", vec![Ok(contact_record("003A", Some(AccountRef::Id(a)), "bo.new@acme.com"))]).await.unwrap();
        assert_eq!(same[0].status, UpsertStatus::Unchanged);
    }
}

db_test! {
    async fn a_contact_refused_by_storage_rolls_back_alone(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let results = external::upsert_contacts(&store, "crm", "sf", vec![
            Ok(contact_record("003A", Some(AccountRef::Id(a)), "bo@acme.com")),
            Ok(contact_record("003B", Some(AccountRef::Id(a)), "bo@acme.com")),
            Ok(contact_record("003C", Some(AccountRef::Id(a)), "cy@acme.com")),
        ]).await.unwrap();
        assert_eq!(results.iter().map(|r| r.status).collect::<Vec<_>>(), [UpsertStatus::Created, UpsertStatus::Failed, UpsertStatus::Created]);
        assert!(matches!(results[1].error, Some(PersistenceError::Conflict(_))), "{:?}", results[1].error);
        let emails: Vec<String> = contact::by_accounts(&store, &[a]).await.unwrap().remove(&a).unwrap_or_default().into_iter().map(|c| c.data.email).collect();
        assert_eq!(emails.len(), 2, "{emails:?}");
        assert_eq!(count(&store, EventKind::ContactCreated).await, 2);
    }
}
