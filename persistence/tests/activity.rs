//! Activities and account timelines on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, Duration, DurationRound, Utc};
use tandem_domain::account::{AccountPatch, TouchTier};
use tandem_domain::activity::TimelineItem;
use tandem_domain::activity::{ActivityData, ActivityKind, ActivityLinks};
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, ActivityId, ContactId, TeamMemberId};
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_persistence::activity::TimelineQuery;
use tandem_persistence::event::EventQuery;
use tandem_persistence::{PersistenceError, Store, account, activity, contact, event, success};
use tandem_tests::db_test;

mod common;
use common::account::{customer, person};
use common::event::count;
use common::team_member::member;
use common::{invalid, open};

/// `minutes` before a whole second a little in the past: times that every database keeps as
/// they are.
fn minutes_ago(minutes: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::hours(1))
        .duration_trunc(Duration::seconds(1))
        .unwrap()
        - Duration::minutes(minutes)
}

fn note(
    kind: ActivityKind,
    at: DateTime<Utc>,
    body: &str,
    contacts: Vec<ContactId>,
    members: Vec<TeamMemberId>,
    links: ActivityLinks,
) -> ActivityData {
    ActivityData::validate(
        kind,
        at,
        Some("Weekly sync"),
        body,
        contacts,
        members,
        links,
        Utc::now(),
    )
    .unwrap()
}

fn plain(kind: ActivityKind, at: DateTime<Utc>, body: &str) -> ActivityData {
    note(kind, at, body, vec![], vec![], ActivityLinks::default())
}

async fn log(store: &Store, a: AccountId, data: ActivityData) -> ActivityId {
    activity::create(store, "ann", a, data).await.unwrap().id
}

fn everything(limit: u64) -> TimelineQuery {
    TimelineQuery {
        activity_kinds: vec![],
        activities: true,
        events: true,
        after: None,
        limit,
    }
}

/// A timeline entry as (activity body or event kind).
fn label(item: &TimelineItem) -> String {
    match item {
        TimelineItem::Activity(a) => a.data.body.clone(),
        TimelineItem::Event(e) => e.event.kind.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Activities

db_test! {
    async fn a_logged_activity_reads_back_and_records_activity_logged(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let bo = person(&store, a, "bo@acme.com").await;
        let ann = member(&store, "Ann").await;
        let data = note(ActivityKind::Meeting, minutes_ago(5), "Talked roadmap", vec![bo], vec![ann], ActivityLinks::default());
        let created = activity::create(&store, "ann", a, data.clone()).await.unwrap();
        let read = activity::get_one(&store, created.id).await.unwrap().unwrap();
        assert_eq!((read.account_id, &read.data, read.author.as_str(), read.version), (a, &data, "ann", 1));
        let logged = event::list(&store, &EventQuery { limit: 10, kinds: vec![EventKind::ActivityLogged], ..Default::default() }).await.unwrap();
        assert_eq!(logged.len(), 1);
        assert_eq!((logged[0].event.subject_kind, logged[0].event.subject_id), (SubjectKind::Activity, created.id.0));
        assert!(logged[0].event.changes.iter().any(|c| c.field == "body" && c.after == "Talked roadmap"));
    }
}

db_test! {
    async fn participants_must_be_current_contacts_of_the_account_and_known_team_members(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let of_b = person(&store, b, "bo@globex.com").await;
        let archived = person(&store, a, "old@acme.com").await;
        contact::archive(&store, "t", archived, 1).await.unwrap();
        let with = |contacts, members| note(ActivityKind::Call, minutes_ago(5), "Call", contacts, members, ActivityLinks::default());
        let err = activity::create(&store, "ann", a, with(vec![of_b], vec![])).await.unwrap_err();
        assert!(invalid(&err, "contactIds"), "{err:?}");
        let err = activity::create(&store, "ann", a, with(vec![archived], vec![])).await.unwrap_err();
        assert!(invalid(&err, "contactIds"), "{err:?}");
        let err = activity::create(&store, "ann", a, with(vec![], vec![TeamMemberId::new()])).await.unwrap_err();
        assert!(invalid(&err, "teamMemberIds"), "{err:?}");
        assert_eq!(count(&store, EventKind::ActivityLogged).await, 0);
    }
}

db_test! {
    async fn links_must_name_the_accounts_own_objects(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let goal = |account| {
            let store = store.clone();
            async move {
                success::create_goal(&store, "cs", account, GoalData { title: "Grow".into(), target: None, due_on: None }, GoalStatus::OnTrack).await.unwrap().id
            }
        };
        let (own, other) = (goal(a).await, goal(b).await);
        let linked = |goal_id| note(ActivityKind::Note, minutes_ago(5), "On the goal", vec![], vec![], ActivityLinks { goal_id: Some(goal_id), ..Default::default() });
        let err = activity::create(&store, "ann", a, linked(other)).await.unwrap_err();
        assert!(invalid(&err, "goalId"), "{err:?}");
        let ok = activity::create(&store, "ann", a, linked(own)).await.unwrap();
        assert_eq!(activity::get_one(&store, ok.id).await.unwrap().unwrap().data.links.goal_id, Some(own));
        let err = activity::create(&store, "ann", a, note(ActivityKind::Note, minutes_ago(5), "x", vec![], vec![], ActivityLinks { engagement_id: Some(tandem_domain::ids::EngagementId::new()), ..Default::default() })).await.unwrap_err();
        assert!(invalid(&err, "engagementId"), "{err:?}");
    }
}

db_test! {
    async fn an_archived_account_takes_no_activities(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = activity::create(&store, "ann", a, plain(ActivityKind::Note, minutes_ago(5), "x")).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
    }
}

db_test! {
    async fn a_correction_records_what_changed_and_bumps_the_version(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "Short call")).await;
        let updated = activity::update(&store, "bob", id, 1, |cur| {
            Ok(Some(ActivityData { body: "Long call".into(), ..cur.data.clone() }))
        }).await.unwrap();
        assert_eq!(updated.version, 2);
        let read = activity::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.body.as_str(), read.version, read.author.as_str()), ("Long call", 2, "ann"));
        let events = event::list(&store, &EventQuery { limit: 10, kinds: vec![EventKind::ActivityUpdated], ..Default::default() }).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event.actor, "bob");
        assert_eq!(events[0].event.changes.len(), 1);
        assert_eq!((events[0].event.changes[0].before.clone(), events[0].event.changes[0].after.clone()), ("Short call".into(), "Long call".into()));
    }
}

