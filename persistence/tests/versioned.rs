//! One way to do optimistic concurrency, across the repositories that write SQL by hand: a
//! write naming the version it read succeeds and bumps the version; one naming an older version
//! is refused as stale and changes nothing, events included. On PostgreSQL a writer can slip in
//! between another's read and its write: the condition in the other's UPDATE refuses it then.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::future::Future;

use chrono::{DateTime, Days, Duration, DurationRound, Utc};
use tandem_domain::account::{NewAccount, TouchTier};
use tandem_domain::activity::{ActivityData, ActivityKind, ActivityLinks};
use tandem_domain::event::EventKind;
use tandem_domain::health::{Component, HealthModel, HealthModelDef, Weight};
use tandem_domain::ids::{
    AccountId, ActivityId, HealthModelId, PlaybookId, RiskId, WebhookEndpointId,
};
use tandem_domain::playbook::{Action, Condition, PlaybookChange, PlaybookData, Trigger};
use tandem_domain::renewal::{
    Decision, Likelihood, RenewalData, RenewalOutcome, RiskCategory, RiskData, RiskSeverity,
    RiskStatus,
};
use tandem_domain::webhook::{EndpointChange, EndpointData, Envelope, SignatureScheme};
use tandem_persistence::event::EventQuery;
use tandem_persistence::{
    PersistenceError, Store, account, activity, event, health, playbook, renewal, webhook,
};
use tandem_tests::{TestDb, db_test};

mod common;
use common::open;

/// Asserts that `result` is the refusal of a write naming version `read` of an `entity` now at
/// `current`.
#[track_caller]
fn assert_stale<T: std::fmt::Debug>(
    result: Result<T, PersistenceError>,
    entity: &str,
    read: i32,
    current: i32,
) {
    let err = result.unwrap_err();
    assert!(
        matches!(err, PersistenceError::Stale { entity: e, read: r, current: c }
            if e == entity && r == read && c == current),
        "{err:?}"
    );
}

/// How many events of `kind` have been recorded.
async fn count(store: &Store, kind: EventKind) -> usize {
    let query = EventQuery {
        limit: 1000,
        kinds: vec![kind],
        ..EventQuery::default()
    };
    event::list(store, &query).await.unwrap().len()
}

async fn customer(store: &Store) -> AccountId {
    let new = NewAccount {
        name: "Acme".into(),
        currency: Some("USD".into()),
        ..Default::default()
    };
    account::create(store, "t", new.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// Runs `write` to its end from inside a synchronous change closure, on another connection:
/// the write that slips in between a read and the write computed from it.
fn meanwhile<F: Future>(write: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(write))
}

/// A PostgreSQL store, for what only PostgreSQL lets happen: SQLite's write transactions take
/// the write lock before they read, so no writer slips in between. `None` when no server is
/// configured and none is required.
async fn postgres() -> Option<(TestDb, Store)> {
    let db = TestDb::postgres().await?;
    let store = open(&db).await;
    Some((db, store))
}

fn playbook_named(name: &str) -> PlaybookData {
    let trigger = Trigger::Event {
        kind: EventKind::AccountCreated,
    };
    let actions = vec![Action::AddTag { tag: "new".into() }];
    PlaybookData::validate(name, None, trigger, Condition::default(), actions).unwrap()
}

async fn rename_playbook(
    store: &Store,
    id: PlaybookId,
    version: i32,
    name: &str,
) -> Result<i32, PersistenceError> {
    playbook::update(store, id, version, |p| {
        Ok(PlaybookChange {
            data: playbook_named(name),
            enabled: p.enabled,
            archive: false,
        })
    })
    .await
    .map(|p| p.version)
}

db_test! {
    async fn a_playbook_changes_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let id = playbook::create(&store, "ops", playbook_named("Welcome"), true).await.unwrap().id;
        assert_eq!(rename_playbook(&store, id, 1, "Hello").await.unwrap(), 2);
        assert_stale(rename_playbook(&store, id, 1, "Hi").await, "playbook", 1, 2);
        let read = playbook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.name.as_str(), read.version), ("Hello", 2));
        assert_eq!(rename_playbook(&store, id, 2, "Hi").await.unwrap(), 3);
    }
}

fn endpoint(description: &str) -> EndpointData {
    EndpointData::validate(
        "https://hooks.example.com/tandem",
        Some(description),
        vec![],
        SignatureScheme::StandardWebhooks,
        Envelope::Tandem,
    )
    .unwrap()
}

async fn describe_endpoint(
    store: &Store,
    id: WebhookEndpointId,
    version: i32,
    description: &str,
) -> Result<i32, PersistenceError> {
    webhook::update(store, "test", id, version, |e| {
        Ok(EndpointChange {
            data: endpoint(description),
            enabled: e.enabled,
            archive: false,
            secrets: e.secrets.clone(),
        })
    })
    .await
    .map(|e| e.version)
}

