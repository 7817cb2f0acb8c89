//! Tasks on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::DomainError;
use tandem_domain::event::{EventKind, NewEvent, SubjectKind};
use tandem_domain::ids::{AccountId, RiskId, TaskId, TeamMemberId};
use tandem_domain::playbook::TaskChange;
use tandem_domain::playbook::{Action, Condition, PlaybookData, TaskData, TaskStatus, Trigger};
use tandem_domain::renewal::{RiskCategory, RiskData, RiskSeverity};
use tandem_persistence::task::TaskQuery;
use tandem_persistence::{PersistenceError, Store, account, playbook, renewal, task, team_member};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::automation::run_worker;
use common::dates::day;
use common::event::events_of;
use common::open;
use common::team_member::member;

fn todo(title: &str, assignee: Option<TeamMemberId>, due: Option<NaiveDate>) -> TaskData {
    TaskData::validate(title, Some("Call them"), assignee, due).unwrap()
}

async fn add(store: &Store, a: AccountId, data: TaskData) -> TaskId {
    task::create(store, "ann", a, data, None).await.unwrap().id
}

async fn risk(store: &Store, a: AccountId) -> RiskId {
    renewal::raise(
        store,
        "ann",
        a,
        RiskData::validate(
            RiskCategory::Adoption,
            RiskSeverity::High,
            "Low adoption",
            None,
            None,
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap()
    .id
}

async fn task_events(store: &Store) -> Vec<NewEvent> {
    events_of(
        store,
        &[
            EventKind::TaskCreated,
            EventKind::TaskUpdated,
            EventKind::TaskStatusChanged,
        ],
    )
    .await
}

async fn set_status(
    store: &Store,
    id: TaskId,
    version: i32,
    status: TaskStatus,
) -> Result<i32, PersistenceError> {
    task::update(store, "ann", id, version, |_| {
        Ok(TaskChange::Status(status))
    })
    .await
    .map(|t| t.version)
}

fn query(limit: u64) -> TaskQuery {
    TaskQuery {
        limit,
        ..TaskQuery::default()
    }
}

async fn titles(store: &Store, q: TaskQuery) -> Vec<String> {
    task::list(store, &q)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.data.title)
        .collect()
}

db_test! {
    async fn a_created_task_reads_back_open_and_records_its_set_fields(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        let created = task::create(&store, "ann", a, todo("Plan the QBR", Some(dee), Some(day(3, 1))), None).await.unwrap();
        let read = task::get_one(&store, created.id).await.unwrap().unwrap();
        assert_eq!(read.data, todo("Plan the QBR", Some(dee), Some(day(3, 1))));
        assert_eq!((read.status, read.version, read.created_by.as_str(), read.closed_at, read.playbook_id, read.risk_id), (TaskStatus::Open, 1, "ann", None, None, None));
        let events = task_events(&store).await;
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!((e.kind, e.subject_kind, e.subject_id, e.account_id), (EventKind::TaskCreated, SubjectKind::Task, created.id.0, Some(a)));
        let mut fields: Vec<&str> = e.changes.iter().map(|c| c.field.as_str()).collect();
        fields.sort();
        assert_eq!(fields, ["assigneeId", "dueOn", "notes", "status", "title"]);
        let unassigned = add(&store, a, todo("Later", None, None)).await;
        let events = task_events(&store).await;
        assert_eq!(events[1].subject_id, unassigned.0);
        assert!(events[1].changes.iter().all(|c| c.field != "assigneeId" && c.field != "dueOn"), "null fields are left out");
    }
}

db_test! {
    async fn a_task_needs_a_live_account(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = task::create(&store, "ann", a, todo("Call", None, None), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("archived")), "{err:?}");
        let err = task::create(&store, "ann", AccountId::new(), todo("Call", None, None), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "account", .. }), "{err:?}");
        assert!(task_events(&store).await.is_empty());
    }
}

db_test! {
    async fn a_task_for_an_archived_member_is_refused(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        team_member::archive(&store, "t", dee, 1).await.unwrap();
        let err = task::create(&store, "ann", a, todo("Call", Some(dee), None), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "assigneeId"), "{err:?}");
    }
}

