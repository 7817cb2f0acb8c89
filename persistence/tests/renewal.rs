//! Risks, renewals and their figures on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, NaiveDate};
use tandem_domain::DomainError;
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, RenewalId, RiskId, TeamMemberId};
use tandem_domain::money::{Currency, Money};
use tandem_domain::renewal::{
    Decision, Likelihood, RenewalData, RenewalOutcome, RiskCategory, RiskData, RiskSeverity,
    RiskStatus,
};
use tandem_domain::signals::NewRevenueMovement;
use tandem_persistence::{PersistenceError, Store, account, renewal, revenue, team_member};
use tandem_tests::db_test;

mod common;
use common::account::{customer_in, usd};
use common::dates::today;
use common::event::events_of;
use common::team_member::member;
use common::{invalid, open};

fn in_days(n: u64) -> NaiveDate {
    today() + Days::new(n)
}

async fn customer(store: &Store, name: &str) -> AccountId {
    customer_in(store, name, "USD").await
}

fn threat(severity: RiskSeverity, title: &str, owner: Option<TeamMemberId>) -> RiskData {
    RiskData::validate(
        RiskCategory::Adoption,
        severity,
        title,
        Some("Few logins"),
        None,
        owner,
    )
    .unwrap()
}

async fn raise(store: &Store, a: AccountId, severity: RiskSeverity, title: &str) -> RiskId {
    renewal::raise(store, "ann", a, threat(severity, title, None))
        .await
        .unwrap()
        .id
}

async fn move_risk(
    store: &Store,
    id: RiskId,
    version: i32,
    status: RiskStatus,
) -> Result<i32, PersistenceError> {
    renewal::update(store, "ann", id, version, |r| Ok((r.data.clone(), status)))
        .await
        .map(|r| r.version)
}

fn plan(renews_on: NaiveDate, arr: i64, likelihood: Likelihood) -> RenewalData {
    RenewalData::validate(renews_on, arr, likelihood, None, Some("Call in Q1")).unwrap()
}

/// MRR movements in USD.
async fn mrr(store: &Store, a: AccountId, moves: &[(i64, NaiveDate)]) {
    let movements: Vec<NewRevenueMovement> = moves
        .iter()
        .map(|(minor, on)| NewRevenueMovement {
            account_id: a,
            kind: if *minor >= 0 { "NEW" } else { "CONTRACTION" },
            amount: Money::new(*minor, Currency::USD),
            effective_on: *on,
        })
        .collect();
    revenue::import(store, &movements).await.unwrap();
}

async fn decide(
    store: &Store,
    id: RenewalId,
    version: i32,
    outcome: RenewalOutcome,
    new_arr: Option<i64>,
    reason: Option<RiskCategory>,
) -> Result<(), PersistenceError> {
    renewal::decide(store, "ann", id, version, |_, before| {
        Decision::validate(outcome, new_arr, reason, today(), before)
    })
    .await
    .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Risks

db_test! {
    async fn a_raised_risk_reads_back_open_and_records_its_fields(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        let r = renewal::raise(&store, "ann", a, threat(RiskSeverity::High, "Low adoption", Some(dee))).await.unwrap();
        let read = renewal::get_risk(&store, r.id).await.unwrap().unwrap();
        assert_eq!(read.data, threat(RiskSeverity::High, "Low adoption", Some(dee)));
        assert_eq!((read.status, read.version, read.created_by.as_str(), read.resolved_at), (RiskStatus::Open, 1, "ann", None));
        let raised = events_of(&store, &[EventKind::RiskRaised]).await;
        assert_eq!(raised.len(), 1);
        assert_eq!((raised[0].subject_kind, raised[0].subject_id, raised[0].account_id), (SubjectKind::Risk, r.id.0, Some(a)));
        let status = raised[0].changes.iter().find(|c| c.field == "status").unwrap();
        assert_eq!(status.after, "OPEN");
        assert!(raised[0].changes.iter().any(|c| c.field == "severity" && c.after == "HIGH"));
    }
}

db_test! {
    async fn a_risk_needs_a_live_account_and_an_active_owner(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        team_member::archive(&store, "t", dee, 1).await.unwrap();
        let err = renewal::raise(&store, "ann", a, threat(RiskSeverity::Low, "X", Some(dee))).await.unwrap_err();
        assert!(invalid(&err, "ownerId"), "{err:?}");
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = renewal::raise(&store, "ann", a, threat(RiskSeverity::Low, "X", None)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("archived")), "{err:?}");
        assert!(renewal::risks_of(&store, &[a], &[]).await.unwrap().is_empty());
    }
}

