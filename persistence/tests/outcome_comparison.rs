//! The portfolio outcome comparison on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, NaiveDate, Utc};
use tandem_domain::account::NewAccount;
use tandem_domain::auth::{Principal, Role};
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, NewEngagement, NewPhase, PhaseStatus,
};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, PhaseId, SowId, TeamMemberId};
use tandem_domain::metrics::{Period, PeriodMovements};
use tandem_domain::money::{Currency, Money};
use tandem_domain::outcome_comparison::{Comparison, GoalTally};
use tandem_domain::segment::Slice;
use tandem_domain::signals::NewRevenueMovement;
use tandem_domain::sow::{NewSow, NewTimeEntry, Rate, SowStatus, WorkKind};
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_domain::team_member::{NewTeamMember, Team};
use tandem_domain::timesheet::Decision;
use tandem_persistence::{
    Store, account, engagement, outcome_comparison, revenue, sow, success, team_member, timesheet,
};
use tandem_tests::db_test;

mod common;
use common::open;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn ago(n: u64) -> NaiveDate {
    today() - Days::new(n)
}

/// The last sixty days.
fn period() -> Period {
    Period::new(ago(60), today()).unwrap()
}

fn usd() -> Slice {
    Slice {
        currency: Currency::USD,
        segment: None,
        criteria: None,
    }
}

