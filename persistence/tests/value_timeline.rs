//! An account's value timeline on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, NaiveDate, Utc};
use tandem_domain::engagement::{EngagementStatus, PhaseStatus};
use tandem_domain::health::ImportedScore;
use tandem_domain::health::{HealthStatus, Score};
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::RevenueKind;
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_domain::value_timeline::{TimelineQuery, ValueDetail, ValueEvent, ValueEventKind};
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::{Store, health, success, value_timeline};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::{ago, at, today};
use common::engagement::{phase_on, replatforming};
use common::open;
use common::revenue::movements;

fn everything() -> TimelineQuery {
    TimelineQuery::new(None, None, None, vec![]).unwrap()
}

fn only(kinds: Vec<ValueEventKind>) -> TimelineQuery {
    TimelineQuery::new(None, None, None, kinds).unwrap()
}

async fn read(store: &Store, a: AccountId, q: &TimelineQuery) -> Vec<ValueEvent> {
    value_timeline::read(store, a, q).await.unwrap()
}

/// Stores scores of `a` as (value, status, moment).
async fn scores(store: &Store, a: AccountId, list: &[(f64, HealthStatus, DateTime<Utc>)]) {
    let model = health::model::models(store, false).await.unwrap()[0].id;
    let rows: Vec<ImportedScore> = list
        .iter()
        .map(|(value, status, when)| ImportedScore {
            account_id: a,
            model_id: model,
            model_version: 1,
            score: Score {
                value: *value,
                status: *status,
                breakdown: vec![],
            },
            computed_at: *when,
        })
        .collect();
    health::score::import_scores(store, &rows).await.unwrap();
}

fn summary(e: &ValueEvent) -> (NaiveDate, ValueEventKind) {
    (e.on, e.kind)
}

// ---------------------------------------------------------------------------------------------

db_test! {
    async fn health_entries_are_the_scores_whose_status_differs_from_the_one_before(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        use HealthStatus::*;
        scores(&store, a, &[
            (80.0, Healthy, at(ago(30), 9, 0)),
            (75.0, Healthy, at(ago(20), 9, 0)),
            (55.0, AtRisk, at(ago(10), 23, 59)),
            (50.0, AtRisk, at(ago(5), 9, 0)),
            (90.0, Healthy, at(ago(2), 0, 0)),
        ]).await;
        let got = read(&store, a, &only(vec![ValueEventKind::HealthStatusChanged])).await;
        let details: Vec<(NaiveDate, ValueDetail)> = got.into_iter().map(|e| (e.on, e.detail)).collect();
        assert_eq!(details, [
            (ago(2), ValueDetail::Health { from: Some(AtRisk), to: Healthy, score: 90.0 }),
            (ago(10), ValueDetail::Health { from: Some(Healthy), to: AtRisk, score: 55.0 }),
            (ago(30), ValueDetail::Health { from: None, to: Healthy, score: 80.0 }),
        ]);
    }
}

db_test! {
    async fn revenue_entries_carry_their_kind_and_signed_amount(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        movements(&store, a, &[("NEW", 10_000, ago(40)), ("CONTRACTION", -2_000, ago(10))]).await;
        let got = read(&store, a, &only(vec![ValueEventKind::RevenueMovement])).await;
        let details: Vec<(NaiveDate, ValueDetail)> = got.into_iter().map(|e| (e.on, e.detail)).collect();
        assert_eq!(details, [
            (ago(10), ValueDetail::Revenue { kind: RevenueKind::Contraction, amount: Money::new(-2_000, Currency::USD) }),
            (ago(40), ValueDetail::Revenue { kind: RevenueKind::New, amount: Money::new(10_000, Currency::USD) }),
        ]);
    }
}

