//! Phase heads and outlines (`persistence/src/engagement/phase/outline.rs`) on SQLite and
//! PostgreSQL: the few columns they read by position are the phase's own.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::account::NewAccount;
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, NewEngagement, NewPhase, PhaseData, PhaseHead,
    PhaseOutline, PhaseStatus,
};
use tandem_domain::ids::EngagementId;
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::{Store, account};
use tandem_tests::db_test;

mod common;
use common::open;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A new engagement of a new account.
async fn scoped(store: &Store, name: &str) -> EngagementId {
    let a = account::create(
        store,
        "t",
        NewAccount {
            name: name.into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let data = NewEngagement {
        name: "Replatforming".into(),
        kind: EngagementKind::Replatforming,
        source_platform: None,
        target_platform: None,
        lead_id: None,
        description: None,
        planned_start: None,
    }
    .validate()
    .unwrap();
    engagement::create(store, "lead", a.id, data)
        .await
        .unwrap()
        .id
}

fn new_phase(
    name: &str,
    focus_kind: FocusKind,
    planned: Option<(NaiveDate, NaiveDate)>,
) -> PhaseData {
    NewPhase {
        name: name.into(),
        focus_kind,
        focus: format!("{name} focus"),
        objective: Some(format!("Move {name}")),
        expected_value: Some("Fewer returns".into()),
        planned_start: planned.map(|p| p.0),
        planned_end: planned.map(|p| p.1),
        milestones: vec![],
        scope: vec![],
    }
    .validate()
    .unwrap()
}

db_test! {
    async fn phase_heads_and_outlines_read_what_the_phase_holds(db) {
        let store = open(&db).await;
        let e = scoped(&store, "Acme").await;
        let other = scoped(&store, "Globex").await;
        let empty = scoped(&store, "Initech").await;
        let catalog = phase::create(&store, "lead", e, new_phase("Catalog model", FocusKind::ProductLine, Some((day(1, 5), day(2, 5)))), vec![]).await.unwrap();
        phase::create(&store, "lead", e, new_phase("Slow checkout", FocusKind::Problem, None), vec![catalog.id]).await.unwrap();
        phase::create(&store, "lead", other, new_phase("Apparel", FocusKind::ProductLine, Some((day(3, 1), day(4, 1)))), vec![]).await.unwrap();
        // The first phase runs its course, so that every date of the outline is set somewhere.
        engagement::transition(&store, "lead", e, 1, EngagementStatus::Active).await.unwrap();
        for (version, (status, on)) in [
            (PhaseStatus::InProgress, day(1, 6)),
            (PhaseStatus::Delivered, day(2, 3)),
            (PhaseStatus::Accepted, day(2, 9)),
        ]
        .into_iter()
        .enumerate()
        {
            phase::transition(&store, "lead", catalog.id, version as i32 + 1, status, on).await.unwrap();
        }

        let engagements = [e, other, empty];
        let mut full = phase::of_engagements(&store, &engagements).await.unwrap();
        let heads = phase::heads_of_engagements(&store, &engagements).await.unwrap();
        let outlines = phase::outlines_of_engagements(&store, &engagements).await.unwrap();
        assert_eq!(full.remove(&empty), None);
        assert_eq!((full.len(), heads.len(), outlines.len()), (2, 2, 2));
        for (engagement, phases) in &full {
            assert_eq!(heads[engagement], phases.iter().map(PhaseHead::from).collect::<Vec<_>>());
            assert_eq!(outlines[engagement], phases.iter().map(PhaseOutline::from).collect::<Vec<_>>());
        }
        let first = &outlines[&e][0];
        assert_eq!(
            (first.head.position, first.head.status, first.actual_start, first.actual_end, first.accepted_on),
            (1, PhaseStatus::Accepted, Some(day(1, 6)), Some(day(2, 3)), Some(day(2, 9)))
        );
        let second = &outlines[&e][1];
        assert_eq!(
            (second.head.position, second.focus_kind, second.focus.as_str(), second.planned_start),
            (2, FocusKind::Problem, "Slow checkout focus", None)
        );
    }
}
