//! Standard Webhooks signatures, secret rotation and the CloudEvents envelope, checked by
//! implementations that share no code with Tandem: the `standardwebhooks` reference library and
//! the CloudEvents JavaScript SDK (`tests/webhooks/verify.mjs`), fed what a receiver on
//! 127.0.0.1 captured.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine;
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::automation::{Received, Receiver, eventually, signature_is_valid};
use crate::support::{Server, create_account};

const SETTINGS: &[(&str, &str)] = &[
    ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
    ("TANDEM_WEBHOOK_RETRY_BASE", "100ms"),
];

const REGISTER: &str = "mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { id version secret signatureScheme envelope previousSecretExpiresAt } }";
const ROTATE: &str = "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { id version secret previousSecretExpiresAt } }";

fn verifier_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webhooks")
}

/// Whether the verifier's packages are installed (skip, or fail under TANDEM_REQUIRE_AUDIT=1).
fn verifier_installed() -> bool {
    let dir = verifier_dir();
    crate::support::node_package(&dir, "standardwebhooks", "the Standard Webhooks library")
        && crate::support::node_package(&dir, "cloudevents", "the CloudEvents SDK")
}

/// Runs the Node verifier on a captured delivery: whether each of `secrets` verifies it (on
/// its own), and the CloudEvent it parses to, if it is one.
async fn verify(secrets: &[&str], r: &Received) -> (Vec<bool>, Value) {
    let headers: serde_json::Map<String, Value> = r
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), json!(v)))
        .collect();
    let input = json!({
        "secrets": secrets,
        "headers": headers,
        "body": String::from_utf8(r.body.clone()).expect("a UTF-8 body"),
    })
    .to_string();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("node")
            .arg("verify.mjs")
            .current_dir(verifier_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "verify.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let valid = result["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["valid"] == true)
        .collect();
    assert!(result["cloudEventError"].is_null(), "{result}");
    (valid, result["cloudEvent"].clone())
}

/// Waits for the receiver to have `n` requests; returns the last.
async fn nth(receiver: &Receiver, n: usize) -> Received {
    eventually(15, &format!("delivery request {n}"), || async {
        let got = receiver.received();
        (got.len() >= n).then(|| got[n - 1].clone())
    })
    .await
}

fn signatures(r: &Received) -> Vec<String> {
    r.header("webhook-signature")
        .unwrap_or_default()
        .split(' ')
        .map(str::to_owned)
        .collect()
}

const WRONG: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

