//! Webhook endpoints, deliveries and attempts on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, Duration, Utc};
use tandem_domain::account::{AccountPatch, TouchTier};
use tandem_domain::event::EventKind;
use tandem_domain::ids::{AccountId, WebhookDeliveryId, WebhookEndpointId};
use tandem_domain::webhook::{
    AttemptResult, DeliveryStatus, Due, EndpointChange, EndpointData, Envelope, RetryPolicy,
    SignatureScheme,
};
use tandem_persistence::webhook::DeliveryQuery;
use tandem_persistence::{PersistenceError, Store, account, webhook};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::automation::run_worker;
use common::open;

fn data(url: &str, kinds: Vec<EventKind>) -> EndpointData {
    EndpointData::validate(
        url,
        Some("CRM sync"),
        kinds,
        SignatureScheme::StandardWebhooks,
        Envelope::Tandem,
    )
    .unwrap()
}

/// Registers an endpoint for `kinds` (every kind when empty) as `who`; returns its id.
async fn register(store: &Store, who: &str, kinds: Vec<EventKind>) -> WebhookEndpointId {
    webhook::create(
        store,
        who,
        data("https://hooks.example.com/tandem", kinds),
        "s3cret".into(),
    )
    .await
    .unwrap()
    .id
}

/// Records an `ACCOUNT_UPDATED` event on `a` (at version 1).
async fn touch(store: &Store, a: AccountId) {
    account::update(store, "t", a, 1, |acc| {
        acc.patched(AccountPatch {
            touch_tier: Some(TouchTier::High),
            ..AccountPatch::default()
        })
    })
    .await
    .unwrap();
}

/// Runs the automation worker over every event so far; returns the deliveries it owed.
async fn drain(store: &Store) -> usize {
    run_worker(store).await.deliveries
}

/// What is due a second from now.
async fn due(store: &Store) -> Vec<Due> {
    webhook::due(store, Utc::now() + Duration::seconds(1), 100)
        .await
        .unwrap()
}

fn ok(at: DateTime<Utc>) -> AttemptResult {
    AttemptResult {
        attempted_at: at,
        status_code: Some(204),
        error: None,
        duration_ms: 12,
    }
}

fn failed(at: DateTime<Utc>) -> AttemptResult {
    AttemptResult {
        attempted_at: at,
        status_code: Some(500),
        error: Some("HTTP 500".into()),
        duration_ms: 30,
    }
}

/// Try again at `next`; never disable the endpoint.
fn retry(next: DateTime<Utc>) -> RetryPolicy {
    RetryPolicy {
        next_attempt_at: Some(next),
        disable_if_failing_since_before: Utc::now() - Duration::days(365),
    }
}

/// Give up on the delivery; never disable the endpoint.
fn give_up() -> RetryPolicy {
    RetryPolicy {
        next_attempt_at: None,
        disable_if_failing_since_before: Utc::now() - Duration::days(365),
    }
}

fn all(limit: u64) -> DeliveryQuery {
    DeliveryQuery {
        statuses: vec![],
        limit,
    }
}

/// `enabled` and `archive` applied to an endpoint as it is.
async fn change(
    store: &Store,
    id: WebhookEndpointId,
    version: i32,
    enabled: bool,
    archive: bool,
) -> Result<i32, PersistenceError> {
    webhook::update(store, "test", id, version, |e| {
        Ok(EndpointChange {
            data: e.data.clone(),
            enabled,
            archive,
            secrets: e.secrets.clone(),
        })
    })
    .await
    .map(|e| e.version)
}

// ---------------------------------------------------------------------------------------------
// Endpoints

db_test! {
    async fn a_registered_endpoint_reads_back_enabled_with_its_secret(db) {
        let store = open(&db).await;
        let created = webhook::create(&store, "crm", data("https://hooks.example.com/a", vec![EventKind::AccountUpdated, EventKind::AccountCreated]), "s3cret".into()).await.unwrap();
        let read = webhook::get_one(&store, created.id).await.unwrap().unwrap();
        assert_eq!(read.data, created.data);
        assert_eq!(read.data.event_kinds, [EventKind::AccountCreated, EventKind::AccountUpdated]);
        assert_eq!(read.data.url.as_str(), "https://hooks.example.com/a");
        assert_eq!((read.secrets.current.as_str(), read.enabled, read.version, read.created_by.as_str()), ("s3cret", true, 1, "crm"));
        assert_eq!(read.secrets.previous, None);
        assert_eq!((read.data.signature_scheme, read.data.envelope), (SignatureScheme::StandardWebhooks, Envelope::Tandem));
        assert_eq!((read.consecutive_failures, read.failing_since, read.disabled_reason.as_deref()), (0, None, None));
        assert!(webhook::get_one(&store, WebhookEndpointId::new()).await.unwrap().is_none());
    }
}