db_test! {
    async fn a_task_may_only_name_a_risk_of_its_own_account(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let of_b = risk(&store, b).await;
        let err = task::create(&store, "ann", a, todo("Call", None, None), Some(of_b)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "riskId"), "{err:?}");
        let err = task::create(&store, "ann", a, todo("Call", None, None), Some(RiskId::new())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { .. })), "{err:?}");
        let linked = task::create(&store, "ann", b, todo("Call", None, None), Some(of_b)).await.unwrap();
        assert_eq!(task::get_one(&store, linked.id).await.unwrap().unwrap().risk_id, Some(of_b));
    }
}

db_test! {
    async fn changing_fields_records_what_changed(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = add(&store, a, todo("Call", None, Some(day(3, 1)))).await;
        let updated = task::update(&store, "bob", id, 1, |t| {
            Ok(TaskChange::Fields(TaskData { due_on: Some(day(3, 8)), ..t.data.clone() }))
        })
        .await
        .unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(task::get_one(&store, id).await.unwrap().unwrap().data.due_on, Some(day(3, 8)));
        let events = task_events(&store).await;
        let e = &events[1];
        assert_eq!((e.kind, e.actor.as_str()), (EventKind::TaskUpdated, "bob"));
        assert_eq!(e.changes.len(), 1);
        assert_eq!((e.changes[0].field.as_str(), &e.changes[0].before, &e.changes[0].after), ("dueOn", &"2026-03-01".into(), &"2026-03-08".into()));
    }
}

db_test! {
    async fn closing_a_task_stamps_when_and_reopening_clears_it(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = add(&store, a, todo("Call", None, None)).await;
        let v = set_status(&store, id, 1, TaskStatus::Done).await.unwrap();
        let done = task::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!(done.status, TaskStatus::Done);
        assert!(done.closed_at.is_some());
        set_status(&store, id, v, TaskStatus::Open).await.unwrap();
        let open_again = task::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((open_again.status, open_again.closed_at, open_again.version), (TaskStatus::Open, None, 3));
        let events = task_events(&store).await;
        assert_eq!(events.iter().filter(|e| e.kind == EventKind::TaskStatusChanged).count(), 2);
        assert_eq!((events[1].changes[0].before.clone(), events[1].changes[0].after.clone()), ("OPEN".into(), "DONE".into()));
    }
}

db_test! {
    async fn a_closed_task_must_be_reopened_before_it_moves_again(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = add(&store, a, todo("Call", None, None)).await;
        let v = set_status(&store, id, 1, TaskStatus::Dismissed).await.unwrap();
        let err = set_status(&store, id, v, TaskStatus::Done).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Conflict(_))), "{err:?}");
        let err = set_status(&store, id, v, TaskStatus::Dismissed).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Conflict(ref m)) if m.contains("already")), "{err:?}");
        assert_eq!(task::get_one(&store, id).await.unwrap().unwrap().status, TaskStatus::Dismissed);
    }
}

db_test! {
    async fn a_change_that_changes_nothing_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = add(&store, a, todo("Call", None, None)).await;
        let same = task::update(&store, "ann", id, 1, |t| Ok(TaskChange::Fields(t.data.clone()))).await.unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(task::get_one(&store, id).await.unwrap().unwrap().version, 1);
        assert_eq!(task_events(&store).await.len(), 1);
    }
}

db_test! {
    async fn a_stale_version_is_refused(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = add(&store, a, todo("Call", None, None)).await;
        set_status(&store, id, 1, TaskStatus::Done).await.unwrap();
        let err = set_status(&store, id, 1, TaskStatus::Dismissed).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let err = set_status(&store, TaskId::new(), 1, TaskStatus::Done).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "task", .. }), "{err:?}");
    }
}