db_test! {
    async fn standard_webhooks_signatures_verify_with_the_reference_library_through_a_rotation(db) {
        if !verifier_installed() {
            return;
        }
        let server = Server::start_with(&db, SETTINGS).await;
        // The first attempt is answered 500: the retry must carry the same webhook-id.
        let receiver = Receiver::start(1).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"input": {"url": receiver.url, "eventKinds": ["ACCOUNT_CREATED"]}})).await;
        let hook = &hook["registerWebhookEndpoint"];
        assert_eq!((hook["signatureScheme"].as_str(), hook["envelope"].as_str()), (Some("STANDARD_WEBHOOKS"), Some("TANDEM")));
        assert!(hook["previousSecretExpiresAt"].is_null());
        let id = hook["id"].as_str().unwrap().to_owned();
        let first = hook["secret"].as_str().unwrap().to_owned();
        let key = base64::engine::general_purpose::STANDARD.decode(first.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(key.len(), 32);

        // One secret: it verifies, a wrong one does not; the retry has the same id.
        create_account(&server, "Acme").await;
        let failed = nth(&receiver, 1).await;
        let retried = nth(&receiver, 2).await;
        assert_eq!(failed.header("webhook-id"), retried.header("webhook-id"));
        assert_eq!(retried.header("webhook-id"), retried.header("tandem-delivery"));
        let body: Value = serde_json::from_slice(&retried.body).unwrap();
        assert_eq!(retried.header("webhook-id"), body["deliveryId"].as_str());
        assert!(retried.header("tandem-signature").is_none());
        let timestamp: i64 = retried.header("webhook-timestamp").unwrap().parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60, "{timestamp}");
        assert_eq!(signatures(&retried).len(), 1);
        let (valid, cloud_event) = verify(&[&first, WRONG], &retried).await;
        assert_eq!(valid, [true, false]);
        assert!(cloud_event.is_null());

        // Rotated with an hour's overlap: two signatures, each secret verifies on its own.
        let rotated = server.ok(Role::Integration, ROTATE, json!({"input": {"id": id, "version": 1, "overlapSeconds": 3600}})).await;
        let rotated = &rotated["rotateWebhookSecret"];
        let second = rotated["secret"].as_str().unwrap().to_owned();
        assert_ne!(second, first);
        let ends: chrono::DateTime<chrono::Utc> = rotated["previousSecretExpiresAt"].as_str().unwrap().parse().unwrap();
        assert!((ends - chrono::Utc::now() - chrono::Duration::hours(1)).num_seconds().abs() < 60, "{ends}");
        create_account(&server, "Globex").await;
        let during = nth(&receiver, 3).await;
        assert_eq!(signatures(&during).len(), 2, "{:?}", during.header("webhook-signature"));
        let (valid, _) = verify(&[&second, &first, WRONG], &during).await;
        assert_eq!(valid, [true, true, false]);

        // Rotated again without overlap: only the newest secret verifies.
        let v = rotated["version"].as_i64().unwrap();
        let again = server.ok(Role::Integration, ROTATE, json!({"input": {"id": id, "version": v, "overlapSeconds": 0}})).await;
        let third = again["rotateWebhookSecret"]["secret"].as_str().unwrap().to_owned();
        assert!(again["rotateWebhookSecret"]["previousSecretExpiresAt"].is_null());
        create_account(&server, "Initech").await;
        let after = nth(&receiver, 4).await;
        assert_eq!(signatures(&after).len(), 1);
        let (valid, _) = verify(&[&third, &second, &first], &after).await;
        assert_eq!(valid, [true, false, false]);
        server.stop().await;
    }
}

db_test! {
    async fn cloud_events_deliveries_parse_with_the_sdk_and_stay_signed(db) {
        if !verifier_installed() {
            return;
        }
        let server = Server::start_with(&db, SETTINGS).await;
        let receiver = Receiver::start(0).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"input": {"url": receiver.url, "eventKinds": ["ACCOUNT_CREATED"], "envelope": "CLOUD_EVENTS"}})).await;
        let hook = &hook["registerWebhookEndpoint"];
        assert_eq!(hook["envelope"], "CLOUD_EVENTS");
        let secret = hook["secret"].as_str().unwrap().to_owned();
        let account = create_account(&server, "Acme").await;
        let r = nth(&receiver, 1).await;
        let (valid, ce) = verify(&[&secret, WRONG], &r).await;
        assert_eq!(valid, [true, false]);
        assert_eq!(ce["specversion"], "1.0");
        assert_eq!(ce["type"], "com.tandem.account.created");
        assert_eq!(ce["source"], "/tandem");
        assert_eq!(ce["id"].as_str(), r.header("webhook-id"));
        assert_eq!(ce["subject"], account.as_str());
        assert_eq!(ce["datacontenttype"], "application/json");
        // The body is the event itself, with the time the ce-time attribute names.
        assert_eq!(ce["data"]["kind"], "ACCOUNT_CREATED");
        assert_eq!(ce["data"]["subjectId"], account.as_str());
        assert_eq!(ce["data"]["cursor"].as_str(), r.header("tandem-event-cursor"));
        let time: chrono::DateTime<chrono::Utc> = ce["time"].as_str().unwrap().parse().unwrap();
        let occurred: chrono::DateTime<chrono::Utc> = ce["data"]["occurredAt"].as_str().unwrap().parse().unwrap();
        assert_eq!(time, occurred);
        // The delivery's id is the one the API lists.
        let listed = server.ok(Role::Integration, "query($id: ID!) { webhookEndpoint(id: $id) { deliveries { id } } }", json!({"id": hook["id"]})).await;
        assert_eq!(listed["webhookEndpoint"]["deliveries"][0]["id"].as_str(), r.header("ce-id"));
        server.stop().await;
    }
}