db_test! {
    async fn endpoints_list_oldest_first_and_by_who_registered_them(db) {
        let store = open(&db).await;
        let a = register(&store, "crm", vec![]).await;
        let b = register(&store, "billing", vec![]).await;
        let c = register(&store, "crm", vec![]).await;
        let everyone: Vec<WebhookEndpointId> = webhook::list(&store, None).await.unwrap().iter().map(|e| e.id).collect();
        assert_eq!(everyone, [a, b, c]);
        let crm: Vec<WebhookEndpointId> = webhook::list(&store, Some("crm")).await.unwrap().iter().map(|e| e.id).collect();
        assert_eq!(crm, [a, c]);
        assert!(webhook::list(&store, Some("nobody")).await.unwrap().is_empty());
    }
}

db_test! {
    async fn a_changed_endpoint_bumps_its_version_and_keeps_its_secret(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        let updated = webhook::update(&store, "test", id, 1, |e| {
            Ok(EndpointChange { data: data("https://hooks.example.com/b", vec![EventKind::AccountArchived]), enabled: true, archive: false, secrets: e.secrets.clone() })
        })
        .await
        .unwrap();
        assert_eq!(updated.version, 2);
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!(read.data.url.as_str(), "https://hooks.example.com/b");
        assert_eq!(read.data.event_kinds, [EventKind::AccountArchived]);
        assert_eq!((read.version, read.secrets.current.as_str()), (2, "s3cret"));
    }
}

db_test! {
    async fn a_rotation_keeps_the_old_secret_until_its_overlap_ends(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        let now = Utc::now();
        let rotated = webhook::update(&store, "test", id, 1, |e| {
            Ok(EndpointChange {
                data: e.data.clone(),
                enabled: e.enabled,
                archive: false,
                secrets: e.secrets.rotated("n3w".into(), now, Duration::hours(1)),
            })
        })
        .await
        .unwrap();
        assert_eq!(rotated.version, 2);
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!(read.secrets, rotated.secrets);
        assert_eq!(read.secrets.current, "n3w");
        let previous = read.secrets.previous.clone().unwrap();
        assert_eq!(previous.secret, "s3cret");
        assert!((previous.expires_at - (now + Duration::hours(1))).num_milliseconds().abs() < 1000, "{previous:?}");
        // What the dispatcher reads carries both secrets.
        customer(&store, "Acme").await;
        drain(&store).await;
        let owed = due(&store).await;
        assert_eq!(owed[0].secrets, read.secrets);
        // A rotation without overlap leaves one secret.
        webhook::update(&store, "test", id, 2, |e| {
            Ok(EndpointChange { data: e.data.clone(), enabled: e.enabled, archive: false, secrets: e.secrets.rotated("l4st".into(), Utc::now(), Duration::zero()) })
        })
        .await
        .unwrap();
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.secrets.current.as_str(), read.secrets.previous), ("l4st", None));
    }
}

db_test! {
    async fn an_endpoint_keeps_the_scheme_and_envelope_it_chose(db) {
        let store = open(&db).await;
        let chosen = EndpointData::validate("https://hooks.example.com/ce", None, vec![], SignatureScheme::Tandem, Envelope::CloudEvents).unwrap();
        let id = webhook::create(&store, "crm", chosen.clone(), "s3cret".into()).await.unwrap().id;
        assert_eq!(webhook::get_one(&store, id).await.unwrap().unwrap().data, chosen);
        let standard = EndpointData { signature_scheme: SignatureScheme::StandardWebhooks, ..chosen };
        webhook::update(&store, "test", id, 1, |e| {
            Ok(EndpointChange { data: standard.clone(), enabled: true, archive: false, secrets: e.secrets.clone() })
        })
        .await
        .unwrap();
        assert_eq!(webhook::get_one(&store, id).await.unwrap().unwrap().data, standard);
        customer(&store, "Acme").await;
        drain(&store).await;
        let owed = due(&store).await;
        assert_eq!((owed[0].signature_scheme, owed[0].envelope), (SignatureScheme::StandardWebhooks, Envelope::CloudEvents));
    }
}