db_test! {
    async fn a_correction_that_changes_nothing_writes_nothing(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "Call")).await;
        let same = activity::update(&store, "ann", id, 1, |cur| Ok(Some(cur.data.clone()))).await.unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(count(&store, EventKind::ActivityUpdated).await, 0);
    }
}

db_test! {
    async fn a_correction_is_checked_like_a_new_activity(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let of_b = person(&store, b, "bo@globex.com").await;
        let id = log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "Call")).await;
        let err = activity::update(&store, "ann", id, 1, |cur| Ok(Some(ActivityData { contact_ids: vec![of_b], ..cur.data.clone() }))).await.unwrap_err();
        assert!(invalid(&err, "contactIds"), "{err:?}");
        assert!(activity::get_one(&store, id).await.unwrap().unwrap().data.contact_ids.is_empty());
    }
}

db_test! {
    async fn a_stale_version_is_refused(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "Call")).await;
        activity::update(&store, "ann", id, 1, |cur| Ok(Some(ActivityData { body: "Two".into(), ..cur.data.clone() }))).await.unwrap();
        let err = activity::update(&store, "ann", id, 1, |cur| Ok(Some(ActivityData { body: "Three".into(), ..cur.data.clone() }))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert_eq!(activity::get_one(&store, id).await.unwrap().unwrap().data.body, "Two");
    }
}

