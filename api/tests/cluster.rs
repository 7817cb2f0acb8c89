//! Several `tandem serve` processes on one database: events written through one reach
//! subscribers of the other at once (LISTEN/NOTIFY, with the poll interval set far too long to
//! help), and the automation worker runs on one server at a time. Killing the worker's server
//! with SIGKILL in the middle of a stream of events loses and doubles nothing: every event
//! fires its playbook exactly once and owes its webhook exactly one delivery, all delivered.
//! On SQLite, the same with one server killed and restarted.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tandem_tests::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

mod common;
use common::{Tandem, gql, token};

/// Starts a server of the cluster on `db`, logging as `name`.
async fn spawn(db: &TestDb, name: &str) -> Tandem {
    Tandem::start(
        &db.url,
        db.pg_schema.as_deref(),
        &[
            ("TANDEM_LOG", "info"),
            ("TANDEM_LOG_FORMAT", "plain"),
            // Far too slow to matter: only LISTEN/NOTIFY can deliver another server's events fast.
            ("TANDEM_EVENT_POLL_INTERVAL", "30s"),
            ("TANDEM_WORKER_STANDBY_INTERVAL", "300ms"),
            ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
            ("TANDEM_WEBHOOK_RETRY_BASE", "100ms"),
        ],
        Some(name),
    )
    .await
}

async fn ok(url: &str, token: &str, query: &str, vars: Value) -> Value {
    let body = gql(&reqwest::Client::new(), url, token, query, vars).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// A webhook receiver that records each request's `Tandem-Delivery` header and answers 200.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = got.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length: usize = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            let id = text[..end].lines().find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("tandem-delivery")
                                    .then(|| v.trim().to_owned())
                            });
                            seen.lock().unwrap().push(id.unwrap_or_default());
                            let _ = socket
                                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                                .await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, got)
}

/// Subscribes to ACCOUNT_CREATED on `t`; returns a receiver of account names as they arrive.
async fn subscribe(t: &Tandem, admin: &str) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let mut request = t.ws.as_str().into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {admin}")}}),
    ))
    .await
    .unwrap();
    ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { accountChanges(kinds: [ACCOUNT_CREATED]) { account { name } } }"}})))
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (ack_tx, ack_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut ack = Some(ack_tx);
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Text(text) = m {
                let v: Value = serde_json::from_str(&text).unwrap();
                if v["type"] == "connection_ack" {
                    if let Some(a) = ack.take() {
                        let _ = a.send(());
                    }
                } else if v["type"] == "next"
                    && let Some(name) =
                        v["payload"]["data"]["accountChanges"]["account"]["name"].as_str()
                {
                    let _ = tx.send(name.to_owned());
                }
            }
        }
    });
    ack_rx.await.unwrap();
    // The subscription is registered just after the ack.
    tokio::time::sleep(Duration::from_millis(200)).await;
    rx
}

async fn received_within(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    name: &str,
) -> Duration {
    let started = Instant::now();
    loop {
        let left = Duration::from_secs(5).saturating_sub(started.elapsed());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(n)) if n == name => return started.elapsed(),
            Ok(Some(_)) => continue,
            _ => panic!("'{name}' did not reach the other server's subscriber within 5 s"),
        }
    }
}

const PLAYBOOK: &str = "mutation { createPlaybook(input: {name: \"Welcome\", trigger: {event: ACCOUNT_CREATED}, actions: [{createTask: {title: \"Welcome call\"}}]}) { id } }";

