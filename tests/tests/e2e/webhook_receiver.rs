//! The README's webhook receiver (`clients/webhook-receiver/receiver.mjs`) run as a user would:
//! Tandem delivers to it over HTTP, it verifies each delivery with the `standardwebhooks`
//! library, in both envelopes, and it refuses a forged one.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use crate::support::{Server, create_account};

fn receiver_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("clients")
        .join("webhook-receiver")
}

/// The receiver on a free port of 127.0.0.1, and what it prints.
struct Receiver {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    port: u16,
}

impl Receiver {
    async fn start(secret: &str) -> Receiver {
        let mut child = Command::new("node")
            .arg("receiver.mjs")
            .current_dir(receiver_dir())
            .env("TANDEM_WEBHOOK_SECRET", secret)
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut receiver = Receiver {
            child,
            lines,
            port: 0,
        };
        let first = receiver.next().await;
        receiver.port = first["listening"].as_u64().expect("the port it listens on") as u16;
        receiver
    }

    /// The next line it prints, as JSON.
    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("the receiver printed nothing in 20 s")
            .unwrap()
            .expect("the receiver exited");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }
}

const REGISTER: &str = "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED]}) { id version secret signatureScheme } }";
const UPDATE: &str = "mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { version url envelope } }";

db_test! {
    async fn the_readme_receiver_verifies_tandems_deliveries_and_refuses_a_forged_one(db) {
        let dir = receiver_dir();
        if !crate::support::node_package(&dir, "standardwebhooks", "the webhook receiver's packages") {
            return;
        }
        let server = Server::start_with(&db, &[
            ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
            ("TANDEM_WEBHOOK_RETRY_BASE", "100ms"),
        ]).await;
        // Registered first, for its secret; pointed at the receiver once that listens.
        let hook = server.ok(Role::Integration, REGISTER, json!({"u": "http://127.0.0.1:9/"})).await["registerWebhookEndpoint"].clone();
        assert_eq!(hook["signatureScheme"], "STANDARD_WEBHOOKS");
        let mut receiver = Receiver::start(hook["secret"].as_str().unwrap()).await;
        let url = format!("http://127.0.0.1:{}/", receiver.port);
        let updated = server.ok(Role::Integration, UPDATE, json!({"input": {"id": hook["id"], "version": hook["version"], "url": url}})).await["updateWebhookEndpoint"].clone();

        let acme = create_account(&server, "Acme").await;
        let got = receiver.next().await;
        assert_eq!((&got["kind"], &got["accountId"]), (&json!("ACCOUNT_CREATED"), &json!(acme)), "{got}");

        // The same receiver reads CloudEvents deliveries.
        server.ok(Role::Integration, UPDATE, json!({"input": {"id": hook["id"], "version": updated["version"], "envelope": "CLOUD_EVENTS"}})).await;
        let globex = create_account(&server, "Globex").await;
        let got = receiver.next().await;
        assert_eq!((&got["kind"], &got["accountId"]), (&json!("ACCOUNT_CREATED"), &json!(globex)), "{got}");

        // A delivery signed with another secret is refused with 401 and never processed.
        let now = chrono::Utc::now().timestamp().to_string();
        let forged = reqwest::Client::new()
            .post(&url)
            .header("webhook-id", "msg_forged")
            .header("webhook-timestamp", now)
            .header("webhook-signature", "v1,dGhpcyBpcyBub3QgYSBzaWduYXR1cmUgb2YgdGhlIGJvZHk=")
            .header("content-type", "application/json")
            .body(r#"{"deliveryId":"msg_forged","event":{"kind":"ACCOUNT_CREATED"}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 401);
        let got = receiver.next().await;
        assert!(got["rejected"].is_string(), "{got}");

        receiver.child.kill().await.ok();
        server.stop().await;
    }
}
