//! Outcomes of accepted phases on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, Days, NaiveDate, Utc};
use tandem_domain::health::ImportedScore;
use tandem_domain::health::{HealthStatus, Score};
use tandem_domain::ids::{AccountId, GoalId, HealthModelId, PhaseId};
use tandem_domain::money::Currency;
use tandem_domain::outcome::AcceptedPhase;
use tandem_domain::outcome::{MrrMovement, RevenueWindow};
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_persistence::engagement::phase;
use tandem_persistence::{Store, health, outcome, success};
use tandem_tests::db_test;

mod common;
use common::account::customer_in;
use common::dates::{ago, at, today};
use common::engagement::{phase_on, replatforming};
use common::open;
use common::revenue::movements;

async fn standard(store: &Store) -> HealthModelId {
    health::model::models(store, false).await.unwrap()[0].id
}

/// Stores scores of `a` as (value, moment).
async fn scores(store: &Store, a: AccountId, list: &[(f64, DateTime<Utc>)]) {
    let model = standard(store).await;
    let rows: Vec<ImportedScore> = list
        .iter()
        .map(|(value, when)| ImportedScore {
            account_id: a,
            model_id: model,
            model_version: 1,
            score: Score {
                value: *value,
                status: if *value >= 70.0 {
                    HealthStatus::Healthy
                } else {
                    HealthStatus::AtRisk
                },
                breakdown: vec![],
            },
            computed_at: *when,
        })
        .collect();
    health::score::import_scores(store, &rows).await.unwrap();
}

fn accepted(account: AccountId, accepted_on: NaiveDate) -> AcceptedPhase {
    AcceptedPhase {
        phase: PhaseId::new(),
        account,
        accepted_on,
    }
}

// ---------------------------------------------------------------------------------------------
// Health after acceptance

db_test! {
    async fn health_at_each_checkpoint_is_the_latest_score_by_the_end_of_that_day(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let on = ago(65);
        let day = |n: u64| on + Days::new(n);
        scores(&store, a, &[
            (50.0, at(day(0) - Days::new(3), 9, 0)),
            (55.0, at(day(0), 23, 59)),
            (70.0, at(day(29), 9, 0)),
            (72.0, at(day(30), 23, 59)),
            (10.0, at(day(31), 0, 0)),
            (80.0, at(day(45), 9, 0)),
        ]).await;
        let p = accepted(a, on);
        let got = outcome::health(&store, &[p], today()).await.unwrap().remove(&p.phase).unwrap();
        let mut days: Vec<(u64, f64)> = got.iter().map(|(d, s)| (*d, s.score)).collect();
        days.sort_by_key(|(d, _)| *d);
        // Day 90 has not come yet.
        assert_eq!(days, [(0, 55.0), (30, 72.0), (60, 80.0)]);
        assert_eq!(got[&30].computed_at, at(day(30), 23, 59));
        assert_eq!(got[&60].status, HealthStatus::Healthy);
    }
}

db_test! {
    async fn a_checkpoint_without_a_score_by_then_is_absent(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let b = customer_in(&store, "Globex", "USD").await;
        let on = ago(100);
        scores(&store, a, &[(60.0, at(on + Days::new(50), 9, 0))]).await;
        let (pa, pb) = (accepted(a, on), accepted(b, on));
        let got = outcome::health(&store, &[pa, pb], today()).await.unwrap();
        let mut days: Vec<u64> = got[&pa.phase].keys().copied().collect();
        days.sort();
        assert_eq!(days, [60, 90]);
        assert!(!got.contains_key(&pb.phase), "an account never scored has no checkpoints");
    }
}

db_test! {
    async fn health_answers_for_pages_of_more_phases_than_one_statement_takes(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        scores(&store, a, &[(60.0, at(ago(200), 9, 0))]).await;
        let phases: Vec<AcceptedPhase> = (0..450).map(|i| accepted(a, ago(10 + (i % 3)))).collect();
        let got = outcome::health(&store, &phases, today()).await.unwrap();
        assert_eq!(got.len(), 450);
        assert!(phases.iter().all(|p| got[&p.phase][&0].score == 60.0));
    }
}

