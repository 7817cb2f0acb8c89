//! Statements of work, change requests and time on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_domain::hours::Hours;
use tandem_domain::sow::{ChangeRequestStatus, NewSow, NewTimeEntry, Rate, ScopeItem, WorkKind};
use tandem_domain::timesheet::Decision;
use tandem_persistence::{PersistenceError, sow, timesheet};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::day;
use common::engagement::{phase_on, replatforming};
use common::open;
use common::sow::sign;
use common::team_member::{admin, developer};

db_test! {
    async fn a_signed_sow_burns_its_budget_and_moves_only_through_change_requests(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dev = developer(&store, "Dee", false).await;
        let e = replatforming(&store, a).await;
        let p1 = phase_on(&store, e.id, "Catalog").await;
        let new_sow = || NewSow {
            title: "Phase 1".into(),
            currency: Some("USD".into()),
            fixed_price: 2_400_000,
            rate_card: vec![Rate { role: "Developer".into(), hourly_rate: 15_000 }],
            scope: vec![ScopeItem { deliverable: "Catalog model".into(), estimated_hours: Hours(10_000), phase_id: Some(p1.id) }],
            tm_hours_cap: Some(Hours(2_000)),
            tm_amount_cap: Some(300_000),
        };
        let s = sow::create(&store, "t", a, Some(e.id), new_sow()).await.unwrap();
        let s = sign(&store, s.id, day(1, 2), day(1, 3)).await;
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
        timesheet::decide(&store, &admin(), sheet, submitted.version, Decision::Approve).await.unwrap();
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
