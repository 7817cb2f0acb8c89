//! Customer-health benchmark: usage ingest, a batch health recompute and the portfolio query,
//! on 10,000 accounts and 1,000,000 usage events, on SQLite and (when the test PostgreSQL is
//! configured) on PostgreSQL.
//!
//! ```sh
//! cargo bench -p tandem-tests --bench health                      # SQLite only
//! scripts/with-postgres cargo bench -p tandem-tests --bench health # SQLite, then PostgreSQL
//! ```
//!
//! Options after `--`: `--accounts N` (10000), `--events N` (1000000), `--runs N` (50).
//! Figures are medians of one run; the machine is shared and noisy, so compare ratios.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot unwrap has failed

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, Utc};
use serde_json::{Value, json};
use tandem_api::app::{self, StartOptions};
use tandem_api::auth::Issuer;
use tandem_api::settings::{Overrides, Settings};
use tandem_domain::account::{NewAccount, TouchTier};
use tandem_domain::auth::Role;
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::{NewRevenueMovement, UsageEvent};
use tandem_persistence::health::compute::Scope;
use tandem_persistence::{Store, account, health, revenue, usage};
use tandem_tests::TestDb;

/// The allocator the `tandem` binary uses, so the in-process server behaves as it does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SECRET: &str = "benchmark-secret-of-sufficient-length!";

struct Args {
    accounts: usize,
    events: usize,
    runs: usize,
}

fn args() -> Args {
    let mut a = Args {
        accounts: 10_000,
        events: 1_000_000,
        runs: 50,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let value = || argv.get(i + 1).and_then(|v| v.parse().ok());
        match argv[i].as_str() {
            "--accounts" => a.accounts = value().expect("--accounts N"),
            "--events" => a.events = value().expect("--events N"),
            "--runs" => a.runs = value().expect("--runs N"),
            _ => {}
        }
        i += 1;
    }
    a
}