db_test! {
    async fn goals_show_on_the_day_they_were_achieved_or_missed(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let goal = |title: &str, status| {
            let store = store.clone();
            let title = title.to_owned();
            async move { success::create_goal(&store, "t", a, GoalData { title, target: None, due_on: None }, status).await.unwrap() }
        };
        let achieved = goal("Achieved", GoalStatus::OnTrack).await;
        success::update_goal(&store, "t", achieved.id, 1, |g| Ok((g.data.clone(), GoalStatus::Achieved))).await.unwrap();
        let missed_later = goal("Missed later", GoalStatus::AtRisk).await;
        success::update_goal(&store, "t", missed_later.id, 1, |g| Ok((g.data.clone(), GoalStatus::Missed))).await.unwrap();
        goal("Born missed", GoalStatus::Missed).await;
        goal("Still going", GoalStatus::OnTrack).await;
        let got = read(&store, a, &only(vec![ValueEventKind::GoalAchieved, ValueEventKind::GoalMissed])).await;
        let mut entries: Vec<(NaiveDate, ValueEventKind, String)> = got.into_iter().map(|e| match e.detail {
            ValueDetail::Goal { title, goal_id } => {
                assert_eq!(goal_id, e.source_id);
                (e.on, e.kind, title)
            }
            other => panic!("{other:?}"),
        }).collect();
        entries.sort_by(|x, y| x.2.cmp(&y.2));
        assert_eq!(entries, [
            (today(), ValueEventKind::GoalAchieved, "Achieved".to_owned()),
            (today(), ValueEventKind::GoalMissed, "Born missed".to_owned()),
            (today(), ValueEventKind::GoalMissed, "Missed later".to_owned()),
        ]);
    }
}

db_test! {
    async fn phases_show_when_delivered_and_when_accepted_with_their_engagement(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let e = replatforming(&store, a).await;
        let p = phase_on(&store, e.id, "Catalog").await;
        engagement::transition(&store, "t", e.id, 1, EngagementStatus::Active).await.unwrap();
        let p = phase::transition(&store, "t", p.id, 1, PhaseStatus::InProgress, ago(30)).await.unwrap();
        let p = phase::transition(&store, "t", p.id, p.version, PhaseStatus::Delivered, ago(20)).await.unwrap();
        phase::transition_with(&store, "t", p.id, p.version, PhaseStatus::Accepted, ago(15), Some("Catalog live in 3 markets".into())).await.unwrap();
        let got = read(&store, a, &only(vec![ValueEventKind::PhaseDelivered, ValueEventKind::PhaseAccepted])).await;
        assert_eq!(got.iter().map(summary).collect::<Vec<_>>(), [(ago(15), ValueEventKind::PhaseAccepted), (ago(20), ValueEventKind::PhaseDelivered)]);
        assert_eq!(got[0].detail, ValueDetail::Phase { phase_id: p.id.0, name: "Catalog".into(), engagement_id: e.id.0, engagement_name: "Replatforming".into(), realised_value: Some("Catalog live in 3 markets".into()) });
        assert!(matches!(got[1].detail, ValueDetail::Phase { realised_value: None, .. }));
    }
}

db_test! {
    async fn the_timeline_runs_newest_day_first_then_by_kind_in_reverse(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let other = customer(&store, "Globex").await;
        scores(&store, a, &[(80.0, HealthStatus::Healthy, at(ago(10), 12, 0))]).await;
        movements(&store, a, &[("NEW", 10_000, ago(10)), ("EXPANSION", 1_000, ago(3))]).await;
        movements(&store, other, &[("NEW", 5_000, ago(1))]).await;
        let got = read(&store, a, &everything()).await;
        assert_eq!(got.iter().map(summary).collect::<Vec<_>>(), [
            (ago(3), ValueEventKind::RevenueMovement),
            (ago(10), ValueEventKind::RevenueMovement),
            (ago(10), ValueEventKind::HealthStatusChanged),
        ]);
    }
}

db_test! {
    async fn a_range_and_a_limit_bound_the_timeline(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        movements(&store, a, &[("NEW", 1, ago(30)), ("EXPANSION", 1, ago(20)), ("EXPANSION", 1, ago(10)), ("EXPANSION", 1, ago(5))]).await;
        let days = |q: TimelineQuery| {
            let store = store.clone();
            async move { read(&store, a, &q).await.iter().map(|e| e.on).collect::<Vec<_>>() }
        };
        assert_eq!(days(TimelineQuery::new(Some(ago(20)), Some(ago(10)), None, vec![]).unwrap()).await, [ago(10), ago(20)], "both ends included");
        assert_eq!(days(TimelineQuery::new(None, None, Some(2), vec![]).unwrap()).await, [ago(5), ago(10)]);
        assert!(days(TimelineQuery::new(None, None, Some(0), vec![]).unwrap()).await.is_empty());
    }
}