db_test! {
    async fn endpoints_registered_before_standard_webhooks_keep_tandems_scheme(db) {
        use tandem_migrations::{Migrator, MigratorTrait};
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        let conn = db.connect().await;
        // Back to before migration 000020, whatever came after it, and up again: the row
        // written before it is read as an endpoint of Tandem's scheme and body.
        let steps = Migrator::migrations().len() as u32 - 19;
        Migrator::down(&conn, Some(steps)).await.unwrap();
        Migrator::up(&conn, None).await.unwrap();
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.signature_scheme, read.data.envelope), (SignatureScheme::Tandem, Envelope::Tandem));
        assert_eq!((read.secrets.current.as_str(), read.secrets.previous), ("s3cret", None));
    }
}

db_test! {
    async fn a_deleted_endpoint_leaves_the_list_but_still_reads_by_id(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        change(&store, id, 1, true, true).await.unwrap();
        assert!(webhook::list(&store, None).await.unwrap().is_empty());
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert!(read.archived_at.is_some());
        assert!(!read.enabled, "a deleted endpoint is not enabled");
    }
}

db_test! {
    async fn a_deleted_endpoint_can_no_longer_change(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        let v = change(&store, id, 1, true, true).await.unwrap();
        let err = change(&store, id, v, true, false).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("deleted")), "{err:?}");
    }
}

db_test! {
    async fn a_stale_endpoint_version_is_refused(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        change(&store, id, 1, false, false).await.unwrap();
        let err = change(&store, id, 1, true, true).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let read = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.enabled, read.archived_at), (false, None));
    }
}

