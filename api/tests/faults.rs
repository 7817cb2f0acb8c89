//! Faults, against the real `tandem` process: kill -9 during a burst of writes, SIGTERM under
//! load, and the database going away and coming back.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::HashSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tandem_tests::TestDb;
use tokio::net::{TcpListener, TcpStream};

mod common;
use common::{Tandem, gql, token};

/// Starts a server on `url` (and `schema`) that gives in-flight requests time to finish on
/// SIGTERM and waits only briefly for a database connection.
async fn spawn(url: &str, schema: Option<&str>) -> Tandem {
    Tandem::start(
        url,
        schema,
        &[
            ("TANDEM_LOG", "warn"),
            ("TANDEM_SHUTDOWN_TIMEOUT", "20s"),
            ("TANDEM_DATABASE_ACQUIRE_TIMEOUT", "2s"),
        ],
        None,
    )
    .await
}

/// Every account id, and every account id named by an ACCOUNT_CREATED event.
async fn accounts_and_events(t: &Tandem, admin: &str) -> (HashSet<String>, Vec<String>) {
    let client = reqwest::Client::new();
    let mut accounts = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = gql(&client, &t.url, admin, "query($a: String) { accounts(first: 100, after: $a, filter: {includeArchived: true}) { nodes { id } pageInfo { hasNextPage endCursor } } }", json!({"a": after})).await;
        for n in page["data"]["accounts"]["nodes"].as_array().unwrap() {
            accounts.insert(n["id"].as_str().unwrap().to_owned());
        }
        if page["data"]["accounts"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["data"]["accounts"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    let mut events = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = gql(&client, &t.url, admin, "query($a: String) { accountEvents(first: 100, after: $a, kinds: [ACCOUNT_CREATED]) { edges { node { accountId } } pageInfo { hasNextPage endCursor } } }", json!({"a": after})).await;
        for e in page["data"]["accountEvents"]["edges"].as_array().unwrap() {
            events.push(e["node"]["accountId"].as_str().unwrap().to_owned());
        }
        if page["data"]["accountEvents"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["data"]["accountEvents"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    (accounts, events)
}

async fn kill_during_writes(db: &TestDb) {
    let admin = token("admin");
    let mut t = spawn(&db.url, db.pg_schema.as_deref()).await;
    let confirmed = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (url, admin, confirmed, done) = (
            t.url.clone(),
            admin.clone(),
            confirmed.clone(),
            done.clone(),
        );
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..100 {
                let sent = client
                    .post(&url)
                    .bearer_auth(&admin)
                    .json(&json!({"query": "mutation($n: String!) { createAccount(input: {name: $n, tags: [\"burst\"]}) { account { id } } }", "variables": {"n": format!("W{w}-{i}")}}))
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                let Ok(body) = response.json::<Value>().await else { return };
                if let Some(id) = body["data"]["createAccount"]["account"]["id"].as_str() {
                    confirmed.lock().unwrap().push(id.to_owned());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let started = Instant::now();
    while done.load(Ordering::Relaxed) < 60 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t.kill(); // SIGKILL: no chance to finish anything
    for w in writers {
        w.await.unwrap();
    }
    let confirmed = confirmed.lock().unwrap().clone();
    assert!(
        confirmed.len() >= 60,
        "only {} writes before the kill",
        confirmed.len()
    );

    let mut t = spawn(&db.url, db.pg_schema.as_deref()).await;
    let (accounts, events) = accounts_and_events(&t, &admin).await;
    // Every write the client saw confirmed survived the kill.
    for id in &confirmed {
        assert!(accounts.contains(id), "confirmed account {id} was lost");
    }
    // Every committed account has exactly one creation event, and no event lacks its account.
    let unique: HashSet<String> = events.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        events.len(),
        "an account has two creation events"
    );
    assert_eq!(
        unique, accounts,
        "accounts and their creation events differ"
    );
    eprintln!(
        "kill -9 after {} confirmed writes: {} accounts committed, each with its event",
        confirmed.len(),
        accounts.len()
    );
    t.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_of_writes_loses_nothing_committed_sqlite() {
    let db = TestDb::sqlite().await;
    kill_during_writes(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_burst_of_writes_loses_nothing_committed_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    kill_during_writes(&db).await;
    db.cleanup().await;
}

/// Connections waiting in the accept backlog of the socket listening on 127.0.0.1:`port`, from
/// `/proc/net/tcp` (a listener's `rx_queue`); `None` where that file is not there to read.
fn accept_backlog(port: u16) -> Option<usize> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (address, state, queues) = (fields.get(1)?, fields.get(3)?, fields.get(4)?);
        if *address != local || *state != "0A" {
            return None;
        }
        usize::from_str_radix(queues.split(':').nth(1)?, 16).ok()
    })
}

async fn sigterm_under_load(db: &TestDb) {
    let admin = token("admin");
    let mut t = spawn(&db.url, db.pg_schema.as_deref()).await;
    let client = reqwest::Client::new();
    let created = gql(
        &client,
        &t.url,
        &admin,
        "mutation { createAccount(input: {name: \"Acme\"}) { account { id } } }",
        json!({}),
    )
    .await;
    let account = created["data"]["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Eight batches of 5,000 usage events in flight when SIGTERM arrives.
    let now = chrono::Utc::now().to_rfc3339();
    let events: Vec<Value> = (0..5_000)
        .map(|i| json!({"accountId": account, "feature": "f", "actor": format!("u{}", i % 7), "occurredAt": now}))
        .collect();
    // The bodies are built first, so that all eight are on the wire at once.
    let bodies: Vec<String> = (0..8)
        .map(|b| {
            json!({"query": "mutation($i: RecordUsageInput!) { recordUsage(input: $i) { accepted } }",
                   "variables": {"i": {"events": events, "idempotencyKey": format!("b{b}")}}})
            .to_string()
        })
        .collect();
    // Raw HTTP/1.1, so the test knows when each request has been written in full: SIGTERM
    // goes out only once all eight are on the server's side of the wire.
    let sent = Arc::new(AtomicUsize::new(0));
    let addr = t.base.trim_start_matches("http://").to_owned();
    let mut batches = Vec::new();
    for body in bodies {
        let (addr, admin, sent) = (addr.clone(), admin.clone(), sent.clone());
        batches.push(tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut stream = TcpStream::connect(&addr).await.unwrap();
            let head = format!(
                "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(body.as_bytes()).await.unwrap();
            stream.flush().await.unwrap();
            sent.fetch_add(1, Ordering::SeqCst);
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.unwrap();
            let text = String::from_utf8_lossy(&response);
            let json = text.split("\r\n\r\n").nth(1).unwrap_or_default();
            let body: Value = serde_json::from_str(json).unwrap_or(Value::Null);
            body["data"]["recordUsage"]["accepted"].as_i64()
        }));
    }
    let started = Instant::now();
    while sent.load(Ordering::SeqCst) < 8 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the requests were not sent"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Written is not yet accepted: on a loaded machine a connection can still wait in the
    // listen backlog, and a server that has stopped accepting rightly never answers it. So
    // SIGTERM waits until the backlog is empty, i.e. every request is the server's.
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    while accept_backlog(port).is_some_and(|n| n > 0) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not accept the requests"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = t.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut completed = 0;
    for b in batches {
        assert_eq!(
            b.await.unwrap(),
            Some(5_000),
            "an in-flight batch did not complete"
        );
        completed += 1;
    }
    let status = t.child.wait().unwrap();
    assert!(status.success(), "tandem exited with {status}");
    // New connections are refused once it has stopped.
    assert!(
        client
            .get(format!("{}/healthz", t.base))
            .send()
            .await
            .is_err()
    );

    let mut t = spawn(&db.url, db.pg_schema.as_deref()).await;
    let usage = gql(
        &client,
        &t.url,
        &admin,
        "query($id: ID!) { account(id: $id) { usage { events30 } } }",
        json!({"id": account}),
    )
    .await;
    assert_eq!(
        usage["data"]["account"]["usage"]["events30"],
        completed * 5_000,
        "{usage}"
    );
    t.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_what_is_in_flight_sqlite() {
    let db = TestDb::sqlite().await;
    sigterm_under_load(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_what_is_in_flight_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    sigterm_under_load(&db).await;
    db.cleanup().await;
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    cut: Arc<tokio::sync::Notify>,
}

async fn proxy(target: String) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let up = Arc::new(AtomicBool::new(true));
    let cut = Arc::new(tokio::sync::Notify::new());
    let (up2, cut2) = (up.clone(), cut.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            if !up2.load(Ordering::SeqCst) {
                drop(inbound); // the database is "away": the connection closes at once
                continue;
            }
            let target = target.clone();
            let cut = cut2.clone();
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = cut.notified() => {}
                }
            });
        }
    });
    Proxy { port, up, cut }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_going_away_fails_requests_cleanly_and_recovers_without_a_restart() {
    // Only PostgreSQL can go away: SQLite is a file inside the process.
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let url = reqwest::Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let p = proxy(target).await;
    let mut via = url.clone();
    via.set_port(Some(p.port)).unwrap();
    let admin = token("admin");
    let mut t = spawn(via.as_str(), db.pg_schema.as_deref()).await;
    let client = reqwest::Client::new();
    let q = "{ accounts { totalCount } }";
    assert_eq!(
        gql(&client, &t.url, &admin, q, json!({})).await["data"]["accounts"]["totalCount"],
        0
    );

    p.up.store(false, Ordering::SeqCst);
    p.cut.notify_waiters();
    let started = Instant::now();
    let body = gql(&client, &t.url, &admin, q, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("database is unavailable"), "{message}");
    assert!(
        !message.contains("127.0.0.1") && !message.to_lowercase().contains("sqlx"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a request waited {:?}",
        started.elapsed()
    );
    let ready = client
        .get(format!("{}/readyz", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let live = client
        .get(format!("{}/healthz", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200, "the process itself is alive");

    p.up.store(true, Ordering::SeqCst);
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("{}/readyz", t.base))
            .send()
            .await
            .unwrap();
        if ready.status().is_success() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "readiness never came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let body = gql(
        &client,
        &t.url,
        &admin,
        "mutation { createAccount(input: {name: \"Back\"}) { account { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["createAccount"]["account"]["name"], "Back",
        "{body}"
    );
    t.kill();
    db.cleanup().await;
}