db_test! {
    async fn a_webhook_endpoint_changes_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let id = webhook::create(&store, "crm", endpoint("One"), "s3cret".into()).await.unwrap().id;
        assert_eq!(describe_endpoint(&store, id, 1, "Two").await.unwrap(), 2);
        assert_stale(describe_endpoint(&store, id, 1, "Three").await, "webhook endpoint", 1, 2);
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.description.as_deref(), read.version), (Some("Two"), 2));
        assert_eq!(describe_endpoint(&store, id, 2, "Three").await.unwrap(), 3);
    }
}

fn threat(severity: RiskSeverity) -> RiskData {
    RiskData::validate(
        RiskCategory::Adoption,
        severity,
        "Few logins",
        None,
        None,
        None,
    )
    .unwrap()
}

async fn escalate(
    store: &Store,
    id: RiskId,
    version: i32,
    to: RiskSeverity,
) -> Result<i32, PersistenceError> {
    renewal::update(store, "ann", id, version, |_| {
        Ok((threat(to), RiskStatus::Open))
    })
    .await
    .map(|r| r.version)
}

db_test! {
    async fn a_risk_changes_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let a = customer(&store).await;
        let id = renewal::raise(&store, "ann", a, threat(RiskSeverity::Low)).await.unwrap().id;
        assert_eq!(escalate(&store, id, 1, RiskSeverity::High).await.unwrap(), 2);
        assert_stale(escalate(&store, id, 1, RiskSeverity::Critical).await, "risk", 1, 2);
        let read = renewal::get_risk(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.severity, read.version), (RiskSeverity::High, 2));
        assert_eq!(count(&store, EventKind::RiskUpdated).await, 1, "a refused write records nothing");
    }
}

fn forecast_of(arr: i64) -> RenewalData {
    let renews_on = Utc::now().date_naive() + Days::new(90);
    RenewalData::validate(renews_on, arr, Likelihood::Probable, None, None).unwrap()
}

fn churned(
    _: &tandem_domain::renewal::Renewal,
    before: i64,
) -> tandem_domain::DomainResult<Decision> {
    Decision::validate(
        RenewalOutcome::Churned,
        None,
        Some(RiskCategory::Budget),
        Utc::now().date_naive(),
        before,
    )
}

db_test! {
    async fn a_renewal_is_forecast_and_decided_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let a = customer(&store).await;
        let r = renewal::forecast(&store, "ann", a, None, forecast_of(100)).await.unwrap();
        let again = renewal::forecast(&store, "ann", a, Some(1), forecast_of(200)).await.unwrap();
        assert_eq!(again.version, 2);
        let late = renewal::forecast(&store, "ann", a, Some(1), forecast_of(300)).await;
        assert_stale(late, "renewal", 1, 2);
        assert_stale(renewal::decide(&store, "ann", r.id, 1, churned).await, "renewal", 1, 2);
        let read = &renewal::renewals_of(&store, &[a]).await.unwrap()[0];
        assert_eq!((read.data.forecast_arr, read.decision, read.version), (200, None, 2));
        assert_eq!(count(&store, EventKind::RenewalForecast).await, 2);
        assert_eq!(count(&store, EventKind::RenewalDecided).await, 0);
        assert_eq!(renewal::decide(&store, "ann", r.id, 2, churned).await.unwrap().version, 3);
        let decided = renewal::forecast(&store, "ann", a, Some(3), forecast_of(300)).await;
        assert_stale(decided, "renewal", 3, 0);
    }
}

/// A whole second an hour ago: a time every database keeps as it is.
fn an_hour_ago() -> DateTime<Utc> {
    (Utc::now() - Duration::hours(1))
        .duration_trunc(Duration::seconds(1))
        .unwrap()
}

fn call(body: &str, at: DateTime<Utc>) -> ActivityData {
    ActivityData::validate(
        ActivityKind::Call,
        at,
        None,
        body,
        vec![],
        vec![],
        ActivityLinks::default(),
        Utc::now(),
    )
    .unwrap()
}

async fn correct(
    store: &Store,
    id: ActivityId,
    version: i32,
    body: &str,
) -> Result<i32, PersistenceError> {
    activity::update(store, "ann", id, version, |cur| {
        Ok(Some(call(body, cur.data.occurred_at)))
    })
    .await
    .map(|a| a.version)
}