db_test! {
    async fn resolving_a_risk_stamps_when_and_reopening_clears_it(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = raise(&store, a, RiskSeverity::High, "Low adoption").await;
        let v = move_risk(&store, id, 1, RiskStatus::Mitigating).await.unwrap();
        assert_eq!(renewal::get_risk(&store, id).await.unwrap().unwrap().resolved_at, None);
        let v = move_risk(&store, id, v, RiskStatus::Resolved).await.unwrap();
        let resolved = renewal::get_risk(&store, id).await.unwrap().unwrap();
        assert!(resolved.resolved_at.is_some());
        move_risk(&store, id, v, RiskStatus::Open).await.unwrap();
        let reopened = renewal::get_risk(&store, id).await.unwrap().unwrap();
        assert_eq!((reopened.status, reopened.resolved_at, reopened.version), (RiskStatus::Open, None, 4));
        let updates = events_of(&store, &[EventKind::RiskUpdated]).await;
        assert_eq!(updates.len(), 3);
        assert_eq!((updates[1].changes[0].field.as_str(), &updates[1].changes[0].before, &updates[1].changes[0].after), ("status", &"MITIGATING".into(), &"RESOLVED".into()));
    }
}

db_test! {
    async fn editing_a_resolved_risk_keeps_when_it_was_resolved(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = raise(&store, a, RiskSeverity::High, "Low adoption").await;
        move_risk(&store, id, 1, RiskStatus::Resolved).await.unwrap();
        let resolved_at = renewal::get_risk(&store, id).await.unwrap().unwrap().resolved_at;
        renewal::update(&store, "ann", id, 2, |r| {
            Ok((RiskData { mitigation_plan: Some("Training done".into()), ..r.data.clone() }, RiskStatus::Resolved))
        })
        .await
        .unwrap();
        let read = renewal::get_risk(&store, id).await.unwrap().unwrap();
        assert_eq!(read.data.mitigation_plan.as_deref(), Some("Training done"));
        assert_eq!((read.version, read.resolved_at), (3, resolved_at));
    }
}

db_test! {
    async fn a_resolved_risk_is_reopened_before_it_is_mitigated_again(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = raise(&store, a, RiskSeverity::High, "Low adoption").await;
        move_risk(&store, id, 1, RiskStatus::Resolved).await.unwrap();
        let err = move_risk(&store, id, 2, RiskStatus::Mitigating).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Conflict(_))), "{err:?}");
        assert_eq!(renewal::get_risk(&store, id).await.unwrap().unwrap().status, RiskStatus::Resolved);
    }
}

db_test! {
    async fn a_risk_change_that_changes_nothing_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = raise(&store, a, RiskSeverity::High, "Low adoption").await;
        let same = renewal::update(&store, "ann", id, 1, |r| Ok((r.data.clone(), r.status))).await.unwrap();
        assert_eq!(same.version, 1);
        assert!(events_of(&store, &[EventKind::RiskUpdated]).await.is_empty());
    }
}

db_test! {
    async fn a_stale_risk_version_is_refused(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = raise(&store, a, RiskSeverity::High, "Low adoption").await;
        move_risk(&store, id, 1, RiskStatus::Mitigating).await.unwrap();
        let err = move_risk(&store, id, 1, RiskStatus::Resolved).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let err = move_risk(&store, RiskId::new(), 1, RiskStatus::Resolved).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "risk", .. }), "{err:?}");
    }
}

db_test! {
    async fn risks_come_most_severe_first_then_oldest(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let low = raise(&store, a, RiskSeverity::Low, "low").await;
        let high_old = raise(&store, a, RiskSeverity::High, "high old").await;
        let critical = raise(&store, b, RiskSeverity::Critical, "critical").await;
        let medium = raise(&store, a, RiskSeverity::Medium, "medium").await;
        let high_new = raise(&store, b, RiskSeverity::High, "high new").await;
        let ids: Vec<RiskId> = renewal::risks_of(&store, &[a, b], &[]).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(ids, [critical, high_old, high_new, medium, low]);
        let of_a: Vec<RiskId> = renewal::risks_of(&store, &[a], &[]).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(of_a, [high_old, medium, low]);
    }
}

