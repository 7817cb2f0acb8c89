//! Engagement templates and engagements made from them on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::NaiveDate;
use tandem_domain::engagement::{EngagementKind, FocusKind, NewEngagement, TemplateRef};
use tandem_domain::event::EventKind;
use tandem_domain::ids::TemplateId;
use tandem_domain::template::{NewTemplate, TemplateData, TemplateMilestone, TemplatePhase};
use tandem_persistence::event::EventQuery;
use tandem_persistence::{PersistenceError, Store, engagement, event, template};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::day;
use common::open;

fn phase(name: &str, start: i32, days: i32, depends_on: Vec<usize>) -> TemplatePhase {
    TemplatePhase {
        name: name.into(),
        focus_kind: FocusKind::Problem,
        focus: name.into(),
        objective: None,
        expected_value: None,
        start_offset_days: start,
        duration_days: days,
        milestones: vec![TemplateMilestone {
            name: format!("{name} done"),
            offset_days: days - 1,
        }],
        depends_on,
        scope: vec![],
    }
}

fn replatforming(name: &str) -> TemplateData {
    NewTemplate {
        name: name.into(),
        kind: EngagementKind::Replatforming,
        description: Some("Move a shop".into()),
        phases: vec![
            phase("Discovery", 0, 10, vec![]),
            phase("Catalog", 10, 20, vec![0]),
            phase("Launch", 30, 5, vec![0, 1]),
        ],
    }
    .validate()
    .unwrap()
}

async fn create(store: &Store, name: &str) -> TemplateId {
    template::create(store, replatforming(name))
        .await
        .unwrap()
        .id
}

async fn archive(store: &Store, id: TemplateId, version: i32) {
    template::update(store, id, version, true, |t| Ok(t.data.clone()))
        .await
        .unwrap();
}

async fn names(store: &Store, include_archived: bool) -> Vec<String> {
    template::list(store, include_archived)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.data.name)
        .collect()
}

fn engagement_from(start: NaiveDate) -> NewEngagement {
    NewEngagement {
        name: "Acme replatforming".into(),
        kind: EngagementKind::Replatforming,
        source_platform: None,
        target_platform: None,
        lead_id: None,
        description: None,
        planned_start: Some(start),
    }
}

// ---------------------------------------------------------------------------------------------
// Templates

db_test! {
    async fn a_created_template_reads_back_at_version_one(db) {
        let store = open(&db).await;
        let id = create(&store, "Replatforming").await;
        let read = template::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((&read.data, read.version, read.archived_at), (&replatforming("Replatforming"), 1, None));
        assert!(template::get_one(&store, TemplateId::new()).await.unwrap().is_none());
    }
}

db_test! {
    async fn names_are_unique_among_templates_in_use_whatever_their_case_and_spaces(db) {
        let store = open(&db).await;
        let id = create(&store, "Replatforming").await;
        let err = template::create(&store, replatforming("  REPLATFORMING ")).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("exists already")), "{err:?}");
        let other = create(&store, "Audit").await;
        let err = template::update(&store, other, 1, false, |t| Ok(TemplateData { name: "replatforming".into(), ..t.data.clone() })).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        archive(&store, id, 1).await;
        create(&store, "Replatforming").await;
    }
}

db_test! {
    async fn templates_list_by_name_whatever_its_case_with_archived_ones_on_request(db) {
        let store = open(&db).await;
        create(&store, "charlie").await;
        let bravo = create(&store, "Bravo").await;
        create(&store, "alpha").await;
        archive(&store, bravo, 1).await;
        assert_eq!(names(&store, false).await, ["alpha", "charlie"]);
        assert_eq!(names(&store, true).await, ["alpha", "Bravo", "charlie"]);
    }
}

db_test! {
    async fn by_ids_reads_archived_templates_too_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = create(&store, "A").await;
        let b = create(&store, "B").await;
        archive(&store, b, 1).await;
        let mut keys: Vec<TemplateId> = (0..600).map(|_| TemplateId::new()).collect();
        keys.insert(3, a);
        keys.insert(510, b);
        let mut got: Vec<TemplateId> = template::by_ids(&store, &keys).await.unwrap().iter().map(|t| t.id).collect();
        got.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(got, expected);
    }
}

db_test! {
    async fn a_change_bumps_the_version_and_the_same_data_changes_nothing(db) {
        let store = open(&db).await;
        let id = create(&store, "Replatforming").await;
        let same = template::update(&store, id, 1, false, |t| Ok(t.data.clone())).await.unwrap();
        assert_eq!(same.version, 1);
        let changed = template::update(&store, id, 1, false, |t| Ok(TemplateData { description: None, ..t.data.clone() })).await.unwrap();
        assert_eq!(changed.version, 2);
        let read = template::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.version, read.data.description), (2, None));
        let err = template::update(&store, id, 1, false, |t| Ok(t.data.clone())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
    }
}

