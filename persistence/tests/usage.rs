//! Product usage batches and their roll-ups on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, NaiveDate, Utc};
use tandem_domain::DomainError;
use tandem_domain::ids::AccountId;
use tandem_domain::signals::UsageEvent;
use tandem_domain::signals::{DayUsage, FeatureUsage, Ingested, UsageSummary};
use tandem_persistence::{PersistenceError, Store, account, usage};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::{ago, at, today};
use common::open;

fn used(
    a: AccountId,
    feature: &str,
    actor: &str,
    when: DateTime<Utc>,
    quantity: i64,
) -> UsageEvent {
    UsageEvent::check(0, a, feature, actor, when, Some(quantity), Utc::now()).unwrap()
}

async fn send(store: &Store, key: Option<&str>, events: &[UsageEvent]) -> Ingested {
    usage::ingest(store, "telemetry", key, events)
        .await
        .unwrap()
}

fn whole_month() -> (NaiveDate, NaiveDate) {
    (ago(40), today())
}

async fn days(store: &Store, a: AccountId) -> Vec<DayUsage> {
    let (from, to) = whole_month();
    usage::daily(store, a, from, to).await.unwrap()
}

fn day_usage(day: NaiveDate, events: i64, quantity: i64, active_users: i64) -> DayUsage {
    DayUsage {
        day,
        events,
        quantity,
        active_users,
    }
}

// ---------------------------------------------------------------------------------------------
// Ingesting

db_test! {
    async fn a_batch_rolls_up_into_days_with_their_distinct_users(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let report = send(&store, None, &[
            used(a, "catalog.import", "u1", at(ago(3), 9, 0), 5),
            used(a, "catalog.import", "u1", at(ago(3), 10, 0), 1),
            used(a, "search", "u2", at(ago(3), 11, 0), 2),
            used(a, "search", "u2", at(ago(3), 23, 59), 1),
            used(a, "search", "u3", at(ago(2), 0, 0), 1),
            used(b, "search", "x", at(ago(3), 9, 0), 100),
        ]).await;
        assert_eq!(report, Ingested { events: 6, duplicate: false });
        assert_eq!(days(&store, a).await, [day_usage(ago(3), 4, 9, 2), day_usage(ago(2), 1, 1, 1)]);
        assert_eq!(days(&store, b).await, [day_usage(ago(3), 1, 100, 1)]);
    }
}

db_test! {
    async fn daily_usage_keeps_the_days_within_the_range(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        send(&store, None, &[
            used(a, "search", "u1", at(ago(10), 9, 0), 1),
            used(a, "search", "u1", at(ago(5), 9, 0), 1),
            used(a, "search", "u1", at(ago(1), 9, 0), 1),
        ]).await;
        let got: Vec<NaiveDate> = usage::daily(&store, a, ago(10), ago(5)).await.unwrap().iter().map(|d| d.day).collect();
        assert_eq!(got, [ago(10), ago(5)], "both ends included");
    }
}

db_test! {
    async fn batches_add_up_in_the_roll_ups(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        send(&store, None, &[used(a, "search", "u1", at(ago(2), 9, 0), 2)]).await;
        send(&store, None, &[used(a, "search", "u1", at(ago(2), 10, 0), 3), used(a, "search", "u2", at(ago(2), 11, 0), 1)]).await;
        assert_eq!(days(&store, a).await, [day_usage(ago(2), 3, 6, 2)]);
    }
}

db_test! {
    async fn a_batch_sent_again_under_its_key_is_not_counted_twice(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let batch = [used(a, "search", "u1", at(ago(2), 9, 0), 2)];
        assert!(!send(&store, Some("b-1"), &batch).await.duplicate);
        let again = send(&store, Some("b-1"), &batch).await;
        assert_eq!(again, Ingested { events: 1, duplicate: true });
        assert_eq!(days(&store, a).await, [day_usage(ago(2), 1, 2, 1)]);
    }
}

db_test! {
    async fn a_different_batch_under_a_used_key_conflicts_and_counts_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        send(&store, Some("b-1"), &[used(a, "search", "u1", at(ago(2), 9, 0), 2)]).await;
        let err = usage::ingest(&store, "telemetry", Some("b-1"), &[used(a, "search", "u1", at(ago(2), 9, 0), 3)]).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already used for a different batch")), "{err:?}");
        assert_eq!(days(&store, a).await, [day_usage(ago(2), 1, 2, 1)]);
    }
}

db_test! {
    async fn keys_belong_to_the_subject_that_sent_them(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let batch = [used(a, "search", "u1", at(ago(2), 9, 0), 2)];
        usage::ingest(&store, "telemetry", Some("b-1"), &batch).await.unwrap();
        let other = usage::ingest(&store, "crm", Some("b-1"), &batch).await.unwrap();
        assert!(!other.duplicate);
        assert_eq!(days(&store, a).await, [day_usage(ago(2), 2, 4, 1)]);
    }
}