db_test! {
    async fn an_activity_is_corrected_and_deleted_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let a = customer(&store).await;
        let id = activity::create(&store, "ann", a, call("One", an_hour_ago())).await.unwrap().id;
        assert_eq!(correct(&store, id, 1, "Two").await.unwrap(), 2);
        assert_stale(correct(&store, id, 1, "Three").await, "activity", 1, 2);
        assert_stale(activity::update(&store, "ann", id, 1, |_| Ok(None)).await, "activity", 1, 2);
        let read = activity::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.body.as_str(), read.version), ("Two", 2));
        assert_eq!(count(&store, EventKind::ActivityUpdated).await, 1);
        assert_eq!(count(&store, EventKind::ActivityDeleted).await, 0);
        assert_eq!(activity::update(&store, "ann", id, 2, |_| Ok(None)).await.unwrap().version, 3);
        assert!(activity::get_one(&store, id).await.unwrap().is_none(), "deleted");
    }
}

fn model(name: &str, component: Component) -> HealthModelDef {
    let weights = vec![Weight {
        component,
        basis_points: 10_000,
    }];
    HealthModelDef {
        name: name.into(),
        weights,
        healthy_from: 70,
        at_risk_from: 40,
    }
    .validate()
    .unwrap()
}

async fn change_model(
    store: &Store,
    id: HealthModelId,
    version: i32,
    def: Option<HealthModelDef>,
    archive: bool,
) -> Result<HealthModel, PersistenceError> {
    health::model::update_model(store, "admin", id, version, def, archive).await
}

db_test! {
    async fn a_health_model_changes_only_at_the_version_it_was_read(db) {
        let store = open(&db).await;
        let by_goals = model("By goals", Component::GoalAttainment);
        let by_tickets = model("By tickets", Component::SupportLoad);
        let by_usage = model("By usage", Component::Usage);
        let high = Some(TouchTier::High);
        let id = health::model::create_model(&store, "admin", by_goals, high, None).await.unwrap().id;
        let changed = change_model(&store, id, 1, Some(by_tickets.clone()), false).await.unwrap();
        assert_eq!(changed.version, 2);
        assert_stale(change_model(&store, id, 1, Some(by_usage), false).await, "health model", 1, 2);
        assert_stale(change_model(&store, id, 1, None, true).await, "health model", 1, 2);
        let models = health::model::models(&store, true).await.unwrap();
        let read = models.iter().find(|m| m.id == id).unwrap();
        assert_eq!((&read.def, read.version, read.archived_at), (&by_tickets, 2, None));
        assert!(change_model(&store, id, 2, None, true).await.unwrap().archived_at.is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_loses_to_a_forecast_that_slipped_in_after_it_read_the_renewal() {
    let Some((db, store)) = postgres().await else {
        return;
    };
    let a = customer(&store).await;
    let r = renewal::forecast(&store, "ann", a, None, forecast_of(100))
        .await
        .unwrap();
    let decided = renewal::decide(&store, "ann", r.id, 1, |current, before| {
        meanwhile(renewal::forecast(
            &store,
            "bob",
            a,
            Some(1),
            forecast_of(200),
        ))
        .unwrap();
        churned(current, before)
    })
    .await;
    assert_stale(decided, "renewal", 1, 2);
    let read = &renewal::renewals_of(&store, &[a]).await.unwrap()[0];
    assert_eq!(
        (
            read.data.forecast_arr,
            read.decision.is_none(),
            read.version
        ),
        (200, true, 2)
    );
    assert_eq!(count(&store, EventKind::RenewalDecided).await, 0);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_correction_loses_to_one_that_slipped_in_after_it_read_the_activity() {
    let Some((db, store)) = postgres().await else {
        return;
    };
    let a = customer(&store).await;
    let id = activity::create(&store, "ann", a, call("One", an_hour_ago()))
        .await
        .unwrap()
        .id;
    let corrected = activity::update(&store, "ann", id, 1, |cur| {
        meanwhile(correct(&store, id, 1, "Bob's")).unwrap();
        Ok(Some(call("Ann's", cur.data.occurred_at)))
    })
    .await;
    assert_stale(corrected, "activity", 1, 2);
    let read = activity::get_one(&store, id).await.unwrap().unwrap();
    assert_eq!((read.data.body.as_str(), read.version), ("Bob's", 2));
    assert_eq!(count(&store, EventKind::ActivityUpdated).await, 1);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_change_loses_to_one_that_slipped_in_after_it_read_the_endpoint() {
    let Some((db, store)) = postgres().await else {
        return;
    };
    let id = webhook::create(&store, "crm", endpoint("One"), "s3cret".into())
        .await
        .unwrap()
        .id;
    let changed = webhook::update(&store, "test", id, 1, |e| {
        meanwhile(describe_endpoint(&store, id, 1, "Bob's")).unwrap();
        Ok(EndpointChange {
            data: endpoint("Ann's"),
            enabled: e.enabled,
            archive: false,
            secrets: e.secrets.clone(),
        })
    })
    .await;
    assert_stale(changed, "webhook endpoint", 1, 2);
    let read = webhook::get_one(&store, id).await.unwrap().unwrap();
    assert_eq!(
        (read.data.description.as_deref(), read.version),
        (Some("Bob's"), 2)
    );
    db.cleanup().await;
}
