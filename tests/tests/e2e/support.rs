//! Starting a server for a test and talking to it.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tandem_api::app::{self, RunningServer, StartOptions};
use tandem_api::auth::Issuer;
use tandem_api::settings::{Overrides, Settings};
use tandem_domain::auth::Role;
use tandem_tests::TestDb;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The HS256 secret every test server uses.
pub const SECRET: &str = "end-to-end-test-secret-of-enough-length";

/// A running server and a client for it.
pub struct Server {
    pub url: String,
    pub ws_url: String,
    pub http: reqwest::Client,
    pub settings: Settings,
    /// The server's store, to count the SQL statements requests run.
    pub store: tandem_persistence::Store,
    running: RunningServer,
}

/// Settings for a test server on `db`, with `extra` environment variables.
pub fn settings(db: &TestDb, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("TANDEM_JWT_SECRET".into(), SECRET.into());
    vars.insert("TANDEM_WORKERS".into(), "2".into());
    vars.insert("TANDEM_DATABASE_MAX_CONNECTIONS".into(), "5".into());
    vars.insert("TANDEM_EVENT_POLL_INTERVAL".into(), "200ms".into());
    vars.insert("TANDEM_SHUTDOWN_TIMEOUT".into(), "5s".into());
    // Tests fire requests faster than any client should; the rate-limit test turns it back on.
    vars.insert("TANDEM_RATE_LIMIT_PER_SECOND".into(), "0".into());
    if let Some(schema) = &db.pg_schema {
        vars.insert("TANDEM_DATABASE_SCHEMA".into(), schema.clone());
    }
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Settings::from_vars(
        &vars,
        &Overrides {
            bind: Some("127.0.0.1:0".into()),
            database_url: Some(db.url.clone()),
        },
    )
    .expect("valid test settings")
}

impl Server {
    /// Starts a server on `db` with default test settings.
    pub async fn start(db: &TestDb) -> Server {
        Server::start_with(db, &[]).await
    }

    /// Starts a server on `db` with extra environment variables.
    pub async fn start_with(db: &TestDb, extra: &[(&str, &str)]) -> Server {
        let settings = settings(db, extra);
        let store = app::connect(&settings).await.expect("connect and migrate");
        let running = app::start(&settings, store.clone(), StartOptions::default())
            .await
            .expect("start the server");
        let addr = running.addr;
        Server {
            url: format!("http://{addr}/graphql"),
            ws_url: format!("ws://{addr}/graphql"),
            http: reqwest::Client::new(),
            settings,
            store,
            running,
        }
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.running.stop().await;
    }