// ---------------------------------------------------------------------------------------------
// Revenue after acceptance

db_test! {
    async fn revenue_sums_the_movements_after_acceptance_by_direction(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "EUR").await;
        let on = ago(120);
        let day = |n: u64| on + Days::new(n);
        movements(&store, a, &[
            ("NEW", 10_000, day(0)),
            ("EXPANSION", 2_000, day(1)),
            ("CONTRACTION", -500, day(30)),
            ("CHURN", -11_500, day(60)),
            ("REACTIVATION", 3_000, day(90)),
            ("EXPANSION", 9_999, day(91)),
        ]).await;
        let p = accepted(a, on);
        let got = outcome::revenue(&store, &[p], today()).await.unwrap()[&p.phase];
        assert_eq!(got.window, RevenueWindow { after: on, through: day(90), complete: true });
        assert_eq!(got.movement, MrrMovement { expansion: 5_000, contraction: 500, churn: 11_500 });
        assert_eq!(got.currency, Currency::parse("c", "EUR").unwrap());
    }
}

db_test! {
    async fn an_open_revenue_window_runs_to_today(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let b = customer_in(&store, "Globex", "USD").await;
        let on = ago(20);
        movements(&store, a, &[("NEW", 1_000, ago(5)), ("EXPANSION", 7_000, today() + Days::new(3))]).await;
        let (pa, pb) = (accepted(a, on), accepted(b, on));
        let got = outcome::revenue(&store, &[pa, pb], today()).await.unwrap();
        assert_eq!(got[&pa.phase].window, RevenueWindow { after: on, through: today(), complete: false });
        assert_eq!(got[&pa.phase].movement, MrrMovement { expansion: 1_000, contraction: 0, churn: 0 });
        assert_eq!(got[&pb.phase].movement, MrrMovement::default(), "an account without movements is there at zero");
    }
}

db_test! {
    async fn revenue_answers_for_pages_of_more_phases_than_one_statement_takes(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        movements(&store, a, &[("NEW", 1_000, ago(5))]).await;
        let phases: Vec<AcceptedPhase> = (0..450).map(|_| accepted(a, ago(10))).collect();
        let got = outcome::revenue(&store, &phases, today()).await.unwrap();
        assert_eq!(got.len(), 450);
        assert!(phases.iter().all(|p| got[&p.phase].movement.expansion == 1_000));
    }
}

// ---------------------------------------------------------------------------------------------
// Goals served

db_test! {
    async fn the_goals_a_phase_serves_come_by_goal_id_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let e = replatforming(&store, a).await;
        let p1 = phase_on(&store, e.id, "One").await;
        let p2 = phase_on(&store, e.id, "Two").await;
        let mut goals: Vec<GoalId> = Vec::new();
        for title in ["Grow", "Keep", "Save"] {
            goals.push(success::create_goal(&store, "t", a, GoalData { title: title.into(), target: None, due_on: None }, GoalStatus::OnTrack).await.unwrap().id);
        }
        phase::link_goals(&store, "t", p1.id, p1.version, vec![goals[2], goals[0]]).await.unwrap();
        phase::link_goals(&store, "t", p2.id, p2.version, vec![goals[1]]).await.unwrap();
        let mut keys: Vec<PhaseId> = (0..600).map(|_| PhaseId::new()).collect();
        keys.insert(0, p1.id);
        keys.insert(550, p2.id);
        let served = outcome::goals_of_phases(&store, &keys).await.unwrap();
        assert_eq!(served.len(), 2);
        let mut expected = vec![goals[0], goals[2]];
        expected.sort();
        assert_eq!(served[&p1.id].iter().map(|g| g.id).collect::<Vec<_>>(), expected);
        assert_eq!(served[&p2.id].iter().map(|g| g.data.title.as_str()).collect::<Vec<_>>(), ["Keep"]);
    }
}