db_test! {
    async fn archiving_keeps_the_template_readable(db) {
        let store = open(&db).await;
        let id = create(&store, "Replatforming").await;
        archive(&store, id, 1).await;
        let read = template::get_one(&store, id).await.unwrap().unwrap();
        assert!(read.archived_at.is_some());
        assert_eq!(read.version, 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Making engagements

db_test! {
    async fn an_engagement_made_from_a_template_gets_its_dated_phases_and_dependencies(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = create(&store, "Replatforming").await;
        let (e, phases) = template::instantiate(&store, "lead", id, a, |t| {
            Ok((engagement_from(day(3, 2)).validate()?, t.data.plan(day(3, 2))?))
        })
        .await
        .unwrap();
        assert_eq!(e.template, Some(TemplateRef { id, version: 1 }));
        assert_eq!(phases.len(), 3);
        let got: Vec<(&str, Option<NaiveDate>, Option<NaiveDate>)> = phases.iter().map(|p| (p.data.name.as_str(), p.data.planned_start, p.data.planned_end)).collect();
        assert_eq!(got, [
            ("Discovery", Some(day(3, 2)), Some(day(3, 11))),
            ("Catalog", Some(day(3, 12)), Some(day(3, 31))),
            ("Launch", Some(day(4, 1)), Some(day(4, 5))),
        ]);
        let stored = engagement::phase::of_engagements(&store, &[e.id]).await.unwrap().remove(&e.id).unwrap();
        let launch = stored.iter().find(|p| p.data.name == "Launch").unwrap();
        let mut deps = launch.depends_on.clone();
        deps.sort();
        let mut expected = vec![phases[0].id, phases[1].id];
        expected.sort();
        assert_eq!(deps, expected);
        assert_eq!(engagement::get(&store, e.id).await.unwrap().unwrap().template, Some(TemplateRef { id, version: 1 }));
        let kinds: Vec<EventKind> = event::list(&store, &EventQuery { limit: 100, account_id: Some(a), ..Default::default() }).await.unwrap().into_iter().map(|e| e.event.kind).filter(|k| *k != EventKind::AccountCreated).collect();
        assert_eq!(kinds, [EventKind::EngagementCreated, EventKind::PhaseCreated, EventKind::PhaseCreated, EventKind::PhaseCreated]);
    }
}

db_test! {
    async fn an_engagement_remembers_the_template_version_it_started_from(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = create(&store, "Replatforming").await;
        template::update(&store, id, 1, false, |t| Ok(TemplateData { description: None, ..t.data.clone() })).await.unwrap();
        let (e, _) = template::instantiate(&store, "lead", id, a, |t| Ok((engagement_from(day(3, 2)).validate()?, t.data.plan(day(3, 2))?))).await.unwrap();
        assert_eq!(e.template, Some(TemplateRef { id, version: 2 }));
    }
}

db_test! {
    async fn an_archived_template_makes_no_engagement(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = create(&store, "Replatforming").await;
        archive(&store, id, 1).await;
        let err = template::instantiate(&store, "lead", id, a, |t| Ok((engagement_from(day(3, 2)).validate()?, t.data.plan(day(3, 2))?))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(tandem_domain::DomainError::Conflict(_))), "{err:?}");
        assert!(engagement::by_accounts(&store, &[a]).await.unwrap().get(&a).is_none_or(|v| v.is_empty()));
        let err = template::instantiate(&store, "lead", TemplateId::new(), a, |t| Ok((engagement_from(day(3, 2)).validate()?, t.data.plan(day(3, 2))?))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "engagement template", .. }), "{err:?}");
    }
}

db_test! {
    async fn a_failure_after_the_engagement_was_written_leaves_nothing_behind(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = create(&store, "Replatforming").await;
        let err = template::instantiate(&store, "lead", id, a, |t| {
            let mut planned = t.data.plan(day(3, 2))?;
            // The first phase depending on a later one cannot be made.
            planned[0].depends_on = vec![2];
            Ok((engagement_from(day(3, 2)).validate()?, planned))
        })
        .await
        .unwrap_err();
        assert!(matches!(err, PersistenceError::Internal(_)), "{err:?}");
        assert!(engagement::by_accounts(&store, &[a]).await.unwrap().get(&a).is_none_or(|v| v.is_empty()));
        let events = event::list(&store, &EventQuery { limit: 100, account_id: Some(a), ..Default::default() }).await.unwrap();
        assert_eq!(events.len(), 1, "only ACCOUNT_CREATED");
    }
}
