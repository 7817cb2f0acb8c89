//! The sync benchmark: `upsertAccounts` over HTTP, 10,000 accounts in batches of 1,000, first
//! creating them and then updating every one (a changed field each), on SQLite and PostgreSQL.
//!
//!   scripts/with-postgres cargo bench -p tandem-tests --bench upsert [-- --accounts N]
//!
//! Prints the wall time of each pass and the records per second.

#![allow(clippy::unwrap_used)] // a benchmark that cannot unwrap has failed
#![recursion_limit = "256"]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tandem_api::app::{self, StartOptions};
use tandem_api::auth::Issuer;
use tandem_api::settings::{Overrides, Settings};
use tandem_domain::auth::Role;
use tandem_tests::TestDb;

const SECRET: &str = "upsert-benchmark-secret-of-enough-length";
const BATCH: usize = 1000;
const UPSERT: &str = "mutation($s: String!, $r: [AccountRecordInput!]!) { upsertAccounts(source: $s, records: $r) { status } }";

async fn run(label: &str, db: &TestDb, accounts: usize) {
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
    .unwrap();
    let store = app::connect(&settings).await.unwrap();
    let server = app::start(&settings, store.clone(), StartOptions::default())
        .await
        .unwrap();
    let url = format!("http://{}/graphql", server.addr);
    let token = Issuer::new(&settings.auth)
        .unwrap()
        .issue("crm-sync", Role::Integration, Duration::from_secs(3600))
        .unwrap();
    let http = reqwest::Client::new();
    let industries = ["Apparel", "Home & Garden", "Sporting Goods", "Beauty"];
    for (pass, expected) in [("create", "CREATED"), ("update", "UPDATED")] {
        let started = Instant::now();
        for b in 0..accounts.div_ceil(BATCH) {
            let records: Vec<Value> = (b * BATCH..((b + 1) * BATCH).min(accounts))
                .map(|i| {
                    json!({"externalId": format!("001{i:07}"), "name": format!("Account {i:05}"),
                           "industry": industries[(i + usize::from(pass == "update")) % 4],
                           "touchTier": "MEDIUM", "tags": ["crm"]})
                })
                .collect();
            let body: Value = http
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"query": UPSERT, "variables": {"s": "salesforce", "r": records}}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let rows = body["data"]["upsertAccounts"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"));
            assert!(rows.iter().all(|r| r["status"] == expected), "{body}");
        }
        let took = started.elapsed();
        println!(
            "{label}: {pass} {accounts} accounts in batches of {BATCH}: {:.2} s = {:.0} records/s",
            took.as_secs_f64(),
            accounts as f64 / took.as_secs_f64()
        );
    }
    server.stop().await;
    store.close().await.ok();
}

fn main() {
    let mut accounts = 10_000;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--accounts") {
        accounts = args[i + 1].parse().unwrap();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let sqlite = TestDb::sqlite().await;
        run("SQLite", &sqlite, accounts).await;
        sqlite.cleanup().await;
        if std::env::var(tandem_tests::POSTGRES_URL_VAR).is_ok_and(|v| !v.is_empty())
            && let Some(pg) = TestDb::postgres().await
        {
            run("PostgreSQL", &pg, accounts).await;
            pg.cleanup().await;
        } else {
            println!("(PostgreSQL skipped: run through scripts/with-postgres to include it)");
        }
    });
}