db_test! {
    async fn risks_filter_by_status_for_accounts_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let open_a = raise(&store, a, RiskSeverity::High, "open").await;
        let closed = raise(&store, a, RiskSeverity::High, "closed").await;
        move_risk(&store, closed, 1, RiskStatus::Resolved).await.unwrap();
        let open_b = raise(&store, b, RiskSeverity::Low, "open b").await;
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(7, a);
        keys.insert(590, b);
        let live = [RiskStatus::Open, RiskStatus::Mitigating];
        let mut ids: Vec<RiskId> = renewal::risks_of(&store, &keys, &live).await.unwrap().iter().map(|r| r.id).collect();
        ids.sort();
        let mut expected = vec![open_a, open_b];
        expected.sort();
        assert_eq!(ids, expected);
        assert_eq!(renewal::risks_of(&store, &keys, &[]).await.unwrap().len(), 3);
    }
}

// ---------------------------------------------------------------------------------------------
// Renewals

db_test! {
    async fn a_first_forecast_opens_the_accounts_renewal(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let r = renewal::forecast(&store, "ann", a, None, plan(in_days(90), 120_000, Likelihood::Probable)).await.unwrap();
        assert_eq!((r.version, r.decision, r.arr_at_decision), (1, None, None));
        let listed = renewal::renewals_of(&store, &[a]).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].id, &listed[0].data), (r.id, &plan(in_days(90), 120_000, Likelihood::Probable)));
        let recorded = events_of(&store, &[EventKind::RenewalForecast]).await;
        assert_eq!((recorded[0].subject_kind, recorded[0].subject_id), (SubjectKind::Renewal, r.id.0));
        assert!(recorded[0].changes.iter().all(|c| c.before.is_null()));
        assert!(recorded[0].changes.iter().any(|c| c.field == "forecastArr" && c.after == 120_000));
    }
}

db_test! {
    async fn a_renewal_in_play_changes_only_with_its_version(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        renewal::forecast(&store, "ann", a, None, plan(in_days(90), 120_000, Likelihood::Probable)).await.unwrap();
        let err = renewal::forecast(&store, "ann", a, None, plan(in_days(90), 90_000, Likelihood::AtRisk)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already has a renewal in play")), "{err:?}");
        let updated = renewal::forecast(&store, "ann", a, Some(1), plan(in_days(90), 90_000, Likelihood::AtRisk)).await.unwrap();
        assert_eq!(updated.version, 2);
        let err = renewal::forecast(&store, "ann", a, Some(1), plan(in_days(90), 80_000, Likelihood::Lost)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let listed = renewal::renewals_of(&store, &[a]).await.unwrap();
        assert_eq!(listed.len(), 1, "still one renewal in play");
        assert_eq!((listed[0].version, listed[0].data.forecast_arr, listed[0].data.likelihood), (2, 90_000, Likelihood::AtRisk));
        let recorded = events_of(&store, &[EventKind::RenewalForecast]).await;
        assert_eq!(recorded.len(), 2);
        let mut fields: Vec<&str> = recorded[1].changes.iter().map(|c| c.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["forecastArr", "likelihood"]);
    }
}

db_test! {
    async fn a_version_without_a_renewal_in_play_is_stale(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let err = renewal::forecast(&store, "ann", a, Some(1), plan(in_days(90), 1, Likelihood::Probable)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 0, .. }), "{err:?}");
        assert!(renewal::renewals_of(&store, &[a]).await.unwrap().is_empty());
    }
}

db_test! {
    async fn the_same_forecast_again_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        renewal::forecast(&store, "ann", a, None, plan(in_days(90), 120_000, Likelihood::Probable)).await.unwrap();
        let same = renewal::forecast(&store, "ann", a, Some(1), plan(in_days(90), 120_000, Likelihood::Probable)).await.unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(events_of(&store, &[EventKind::RenewalForecast]).await.len(), 1);
    }
}