/// SplitMix64: the same data on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An hour of live activity, as an integration sends it: 10,000 events from 400 active
/// accounts, each from a handful of users across the features, all within the last hour.
fn live_batch(rng: &mut Rng, accounts: &[AccountId], n: usize) -> Vec<UsageEvent> {
    let now = Utc::now();
    let active: Vec<AccountId> = (0..400)
        .map(|_| accounts[rng.below(accounts.len() as u64) as usize])
        .collect();
    (0..n)
        .map(|_| UsageEvent {
            account_id: active[rng.below(active.len() as u64) as usize],
            feature: FEATURES[rng.below(FEATURES.len() as u64) as usize].to_owned(),
            actor: format!("user-{}", rng.below(8)),
            occurred_at: now - Days::seconds(rng.below(3600) as i64),
            quantity: 1 + rng.below(5) as i64,
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

const FEATURES: &[&str] = &[
    "catalog.import",
    "orders.sync",
    "search.configure",
    "checkout.customize",
    "reports.view",
    "promotions.create",
];

fn usage_batch(rng: &mut Rng, accounts: &[AccountId], n: usize) -> Vec<UsageEvent> {
    let now = Utc::now();
    (0..n)
        .map(|_| {
            let account = accounts[rng.below(accounts.len() as u64) as usize];
            UsageEvent {
                account_id: account,
                feature: FEATURES[rng.below(FEATURES.len() as u64) as usize].to_owned(),
                actor: format!("user-{}", rng.below(20)),
                occurred_at: now - Days::minutes(rng.below(365 * 24 * 60) as i64),
                quantity: 1 + rng.below(5) as i64,
            }
        })
        .collect()
}

async fn run(label: &str, db: &TestDb, a: &Args) {
    println!(
        "== {label}: {} accounts, {} usage events",
        a.accounts, a.events
    );
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("TANDEM_JWT_SECRET".into(), SECRET.into());
    vars.insert("TANDEM_LOG".into(), "warn".into());
    vars.insert("TANDEM_RATE_LIMIT_PER_SECOND".into(), "0".into());
    if let Some(schema) = &db.pg_schema {
        vars.insert("TANDEM_DATABASE_SCHEMA".into(), schema.clone());
    }
    let settings = Settings::from_vars(
        &vars,
        &Overrides {
            bind: Some("127.0.0.1:0".into()),
            database_url: Some(db.url.clone()),
        },
    )
    .expect("settings");
    let store: Store = app::connect(&settings).await.expect("connect");
    let mut rng = Rng(0x5EED_2026_1123);

    // Accounts and a NEW revenue movement each (set-up, not measured).
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let mut ids = Vec::with_capacity(a.accounts);
    let mut movements = Vec::with_capacity(a.accounts);
    for i in 0..a.accounts {
        let tier = [
            TouchTier::High,
            TouchTier::Medium,
            TouchTier::Low,
            TouchTier::Tech,
        ][i % 4];
        let data = NewAccount {
            name: format!("Account {i:06}"),
            touch_tier: tier,
            renewal_date: Some(today + Days::days(rng.below(365) as i64)),
            ..NewAccount::default()
        }
        .validate()
        .expect("valid account");
        let created = account::create(&store, "bench", data)
            .await
            .expect("create");
        movements.push(NewRevenueMovement {
            account_id: created.id,
            kind: "NEW",
            amount: Money::new(10_000 + rng.below(500_000) as i64, Currency::USD),
            effective_on: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + Days::days(rng.below(600) as i64),
        });
        ids.push(created.id);
    }
    revenue::import(&store, &movements).await.expect("revenue");
    println!(
        "set-up: {} accounts in {:.1} s",
        a.accounts,
        started.elapsed().as_secs_f64()
    );

    // A year of history through storage: every event on its own account, day and feature, the
    // worst case for the roll-ups.
    let batches = a.events / 10_000;
    let backfill = batches.saturating_sub(40);
    let mut took = Duration::ZERO;
    for b in 0..backfill {
        let batch = usage_batch(&mut rng, &ids, 10_000);
        let t = Instant::now();
        usage::ingest(&store, "bench", Some(&format!("b{b}")), &batch)
            .await
            .expect("ingest");
        took += t.elapsed();
    }
    println!(
        "ingest, a year of history (storage, 10,000 per batch): {} events in {:.2} s = {:.0} events/s",
        backfill * 10_000,
        took.as_secs_f64(),
        (backfill * 10_000) as f64 / took.as_secs_f64()
    );
    // Live hours through storage.
    let live = 20.min(batches);
    let mut took = Duration::ZERO;
    for b in 0..live {
        let batch = live_batch(&mut rng, &ids, 10_000);
        let t = Instant::now();
        usage::ingest(&store, "bench", Some(&format!("live{b}")), &batch)
            .await
            .expect("ingest");
        took += t.elapsed();
    }
    println!(
        "ingest, live hours (storage, 10,000 per batch): {} events in {:.2} s = {:.0} events/s",
        live * 10_000,
        took.as_secs_f64(),
        (live * 10_000) as f64 / took.as_secs_f64()
    );

    // Ingest end to end: recordUsage over HTTP, the last 20 batches.
    let server = app::start(&settings, store.clone(), StartOptions::default())
        .await
        .expect("start");
    let url = format!("http://{}/graphql", server.addr);
    let token = Issuer::new(&settings.auth)
        .unwrap()
        .issue("bench", Role::Admin, Duration::from_secs(3600))
        .unwrap();
    let http = reqwest::Client::new();
    let gid = |id: AccountId| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Account:{}", id.0))
    };
    let mut bodies = Vec::new();
    for b in 0..20.min(batches) {
        let events: Vec<Value> = live_batch(&mut rng, &ids, 10_000)
            .iter()
            .map(|e| {
                json!({"accountId": gid(e.account_id), "feature": e.feature, "actor": e.actor,
                       "occurredAt": e.occurred_at.to_rfc3339(), "quantity": e.quantity})
            })
            .collect();
        bodies.push(
            json!({"query": "mutation($i: RecordUsageInput!) { recordUsage(input: $i) { accepted } }",
                   "variables": {"i": {"events": events, "idempotencyKey": format!("http-{b}")}}})
            .to_string(),
        );
    }
    // Two integrations sending at once, as a server with two workers is meant to be used.
    let sent = bodies.len() * 10_000;
    let t = Instant::now();
    let mut senders = Vec::new();
    for chunk in bodies.chunks(bodies.len().div_ceil(2).max(1)) {
        let (http, url, token, chunk) = (http.clone(), url.clone(), token.clone(), chunk.to_vec());
        senders.push(tokio::spawn(async move {
            for body in chunk {
                let response: Value = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(
                    response["data"]["recordUsage"]["accepted"], 10_000,
                    "{response}"
                );
            }
        }));
    }
    for s in senders {
        s.await.unwrap();
    }
    let took = t.elapsed();
    if sent > 0 {
        println!(
            "ingest, live hours (recordUsage over HTTP, 10,000 per call, 2 clients): {} events in {:.2} s = {:.0} events/s",
            sent,
            took.as_secs_f64(),
            sent as f64 / took.as_secs_f64()
        );
    }

    // Health: ten weekly runs over every account, the last one now.
    let mut runs = Vec::new();
    for week in (0..10).rev() {
        let t = Instant::now();
        let report =
            health::compute::recompute(&store, "bench", Scope::All, Utc::now() - Days::weeks(week))
                .await
                .expect("recompute");
        runs.push(t.elapsed());
        assert_eq!(report.scored, a.accounts);
    }
    println!(
        "recompute health for {} accounts: median {} per run (10 runs, {} scores kept)",
        a.accounts,
        ms(median(runs)),
        a.accounts * 10
    );

    // The portfolio over a warm server.
    let query = json!({"query": "{ portfolio { accounts statusCounts { status count } mrr { amountMinor } mrrAtRisk { amountMinor } topMovers(first: 10) { account { id name } change } renewals(days: 90) { count mrr { amountMinor } accounts(first: 10) { id name renewalDate } } } }"}).to_string();
    let mut times = Vec::new();
    for i in 0..a.runs + 5 {
        let t = Instant::now();
        let response: Value = http
            .post(&url)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(query.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if i >= 5 {
            times.push(t.elapsed());
        }
        assert!(response.get("errors").is_none(), "{response}");
        assert_eq!(response["data"]["portfolio"]["accounts"], a.accounts);
    }
    times.sort();
    println!(
        "portfolio query: median {}, p90 {} over {} warm runs",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        times.len()
    );
    server.stop().await;
    store.close().await.ok();
}

fn main() {
    let a = args();
    let runtime = tokio::runtime::Runtime::new().expect("tokio");
    runtime.block_on(async {
        let sqlite = TestDb::sqlite().await;
        run("SQLite", &sqlite, &a).await;
        sqlite.cleanup().await;
        if std::env::var(tandem_tests::POSTGRES_URL_VAR).is_ok_and(|v| !v.is_empty())
            && let Some(pg) = TestDb::postgres().await
        {
            run("PostgreSQL", &pg, &a).await;
            pg.cleanup().await;
        } else {
            println!("(PostgreSQL skipped: run through scripts/with-postgres to include it)");
        }
    });
}
