//! The JetStream relay against a real `nats-server`: every committed event reaches the stream
//! exactly once and in cursor order, though the server is killed with SIGKILL in the middle of a
//! burst of writes, and though NATS is down when the events are written.
//!
//! The broker comes from `scripts/with-nats` (`TANDEM_TEST_NATS_URL`, and the binary in
//! `TANDEM_TEST_NATS_SERVER` for the test that starts and stops one of its own). Without it these
//! tests say so and pass, unless `TANDEM_REQUIRE_NATS=1`, as CI sets.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tandem_persistence::event::{self, EventQuery};
use tandem_persistence::{Store, StoreOptions};
use tandem_tests::{TestDb, db_test};

mod common;
use common::{Tandem, token};

/// The test broker's URL, or `None` (with a message) when there is none and none is required.
fn nats_url() -> Option<String> {
    match std::env::var("TANDEM_TEST_NATS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("TANDEM_REQUIRE_NATS").as_deref() == Ok("1") => {
            panic!(
                "TANDEM_REQUIRE_NATS=1 but TANDEM_TEST_NATS_URL is unset: run under scripts/with-nats"
            )
        }
        _ => {
            eprintln!("skipped: no NATS server (run under scripts/with-nats)");
            None
        }
    }
}

/// A stream and subject prefix of the test's own, so that tests sharing a broker stay apart.
struct Names {
    stream: String,
    prefix: String,
}

fn names() -> Names {
    let id = uuid::Uuid::new_v4().simple().to_string();
    Names {
        stream: format!("T_{id}"),
        prefix: format!("t{id}.events"),
    }
}

async fn spawn(db: &TestDb, nats: &str, names: &Names, log: &str) -> Tandem {
    Tandem::start(
        &db.url,
        db.pg_schema.as_deref(),
        &[
            ("TANDEM_LOG", "info,async_nats=warn"),
            ("TANDEM_NATS_URL", nats),
            ("TANDEM_NATS_STREAM", &names.stream),
            ("TANDEM_NATS_SUBJECT_PREFIX", &names.prefix),
            ("TANDEM_NATS_RETRY_MAX", "500ms"),
            ("TANDEM_WORKER_STANDBY_INTERVAL", "300ms"),
        ],
        Some(log),
    )
    .await
}

async fn store(db: &TestDb) -> Store {
    let mut options = StoreOptions::new(db.url.clone());
    options.pg_schema = db.pg_schema.clone();
    options.max_connections = 2;
    Store::connect(&options).await.unwrap()
}

/// Every cursor in the outbox, in order.
async fn outbox(store: &Store) -> Vec<i64> {
    event::list(
        store,
        &EventQuery {
            limit: 100_000,
            ..EventQuery::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.cursor)
    .collect()
}

/// Creates accounts through `url`, four requests at a time, until `n` or a failure (the server
/// was killed); returns how many were created.
async fn write_accounts(url: &str, n: usize) -> usize {
    let admin = token("ADMIN");
    let client = reqwest::Client::new();
    futures_util::stream::iter(0..n)
        .map(|i| {
            let (client, admin) = (client.clone(), admin.clone());
            async move {
                let r = client
                    .post(url)
                    .bearer_auth(&admin)
                    .json(&json!({"query": "mutation($n: String!) { createAccount(input: {name: $n, tags: [\"burst\"]}) { account { id } } }", "variables": {"n": format!("Burst {i:04}")}}))
                    .send()
                    .await;
                match r {
                    Ok(r) => r.json::<Value>().await.is_ok_and(|b| b["errors"].is_null()),
                    Err(_) => false,
                }
            }
        })
        .buffer_unordered(4)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

/// Each message of the stream, in stream order: its `Nats-Msg-Id`, its subject and its body, as
/// an ordered consumer reads them.
async fn read_stream(nats: &str, stream: &str) -> Vec<(i64, String, Value)> {
    let js = async_nats::jetstream::new(async_nats::connect(nats).await.unwrap());
    let mut stream = js.get_stream(stream).await.unwrap();
    let count = stream.info().await.unwrap().state.messages as usize;
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::OrderedConfig::default())
        .await
        .unwrap();
    let mut messages = consumer.messages().await.unwrap().take(count);
    let mut out = Vec::with_capacity(count);
    while let Some(m) = tokio::time::timeout(Duration::from_secs(10), messages.next())
        .await
        .unwrap()
    {
        let m = m.unwrap();
        let id = m
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.as_str().parse::<i64>().unwrap())
            .unwrap_or_else(|| panic!("no Nats-Msg-Id on {m:?}"));
        let body: Value = serde_json::from_slice(&m.payload).unwrap();
        out.push((id, m.subject.to_string(), body));
    }
    out
}

