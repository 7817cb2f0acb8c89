//! The portfolio outcome comparison on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, NaiveDate};
use tandem_domain::engagement::{EngagementStatus, PhaseStatus};
use tandem_domain::ids::{AccountId, PhaseId, SowId, TeamMemberId};
use tandem_domain::metrics::{Period, PeriodMovements};
use tandem_domain::outcome_comparison::{Comparison, GoalTally};
use tandem_domain::sow::{NewSow, Rate, WorkKind};
use tandem_domain::success::GoalStatus;
use tandem_domain::timesheet::Decision;
use tandem_persistence::{Store, engagement, outcome_comparison, sow, timesheet};
use tandem_tests::db_test;

mod common;
use common::account::{customer_in, usd};
use common::dates::{ago, today};
use common::engagement::{phase_on, replatforming};
use common::open;
use common::revenue::movements;
use common::sow::{sign, time_entry};
use common::success::goal_due;
use common::team_member::{admin, developer};

/// The last sixty days.
fn period() -> Period {
    Period::new(ago(60), today()).unwrap()
}

/// An engagement on `a` with one phase, accepted on `accepted_on`.
async fn accepted_phase(store: &Store, a: AccountId, accepted_on: NaiveDate) -> PhaseId {
    let e = replatforming(store, a).await;
    let p = phase_on(store, e.id, "Catalog").await;
    engagement::transition(store, "t", e.id, 1, EngagementStatus::Active)
        .await
        .unwrap();
    let p = engagement::phase::transition(
        store,
        "t",
        p.id,
        1,
        PhaseStatus::InProgress,
        accepted_on - Days::new(20),
    )
    .await
    .unwrap();
    let p = engagement::phase::transition(
        store,
        "t",
        p.id,
        p.version,
        PhaseStatus::Delivered,
        accepted_on - Days::new(5),
    )
    .await
    .unwrap();
    engagement::phase::transition(
        store,
        "t",
        p.id,
        p.version,
        PhaseStatus::Accepted,
        accepted_on,
    )
    .await
    .unwrap()
    .id
}

async fn signed_sow(store: &Store, a: AccountId) -> SowId {
    let s = sow::create(
        store,
        "t",
        a,
        None,
        NewSow {
            title: "Work".into(),
            currency: Some("USD".into()),
            fixed_price: 100_000,
            rate_card: vec![Rate {
                role: "Developer".into(),
                hourly_rate: 10_000,
            }],
            scope: vec![],
            tm_hours_cap: None,
            tm_amount_cap: None,
        },
    )
    .await
    .unwrap();
    sign(store, s.id, ago(100), ago(100)).await.id
}

/// Logs (hours in hundredths, kind, day) for `who` and, when `approve`, approves each week.
async fn log(
    store: &Store,
    s: SowId,
    who: TeamMemberId,
    entries: &[(i64, WorkKind, NaiveDate)],
    approve: bool,
) {
    let mut sheets = Vec::new();
    for (hours, kind, on) in entries {
        let e = sow::log_time(store, "t", s, time_entry(who, *on, *hours, *kind), today())
            .await
            .unwrap();
        let sheet = e.timesheet_id.unwrap();
        if !sheets.contains(&sheet) {
            sheets.push(sheet);
        }
    }
    if approve {
        let admin = admin();
        for sheet in sheets {
            let draft = timesheet::get_sheet(store, sheet).await.unwrap().unwrap();
            let submitted = timesheet::submit(store, "t", sheet, draft.version)
                .await
                .unwrap();
            timesheet::decide(store, &admin, sheet, submitted.version, Decision::Approve)
                .await
                .unwrap();
        }
    }
}

async fn compare(store: &Store) -> Comparison {
    outcome_comparison::compare(store, &usd(), period(), today())
        .await
        .unwrap()
}