    /// The address it listens on.
    pub fn base(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// A valid token for `role`.
    pub fn token(&self, role: Role) -> String {
        self.token_for("tester", role)
    }

    /// A valid token for `subject` with `role`.
    pub fn token_for(&self, subject: &str, role: Role) -> String {
        Issuer::new(&self.settings.auth)
            .expect("issuer")
            .issue(subject, role, Duration::from_secs(600))
            .expect("token")
    }

    /// POSTs a GraphQL request and returns the HTTP status and the JSON body.
    pub async fn post(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .http
            .post(&self.url)
            .bearer_auth(token)
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// POSTs as `role` and returns `data`, failing the test on any error.
    pub async fn ok(&self, role: Role, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(&self.token(role), query, variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs a read three times as `role` and returns its `data` with the fewest statements one
    /// run cost. The store's counter also sees the background workers' statements (the relay,
    /// the automation worker), which only ever add, and on a loaded machine a loader may split
    /// a batch: the fewest of three is the request's own cost.
    pub async fn ok_with_cost(&self, role: Role, query: &str, variables: Value) -> (Value, u64) {
        let mut fewest = u64::MAX;
        let mut data = Value::Null;
        for _ in 0..3 {
            let before = self.store.statements();
            data = self.ok(role, query, variables.clone()).await;
            fewest = fewest.min(self.store.statements() - before);
        }
        (data, fewest)
    }

    /// POSTs as `role` and returns the first error's code and message.
    pub async fn error(&self, role: Role, query: &str, variables: Value) -> (String, String) {
        let (_, body) = self.post(&self.token(role), query, variables).await;
        first_error(&body)
    }
}

/// Whether the Node.js package a test drives is installed in `dir` (`marker` is one of its
/// dependencies under `node_modules`). When it is not, the test is skipped with a message —
/// or fails, under `TANDEM_REQUIRE_AUDIT=1` (CI), where `scripts/test` must have installed it.
pub fn node_package(dir: &std::path::Path, marker: &str, what: &str) -> bool {
    if dir.join("node_modules").join(marker).exists() {
        return true;
    }
    if std::env::var("TANDEM_REQUIRE_AUDIT").is_ok_and(|v| v == "1") {
        panic!(
            "TANDEM_REQUIRE_AUDIT=1 but {what} is not installed in {}/node_modules: run `npm ci` there (scripts/test does)",
            dir.display()
        );
    }
    eprintln!("SKIPPED: {what} is not installed (run scripts/test)");
    false
}

/// The first error of a response: its code and message.
pub fn first_error(body: &Value) -> (String, String) {
    let e = &body["errors"][0];
    assert!(e.is_object(), "expected an error: {body}");
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or("<none>")
            .to_owned(),
        e["message"].as_str().unwrap_or_default().to_owned(),
    )
}

pub const CREATE_ACCOUNT: &str = "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id version name touchTier tags } } }";

/// Creates an account named `name` as an admin; returns its id.
pub async fn create_account(server: &Server, name: &str) -> String {
    let data = server
        .ok(
            Role::Admin,
            CREATE_ACCOUNT,
            json!({ "input": { "name": name } }),
        )
        .await;
    data["createAccount"]["account"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A GraphQL WebSocket client (graphql-transport-ws or the legacy graphql-ws).
pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    pub protocol: &'static str,
}

impl WsClient {
    /// Connects and sends `connection_init` with `payload`; returns the server's first reply.
    pub async fn connect(
        server: &Server,
        protocol: &'static str,
        payload: Value,
    ) -> (WsClient, Value) {
        let mut client = WsClient::open(server, protocol).await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = client.next_message().await.unwrap_or(Value::Null);
        (client, ack)
    }

    /// Connects with `protocol` and sends nothing.
    pub async fn open(server: &Server, protocol: &'static str) -> WsClient {
        let mut request = server
            .ws_url
            .as_str()
            .into_client_request()
            .expect("ws request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().expect("header"));
        let (stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("ws connect");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol)
        );
        WsClient { stream, protocol }
    }

    /// Sends one JSON message.
    pub async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    /// Sends one text frame as it is.
    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("ws send");
    }

    /// Starts a subscription with `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = if self.protocol == "graphql-transport-ws" {
            "subscribe"
        } else {
            "start"
        };
        self.send(json!({ "id": id, "type": kind, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next JSON message (skipping keep-alives and pings), or `None` when the connection
    /// closed; fails the test after 10 s of silence.
    pub async fn next_message(&mut self) -> Option<Value> {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("a WebSocket message within 10 s");
            match next {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).expect("JSON message");
                    if v["type"] == "ka" || v["type"] == "ping" || v["type"] == "pong" {
                        continue;
                    }
                    return Some(v);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Some(json!({
                        "type": "__closed",
                        "code": frame.as_ref().map(|f| u16::from(f.code)),
                        "reason": frame.as_ref().map(|f| f.reason.to_string()),
                    }));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// The next `next`/`data` payload of a subscription.
    pub async fn next_event(&mut self) -> Value {
        let m = self.next_message().await.expect("an event");
        assert!(
            m["type"] == "next" || m["type"] == "data",
            "expected an event, got {m}"
        );
        m["payload"]["data"].clone()
    }
}

/// The UUID inside a global id (base64url of `Kind:uuid`).
pub fn decode_id(id: &str) -> uuid::Uuid {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id)
        .expect("a base64url global id");
    let text = String::from_utf8(raw).expect("UTF-8");
    text.split_once(':')
        .expect("Kind:uuid")
        .1
        .parse()
        .expect("a UUID")
}