/// Waits until the stream holds as many messages as the outbox has events, then checks that it
/// holds each exactly once, in cursor order, each on its kind's subject with its own body.
async fn assert_relayed(nats: &str, names: &Names, store: &Store, within: Duration) {
    let js = async_nats::jetstream::new(async_nats::connect(nats).await.unwrap());
    let cursors = outbox(store).await;
    let started = Instant::now();
    loop {
        let held = match js.get_stream(&names.stream).await {
            Ok(mut s) => s.info().await.unwrap().state.messages as usize,
            Err(_) => 0,
        };
        if held >= cursors.len() {
            break;
        }
        assert!(
            started.elapsed() < within,
            "the stream holds {held} of {} events after {within:?}",
            cursors.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = read_stream(nats, &names.stream).await;
    let ids: Vec<i64> = got.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        ids, cursors,
        "the stream holds every event once, in cursor order"
    );
    for (id, subject, body) in &got {
        assert_eq!(body["cursor"], id.to_string());
        let kind = body["kind"].as_str().unwrap();
        let account = body["accountId"].as_str().unwrap_or("none");
        assert_eq!(subject, &format!("{}.{kind}.{account}", names.prefix));
    }
}

/// The value of an unlabelled series on `/metrics`.
async fn metric(base: &str, name: &str) -> Option<f64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

db_test! {
    async fn a_server_killed_mid_burst_relays_every_event_once_in_order_after_restart(db) {
        let Some(nats) = nats_url() else { return };
        let names = names();
        // A duplicate window too short to hide a repeat: the relay itself must not send one.
        async_nats::jetstream::new(async_nats::connect(&nats).await.unwrap())
            .create_stream(async_nats::jetstream::stream::Config {
                name: names.stream.clone(),
                subjects: vec![format!("{}.>", names.prefix)],
                duplicate_window: Duration::from_millis(100),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut first = spawn(&db, &nats, &names, "jetstream-first").await;
        let url = first.url.clone();
        let burst = tokio::spawn(async move { write_accounts(&url, 2_000).await });
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        first.kill();
        let written = burst.await.unwrap();
        assert!(written > 0 && written < 2_000, "the kill fell in the burst ({written} written)");
        eprintln!("{written} accounts written before the kill");
        let second = spawn(&db, &nats, &names, "jetstream-second").await;
        assert!(write_accounts(&second.url, 20).await == 20);
        let store = store(&db).await;
        assert_relayed(&nats, &names, &store, Duration::from_secs(30)).await;
        let lagging = metric(&second.base, "tandem_jetstream_relay_lag_events").await;
        assert_eq!(lagging, Some(0.0), "{}", second.log());
        store.close().await.ok();
    }
}

/// A `nats-server` of the test's own, on a port fixed for its life, with its store kept across
/// restarts.
struct Broker {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

impl Broker {
    fn new() -> Broker {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("tandem-nats-{}", uuid::Uuid::new_v4()));
        Broker {
            port,
            dir,
            child: None,
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let bin = std::env::var("TANDEM_TEST_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let child = Command::new(bin)
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nats-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_written_while_nats_is_down_are_relayed_in_order_once_it_returns() {
    if nats_url().is_none() {
        return;
    }
    let db = TestDb::sqlite().await;
    let names = names();
    let mut broker = Broker::new();
    // NATS is not up yet when tandem starts, nor while the first events are written.
    let tandem = spawn(&db, &broker.url(), &names, "jetstream-down").await;
    assert_eq!(write_accounts(&tandem.url, 30).await, 30);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let lag = metric(&tandem.base, "tandem_jetstream_relay_lag_events").await;
    assert!(lag.is_some_and(|n| n >= 30.0), "lag {lag:?}");
    broker.start().await;
    let store = store(&db).await;
    assert_relayed(&broker.url(), &names, &store, Duration::from_secs(20)).await;
    // It goes away again (its store kept), more is written, and it comes back.
    broker.stop();
    assert_eq!(write_accounts(&tandem.url, 30).await, 30);
    broker.start().await;
    assert_relayed(&broker.url(), &names, &store, Duration::from_secs(20)).await;
    assert!(
        tandem
            .log()
            .contains("the JetStream relay failed; retrying"),
        "{}",
        tandem.log()
    );
    store.close().await.ok();
    drop(tandem);
    db.cleanup().await;
}

/// The README's consumer (`api/examples/jetstream_consumer.rs`), run as a user would: it replays
/// the stream from the sequence it is given and prints each event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_readme_consumer_replays_the_stream_from_a_sequence() {
    let Some(nats) = nats_url() else { return };
    let db = TestDb::sqlite().await;
    let names = names();
    let tandem = spawn(&db, &nats, &names, "jetstream-consumer").await;
    assert_eq!(write_accounts(&tandem.url, 5).await, 5);
    let store = store(&db).await;
    assert_relayed(&nats, &names, &store, Duration::from_secs(20)).await;
    let cursors = outbox(&store).await;
    assert_eq!(cursors.len(), 5);

    let mut consumer = Command::new(example("jetstream_consumer"))
        .args([nats.as_str(), "3"])
        .env("STREAM", &names.stream)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example runs");
    let stdout = consumer.stdout.take().unwrap();
    // It follows the stream for ever: read what it prints of the three events from sequence 3.
    let lines = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .take(3)
            .collect::<Result<Vec<_>, _>>()
    });
    let lines = tokio::time::timeout(Duration::from_secs(20), lines)
        .await
        .expect("the consumer printed three events within 20 s")
        .unwrap()
        .unwrap();
    consumer.kill().ok();
    consumer.wait().ok();
    for (i, line) in lines.iter().enumerate() {
        let expected = format!(
            "seq={} cursor=\"{}\" kind=\"ACCOUNT_CREATED\"",
            i + 3,
            cursors[i + 2]
        );
        assert!(line.starts_with(&expected), "{line:?} is not {expected:?}…");
    }
    store.close().await.ok();
    drop(tandem);
    db.cleanup().await;
}

/// The path of an example's binary, built if this run of cargo has not (`cargo test --workspace`
/// builds them before the tests run; `--test jetstream` alone does not).
fn example(name: &str) -> std::path::PathBuf {
    let dir = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo)
            .args(["build", "-q", "-p", "tandem-api", "--example", name])
            .status()
            .unwrap();
        assert!(built.success(), "cargo build --example {name} failed");
    }
    path
}