db_test! {
    async fn a_batch_naming_an_archived_or_unknown_account_records_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let gone = customer(&store, "Gone").await;
        account::archive(&store, "t", gone, 1).await.unwrap();
        let err = usage::ingest(&store, "telemetry", Some("b-1"), &[
            used(a, "search", "u1", at(ago(2), 9, 0), 1),
            used(gone, "search", "u1", at(ago(2), 9, 0), 1),
        ]).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "events[1].accountId"), "{err:?}");
        let err = usage::ingest(&store, "telemetry", None, &[used(AccountId::new(), "search", "u1", at(ago(2), 9, 0), 1)]).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "events[0].accountId"), "{err:?}");
        assert!(days(&store, a).await.is_empty());
        // The refused batch did not use up its key.
        let fixed = send(&store, Some("b-1"), &[used(a, "search", "u1", at(ago(2), 9, 0), 1)]).await;
        assert!(!fixed.duplicate);
        assert_eq!(days(&store, a).await.len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Features

db_test! {
    async fn features_come_most_used_first_with_their_days_in_the_window(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        send(&store, None, &[
            used(a, "search", "u1", at(ago(100), 9, 0), 1),
            used(a, "search", "u1", at(ago(9), 9, 0), 1),
            used(a, "search", "u2", at(ago(8), 9, 0), 4),
            used(a, "search", "u2", at(ago(8), 10, 0), 1),
            used(a, "catalog.import", "u1", at(ago(8), 9, 0), 7),
            used(a, "export", "u1", at(ago(7), 9, 0), 1),
        ]).await;
        let got = usage::features(&store, a, ago(10), today()).await.unwrap();
        let feature = |feature: &str, events, quantity, active_days, first: NaiveDate, last| FeatureUsage {
            feature: feature.into(),
            events,
            quantity,
            active_days,
            first_used_on: Some(first),
            last_used_on: last,
        };
        assert_eq!(got, [
            feature("search", 3, 6, 2, ago(100), ago(8)),
            feature("catalog.import", 1, 7, 1, ago(8), ago(8)),
            feature("export", 1, 1, 1, ago(7), ago(7)),
        ]);
    }
}

db_test! {
    async fn a_features_first_day_moves_only_earlier(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        send(&store, None, &[used(a, "search", "u1", at(ago(5), 9, 0), 1)]).await;
        send(&store, None, &[used(a, "search", "u1", at(ago(1), 9, 0), 1)]).await;
        let first = |store: Store| async move { usage::features(&store, a, ago(60), today()).await.unwrap()[0].first_used_on };
        assert_eq!(first(store.clone()).await, Some(ago(5)));
        // A late batch with older events.
        send(&store, None, &[used(a, "search", "u1", at(ago(20), 9, 0), 1)]).await;
        assert_eq!(first(store.clone()).await, Some(ago(20)));
    }
}

// ---------------------------------------------------------------------------------------------
// Summaries

db_test! {
    async fn a_summary_covers_the_thirty_days_to_today_and_the_last_day_ever(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let quiet = customer(&store, "Quiet").await;
        send(&store, None, &[
            used(a, "search", "u1", at(ago(30), 9, 0), 1),
            used(a, "search", "u1", at(ago(29), 9, 0), 1),
            used(a, "export", "u2", at(ago(29), 9, 0), 1),
            used(a, "search", "u2", at(ago(3), 9, 0), 1),
            used(a, "search", "u3", at(ago(0), 9, 0), 1),
            used(quiet, "search", "q", at(ago(60), 9, 0), 1),
        ]).await;
        let sums = usage::summaries(&store, &[a, quiet], today()).await.unwrap();
        assert_eq!(sums[&a], UsageSummary { active_days: 3, events: 4, active_users: 3, last_active_on: Some(today()) });
        assert_eq!(sums[&quiet], UsageSummary { active_days: 0, events: 0, active_users: 0, last_active_on: Some(ago(60)) });
        // As of three days ago.
        let then = usage::summaries(&store, &[a], ago(3)).await.unwrap();
        assert_eq!((then[&a].active_days, then[&a].events, then[&a].active_users), (3, 4, 2));
    }
}

db_test! {
    async fn summaries_answer_for_accounts_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        send(&store, None, &[used(a, "search", "u1", at(ago(1), 9, 0), 1), used(b, "search", "u1", at(ago(1), 9, 0), 1)]).await;
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(5, a);
        keys.insert(520, b);
        let sums = usage::summaries(&store, &keys, today()).await.unwrap();
        assert_eq!(sums.len(), 2);
        assert_eq!((sums[&b].events, sums[&b].active_users, sums[&b].last_active_on), (1, 1, Some(ago(1))));
    }
}
