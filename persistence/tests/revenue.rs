//! Revenue movements and MRR on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::NewRevenueMovement;
use tandem_domain::signals::RevenueKind;
use tandem_persistence::event::EventQuery;
use tandem_persistence::{PersistenceError, Store, account, event, revenue};
use tandem_tests::db_test;

mod common;
use common::account::customer_in;
use common::dates::day;
use common::{invalid, open};

async fn acme(store: &Store) -> AccountId {
    customer_in(store, "Acme", "USD").await
}

/// Records a movement as `billing`; returns its signed amount.
async fn record(
    store: &Store,
    a: AccountId,
    kind: RevenueKind,
    amount: Option<i64>,
    on: NaiveDate,
) -> Result<i64, PersistenceError> {
    revenue::record(store, "billing", a, kind, amount, on)
        .await
        .map(|m| m.amount.minor)
}

async fn mrr(store: &Store, a: AccountId, on: NaiveDate) -> i64 {
    revenue::mrr_on(store, &[a], on)
        .await
        .unwrap()
        .get(&a)
        .copied()
        .unwrap_or(0)
}

db_test! {
    async fn a_first_movement_records_new_revenue_in_the_accounts_currency(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "EUR").await;
        let m = revenue::record(&store, "billing", a, RevenueKind::New, Some(50_000), day(1, 1)).await.unwrap();
        assert_eq!((m.kind, m.amount, m.effective_on, m.recorded_by.as_deref()), (RevenueKind::New, Money::new(50_000, Currency::parse("c", "EUR").unwrap()), day(1, 1), Some("billing")));
        assert_eq!(mrr(&store, a, day(1, 1)).await, 50_000);
        assert_eq!(mrr(&store, a, day(1, 1) - chrono::Days::new(1)).await, 0, "nothing before it takes effect");
        let recorded = event::list(&store, &EventQuery { limit: 10, kinds: vec![EventKind::RevenueRecorded], ..Default::default() }).await.unwrap();
        assert_eq!(recorded.len(), 1);
        let e = &recorded[0].event;
        assert_eq!((e.subject_kind, e.subject_id, e.account_id, e.actor.as_str()), (SubjectKind::RevenueEvent, m.id.0, Some(a), "billing"));
        let mrr_change = e.changes.iter().find(|c| c.field == "mrrMinor").unwrap();
        assert_eq!((mrr_change.before.clone(), mrr_change.after.clone()), (0.into(), 50_000.into()));
    }
}

db_test! {
    async fn an_account_that_has_paid_cannot_be_new_again(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        record(&store, a, RevenueKind::New, Some(50_000), day(1, 1)).await.unwrap();
        let err = record(&store, a, RevenueKind::New, Some(10_000), day(2, 1)).await.unwrap_err();
        assert!(invalid(&err, "kind"), "{err:?}");
        assert_eq!(mrr(&store, a, day(12, 1)).await, 50_000);
    }
}

db_test! {
    async fn expansions_and_contractions_move_mrr_up_and_down(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        record(&store, a, RevenueKind::New, Some(50_000), day(1, 1)).await.unwrap();
        assert_eq!(record(&store, a, RevenueKind::Expansion, Some(20_000), day(2, 1)).await.unwrap(), 20_000);
        assert_eq!(record(&store, a, RevenueKind::Contraction, Some(30_000), day(3, 1)).await.unwrap(), -30_000);
        assert_eq!((mrr(&store, a, day(1, 31)).await, mrr(&store, a, day(2, 1)).await, mrr(&store, a, day(3, 1)).await), (50_000, 70_000, 40_000));
        let err = record(&store, a, RevenueKind::Contraction, Some(40_000), day(4, 1)).await.unwrap_err();
        assert!(invalid(&err, "amountMinor"), "a contraction to zero is a churn: {err:?}");
    }
}

db_test! {
    async fn a_churn_takes_the_whole_mrr_of_its_day(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        record(&store, a, RevenueKind::New, Some(50_000), day(1, 1)).await.unwrap();
        record(&store, a, RevenueKind::Expansion, Some(5_000), day(2, 1)).await.unwrap();
        let err = record(&store, a, RevenueKind::Churn, Some(50_000), day(3, 1)).await.unwrap_err();
        assert!(invalid(&err, "amountMinor"), "{err:?}");
        assert_eq!(record(&store, a, RevenueKind::Churn, None, day(3, 1)).await.unwrap(), -55_000);
        assert_eq!(mrr(&store, a, day(3, 1)).await, 0);
    }
}

