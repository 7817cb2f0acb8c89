//! Success plans, goals and business reviews on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::DomainError;
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, GoalId};
use tandem_domain::success::{GoalData, GoalStatus, ReviewData};
use tandem_persistence::{PersistenceError, Store, account, success};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::{day, today};
use common::event::events_of;
use common::open;

fn aim(title: &str, due_on: Option<NaiveDate>) -> GoalData {
    GoalData {
        title: title.into(),
        target: Some("conversion ≥ 3 %".into()),
        due_on,
    }
}

async fn add(store: &Store, a: AccountId, title: &str, due_on: Option<NaiveDate>) -> GoalId {
    success::create_goal(store, "cs", a, aim(title, due_on), GoalStatus::NotStarted)
        .await
        .unwrap()
        .id
}

async fn set_status(
    store: &Store,
    id: GoalId,
    version: i32,
    status: GoalStatus,
) -> Result<i32, PersistenceError> {
    success::update_goal(store, "cs", id, version, |g| Ok((g.data.clone(), status)))
        .await
        .map(|g| g.version)
}

fn review(held_on: NaiveDate, summary: &str) -> ReviewData {
    ReviewData {
        held_on,
        attendees: vec!["Ann (vendor)".into(), "Bo (Acme)".into()],
        summary: summary.into(),
        outcomes: vec!["Roll out to EU".into()],
    }
    .validate()
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Goals

db_test! {
    async fn a_created_goal_reads_back_and_records_its_fields_and_status(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let created = success::create_goal(&store, "cs", a, aim("Lift conversion", Some(day(6, 30))), GoalStatus::OnTrack).await.unwrap();
        let read = success::goal(&store, created.id).await.unwrap().unwrap();
        assert_eq!((read.account_id, &read.data, read.status, read.achieved_on, read.version), (a, &aim("Lift conversion", Some(day(6, 30))), GoalStatus::OnTrack, None, 1));
        let recorded = events_of(&store, &[EventKind::GoalCreated]).await;
        assert_eq!(recorded.len(), 1);
        let e = &recorded[0];
        assert_eq!((e.subject_kind, e.subject_id, e.account_id, e.actor.as_str()), (SubjectKind::Goal, created.id.0, Some(a), "cs"));
        let mut fields: Vec<&str> = e.changes.iter().map(|c| c.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["dueOn", "status", "target", "title"]);
        assert!(e.changes.iter().any(|c| c.field == "status" && c.after == "ON_TRACK"));
        assert!(success::goal(&store, GoalId::new()).await.unwrap().is_none());
    }
}

db_test! {
    async fn a_goal_created_achieved_counts_as_achieved_today(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = success::create_goal(&store, "cs", a, aim("Done already", None), GoalStatus::Achieved).await.unwrap();
        assert_eq!(success::goal(&store, g.id).await.unwrap().unwrap().achieved_on, Some(today()));
    }
}

db_test! {
    async fn an_archived_accounts_plan_takes_no_goals_and_no_changes(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = success::create_goal(&store, "cs", a, aim("More", None), GoalStatus::NotStarted).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("success plan is closed")), "{err:?}");
        let err = set_status(&store, g, 1, GoalStatus::OnTrack).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().status, GoalStatus::NotStarted);
    }
}

db_test! {
    async fn a_status_change_records_goal_status_changed_with_any_field_changes(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", Some(day(6, 30))).await;
        success::update_goal(&store, "cs", g, 1, |cur| Ok((GoalData { due_on: Some(day(9, 30)), ..cur.data.clone() }, GoalStatus::AtRisk))).await.unwrap();
        let recorded = events_of(&store, &[EventKind::GoalStatusChanged, EventKind::GoalUpdated]).await;
        assert_eq!(recorded.len(), 1);
        let e = &recorded[0];
        assert_eq!(e.kind, EventKind::GoalStatusChanged);
        assert_eq!((e.changes[0].field.as_str(), &e.changes[0].before, &e.changes[0].after), ("status", &"NOT_STARTED".into(), &"AT_RISK".into()));
        assert_eq!((e.changes[1].field.as_str(), &e.changes[1].after), ("dueOn", &"2026-09-30".into()));
        let read = success::goal(&store, g).await.unwrap().unwrap();
        assert_eq!((read.status, read.data.due_on, read.version), (GoalStatus::AtRisk, Some(day(9, 30)), 2));
    }
}

db_test! {
    async fn a_field_change_alone_records_goal_updated(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        success::update_goal(&store, "cs", g, 1, |cur| Ok((GoalData { title: "Lift checkout conversion".into(), ..cur.data.clone() }, cur.status))).await.unwrap();
        let recorded = events_of(&store, &[EventKind::GoalStatusChanged, EventKind::GoalUpdated]).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].kind, EventKind::GoalUpdated);
        assert_eq!(recorded[0].changes.len(), 1);
        assert_eq!(recorded[0].changes[0].field, "title");
    }
}