db_test! {
    async fn only_a_new_assignee_must_be_active(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let dee = member(&store, "Dee").await;
        let eve = member(&store, "Eve").await;
        let id = add(&store, a, todo("Call", Some(dee), None)).await;
        team_member::archive(&store, "t", dee, 1).await.unwrap();
        team_member::archive(&store, "t", eve, 1).await.unwrap();
        // Editing the task of someone who has left keeps them as its assignee.
        let renamed = task::update(&store, "ann", id, 1, |t| Ok(TaskChange::Fields(TaskData { title: "Call back".into(), ..t.data.clone() }))).await.unwrap();
        assert_eq!(renamed.data.assignee_id, Some(dee));
        let err = task::update(&store, "ann", id, 2, |t| Ok(TaskChange::Fields(TaskData { assignee_id: Some(eve), ..t.data.clone() }))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "assigneeId"), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

db_test! {
    async fn tasks_list_by_due_date_with_undated_ones_last(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        add(&store, a, todo("Undated first", None, None)).await;
        add(&store, a, todo("March", None, Some(day(3, 1)))).await;
        add(&store, a, todo("January", None, Some(day(1, 15)))).await;
        add(&store, a, todo("Undated second", None, None)).await;
        assert_eq!(titles(&store, query(10)).await, ["January", "March", "Undated first", "Undated second"]);
        assert_eq!(titles(&store, query(2)).await, ["January", "March"]);
    }
}

db_test! {
    async fn tasks_filter_by_account_assignee_status_and_due_day(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let dee = member(&store, "Dee").await;
        add(&store, a, todo("A dee", Some(dee), Some(day(2, 1)))).await;
        let done = add(&store, a, todo("A done", None, Some(day(1, 1)))).await;
        set_status(&store, done, 1, TaskStatus::Done).await.unwrap();
        add(&store, b, todo("B dee late", Some(dee), Some(day(6, 1)))).await;
        add(&store, b, todo("B undated", None, None)).await;
        assert_eq!(titles(&store, TaskQuery { account_id: Some(a), ..query(10) }).await, ["A done", "A dee"]);
        assert_eq!(titles(&store, TaskQuery { assignee_id: Some(dee), ..query(10) }).await, ["A dee", "B dee late"]);
        assert_eq!(titles(&store, TaskQuery { statuses: vec![TaskStatus::Open], ..query(10) }).await, ["A dee", "B dee late", "B undated"]);
        assert_eq!(titles(&store, TaskQuery { statuses: vec![TaskStatus::Done, TaskStatus::Dismissed], ..query(10) }).await, ["A done"]);
        // Due by a day: that day included, undated tasks left out.
        assert_eq!(titles(&store, TaskQuery { due_by: Some(day(2, 1)), ..query(10) }).await, ["A done", "A dee"]);
    }
}

db_test! {
    async fn tasks_a_playbook_made_carry_it_and_list_by_it(db) {
        let store = open(&db).await;
        let data = PlaybookData::validate(
            "Welcome", None, Trigger::Event { kind: EventKind::AccountCreated }, Condition::default(),
            vec![Action::CreateTask { title: "Kick-off call".into(), due_in_days: 7 }],
        ).unwrap();
        let p = playbook::create(&store, "ops", data, true).await.unwrap();
        let a = customer(&store, "Acme").await;
        add(&store, a, todo("By hand", None, None)).await;
        run_worker(&store).await;
        let made = task::list(&store, &TaskQuery { playbook_id: Some(p.id), ..query(10) }).await.unwrap();
        assert_eq!(made.len(), 1);
        assert_eq!((made[0].data.title.as_str(), made[0].playbook_id, made[0].account_id), ("Kick-off call", Some(p.id), a));
        assert_eq!(made[0].created_by, tandem_domain::playbook::actor(p.id));
    }
}

db_test! {
    async fn tasks_of_risks_come_by_due_date_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let r1 = risk(&store, a).await;
        let r2 = risk(&store, a).await;
        let later = task::create(&store, "ann", a, todo("Later", None, Some(day(5, 1))), Some(r1)).await.unwrap().id;
        let undated = task::create(&store, "ann", a, todo("Undated", None, None), Some(r1)).await.unwrap().id;
        let sooner = task::create(&store, "ann", a, todo("Sooner", None, Some(day(2, 1))), Some(r2)).await.unwrap().id;
        add(&store, a, todo("No risk", None, Some(day(1, 1)))).await;
        let of_r1: Vec<TaskId> = task::of_risks(&store, &[r1]).await.unwrap().iter().map(|t| t.id).collect();
        assert_eq!(of_r1, [later, undated]);
        let mut keys: Vec<RiskId> = (0..600).map(|_| RiskId::new()).collect();
        keys.insert(0, r1);
        keys.insert(580, r2);
        let mut all: Vec<TaskId> = task::of_risks(&store, &keys).await.unwrap().iter().map(|t| t.id).collect();
        all.sort();
        let mut expected = vec![later, undated, sooner];
        expected.sort();
        assert_eq!(all, expected);
    }
}