db_test! {
    async fn a_churned_account_comes_back_by_reactivation_only(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        record(&store, a, RevenueKind::New, Some(50_000), day(1, 1)).await.unwrap();
        let err = record(&store, a, RevenueKind::Reactivation, Some(10_000), day(2, 1)).await.unwrap_err();
        assert!(invalid(&err, "kind"), "a paying account expands: {err:?}");
        record(&store, a, RevenueKind::Churn, None, day(3, 1)).await.unwrap();
        let err = record(&store, a, RevenueKind::Expansion, Some(10_000), day(4, 1)).await.unwrap_err();
        assert!(invalid(&err, "kind"), "{err:?}");
        record(&store, a, RevenueKind::Reactivation, Some(30_000), day(5, 1)).await.unwrap();
        assert_eq!(mrr(&store, a, day(5, 1)).await, 30_000);
    }
}

db_test! {
    async fn a_movement_is_checked_against_the_mrr_of_its_own_day(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        record(&store, a, RevenueKind::New, Some(50_000), day(6, 1)).await.unwrap();
        // Before June the account had not paid yet.
        let err = record(&store, a, RevenueKind::Expansion, Some(10_000), day(5, 1)).await.unwrap_err();
        assert!(invalid(&err, "kind"), "{err:?}");
        assert_eq!(record(&store, a, RevenueKind::Expansion, Some(10_000), day(6, 1)).await.unwrap(), 10_000);
    }
}

db_test! {
    async fn an_archived_or_unknown_account_takes_no_revenue(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = record(&store, a, RevenueKind::New, Some(1), day(1, 1)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("archived")), "{err:?}");
        let err = record(&store, AccountId::new(), RevenueKind::New, Some(1), day(1, 1)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "account", .. }), "{err:?}");
        assert!(revenue::movements(&store, a, None, 10).await.unwrap().is_empty());
    }
}

db_test! {
    async fn movements_come_newest_first_by_recorder_and_imports_have_none(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        revenue::import(&store, &[NewRevenueMovement { account_id: a, kind: "NEW", amount: Money::new(10_000, Currency::USD), effective_on: day(1, 1) }]).await.unwrap();
        revenue::record(&store, "billing", a, RevenueKind::Expansion, Some(1_000), day(3, 1)).await.unwrap();
        revenue::record(&store, "crm", a, RevenueKind::Expansion, Some(2_000), day(2, 1)).await.unwrap();
        let all = revenue::movements(&store, a, None, 10).await.unwrap();
        let got: Vec<(NaiveDate, i64, Option<&str>)> = all.iter().map(|m| (m.effective_on, m.amount.minor, m.recorded_by.as_deref())).collect();
        assert_eq!(got, [(day(3, 1), 1_000, Some("billing")), (day(2, 1), 2_000, Some("crm")), (day(1, 1), 10_000, None)]);
        assert_eq!(all[2].kind, RevenueKind::New);
        assert_eq!(revenue::movements(&store, a, None, 1).await.unwrap().len(), 1);
        let by_crm = revenue::movements(&store, a, Some("crm"), 10).await.unwrap();
        assert_eq!(by_crm.iter().map(|m| m.amount.minor).collect::<Vec<_>>(), [2_000]);
    }
}

db_test! {
    async fn mrr_sums_each_accounts_movements_up_to_the_day_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = acme(&store).await;
        let b = customer_in(&store, "Globex", "USD").await;
        let movements: Vec<NewRevenueMovement> = [(a, 10_000, day(1, 1)), (a, 5_000, day(3, 1)), (b, 7_000, day(2, 1)), (b, -7_000, day(4, 1))]
            .into_iter()
            .map(|(account_id, minor, effective_on)| NewRevenueMovement { account_id, kind: "NEW", amount: Money::new(minor, Currency::USD), effective_on })
            .collect();
        revenue::import(&store, &movements).await.unwrap();
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(9, a);
        keys.insert(599, b);
        let march = revenue::mrr_on(&store, &keys, day(3, 1)).await.unwrap();
        assert_eq!((march.len(), march[&a], march[&b]), (2, 15_000, 7_000));
        let april = revenue::mrr_on(&store, &keys, day(4, 1)).await.unwrap();
        assert_eq!(april[&b], 0, "an account whose movements sum to nothing is there at 0");
        assert!(revenue::mrr_on(&store, &keys, day(1, 1) - chrono::Days::new(1)).await.unwrap().is_empty());
    }
}
