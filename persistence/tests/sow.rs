//! Statements of work, change requests and time on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::account::NewAccount;
use tandem_domain::auth::{Principal, Role};
use tandem_domain::engagement::{EngagementKind, FocusKind, NewEngagement, NewPhase};
use tandem_domain::hours::Hours;
use tandem_domain::sow::{
    ChangeRequestStatus, NewSow, NewTimeEntry, Rate, ScopeItem, SowStatus, WorkKind,
};
use tandem_domain::team_member::{NewTeamMember, Team};
use tandem_domain::timesheet::Decision;
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::{PersistenceError, account, sow, team_member, timesheet};
use tandem_tests::db_test;

mod common;
use common::open;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

db_test! {
    async fn a_signed_sow_burns_its_budget_and_moves_only_through_change_requests(db) {
        let store = open(&db).await;
        let a = account::create(&store, "t", NewAccount { name: "Acme".into(), ..Default::default() }.validate().unwrap()).await.unwrap();
        let dev = team_member::create(&store, "t", NewTeamMember { name: "Dee".into(), email: "dee@v.io".into(), title: None, team: Team::Services, role: Role::Services, weekly_capacity: None, lead: false }.validate().unwrap()).await.unwrap();
        let e = engagement::create(&store, "t", a.id, NewEngagement { name: "R".into(), kind: EngagementKind::Replatforming, source_platform: None, target_platform: None, lead_id: None, description: None, planned_start: None }.validate().unwrap()).await.unwrap();
        let p1 = phase::create(&store, "t", e.id, NewPhase { name: "Catalog".into(), focus_kind: FocusKind::Problem, focus: "Catalog".into(), objective: None, expected_value: None, planned_start: None, planned_end: None, milestones: vec![], scope: vec![] }.validate().unwrap(), vec![]).await.unwrap();
        let new_sow = || NewSow {
            title: "Phase 1".into(),
            currency: Some("USD".into()),
            fixed_price: 2_400_000,
            rate_card: vec![Rate { role: "Developer".into(), hourly_rate: 15_000 }],
            scope: vec![ScopeItem { deliverable: "Catalog model".into(), estimated_hours: Hours(10_000), phase_id: Some(p1.id) }],
            tm_hours_cap: Some(Hours(2_000)),
            tm_amount_cap: Some(300_000),
        };
        let s = sow::create(&store, "t", a.id, Some(e.id), new_sow()).await.unwrap();
        let s = sow::transition(&store, "t", s.id, 1, SowStatus::Proposed, day(1, 2)).await.unwrap();
        let s = sow::transition(&store, "t", s.id, 2, SowStatus::Signed, day(1, 3)).await.unwrap();
        assert_eq!(s.baseline.unwrap().estimated_hours, Hours(10_000));
        let err = sow::update(&store, "t", s.id, 3, new_sow()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(tandem_domain::DomainError::Conflict(_))), "{err:?}");

        let log = |hours, kind, phase_id| NewTimeEntry { team_member_id: dev.id, role: "developer".into(), phase_id, worked_on: day(1, 10), hours: Hours(hours), kind, note: None };
        sow::log_time(&store, "t", s.id, log(800, WorkKind::InScope, Some(p1.id)), day(2, 1)).await.unwrap();
        sow::log_time(&store, "t", s.id, log(400, WorkKind::TimeAndMaterials, None), day(2, 1)).await.unwrap();
        let entry = sow::log_time(&store, "t", s.id, log(150, WorkKind::TimeAndMaterials, Some(p1.id)), day(2, 1)).await.unwrap();
        // Nothing burns until the week's timesheet is approved.
        assert!(sow::logged_by_sow(&store, &[s.id]).await.unwrap().is_empty());
        let sheet = entry.timesheet_id.unwrap();
        let draft = timesheet::get_sheet(&store, sheet).await.unwrap().unwrap();
        assert_eq!(draft.version, 3, "every hour logged bumps the sheet");
        let submitted = timesheet::submit(&store, "t", sheet, draft.version).await.unwrap();
        let admin = Principal { subject: "admin".into(), role: Role::Admin };
        timesheet::decide(&store, &admin, sheet, submitted.version, Decision::Approve).await.unwrap();
        let logged = sow::logged_by_sow(&store, &[s.id]).await.unwrap()[&s.id];
        assert_eq!(logged.in_scope_hours, Hours(800));
        assert_eq!(logged.tm_hours, Hours(550));
        assert_eq!(logged.tm_amount, 82_500);
        let by_phase = sow::logged_by_phase(&store, &[s.id]).await.unwrap().remove(&s.id).unwrap();
        assert_eq!(by_phase[&Some(p1.id)].in_scope_hours, Hours(800));
        assert_eq!(by_phase[&Some(p1.id)].tm_hours, Hours(150));
        assert_eq!(by_phase[&None].tm_hours, Hours(400));

        let cr = sow::raise_change_request(&store, "ann", s.id, Hours(1_000), 150_000, "B2B price lists").await.unwrap();
        let (decided, s2) = sow::decide_change_request(&store, "lead", cr.id, 1, ChangeRequestStatus::Approved).await.unwrap();
        assert_eq!(decided.decided_by.as_deref(), Some("lead"));
        assert_eq!(s2.data.tm_hours_cap, Some(Hours(3_000)));
        assert_eq!(s2.data.tm_amount_cap, Some(450_000));
        assert_eq!(s2.baseline.unwrap().tm_amount_cap, Some(300_000));
        let err = sow::decide_change_request(&store, "lead", cr.id, 2, ChangeRequestStatus::Rejected).await.unwrap_err();
        assert!(err.to_string().contains("from APPROVED to REJECTED"), "{err}");
        let history = sow::change_requests(&store, &[s.id]).await.unwrap();
        assert_eq!(history[&s.id].len(), 1);
    }
}