db_test! {
    async fn a_tandem_signed_endpoint_carries_both_signatures_during_a_rotation(db) {
        let server = Server::start_with(&db, SETTINGS).await;
        let receiver = Receiver::start(0).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"input": {"url": receiver.url, "eventKinds": ["ACCOUNT_CREATED"], "signatureScheme": "TANDEM"}})).await;
        let hook = &hook["registerWebhookEndpoint"];
        let old = hook["secret"].as_str().unwrap().to_owned();
        let rotated = server.ok(Role::Integration, ROTATE, json!({"input": {"id": hook["id"], "version": 1}})).await;
        let new = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap().to_owned();
        // The default overlap is a day.
        let ends: chrono::DateTime<chrono::Utc> = rotated["rotateWebhookSecret"]["previousSecretExpiresAt"].as_str().unwrap().parse().unwrap();
        assert!((ends - chrono::Utc::now() - chrono::Duration::hours(24)).num_seconds().abs() < 60, "{ends}");
        create_account(&server, "Acme").await;
        let r = nth(&receiver, 1).await;
        assert!(r.header("webhook-signature").is_none());
        let header = r.header("tandem-signature").unwrap();
        assert_eq!(header.matches("v1=").count(), 2, "{header}");
        assert!(signature_is_valid(&new, &r) && signature_is_valid(&old, &r));
        assert!(!signature_is_valid(WRONG, &r));
        // The secret is shown in the answers that issue it, and never read back.
        let read = server.ok(Role::Integration, "query($id: ID!) { webhookEndpoint(id: $id) { secret version signatureScheme previousSecretExpiresAt } }", json!({"id": hook["id"]})).await;
        assert!(read["webhookEndpoint"]["secret"].is_null());
        assert_eq!(read["webhookEndpoint"]["version"], 2);
        assert_eq!(read["webhookEndpoint"]["previousSecretExpiresAt"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap(), ends);
        server.stop().await;
    }
}

db_test! {
    async fn rotations_refuse_bad_overlaps_stale_versions_and_others_endpoints(db) {
        let server = Server::start(&db).await;
        let hook = server.ok(Role::Integration, REGISTER, json!({"input": {"url": "https://hooks.example.com/t"}})).await;
        let id = hook["registerWebhookEndpoint"]["id"].clone();
        for overlap in [-1, 604_801] {
            let (_, b) = server.post(&server.token(Role::Integration), ROTATE, json!({"input": {"id": id, "version": 1, "overlapSeconds": overlap}})).await;
            assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
            assert_eq!(b["errors"][0]["extensions"]["field"], "input.overlapSeconds", "{b}");
        }
        let (code, _) = server.error(Role::Integration, ROTATE, json!({"input": {"id": id, "version": 7}})).await;
        assert_eq!(code, "CONFLICT");
        let (code, _) = server.error(Role::CsManager, ROTATE, json!({"input": {"id": id, "version": 1}})).await;
        assert_eq!(code, "FORBIDDEN");
        let other = server.token_for("crm-sync", Role::Integration);
        let (_, b) = server.post(&other, ROTATE, json!({"input": {"id": id, "version": 1}})).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "NOT_FOUND", "{b}");
        // Nothing changed.
        let read = server.ok(Role::Integration, "query($id: ID!) { webhookEndpoint(id: $id) { version previousSecretExpiresAt } }", json!({"id": id})).await;
        assert_eq!(read["webhookEndpoint"], json!({"version": 1, "previousSecretExpiresAt": null}));
        // The scheme and envelope change with the endpoint.
        let changed = server.ok(Role::Integration, "mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, version: 1, signatureScheme: TANDEM, envelope: CLOUD_EVENTS}) { version signatureScheme envelope secret } }", json!({"id": id})).await;
        assert_eq!(changed["updateWebhookEndpoint"], json!({"version": 2, "signatureScheme": "TANDEM", "envelope": "CLOUD_EVENTS", "secret": null}));
        server.stop().await;
    }
}