db_test! {
    async fn a_forecast_needs_a_live_account_and_an_active_owner(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        team_member::archive(&store, "t", dee, 1).await.unwrap();
        let owned = RenewalData { owner_id: Some(dee), ..plan(in_days(90), 1, Likelihood::Probable) };
        let err = renewal::forecast(&store, "ann", a, None, owned).await.unwrap_err();
        assert!(invalid(&err, "ownerId"), "{err:?}");
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = renewal::forecast(&store, "ann", a, None, plan(in_days(90), 1, Likelihood::Probable)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
    }
}

db_test! {
    async fn deciding_records_the_arr_before_from_revenue_up_to_today(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        mrr(&store, a, &[(10_000, today() - Days::new(400)), (2_000, today()), (50_000, in_days(1))]).await;
        let r = renewal::forecast(&store, "ann", a, None, plan(in_days(30), 150_000, Likelihood::Committed)).await.unwrap();
        decide(&store, r.id, 1, RenewalOutcome::Renewed, Some(150_000), None).await.unwrap();
        let read = &renewal::renewals_of(&store, &[a]).await.unwrap()[0];
        assert_eq!(read.arr_at_decision, Some(144_000), "12 × (10,000 + 2,000); tomorrow's movement not yet");
        let d = read.decision.unwrap();
        assert_eq!((d.outcome, d.new_arr, d.reason, d.decided_on), (RenewalOutcome::Renewed, 150_000, None, today()));
        assert_eq!(read.version, 2);
        let decided = events_of(&store, &[EventKind::RenewalDecided]).await;
        assert_eq!(decided.len(), 1);
        assert!(decided[0].changes.iter().any(|c| c.field == "arrBeforeMinor" && c.after == 144_000));
        assert!(decided[0].changes.iter().any(|c| c.field == "outcome" && c.after == "RENEWED"));
    }
}

db_test! {
    async fn a_downgrade_must_land_below_the_arr_before(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        mrr(&store, a, &[(10_000, today() - Days::new(30))]).await;
        let r = renewal::forecast(&store, "ann", a, None, plan(in_days(30), 100_000, Likelihood::AtRisk)).await.unwrap();
        let err = decide(&store, r.id, 1, RenewalOutcome::Downgraded, Some(120_000), Some(RiskCategory::Budget)).await.unwrap_err();
        assert!(invalid(&err, "newArrMinor"), "{err:?}");
        assert!(renewal::renewals_of(&store, &[a]).await.unwrap()[0].decision.is_none());
        decide(&store, r.id, 1, RenewalOutcome::Downgraded, Some(100_000), Some(RiskCategory::Budget)).await.unwrap();
    }
}

db_test! {
    async fn a_decided_renewal_is_final_and_the_next_forecast_opens_a_new_one(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let first = renewal::forecast(&store, "ann", a, None, plan(in_days(30), 100_000, Likelihood::Committed)).await.unwrap();
        let err = decide(&store, first.id, 2, RenewalOutcome::Renewed, Some(1), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 2, current: 1, .. }), "{err:?}");
        decide(&store, first.id, 1, RenewalOutcome::Renewed, Some(100_000), None).await.unwrap();
        let err = decide(&store, first.id, 2, RenewalOutcome::Churned, None, Some(RiskCategory::Budget)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already decided")), "{err:?}");
        let next = renewal::forecast(&store, "ann", a, None, plan(in_days(395), 110_000, Likelihood::Probable)).await.unwrap();
        assert_ne!(next.id, first.id);
        let listed: Vec<RenewalId> = renewal::renewals_of(&store, &[a]).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(listed, [next.id, first.id], "newest renewal first");
        let err = decide(&store, RenewalId::new(), 1, RenewalOutcome::Renewed, Some(1), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "renewal", .. }), "{err:?}");
    }
}