/// Creates `n` accounts through `url`, four at a time; returns how many were created (a
/// request to a killed server may fail, and then it is unknown whether it committed).
async fn create_accounts(url: String, admin: String, prefix: &str, n: usize) -> usize {
    let prefix = prefix.to_owned();
    let results = futures_util::stream::iter(0..n)
        .map(|i| {
            let (url, admin, name) = (url.clone(), admin.clone(), format!("{prefix} {i:03}"));
            async move {
                let r = reqwest::Client::new()
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(&json!({"query": "mutation($n: String!) { createAccount(input: {name: $n}) { account { id } } }", "variables": {"n": name}}))
                    .send()
                    .await;
                match r {
                    Ok(r) => r.json::<Value>().await.map(|b| b["errors"].is_null()).unwrap_or(false),
                    Err(_) => false,
                }
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<bool>>()
        .await;
    results.into_iter().filter(|ok| *ok).count()
}

/// Waits until every account has exactly one welcome task, one playbook run and one delivered
/// webhook delivery, and the receiver has seen every delivery.
async fn settled(
    url: &str,
    admin: &str,
    before: i64,
    playbook: &str,
    hook: &str,
    got: &Arc<Mutex<Vec<String>>>,
) {
    let started = Instant::now();
    loop {
        let accounts = ok(
            url,
            admin,
            "{ accounts(first: 100) { totalCount } }",
            json!({}),
        )
        .await["accounts"]["totalCount"]
            .as_i64()
            .unwrap()
            - before;
        let d = ok(url, admin, "query($p: ID!, $h: ID!) { tasks(playbookId: $p, first: 100) { account { id } } playbook(id: $p) { runs(first: 100) { account { id } } } webhookEndpoint(id: $h) { deliveries(first: 100) { id status eventCursor } } }", json!({"p": playbook, "h": hook})).await;
        let tasks: Vec<String> = d["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["account"]["id"].as_str().unwrap().to_owned())
            .collect();
        let runs: Vec<String> = d["playbook"]["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["account"]["id"].as_str().unwrap().to_owned())
            .collect();
        let deliveries = d["webhookEndpoint"]["deliveries"]
            .as_array()
            .unwrap()
            .clone();
        let delivered = deliveries
            .iter()
            .filter(|x| x["status"] == "DELIVERED")
            .count();
        let distinct_tasks: HashSet<&String> = tasks.iter().collect();
        let distinct_runs: HashSet<&String> = runs.iter().collect();
        // Doubles never heal: fail as soon as one shows.
        assert_eq!(
            distinct_tasks.len(),
            tasks.len(),
            "an account got two welcome tasks"
        );
        assert_eq!(
            distinct_runs.len(),
            runs.len(),
            "the playbook fired twice on an account"
        );
        let cursors: HashSet<&str> = deliveries
            .iter()
            .map(|x| x["eventCursor"].as_str().unwrap())
            .collect();
        assert_eq!(
            cursors.len(),
            deliveries.len(),
            "an event was owed twice to the endpoint"
        );
        let ids: HashSet<String> = deliveries
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect();
        let seen: HashSet<String> = got.lock().unwrap().iter().cloned().collect();
        if tasks.len() as i64 == accounts
            && runs.len() as i64 == accounts
            && deliveries.len() as i64 == accounts
            && delivered as i64 == accounts
            && ids.is_subset(&seen)
        {
            // At least once: a delivery in flight when its server died may arrive twice, never more
            // often than the deliveries a server sends at once.
            let all = got.lock().unwrap().len();
            assert!(
                all - seen.len() <= 16,
                "{} repeated deliveries",
                all - seen.len()
            );
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not settled: {accounts} new accounts, {} tasks, {} runs, {} deliveries ({delivered} delivered), {} seen",
            tasks.len(),
            runs.len(),
            deliveries.len(),
            seen.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_share_one_stream_and_hand_over_the_worker_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let admin = token("ADMIN");
    let integration = token("INTEGRATION");
    let mut a = spawn(&db, "a").await;
    // A leads the worker before B exists.
    let started = Instant::now();
    while !a
        .log()
        .contains("this server now runs the automation worker")
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "A never led: {}",
            a.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let b = spawn(&db, "b").await;

    // Each server's subscribers hear the other's writes, long before the 30 s poll.
    let mut on_b = subscribe(&b, &admin).await;
    let mut on_a = subscribe(&a, &admin).await;
    ok(
        &a.url,
        &admin,
        "mutation { createAccount(input: {name: \"Via A\"}) { account { id } } }",
        json!({}),
    )
    .await;
    let ab = received_within(&mut on_b, "Via A").await;
    ok(
        &b.url,
        &admin,
        "mutation { createAccount(input: {name: \"Via B\"}) { account { id } } }",
        json!({}),
    )
    .await;
    let ba = received_within(&mut on_a, "Via B").await;
    assert!(
        ab < Duration::from_secs(2) && ba < Duration::from_secs(2),
        "A→B {ab:?}, B→A {ba:?}"
    );
    assert!(
        !b.log()
            .contains("this server now runs the automation worker")
    );

    let (hook_url, got) = receiver().await;
    let hook = ok(&b.url, &integration, "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED]}) { id } }", json!({"u": hook_url})).await;
    let hook = hook["registerWebhookEndpoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let playbook = ok(&b.url, &admin, PLAYBOOK, json!({})).await["createPlaybook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A stream of new accounts through B; A, the worker's server, is killed in the middle.
    let burst = tokio::spawn(create_accounts(b.url.clone(), admin.clone(), "Burst", 60));
    tokio::time::sleep(Duration::from_millis(400)).await;
    a.kill();
    let created = burst.await.unwrap();
    assert_eq!(created, 60, "every write went through B, which stayed up");
    // The two accounts made before the playbook existed fire nothing.
    settled(&b.url, &admin, 2, &playbook, &hook, &got).await;
    assert!(
        b.log()
            .contains("this server now runs the automation worker"),
        "B never took over"
    );
    let mut b = b;
    b.kill();
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_only_server_mid_stream_loses_and_doubles_nothing_sqlite() {
    let db = TestDb::sqlite().await;
    let admin = token("ADMIN");
    let integration = token("INTEGRATION");
    let mut first = spawn(&db, "first").await;
    let (hook_url, got) = receiver().await;
    let hook = ok(&first.url, &integration, "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED]}) { id } }", json!({"u": hook_url})).await;
    let hook = hook["registerWebhookEndpoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let playbook = ok(&first.url, &admin, PLAYBOOK, json!({})).await["createPlaybook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let burst = tokio::spawn(create_accounts(
        first.url.clone(),
        admin.clone(),
        "Burst",
        60,
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.kill();
    let _ = burst.await.unwrap();
    // What committed before the kill is all there is; the restarted server finishes its work.
    let mut second = spawn(&db, "second").await;
    settled(&second.url, &admin, 0, &playbook, &hook, &got).await;
    second.kill();
    db.cleanup().await;
}