db_test! {
    async fn achieving_a_goal_dates_it_and_leaving_achieved_clears_the_date(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        let v = set_status(&store, g, 1, GoalStatus::Achieved).await.unwrap();
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().achieved_on, Some(today()));
        // Editing an achieved goal keeps its date.
        let v = success::update_goal(&store, "cs", g, v, |cur| Ok((GoalData { target: None, ..cur.data.clone() }, GoalStatus::Achieved))).await.unwrap().version;
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().achieved_on, Some(today()));
        set_status(&store, g, v, GoalStatus::OnTrack).await.unwrap();
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().achieved_on, None);
    }
}

db_test! {
    async fn a_goal_change_that_changes_nothing_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        let same = set_status(&store, g, 1, GoalStatus::NotStarted).await.unwrap();
        assert_eq!(same, 1);
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().version, 1);
        assert!(events_of(&store, &[EventKind::GoalStatusChanged, EventKind::GoalUpdated]).await.is_empty());
    }
}

db_test! {
    async fn a_stale_goal_version_is_refused(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        set_status(&store, g, 1, GoalStatus::OnTrack).await.unwrap();
        let err = set_status(&store, g, 1, GoalStatus::Missed).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().status, GoalStatus::OnTrack);
        let err = set_status(&store, GoalId::new(), 1, GoalStatus::Missed).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "goal", .. }), "{err:?}");
    }
}

db_test! {
    async fn a_refused_goal_change_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let g = add(&store, a, "Lift conversion", None).await;
        let err = success::update_goal(&store, "cs", g, 1, |_| Err(DomainError::invalid("title", "too long"))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { .. })), "{err:?}");
        assert_eq!(success::goal(&store, g).await.unwrap().unwrap().version, 1);
    }
}

db_test! {
    async fn goals_come_by_due_date_with_undated_ones_last(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let undated = add(&store, a, "Someday", None).await;
        let late = add(&store, a, "Late", Some(day(9, 1))).await;
        let soon = add(&store, a, "Soon", Some(day(2, 1))).await;
        let other = add(&store, b, "Other", None).await;
        let plans = success::goals_of(&store, &[a, b]).await.unwrap();
        assert_eq!(plans[&a].iter().map(|g| g.id).collect::<Vec<_>>(), [soon, late, undated]);
        assert_eq!(plans[&b].iter().map(|g| g.id).collect::<Vec<_>>(), [other]);
    }
}

db_test! {
    async fn goals_are_read_for_keys_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let ga = add(&store, a, "A", None).await;
        let gb = add(&store, b, "B", None).await;
        let mut accounts: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        accounts.insert(0, a);
        accounts.insert(540, b);
        let plans = success::goals_of(&store, &accounts).await.unwrap();
        assert_eq!(plans.len(), 2);
        assert_eq!(plans[&b][0].id, gb);
        let mut ids: Vec<uuid::Uuid> = (0..600).map(|_| uuid::Uuid::now_v7()).collect();
        ids.insert(2, ga.0);
        ids.insert(560, gb.0);
        let mut read: Vec<GoalId> = success::goals_by_ids(&store, &ids).await.unwrap().iter().map(|g| g.id).collect();
        read.sort();
        let mut expected = vec![ga, gb];
        expected.sort();
        assert_eq!(read, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Business reviews

db_test! {
    async fn a_recorded_review_reads_back_and_records_its_fields(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let r = success::record_review(&store, "cs", a, review(day(3, 3), "Q1 went well")).await.unwrap();
        let read = &success::reviews_of(&store, &[a]).await.unwrap()[&a];
        assert_eq!(read.len(), 1);
        assert_eq!((read[0].id, &read[0].data, read[0].recorded_by.as_str()), (r.id, &review(day(3, 3), "Q1 went well"), "cs"));
        let recorded = events_of(&store, &[EventKind::BusinessReviewRecorded]).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!((recorded[0].subject_kind, recorded[0].subject_id), (SubjectKind::BusinessReview, r.id.0));
        assert!(recorded[0].changes.iter().any(|c| c.field == "attendees" && c.after == serde_json::json!(["Ann (vendor)", "Bo (Acme)"])));
    }
}

db_test! {
    async fn reviews_come_newest_first_for_keys_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let q1 = success::record_review(&store, "cs", a, review(day(3, 3), "Q1")).await.unwrap().id;
        let q3 = success::record_review(&store, "cs", a, review(day(9, 3), "Q3")).await.unwrap().id;
        let q2 = success::record_review(&store, "cs", a, review(day(6, 3), "Q2")).await.unwrap().id;
        success::record_review(&store, "cs", b, review(day(6, 3), "B")).await.unwrap();
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(3, a);
        keys.insert(530, b);
        let reviews = success::reviews_of(&store, &keys).await.unwrap();
        assert_eq!(reviews[&a].iter().map(|r| r.id).collect::<Vec<_>>(), [q3, q2, q1]);
        assert_eq!(reviews[&b].len(), 1);
    }
}

db_test! {
    async fn an_archived_account_takes_no_reviews(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = success::record_review(&store, "cs", a, review(day(3, 3), "Q1")).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        assert!(success::reviews_of(&store, &[a]).await.unwrap().is_empty());
    }
}