db_test! {
    async fn accounts_split_by_whether_a_phase_was_accepted_in_the_period(db) {
        let store = open(&db).await;
        let served = customer_in(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        accepted_phase(&store, served, ago(5)).await;
        let first_day = customer_in(&store, "First day", "USD").await;
        accepted_phase(&store, first_day, ago(60)).await;
        let earlier = customer_in(&store, "Earlier", "USD").await;
        accepted_phase(&store, earlier, ago(61)).await;
        customer_in(&store, "Untouched", "USD").await;
        let euro = customer_in(&store, "Euro", "EUR").await;
        accepted_phase(&store, euro, ago(10)).await;
        let c = compare(&store).await;
        assert_eq!((c.with_accepted.accounts, c.with_accepted.accepted_phases), (2, 3));
        assert_eq!((c.without_accepted.accounts, c.without_accepted.accepted_phases), (2, 0));
    }
}

db_test! {
    async fn each_side_sums_its_revenue_cohort(db) {
        let store = open(&db).await;
        let served = customer_in(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        movements(&store, served, &[("NEW", 10_000, ago(100)), ("EXPANSION", 2_000, ago(30))]).await;
        let left = customer_in(&store, "Left", "USD").await;
        movements(&store, left, &[("NEW", 5_000, ago(100)), ("CHURN", -5_000, ago(20))]).await;
        let fresh = customer_in(&store, "Fresh", "USD").await;
        movements(&store, fresh, &[("NEW", 3_000, ago(10))]).await;
        let c = compare(&store).await;
        assert_eq!(c.with_accepted.movements, PeriodMovements { start_mrr: 10_000, accounts_at_start: 1, expansion: 2_000, ..PeriodMovements::default() });
        assert_eq!(c.without_accepted.movements, PeriodMovements { start_mrr: 5_000, accounts_at_start: 1, churn: 5_000, churned_accounts: 1, ..PeriodMovements::default() });
        assert_eq!(c.without_accepted.accounts, 2);
    }
}

db_test! {
    async fn each_side_sums_the_approved_hours_logged_in_the_period(db) {
        let store = open(&db).await;
        let served = customer_in(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        let other = customer_in(&store, "Other", "USD").await;
        let (s1, s2) = (signed_sow(&store, served).await, signed_sow(&store, other).await);
        let dee = developer(&store, "Dee", false).await.id;
        let eve = developer(&store, "Eve", false).await.id;
        log(&store, s1, dee, &[(300, WorkKind::TimeAndMaterials, ago(20)), (500, WorkKind::InScope, ago(20)), (900, WorkKind::InScope, ago(70))], true).await;
        log(&store, s2, dee, &[(200, WorkKind::TimeAndMaterials, ago(40))], true).await;
        log(&store, s2, eve, &[(700, WorkKind::TimeAndMaterials, ago(40))], false).await;
        let c = compare(&store).await;
        assert_eq!((c.with_accepted.hours, c.with_accepted.tm_hours), (800, 300));
        assert_eq!((c.without_accepted.hours, c.without_accepted.tm_hours), (200, 200));
    }
}

db_test! {
    async fn goals_due_in_the_period_are_tallied_by_whether_a_phase_serves_them(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let p = accepted_phase(&store, a, ago(10)).await;
        let linked_done = goal_due(&store, a, Some(ago(5)), GoalStatus::Achieved).await;
        let linked_missed = goal_due(&store, a, Some(ago(50)), GoalStatus::Missed).await;
        let linked_late = goal_due(&store, a, Some(today() + Days::new(30)), GoalStatus::OnTrack).await;
        let version = engagement::phase::by_ids(&store, &[p]).await.unwrap()[0].version;
        engagement::phase::link_goals(&store, "t", p, version, vec![linked_done, linked_missed, linked_late]).await.unwrap();
        goal_due(&store, a, Some(ago(20)), GoalStatus::Missed).await;
        goal_due(&store, a, Some(ago(30)), GoalStatus::AtRisk).await;
        goal_due(&store, a, None, GoalStatus::Achieved).await; // achieved today, in the period
        goal_due(&store, a, None, GoalStatus::OnTrack).await; // neither due nor achieved
        goal_due(&store, a, Some(ago(61)), GoalStatus::Missed).await; // due before the period
        goal_due(&store, a, Some(today() + Days::new(30)), GoalStatus::Achieved).await; // achieved early, due later
        let euro = customer_in(&store, "Euro", "EUR").await;
        goal_due(&store, euro, Some(ago(5)), GoalStatus::Missed).await;
        let c = compare(&store).await;
        assert_eq!(c.linked_goals, GoalTally { goals: 2, achieved: 1, missed: 1 });
        assert_eq!(c.unlinked_goals, GoalTally { goals: 3, achieved: 1, missed: 1 });
    }
}

db_test! {
    async fn an_empty_slice_compares_nothing(db) {
        let store = open(&db).await;
        customer_in(&store, "Euro", "EUR").await;
        assert_eq!(compare(&store).await, Comparison::default());
    }
}