db_test! {
    async fn a_deleted_activity_is_gone_and_recorded(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "Call")).await;
        activity::update(&store, "ann", id, 1, |_| Ok(None)).await.unwrap();
        assert!(activity::get_one(&store, id).await.unwrap().is_none());
        assert_eq!(count(&store, EventKind::ActivityDeleted).await, 1);
        let err = activity::update(&store, "ann", id, 2, |_| Ok(None)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "activity", .. }), "{err:?}");
        assert!(activity::timeline(&store, a, &TimelineQuery { events: false, ..everything(10) }).await.unwrap().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Timelines

db_test! {
    async fn a_timeline_merges_activities_and_events_newest_first(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await; // ACCOUNT_CREATED now
        log(&store, a, plain(ActivityKind::Call, minutes_ago(30), "older call")).await;
        log(&store, a, plain(ActivityKind::Note, minutes_ago(10), "newer note")).await;
        account::update(&store, "t", a, 1, |acc| acc.patched(AccountPatch { touch_tier: Some(TouchTier::High), ..Default::default() })).await.unwrap();
        let b = customer(&store, "Globex").await;
        log(&store, b, plain(ActivityKind::Call, minutes_ago(1), "elsewhere")).await;
        let items = activity::timeline(&store, a, &everything(10)).await.unwrap();
        let labels: Vec<String> = items.iter().map(label).collect();
        // Events happen now; the activities were logged as having happened earlier.
        assert_eq!(labels, ["ACCOUNT_UPDATED", "ACCOUNT_CREATED", "newer note", "older call"]);
        assert_eq!(activity::timeline(&store, a, &everything(3)).await.unwrap().len(), 3);
    }
}

db_test! {
    async fn a_timeline_shows_only_what_it_is_asked_for(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        log(&store, a, plain(ActivityKind::Call, minutes_ago(30), "call")).await;
        log(&store, a, plain(ActivityKind::Email, minutes_ago(20), "email")).await;
        let labels = |q: TimelineQuery| {
            let store = store.clone();
            async move { activity::timeline(&store, a, &q).await.unwrap().iter().map(label).collect::<Vec<_>>() }
        };
        assert_eq!(labels(TimelineQuery { events: false, ..everything(10) }).await, ["email", "call"]);
        assert_eq!(labels(TimelineQuery { activities: false, ..everything(10) }).await, ["ACCOUNT_CREATED"], "no ACTIVITY_* events");
        assert_eq!(labels(TimelineQuery { activity_kinds: vec![ActivityKind::Call], ..everything(10) }).await, ["ACCOUNT_CREATED", "call"]);
    }
}

db_test! {
    async fn timeline_pages_walk_every_item_once_through_ties(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let tie = minutes_ago(15);
        for body in ["t1", "t2", "t3"] {
            log(&store, a, plain(ActivityKind::Note, tie, body)).await;
        }
        log(&store, a, plain(ActivityKind::Call, minutes_ago(40), "old")).await;
        log(&store, a, plain(ActivityKind::Call, minutes_ago(5), "recent")).await;
        for tier in [TouchTier::High, TouchTier::Low] {
            let v = account::get(&store, a).await.unwrap().unwrap().version;
            account::update(&store, "t", a, v, |acc| acc.patched(AccountPatch { touch_tier: Some(tier), ..Default::default() })).await.unwrap();
        }
        let all: Vec<String> = activity::timeline(&store, a, &everything(100)).await.unwrap().iter().map(label).collect();
        assert_eq!(all.len(), 8);
        let mut walked = Vec::new();
        let mut query = everything(2);
        loop {
            let page = activity::timeline(&store, a, &query).await.unwrap();
            walked.extend(page.iter().map(label));
            match page.last() {
                Some(last) if page.len() == 2 => query.after = Some(last.key()),
                _ => break,
            }
        }
        assert_eq!(walked, all);
    }
}

db_test! {
    async fn at_the_same_instant_an_event_comes_before_an_activity_even_across_pages(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let created = event::list(&store, &EventQuery { limit: 10, account_id: Some(a), ..Default::default() }).await.unwrap();
        let instant = created[0].occurred_at;
        log(&store, a, plain(ActivityKind::Note, instant, "same instant")).await;
        let all: Vec<String> = activity::timeline(&store, a, &everything(10)).await.unwrap().iter().map(label).collect();
        assert_eq!(all, ["ACCOUNT_CREATED", "same instant"]);
        let first = activity::timeline(&store, a, &everything(1)).await.unwrap();
        assert_eq!(first.iter().map(label).collect::<Vec<_>>(), ["ACCOUNT_CREATED"]);
        let second = activity::timeline(&store, a, &TimelineQuery { after: Some(first[0].key()), ..everything(1) }).await.unwrap();
        assert_eq!(second.iter().map(label).collect::<Vec<_>>(), ["same instant"]);
        let third = activity::timeline(&store, a, &TimelineQuery { after: Some(second[0].key()), ..everything(1) }).await.unwrap();
        assert!(third.is_empty(), "{:?}", third.iter().map(label).collect::<Vec<_>>());
    }
}
