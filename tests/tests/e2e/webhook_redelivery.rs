//! Managing deliveries: one sent again whatever its status, an endpoint's failed deliveries
//! recovered after an outage of its receiver, and an endpoint's rate limit.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::automation::{Receiver, eventually};
use crate::support::{Server, create_account};

const REGISTER: &str = "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED]}) { id } }";
const DELIVERIES: &str =
    "query($id: ID!) { webhookEndpoint(id: $id) { deliveries { id status attemptCount } } }";
const RESEND: &str =
    "mutation($id: ID!) { resendWebhookDelivery(id: $id) { id status attemptCount } }";
const RECOVER: &str = "mutation($e: ID!, $s: DateTime!) { recoverWebhookDeliveries(endpointId: $e, since: $s) { requeued } }";

/// The endpoint's deliveries once all of them have `status`.
async fn deliveries_once(
    server: &Server,
    endpoint: &Value,
    count: usize,
    status: &str,
) -> Vec<Value> {
    eventually(15, &format!("{count} deliveries {status}"), || async {
        let d = server
            .ok(Role::Integration, DELIVERIES, json!({"id": endpoint}))
            .await;
        let list = d["webhookEndpoint"]["deliveries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (list.len() == count && list.iter().all(|x| x["status"] == status)).then_some(list)
    })
    .await
}

db_test! {
    async fn a_delivered_delivery_is_sent_again_with_the_same_id(db) {
        let server = Server::start_with(&db, &[("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")]).await;
        let receiver = Receiver::start(0).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"u": receiver.url})).await;
        let endpoint = hook["registerWebhookEndpoint"]["id"].clone();
        create_account(&server, "Acme").await;
        let delivered = deliveries_once(&server, &endpoint, 1, "DELIVERED").await;
        let id = delivered[0]["id"].clone();
        let resent = server.ok(Role::Integration, RESEND, json!({"id": id})).await;
        assert_eq!(resent["resendWebhookDelivery"], json!({"id": id, "status": "PENDING", "attemptCount": 1}));
        let again = eventually(15, "the second attempt recorded", || async {
            let d = server.ok(Role::Integration, DELIVERIES, json!({"id": endpoint})).await;
            let list = d["webhookEndpoint"]["deliveries"].as_array().cloned().unwrap_or_default();
            (list.len() == 1 && list[0]["attemptCount"] == 2 && list[0]["status"] == "DELIVERED").then_some(list)
        })
        .await;
        assert_eq!(again[0]["id"], id);
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
        assert_eq!(got[1].header("webhook-id"), id.as_str());

        // Refusals: an unknown or another integration's delivery, the wrong role.
        let other = server.token_for("crm-sync", Role::Integration);
        let (_, b) = server.post(&other, RESEND, json!({"id": id})).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "NOT_FOUND", "{b}");
        let (code, _) = server.error(Role::Viewer, RESEND, json!({"id": id})).await;
        assert_eq!(code, "FORBIDDEN");
        // A disabled endpoint is sent nothing: enable it first.
        server.ok(Role::Integration, "mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, version: 1, enabled: false}) { enabled } }", json!({"id": endpoint})).await;
        let (code, message) = server.error(Role::Integration, RESEND, json!({"id": id})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        server.stop().await;
    }
}

db_test! {
    async fn failed_deliveries_since_a_time_are_recovered(db) {
        // One attempt each, and the receiver is down for the first two.
        let server = Server::start_with(&db, &[
            ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
            ("TANDEM_WEBHOOK_MAX_ATTEMPTS", "1"),
        ]).await;
        let receiver = Receiver::start(2).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"u": receiver.url})).await;
        let endpoint = hook["registerWebhookEndpoint"]["id"].clone();
        let before = chrono::Utc::now() - chrono::Duration::minutes(1);
        create_account(&server, "Acme").await;
        create_account(&server, "Globex").await;
        deliveries_once(&server, &endpoint, 2, "FAILED").await;

        // Bad input first: a start in the future, another integration's endpoint.
        let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        let (_, b) = server.post(&server.token(Role::Integration), RECOVER, json!({"e": endpoint, "s": future})).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
        assert_eq!(b["errors"][0]["extensions"]["field"], "since", "{b}");
        let other = server.token_for("crm-sync", Role::Integration);
        let (_, b) = server.post(&other, RECOVER, json!({"e": endpoint, "s": before.to_rfc3339()})).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "NOT_FOUND", "{b}");

        // Only deliveries owed since the time count.
        let later = (chrono::Utc::now()).to_rfc3339();
        let none = server.ok(Role::Integration, RECOVER, json!({"e": endpoint, "s": later})).await;
        assert_eq!(none["recoverWebhookDeliveries"]["requeued"], 0);
        let both = server.ok(Role::Integration, RECOVER, json!({"e": endpoint, "s": before.to_rfc3339()})).await;
        assert_eq!(both["recoverWebhookDeliveries"]["requeued"], 2);
        let list = deliveries_once(&server, &endpoint, 2, "DELIVERED").await;
        assert!(list.iter().all(|d| d["attemptCount"] == 2), "{list:?}");
        // Nothing failed is left to recover.
        let again = server.ok(Role::Integration, RECOVER, json!({"e": endpoint, "s": before.to_rfc3339()})).await;
        assert_eq!(again["recoverWebhookDeliveries"]["requeued"], 0);
        server.stop().await;
    }
}

db_test! {
    async fn an_endpoint_receives_no_more_deliveries_a_second_than_its_rate_limit(db) {
        let server = Server::start_with(&db, &[("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")]).await;
        let receiver = Receiver::start(0).await;
        let register = "mutation($u: String!, $r: Int) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED], rateLimitPerSecond: $r}) { id rateLimitPerSecond } }";
        for bad in [0, 1001] {
            let (_, b) = server.post(&server.token(Role::Integration), register, json!({"u": receiver.url, "r": bad})).await;
            assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
            assert_eq!(b["errors"][0]["extensions"]["field"], "input.rateLimitPerSecond", "{b}");
        }
        let hook = server.ok(Role::Integration, register, json!({"u": receiver.url, "r": 2})).await;
        assert_eq!(hook["registerWebhookEndpoint"]["rateLimitPerSecond"], 2);
        let endpoint = hook["registerWebhookEndpoint"]["id"].clone();
        for i in 0..6 {
            create_account(&server, &format!("Account {i}")).await;
        }
        // Six deliveries at two a second need three seconds' windows: the last is sent at least
        // two seconds after the first (the first opens the first window).
        let list = deliveries_once(&server, &endpoint, 6, "DELIVERED").await;
        assert!(list.iter().all(|d| d["attemptCount"] == 1), "deferring counts no attempt: {list:?}");
        let got = receiver.received();
        assert_eq!(got.len(), 6);
        let span = got[5].at - got[0].at;
        assert!(span >= std::time::Duration::from_millis(1900), "six deliveries in {span:?}");
        // `null` lifts the limit.
        let lifted = server.ok(Role::Integration, "mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, version: 1, rateLimitPerSecond: null}) { rateLimitPerSecond } }", json!({"id": endpoint})).await;
        assert!(lifted["updateWebhookEndpoint"]["rateLimitPerSecond"].is_null());
        server.stop().await;
    }
}
