//! Customer-success figures computed in SQL, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, Duration, NaiveDate, Utc};
use tandem_domain::DomainError;
use tandem_domain::account::{AccountPatch, LifecycleStage, NewAccount, TouchTier};
use tandem_domain::health::{
    Component, HealthModelDef, HealthStatus, ImportedScore, Score, Weight,
};
use tandem_domain::ids::{AccountId, HealthModelId, SurveyResponseId};
use tandem_domain::metrics::{AnalyticsSettings, Cohort, Dimension, Period, PeriodMovements, Sums};
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::{NewRevenueMovement, SurveyKind, SurveyResponse, UsageEvent};
use tandem_domain::success::GoalStatus;
use tandem_persistence::health::compute::Scope;
use tandem_persistence::{
    PersistenceError, Store, account, figures, health, revenue, signals, usage,
};
use tandem_tests::db_test;

mod common;
use common::account::{customer, customer_from, usd};
use common::dates::{ago, today};
use common::open;
use common::success::goal;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn tiered(store: &Store, name: &str, tier: TouchTier) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            touch_tier: tier,
            ..Default::default()
        },
    )
    .await
}

/// Movements as (account, kind, signed minor units, day).
async fn movements(store: &Store, list: &[(AccountId, &'static str, i64, NaiveDate)]) {
    let rows: Vec<NewRevenueMovement> = list
        .iter()
        .map(|(a, kind, minor, on)| NewRevenueMovement {
            account_id: *a,
            kind,
            amount: Money::new(*minor, Currency::USD),
            effective_on: *on,
        })
        .collect();
    revenue::import(store, &rows).await.unwrap();
}

async fn sums(store: &Store, dimension: Option<Dimension>, period: Period) -> Vec<Sums> {
    figures::sums(
        store,
        &usd(),
        today(),
        dimension,
        period,
        &AnalyticsSettings::default(),
    )
    .await
    .unwrap()
}

fn q1() -> Period {
    Period::new(day(2026, 1, 1), day(2026, 3, 31)).unwrap()
}

/// Replaces the standard health model with one scoring by goals alone: an account's goal on
/// track scores 100 (HEALTHY), at risk 50 (AT_RISK), missed 0 (CRITICAL).
async fn score_by_goals(store: &Store) -> HealthModelId {
    let standard = health::model::models(store, false).await.unwrap()[0].id;
    health::model::update_model(store, "t", standard, 1, None, true)
        .await
        .unwrap();
    let def = HealthModelDef {
        name: "Goals".into(),
        weights: vec![Weight {
            component: Component::GoalAttainment,
            basis_points: 10_000,
        }],
        healthy_from: 70,
        at_risk_from: 40,
    }
    .validate()
    .unwrap();
    health::model::create_model(store, "t", def, None, None)
        .await
        .unwrap()
        .id
}

async fn renewing(store: &Store, name: &str, renewal: Option<NaiveDate>) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            renewal_date: renewal,
            ..Default::default()
        },
    )
    .await
}