db_test! {
    async fn renewals_are_read_for_accounts_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        renewal::forecast(&store, "ann", a, None, plan(in_days(30), 1, Likelihood::Probable)).await.unwrap();
        renewal::forecast(&store, "ann", b, None, plan(in_days(60), 1, Likelihood::Probable)).await.unwrap();
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(1, a);
        keys.insert(555, b);
        let mut of: Vec<AccountId> = renewal::renewals_of(&store, &keys).await.unwrap().iter().map(|r| r.account_id).collect();
        of.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(of, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Figures

db_test! {
    async fn the_pipeline_sums_renewals_in_play_by_month_and_likelihood(db) {
        let store = open(&db).await;
        let (from, to) = (NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2030, 2, 28).unwrap());
        let jan = |d| NaiveDate::from_ymd_opt(2030, 1, d).unwrap();
        let a = customer(&store, "A").await;
        let b = customer(&store, "B").await;
        let c = customer(&store, "C").await;
        let decided = customer(&store, "Decided").await;
        let outside = customer(&store, "Outside").await;
        let archived = customer(&store, "Archived").await;
        let euro = customer_in(&store, "Euro", "EUR").await;
        mrr(&store, a, &[(1_000, today())]).await;
        mrr(&store, b, &[(2_000, today()), (5_000, in_days(10))]).await;
        renewal::forecast(&store, "ann", a, None, plan(jan(10), 15_000, Likelihood::Probable)).await.unwrap();
        renewal::forecast(&store, "ann", b, None, plan(jan(31), 30_000, Likelihood::Probable)).await.unwrap();
        renewal::forecast(&store, "ann", c, None, plan(NaiveDate::from_ymd_opt(2030, 2, 28).unwrap(), 7_000, Likelihood::AtRisk)).await.unwrap();
        let d = renewal::forecast(&store, "ann", decided, None, plan(jan(5), 1, Likelihood::Committed)).await.unwrap();
        decide(&store, d.id, 1, RenewalOutcome::Renewed, Some(1), None).await.unwrap();
        renewal::forecast(&store, "ann", outside, None, plan(NaiveDate::from_ymd_opt(2030, 3, 1).unwrap(), 1, Likelihood::Probable)).await.unwrap();
        renewal::forecast(&store, "ann", archived, None, plan(jan(5), 1, Likelihood::Probable)).await.unwrap();
        account::archive(&store, "t", archived, 1).await.unwrap();
        renewal::forecast(&store, "ann", euro, None, plan(jan(5), 1, Likelihood::Probable)).await.unwrap();

        let rows = renewal::pipeline(&store, &usd(), today(), from, to).await.unwrap();
        let got: Vec<(&str, Likelihood, i64, i64, i64)> = rows.iter().map(|r| (r.month.as_str(), r.likelihood, r.renewals, r.current_arr, r.forecast_arr)).collect();
        assert_eq!(got, [
            ("2030-01", Likelihood::Probable, 2, 36_000, 45_000),
            ("2030-02", Likelihood::AtRisk, 1, 0, 7_000),
        ]);
    }
}

db_test! {
    async fn churn_reasons_count_the_losses_decided_in_the_period_most_frequent_first(db) {
        let store = open(&db).await;
        let mut decided = Vec::new();
        for (name, arr) in [("A", 10_000), ("B", 20_000), ("C", 5_000), ("D", 1_000), ("E", 1_000)] {
            let a = customer(&store, name).await;
            mrr(&store, a, &[(arr, today() - Days::new(100))]).await;
            let r = renewal::forecast(&store, "ann", a, None, plan(in_days(30), 1, Likelihood::AtRisk)).await.unwrap();
            decided.push(r.id);
        }
        // A and B churn over budget, C downgrades over budget, D churns to a competitor, E renews.
        decide(&store, decided[0], 1, RenewalOutcome::Churned, None, Some(RiskCategory::Budget)).await.unwrap();
        decide(&store, decided[1], 1, RenewalOutcome::Churned, None, Some(RiskCategory::Budget)).await.unwrap();
        decide(&store, decided[2], 1, RenewalOutcome::Downgraded, Some(24_000), Some(RiskCategory::Budget)).await.unwrap();
        decide(&store, decided[3], 1, RenewalOutcome::Churned, None, Some(RiskCategory::Competitor)).await.unwrap();
        decide(&store, decided[4], 1, RenewalOutcome::Renewed, Some(12_000), None).await.unwrap();
        let rows = renewal::churn_reasons(&store, &usd(), today(), today(), today()).await.unwrap();
        let got: Vec<(RiskCategory, RenewalOutcome, i64, i64)> = rows.iter().map(|r| (r.reason, r.outcome, r.renewals, r.lost_arr)).collect();
        assert_eq!(got, [
            (RiskCategory::Budget, RenewalOutcome::Churned, 2, 360_000),
            (RiskCategory::Budget, RenewalOutcome::Downgraded, 1, 36_000),
            (RiskCategory::Competitor, RenewalOutcome::Churned, 1, 12_000),
        ]);
        let before = today() - Days::new(1);
        assert!(renewal::churn_reasons(&store, &usd(), today(), before, before).await.unwrap().is_empty());
    }
}