async fn customer(store: &Store, name: &str, currency: &str) -> AccountId {
    account::create(
        store,
        "t",
        NewAccount {
            name: name.into(),
            currency: Some(currency.into()),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id
}

/// An engagement on `a` with one phase, accepted on `accepted_on`.
async fn accepted_phase(store: &Store, a: AccountId, accepted_on: NaiveDate) -> PhaseId {
    let e = engagement::create(
        store,
        "t",
        a,
        NewEngagement {
            name: "Replatforming".into(),
            kind: EngagementKind::Replatforming,
            source_platform: None,
            target_platform: None,
            lead_id: None,
            description: None,
            planned_start: None,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let p = engagement::phase::create(
        store,
        "t",
        e.id,
        NewPhase {
            name: "Catalog".into(),
            focus_kind: FocusKind::Problem,
            focus: "Catalog".into(),
            objective: None,
            expected_value: None,
            planned_start: None,
            planned_end: None,
            milestones: vec![],
            scope: vec![],
        }
        .validate()
        .unwrap(),
        vec![],
    )
    .await
    .unwrap();
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
    sow::transition(store, "t", s.id, 1, SowStatus::Proposed, ago(100))
        .await
        .unwrap();
    sow::transition(store, "t", s.id, 2, SowStatus::Signed, ago(100))
        .await
        .unwrap()
        .id
}

async fn member(store: &Store, name: &str) -> TeamMemberId {
    team_member::create(
        store,
        "t",
        NewTeamMember {
            name: name.into(),
            email: format!("{}@vendor.io", name.to_lowercase()),
            title: None,
            team: Team::Services,
            role: Role::Services,
            weekly_capacity: None,
            lead: false,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id
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
        let e = sow::log_time(
            store,
            "t",
            s,
            NewTimeEntry {
                team_member_id: who,
                role: "Developer".into(),
                phase_id: None,
                worked_on: *on,
                hours: Hours(*hours),
                kind: *kind,
                note: None,
            },
            today(),
        )
        .await
        .unwrap();
        let sheet = e.timesheet_id.unwrap();
        if !sheets.contains(&sheet) {
            sheets.push(sheet);
        }
    }
    if approve {
        let admin = Principal {
            subject: "admin".into(),
            role: Role::Admin,
        };
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

async fn movements(store: &Store, a: AccountId, list: &[(&'static str, i64, NaiveDate)]) {
    let rows: Vec<NewRevenueMovement> = list
        .iter()
        .map(|(kind, minor, on)| NewRevenueMovement {
            account_id: a,
            kind,
            amount: Money::new(*minor, Currency::USD),
            effective_on: *on,
        })
        .collect();
    revenue::import(store, &rows).await.unwrap();
}

async fn goal(
    store: &Store,
    a: AccountId,
    due_on: Option<NaiveDate>,
    status: GoalStatus,
) -> tandem_domain::ids::GoalId {
    success::create_goal(
        store,
        "t",
        a,
        GoalData {
            title: "Goal".into(),
            target: None,
            due_on,
        },
        status,
    )
    .await
    .unwrap()
    .id
}

async fn compare(store: &Store) -> Comparison {
    outcome_comparison::compare(store, &usd(), period(), today())
        .await
        .unwrap()
}

db_test! {
    async fn accounts_split_by_whether_a_phase_was_accepted_in_the_period(db) {
        let store = open(&db).await;
        let served = customer(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        accepted_phase(&store, served, ago(5)).await;
        let first_day = customer(&store, "First day", "USD").await;
        accepted_phase(&store, first_day, ago(60)).await;
        let earlier = customer(&store, "Earlier", "USD").await;
        accepted_phase(&store, earlier, ago(61)).await;
        customer(&store, "Untouched", "USD").await;
        let euro = customer(&store, "Euro", "EUR").await;
        accepted_phase(&store, euro, ago(10)).await;
        let c = compare(&store).await;
        assert_eq!((c.with_accepted.accounts, c.with_accepted.accepted_phases), (2, 3));
        assert_eq!((c.without_accepted.accounts, c.without_accepted.accepted_phases), (2, 0));
    }
}

db_test! {
    async fn each_side_sums_its_revenue_cohort(db) {
        let store = open(&db).await;
        let served = customer(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        movements(&store, served, &[("NEW", 10_000, ago(100)), ("EXPANSION", 2_000, ago(30))]).await;
        let left = customer(&store, "Left", "USD").await;
        movements(&store, left, &[("NEW", 5_000, ago(100)), ("CHURN", -5_000, ago(20))]).await;
        let fresh = customer(&store, "Fresh", "USD").await;
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
        let served = customer(&store, "Served", "USD").await;
        accepted_phase(&store, served, ago(10)).await;
        let other = customer(&store, "Other", "USD").await;
        let (s1, s2) = (signed_sow(&store, served).await, signed_sow(&store, other).await);
        let dee = member(&store, "Dee").await;
        let eve = member(&store, "Eve").await;
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
        let a = customer(&store, "Acme", "USD").await;
        let p = accepted_phase(&store, a, ago(10)).await;
        let linked_done = goal(&store, a, Some(ago(5)), GoalStatus::Achieved).await;
        let linked_missed = goal(&store, a, Some(ago(50)), GoalStatus::Missed).await;
        let linked_late = goal(&store, a, Some(today() + Days::new(30)), GoalStatus::OnTrack).await;
        let version = engagement::phase::by_ids(&store, &[p]).await.unwrap()[0].version;
        engagement::phase::link_goals(&store, "t", p, version, vec![linked_done, linked_missed, linked_late]).await.unwrap();
        goal(&store, a, Some(ago(20)), GoalStatus::Missed).await;
        goal(&store, a, Some(ago(30)), GoalStatus::AtRisk).await;
        goal(&store, a, None, GoalStatus::Achieved).await; // achieved today, in the period
        goal(&store, a, None, GoalStatus::OnTrack).await; // neither due nor achieved
        goal(&store, a, Some(ago(61)), GoalStatus::Missed).await; // due before the period
        goal(&store, a, Some(today() + Days::new(30)), GoalStatus::Achieved).await; // achieved early, due later
        let euro = customer(&store, "Euro", "EUR").await;
        goal(&store, euro, Some(ago(5)), GoalStatus::Missed).await;
        let c = compare(&store).await;
        assert_eq!(c.linked_goals, GoalTally { goals: 2, achieved: 1, missed: 1 });
        assert_eq!(c.unlinked_goals, GoalTally { goals: 3, achieved: 1, missed: 1 });
    }
}

db_test! {
    async fn an_empty_slice_compares_nothing(db) {
        let store = open(&db).await;
        customer(&store, "Euro", "EUR").await;
        assert_eq!(compare(&store).await, Comparison::default());
    }
}