async fn churn_stage(store: &Store, a: AccountId) {
    account::update(store, "t", a, 1, |acc| {
        acc.patched(AccountPatch {
            lifecycle_stage: Some(LifecycleStage::Churned),
            ..Default::default()
        })
    })
    .await
    .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Period sums

db_test! {
    async fn the_period_cohort_is_who_paid_at_its_start_and_what_moved_them(db) {
        let store = open(&db).await;
        let grows = customer(&store, "Grows").await;
        let leaves = customer(&store, "Leaves").await;
        let shrinks = customer(&store, "Shrinks").await;
        let joins = customer(&store, "Joins").await;
        let later = customer(&store, "Later").await;
        movements(&store, &[
            (grows, "NEW", 10_000, day(2025, 6, 1)),
            (grows, "EXPANSION", 5_000, day(2026, 2, 1)),
            (leaves, "NEW", 20_000, day(2025, 12, 31)),
            (leaves, "CHURN", -20_000, day(2026, 3, 31)),
            (shrinks, "NEW", 8_000, day(2025, 1, 1)),
            (shrinks, "CONTRACTION", -3_000, day(2026, 1, 1)),
            (joins, "NEW", 7_000, day(2026, 2, 15)),
            (later, "NEW", 1_000, day(2026, 4, 1)),
            (grows, "EXPANSION", 99_000, day(2026, 4, 1)),
        ]).await;
        let all = sums(&store, None, q1()).await;
        assert_eq!(all.len(), 1);
        let s = &all[0];
        assert_eq!(s.movements, PeriodMovements {
            start_mrr: 38_000,
            accounts_at_start: 3,
            expansion: 5_000,
            reactivation: 0,
            contraction: 3_000,
            churn: 20_000,
            churned_accounts: 1,
        });
        // Grows 15,000 + Shrinks 5,000 + Joins 7,000; Leaves churned, Later not yet.
        assert_eq!((s.end_mrr, s.paying_at_end), (27_000, 3));
    }
}

db_test! {
    async fn a_reactivation_in_the_period_counts_only_for_the_cohort(db) {
        let store = open(&db).await;
        let back = customer(&store, "Back").await;
        let returning = customer(&store, "Returning").await;
        movements(&store, &[
            (back, "NEW", 10_000, day(2025, 1, 1)),
            (back, "CHURN", -10_000, day(2026, 1, 10)),
            (back, "REACTIVATION", 4_000, day(2026, 2, 10)),
            (returning, "NEW", 9_000, day(2024, 1, 1)),
            (returning, "CHURN", -9_000, day(2025, 1, 1)),
            (returning, "REACTIVATION", 6_000, day(2026, 2, 1)),
        ]).await;
        let s = &sums(&store, None, q1()).await[0];
        // Back was in the cohort, churned and came back: not a churned account at the end.
        assert_eq!((s.movements.accounts_at_start, s.movements.churn, s.movements.reactivation, s.movements.churned_accounts), (1, 10_000, 4_000, 0));
        assert_eq!((s.end_mrr, s.paying_at_end), (10_000, 2));
    }
}

db_test! {
    async fn sums_split_by_a_dimension_with_a_group_per_value(db) {
        let store = open(&db).await;
        let high = tiered(&store, "High", TouchTier::High).await;
        let low = tiered(&store, "Low", TouchTier::Low).await;
        let low2 = tiered(&store, "Low two", TouchTier::Low).await;
        movements(&store, &[(high, "NEW", 10_000, day(2025, 1, 1)), (low, "NEW", 1_000, day(2025, 1, 1)), (low2, "NEW", 2_000, day(2026, 1, 5))]).await;
        let by_tier = sums(&store, Some(Dimension::TouchTier), q1()).await;
        let got: Vec<(Option<&str>, i64, i64)> = by_tier.iter().map(|s| (s.key.as_deref(), s.movements.start_mrr, s.end_mrr)).collect();
        assert_eq!(got, [(Some("HIGH"), 10_000, 10_000), (Some("LOW"), 1_000, 3_000)]);
    }
}

db_test! {
    async fn an_empty_slice_answers_one_group_of_zeros(db) {
        let store = open(&db).await;
        assert_eq!(sums(&store, None, q1()).await, [Sums::default()]);
        assert!(sums(&store, Some(Dimension::Plan), q1()).await.is_empty());
    }
}

db_test! {
    async fn nps_counts_the_answers_given_within_the_period(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let period = Period::new(ago(10), ago(2)).unwrap();
        for (score, days) in [(10, 10), (9, 5), (7, 2), (3, 3), (10, 11), (10, 1)] {
            let at = ago(days).and_hms_opt(if days == 2 { 23 } else { 0 }, if days == 2 { 59 } else { 0 }, 0).unwrap().and_utc();
            signals::record_survey(&store, "t", SurveyResponse {
                id: SurveyResponseId::new(), account_id: a, contact_id: None, kind: SurveyKind::Nps,
                score, comment: None, responded_at: at, recorded_by: String::new(),
            }).await.unwrap();
        }
        let s = &sums(&store, None, period).await[0];
        // From the first day's midnight to the last day's end.
        assert_eq!(s.nps, (2, 1, 1));
    }
}

db_test! {
    async fn starts_in_the_period_count_activation_and_time_to_value(db) {
        let store = open(&db).await;
        let settings = AnalyticsSettings {
            key_features: vec!["search".into(), "import".into()],
            value_features: vec!["order".into()],
            activation_min_features: 2,
            activation_days: 7,
            ..AnalyticsSettings::default()
        };
        let quick = customer(&store, "Quick").await;
        let slow = customer(&store, "Slow").await;
        let idle = customer(&store, "Idle").await;
        let old = customer(&store, "Old").await;
        movements(&store, &[(quick, "NEW", 1, ago(50)), (slow, "NEW", 1, ago(40)), (idle, "NEW", 1, ago(30)), (old, "NEW", 1, ago(400))]).await;
        let used = |a, feature: &str, days_ago: u64| UsageEvent::check(0, a, feature, "u", ago(days_ago).and_hms_opt(12, 0, 0).unwrap().and_utc(), Some(1), Utc::now()).unwrap();
        usage::ingest(&store, "t", None, &[
            // Quick: both key features within a week, value 5 days in.
            used(quick, "search", 49), used(quick, "import", 44), used(quick, "order", 45),
            // Slow: the second key feature after the week; value 20 days in.
            used(slow, "search", 39), used(slow, "import", 30), used(slow, "order", 20),
            used(old, "search", 1), used(old, "import", 1), used(old, "order", 1),
        ]).await.unwrap();
        let period = Period::new(ago(60), today()).unwrap();
        let s = &figures::sums(&store, &usd(), today(), None, period, &settings).await.unwrap()[0];
        assert_eq!((s.started, s.activated, s.reached_value, s.days_to_value), (3, 1, 2, 25));
    }
}

// ---------------------------------------------------------------------------------------------
// Cohorts

db_test! {
    async fn cohorts_follow_each_start_month_month_by_month(db) {
        let store = open(&db).await;
        let a = customer(&store, "A").await;
        let b = customer(&store, "B").await;
        let c = customer(&store, "C").await;
        let outside = customer(&store, "Outside").await;
        movements(&store, &[
            (a, "NEW", 10_000, day(2026, 1, 5)),
            (a, "EXPANSION", 5_000, day(2026, 2, 10)),
            (b, "NEW", 20_000, day(2026, 1, 20)),
            (b, "CHURN", -20_000, day(2026, 3, 1)),
            (c, "NEW", 7_000, day(2026, 2, 1)),
            (outside, "NEW", 1, day(2025, 12, 31)),
        ]).await;
        let rows = figures::cohorts(&store, &usd(), day(2026, 1, 15), day(2026, 2, 15), 2, day(2026, 3, 31)).await.unwrap();
        let cohort = |month, accounts, months: Vec<(i64, i64)>| Cohort { month, accounts, months };
        assert_eq!(rows, [
            // January: end of Jan, Feb, Mar.
            cohort(day(2026, 1, 1), 2, vec![(30_000, 2), (35_000, 2), (15_000, 1)]),
            // February: end of Feb, Mar (April has not ended by the 31st of March).
            cohort(day(2026, 2, 1), 1, vec![(7_000, 1), (7_000, 1)]),
        ]);
    }
}

// ---------------------------------------------------------------------------------------------
// The portfolio

db_test! {
    async fn live_accounts_count_by_their_health_status(db) {
        let store = open(&db).await;
        score_by_goals(&store).await;
        for (name, status) in [("H1", GoalStatus::OnTrack), ("H2", GoalStatus::Achieved), ("R", GoalStatus::AtRisk)] {
            let a = customer(&store, name).await;
            goal(&store, a, status).await;
        }
        customer(&store, "Unscored").await;
        health::compute::recompute(&store, "t", Scope::All, Utc::now()).await.unwrap();
        let gone = customer(&store, "Gone").await;
        account::archive(&store, "t", gone, 1).await.unwrap();
        let churned = customer(&store, "Churned").await;
        churn_stage(&store, churned).await;
        let counts = figures::status_counts(&store, &usd(), today()).await.unwrap();
        assert_eq!(counts, [(None, 1), (Some(HealthStatus::Healthy), 2), (Some(HealthStatus::AtRisk), 1)]);
    }
}

db_test! {
    async fn mrr_at_risk_is_the_live_mrr_of_accounts_at_risk_or_critical(db) {
        let store = open(&db).await;
        score_by_goals(&store).await;
        let fine = customer(&store, "Fine").await;
        let risky = customer(&store, "Risky").await;
        let critical = customer(&store, "Critical").await;
        let churned = customer(&store, "Churned").await;
        for (a, status) in [(fine, GoalStatus::OnTrack), (risky, GoalStatus::AtRisk), (critical, GoalStatus::Missed), (churned, GoalStatus::Missed)] {
            goal(&store, a, status).await;
        }
        health::compute::recompute(&store, "t", Scope::All, Utc::now()).await.unwrap();
        churn_stage(&store, churned).await;
        movements(&store, &[
            (fine, "NEW", 10_000, ago(100)),
            (risky, "NEW", 2_000, ago(100)),
            (critical, "NEW", 3_000, ago(100)),
            (critical, "EXPANSION", 50_000, today() + Days::new(1)),
            (churned, "NEW", 4_000, ago(100)),
        ]).await;
        assert_eq!(figures::mrr_at_risk(&store, &usd(), today()).await.unwrap(), (15_000, 5_000));
    }
}

db_test! {
    async fn movers_rank_live_accounts_by_how_far_their_score_moved(db) {
        let store = open(&db).await;
        let model = score_by_goals(&store).await;
        let now = Utc::now();
        let week_ago = now - Duration::days(8);
        let mut accounts = Vec::new();
        for (name, before, status) in [("Fell", 100.0, GoalStatus::Missed), ("Dipped", 100.0, GoalStatus::AtRisk), ("Steady", 100.0, GoalStatus::OnTrack)] {
            let a = customer(&store, name).await;
            goal(&store, a, status).await;
            health::score::import_scores(&store, &[ImportedScore {
                account_id: a, model_id: model, model_version: 1,
                score: Score { value: before, status: HealthStatus::Healthy, breakdown: vec![] },
                computed_at: week_ago,
            }]).await.unwrap();
            accounts.push(a);
        }
        let fresh = customer(&store, "Fresh").await;
        goal(&store, fresh, GoalStatus::Missed).await;
        health::compute::recompute(&store, "t", Scope::All, now).await.unwrap();
        let moved = figures::movers(&store, &usd(), today(), 7, 10).await.unwrap();
        assert_eq!(moved, [(accounts[0], 0.0, 100.0), (accounts[1], 50.0, 100.0), (accounts[2], 100.0, 100.0)]);
        assert_eq!(figures::movers(&store, &usd(), today(), 7, 1).await.unwrap().len(), 1);
        assert!(figures::movers(&store, &usd(), today(), 30, 10).await.unwrap().is_empty(), "no score 30 days ago");
        let err = figures::movers(&store, &usd(), today(), 14, 10).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "days"), "{err:?}");
    }
}