db_test! {
    async fn changing_an_unknown_endpoint_is_not_found(db) {
        let store = open(&db).await;
        let err = change(&store, WebhookEndpointId::new(), 1, true, false).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "webhook endpoint", .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Deliveries owed

db_test! {
    async fn an_endpoint_is_owed_each_event_it_wants_once(db) {
        let store = open(&db).await;
        let created_only = register(&store, "crm", vec![EventKind::AccountCreated]).await;
        let everything = register(&store, "crm", vec![]).await;
        let a = customer(&store, "Acme").await;
        touch(&store, a).await;
        assert_eq!(drain(&store).await, 3);
        assert_eq!(drain(&store).await, 0, "a second pass owes nothing more");
        let wanted = webhook::deliveries(&store, created_only, &all(10)).await.unwrap();
        assert_eq!(wanted.len(), 1);
        let every = webhook::deliveries(&store, everything, &all(10)).await.unwrap();
        assert_eq!(every.len(), 2);
        let d = &wanted[0];
        assert_eq!((d.status, d.attempts, d.last_error.as_deref(), d.delivered_at), (DeliveryStatus::Pending, 0, None, None));
        assert!(d.next_attempt_at.is_some());
        // Both endpoints owe the creation event, each once.
        let owes_it = |list: &[tandem_domain::webhook::Delivery]| {
            list.iter().filter(|x| x.event_cursor == d.event_cursor).count()
        };
        assert_eq!((owes_it(&wanted), owes_it(&every)), (1, 1));
    }
}

db_test! {
    async fn an_endpoint_is_owed_only_events_after_its_registration(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let id = register(&store, "crm", vec![]).await;
        touch(&store, a).await;
        assert_eq!(drain(&store).await, 1);
        let owed = webhook::deliveries(&store, id, &all(10)).await.unwrap();
        assert_eq!(owed.len(), 1);
        // The account's creation, committed before the endpoint was registered, is not owed.
        assert!(owed.iter().all(|d| d.event_cursor == owed[0].event_cursor));
    }
}

db_test! {
    async fn a_disabled_endpoint_is_owed_nothing(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        change(&store, id, 1, false, false).await.unwrap();
        customer(&store, "Acme").await;
        assert_eq!(drain(&store).await, 0);
        assert!(webhook::deliveries(&store, id, &all(10)).await.unwrap().is_empty());
    }
}

db_test! {
    async fn deliveries_list_newest_event_first_by_status_up_to_the_limit(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        for name in ["A", "B", "C"] {
            customer(&store, name).await;
        }
        drain(&store).await;
        let listed = webhook::deliveries(&store, id, &all(10)).await.unwrap();
        let cursors: Vec<i64> = listed.iter().map(|d| d.event_cursor).collect();
        assert_eq!(cursors.len(), 3);
        assert!(cursors.windows(2).all(|w| w[0] > w[1]), "{cursors:?}");
        assert_eq!(webhook::deliveries(&store, id, &all(2)).await.unwrap().len(), 2);

        // Deliver the oldest.
        let oldest = due(&store).await.into_iter().find(|d| d.delivery.event_cursor == cursors[2]).unwrap();
        webhook::record_attempt(&store, &oldest, &ok(Utc::now()), give_up()).await.unwrap();
        let delivered = DeliveryQuery { statuses: vec![DeliveryStatus::Delivered], limit: 10 };
        let got: Vec<i64> = webhook::deliveries(&store, id, &delivered).await.unwrap().iter().map(|d| d.event_cursor).collect();
        assert_eq!(got, [cursors[2]]);
        let open = DeliveryQuery { statuses: vec![DeliveryStatus::Pending, DeliveryStatus::Failed], limit: 10 };
        assert_eq!(webhook::deliveries(&store, id, &open).await.unwrap().len(), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Due deliveries and attempts

db_test! {
    async fn due_deliveries_come_oldest_first_with_where_and_how_to_send_them(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        customer(&store, "B").await;
        drain(&store).await;
        let before = webhook::due(&store, Utc::now() - Duration::hours(1), 100).await.unwrap();
        assert!(before.is_empty(), "nothing is due before it was owed");
        let now = due(&store).await;
        assert_eq!(now.len(), 2);
        assert!(now[0].delivery.event_cursor < now[1].delivery.event_cursor);
        assert_eq!((now[0].url.as_str(), now[0].secrets.current.as_str(), now[0].delivery.endpoint_id), ("https://hooks.example.com/tandem", "s3cret", id));
        assert_eq!((now[0].signature_scheme, now[0].envelope), (SignatureScheme::StandardWebhooks, Envelope::Tandem));
        assert_eq!(webhook::due(&store, Utc::now() + Duration::seconds(1), 1).await.unwrap().len(), 1);
    }
}

db_test! {
    async fn nothing_is_due_to_a_disabled_endpoint(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        change(&store, id, 1, false, false).await.unwrap();
        assert!(due(&store).await.is_empty());
        assert_eq!(webhook::deliveries(&store, id, &all(10)).await.unwrap()[0].status, DeliveryStatus::Pending);
    }
}

db_test! {
    async fn a_successful_attempt_delivers_and_clears_the_failure_record(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let first = due(&store).await.remove(0);
        let t1 = Utc::now();
        webhook::record_attempt(&store, &first, &failed(t1), retry(t1)).await.unwrap();
        assert_eq!(webhook::get_one(&store, id).await.unwrap().unwrap().consecutive_failures, 1);
        let second = due(&store).await.remove(0);
        assert_eq!(second.delivery.attempts, 1);
        let t2 = Utc::now();
        webhook::record_attempt(&store, &second, &ok(t2), give_up()).await.unwrap();
        let d = &webhook::deliveries(&store, id, &all(1)).await.unwrap()[0];
        assert_eq!((d.status, d.attempts, d.next_attempt_at, d.last_error.as_deref()), (DeliveryStatus::Delivered, 2, None, None));
        assert!(d.delivered_at.is_some_and(|at| (at - t2).num_milliseconds().abs() < 1));
        let e = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((e.consecutive_failures, e.failing_since, e.enabled), (0, None, true));
        assert!(due(&store).await.is_empty());
    }
}

db_test! {
    async fn a_failed_attempt_with_a_retry_reschedules_and_counts_against_the_endpoint(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let d = due(&store).await.remove(0);
        let at = Utc::now();
        let later = at + Duration::minutes(5);
        webhook::record_attempt(&store, &d, &failed(at), retry(later)).await.unwrap();
        let read = &webhook::deliveries(&store, id, &all(1)).await.unwrap()[0];
        assert_eq!((read.status, read.attempts, read.last_error.as_deref(), read.delivered_at), (DeliveryStatus::Pending, 1, Some("HTTP 500"), None));
        assert!(read.next_attempt_at.is_some_and(|n| (n - later).num_milliseconds().abs() < 1));
        assert!(due(&store).await.is_empty(), "not due before the retry");
        assert_eq!(webhook::due(&store, later + Duration::seconds(1), 10).await.unwrap().len(), 1);
        let e = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!(e.consecutive_failures, 1);
        assert!(e.failing_since.is_some_and(|s| (s - at).num_milliseconds().abs() < 1));
        assert!(e.enabled);
    }
}

db_test! {
    async fn a_failed_attempt_without_a_retry_gives_the_delivery_up(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let d = due(&store).await.remove(0);
        webhook::record_attempt(&store, &d, &failed(Utc::now()), give_up()).await.unwrap();
        let read = &webhook::deliveries(&store, id, &all(1)).await.unwrap()[0];
        assert_eq!((read.status, read.next_attempt_at, read.last_error.as_deref()), (DeliveryStatus::Failed, None, Some("HTTP 500")));
        assert!(webhook::due(&store, Utc::now() + Duration::days(30), 10).await.unwrap().is_empty());
    }
}

db_test! {
    async fn an_endpoint_failing_since_its_first_failure_counts_every_one_in_a_row(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        customer(&store, "B").await;
        drain(&store).await;
        let owed = due(&store).await;
        let first = Utc::now() - Duration::minutes(10);
        webhook::record_attempt(&store, &owed[0], &failed(first), retry(Utc::now())).await.unwrap();
        webhook::record_attempt(&store, &owed[1], &failed(Utc::now()), retry(Utc::now())).await.unwrap();
        let e = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!(e.consecutive_failures, 2);
        assert!(e.failing_since.is_some_and(|s| (s - first).num_milliseconds().abs() < 1), "{:?}", e.failing_since);
    }
}

db_test! {
    async fn an_endpoint_failing_for_too_long_is_disabled_with_the_reason(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let d = due(&store).await.remove(0);
        let at = Utc::now();
        let policy = RetryPolicy { next_attempt_at: Some(at), disable_if_failing_since_before: at + Duration::seconds(1) };
        webhook::record_attempt(&store, &d, &failed(at), policy).await.unwrap();
        let e = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert!(!e.enabled);
        assert_eq!(e.version, 2);
        let reason = e.disabled_reason.unwrap();
        assert!(reason.contains("1 in a row") && reason.contains("HTTP 500"), "{reason}");
        assert!(due(&store).await.is_empty(), "a disabled endpoint is sent nothing");
        assert_eq!(webhook::deliveries(&store, id, &all(1)).await.unwrap()[0].status, DeliveryStatus::Pending);
    }
}

db_test! {
    async fn enabling_a_disabled_endpoint_clears_its_failures_and_makes_its_deliveries_due(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let d = due(&store).await.remove(0);
        let at = Utc::now();
        let far = at + Duration::days(1);
        let policy = RetryPolicy { next_attempt_at: Some(far), disable_if_failing_since_before: at + Duration::seconds(1) };
        webhook::record_attempt(&store, &d, &failed(at), policy).await.unwrap();
        let disabled = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert!(!disabled.enabled);
        change(&store, id, disabled.version, true, false).await.unwrap();
        let e = webhook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((e.enabled, e.disabled_reason, e.failing_since, e.consecutive_failures), (true, None, None, 0));
        let now = due(&store).await;
        assert_eq!(now.len(), 1, "the retry a day away is due at once");
        assert_eq!(now[0].delivery.id, d.delivery.id);
    }
}

db_test! {
    async fn deleting_an_endpoint_gives_up_its_pending_deliveries_and_keeps_delivered_ones(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        customer(&store, "B").await;
        drain(&store).await;
        let owed = due(&store).await;
        webhook::record_attempt(&store, &owed[0], &ok(Utc::now()), give_up()).await.unwrap();
        change(&store, id, 1, true, true).await.unwrap();
        let listed = webhook::deliveries(&store, id, &all(10)).await.unwrap();
        let status = |d: WebhookDeliveryId| listed.iter().find(|x| x.id == d).unwrap().clone();
        assert_eq!(status(owed[0].delivery.id).status, DeliveryStatus::Delivered);
        let given_up = status(owed[1].delivery.id);
        assert_eq!((given_up.status, given_up.next_attempt_at, given_up.last_error.as_deref()), (DeliveryStatus::Failed, None, Some("the endpoint was deleted")));
        assert!(due(&store).await.is_empty());
    }
}

db_test! {
    async fn an_attempt_in_flight_when_its_endpoint_is_deleted_leaves_the_delivery_given_up(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        // The dispatcher takes the delivery; the endpoint is deleted while it is being sent.
        let in_flight = due(&store).await.remove(0);
        change(&store, id, 1, true, true).await.unwrap();
        let given_up = &webhook::deliveries(&store, id, &all(1)).await.unwrap()[0];
        assert_eq!(given_up.status, DeliveryStatus::Failed);
        // The send fails, and the dispatcher records it with a retry as usual.
        webhook::record_attempt(&store, &in_flight, &failed(Utc::now()), retry(Utc::now()))
            .await
            .unwrap();
        let read = &webhook::deliveries(&store, id, &all(1)).await.unwrap()[0];
        assert_eq!(read.status, DeliveryStatus::Failed, "{read:?}");
        assert!(
            webhook::due(&store, Utc::now() + Duration::days(1), 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

db_test! {
    async fn attempts_are_listed_per_delivery_in_order_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        customer(&store, "B").await;
        drain(&store).await;
        let owed = due(&store).await;
        let (a, b) = (owed[0].delivery.id, owed[1].delivery.id);
        webhook::record_attempt(&store, &owed[0], &failed(Utc::now()), retry(Utc::now())).await.unwrap();
        let again = due(&store).await.into_iter().find(|d| d.delivery.id == a).unwrap();
        webhook::record_attempt(&store, &again, &ok(Utc::now()), give_up()).await.unwrap();
        webhook::record_attempt(&store, &owed[1], &ok(Utc::now()), give_up()).await.unwrap();

        let of_a = webhook::attempts(&store, &[a]).await.unwrap();
        let got: Vec<(i32, Option<i32>, Option<&str>, i64)> = of_a.iter().map(|t| (t.attempt, t.status_code, t.error.as_deref(), t.duration_ms)).collect();
        assert_eq!(got, [(1, Some(500), Some("HTTP 500"), 30), (2, Some(204), None, 12)]);

        let mut keys: Vec<WebhookDeliveryId> = (0..600).map(|_| WebhookDeliveryId::new()).collect();
        keys.insert(1, a);
        keys.insert(560, b);
        let every = webhook::attempts(&store, &keys).await.unwrap();
        assert_eq!(every.iter().filter(|t| t.delivery_id == a).count(), 2);
        assert_eq!(every.iter().filter(|t| t.delivery_id == b).count(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Sending again

db_test! {
    async fn a_resent_delivery_is_due_again_whatever_its_status(db) {
        let store = open(&db).await;
        register(&store, "crm", vec![]).await;
        customer(&store, "A").await;
        drain(&store).await;
        let d = due(&store).await.remove(0);
        webhook::record_attempt(&store, &d, &ok(Utc::now()), give_up()).await.unwrap();
        assert!(due(&store).await.is_empty());
        let resent = webhook::resend(&store, d.delivery.id, Utc::now()).await.unwrap();
        assert_eq!((resent.status, resent.attempts, resent.delivered_at), (DeliveryStatus::Pending, 1, None));
        let again = due(&store).await;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].delivery.id, d.delivery.id);
        let err = webhook::resend(&store, WebhookDeliveryId::new(), Utc::now()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "webhook delivery", .. }), "{err:?}");
        assert_eq!(webhook::delivery_by_id(&store, d.delivery.id).await.unwrap().unwrap().status, DeliveryStatus::Pending);
    }
}

db_test! {
    async fn recovery_requeues_only_the_failed_deliveries_owed_since_the_time(db) {
        let store = open(&db).await;
        let id = register(&store, "crm", vec![]).await;
        let other = register(&store, "crm", vec![]).await;
        let start = Utc::now() - Duration::seconds(1);
        for name in ["A", "B", "C"] {
            customer(&store, name).await;
        }
        drain(&store).await;
        // Of the endpoint's three, two fail and one is delivered; the other endpoint's all fail.
        let owed = due(&store).await;
        let mut failed_here = 0;
        for d in &owed {
            let delivered = d.delivery.endpoint_id == id && failed_here == 2;
            if delivered {
                webhook::record_attempt(&store, d, &ok(Utc::now()), give_up()).await.unwrap();
            } else {
                if d.delivery.endpoint_id == id {
                    failed_here += 1;
                }
                webhook::record_attempt(&store, d, &failed(Utc::now()), give_up()).await.unwrap();
            }
        }
        assert_eq!(webhook::recover(&store, id, Utc::now() + Duration::seconds(5), Utc::now()).await.unwrap(), 0);
        assert_eq!(webhook::recover(&store, id, start, Utc::now()).await.unwrap(), 2);
        let now_due: Vec<_> = due(&store).await.into_iter().map(|d| d.delivery.endpoint_id).collect();
        assert_eq!(now_due, [id, id]);
        assert_eq!(webhook::recover(&store, id, start, Utc::now()).await.unwrap(), 0, "they are pending now");
        assert_eq!(webhook::recover(&store, other, start, Utc::now()).await.unwrap(), 3);
    }
}