db_test! {
    async fn renewals_count_live_accounts_renewing_in_the_window_with_todays_mrr(db) {
        let store = open(&db).await;
        let soon = renewing(&store, "Soon", Some(today() + Days::new(10))).await;
        let sooner = renewing(&store, "Sooner", Some(today())).await;
        let last_day = renewing(&store, "Last day", Some(today() + Days::new(90))).await;
        renewing(&store, "Too late", Some(today() + Days::new(91))).await;
        renewing(&store, "Past", Some(ago(1))).await;
        renewing(&store, "Undated", None).await;
        let gone = renewing(&store, "Gone", Some(today() + Days::new(5))).await;
        account::archive(&store, "t", gone, 1).await.unwrap();
        movements(&store, &[(soon, "NEW", 1_000, ago(30)), (sooner, "NEW", 2_000, ago(30)), (last_day, "NEW", 500, today() + Days::new(1)), (gone, "NEW", 9_000, ago(30))]).await;
        let until = today() + Days::new(90);
        assert_eq!(figures::renewals(&store, &usd(), today(), until).await.unwrap(), (3, 3_000));
        assert_eq!(figures::next_renewals(&store, &usd(), today(), until, 10).await.unwrap(), [sooner, soon, last_day]);
        assert_eq!(figures::next_renewals(&store, &usd(), today(), until, 2).await.unwrap(), [sooner, soon]);
    }
}
