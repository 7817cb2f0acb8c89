//! The real `tandem` process, as the process-level tests start it: tokens from its own `token`
//! command, `tandem serve` on a free port against a test database, awaited until it is ready,
//! spoken to in GraphQL over HTTP, and killed when the test is done with it or has failed.
//!
//! Each test binary that says `mod common;` compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The binary under test, built by Cargo for these tests.
pub const TANDEM: &str = env!("CARGO_BIN_EXE_tandem");
/// The signing secret every server started here and every token made here share.
const SECRET: &str = "harness-test-secret-harness-test-secret-0123";

/// A token for `role`, made by `tandem token` with the servers' secret.
pub fn token(role: &str) -> String {
    let out = Command::new(TANDEM)
        .args([
            "token",
            "--role",
            role,
            "--sub",
            "harness-test",
            "--ttl",
            "1h",
        ])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `tandem serve`.
pub struct Tandem {
    /// The process, for the signals a test sends it and the exit status it waits for.
    pub child: Child,
    /// `http://127.0.0.1:port`, for the health endpoints.
    pub base: String,
    /// The GraphQL endpoint over HTTP.
    pub url: String,
    /// The GraphQL endpoint over WebSocket.
    pub ws: String,
    log: Option<PathBuf>,
}

impl Tandem {
    /// Starts `tandem serve` on `database_url` (and PostgreSQL `schema`) with the test's
    /// `settings` (environment variables) beside the shared ones, and waits until it is ready.
    /// With `log_as`, the server's log goes to a file of that name that [`Tandem::log`] reads;
    /// without, it is dropped.
    pub async fn start(
        database_url: &str,
        schema: Option<&str>,
        settings: &[(&str, &str)],
        log_as: Option<&str>,
    ) -> Tandem {
        let port = free_port();
        let log = log_as.map(|name| {
            std::env::temp_dir().join(format!("tandem-{}-{name}.log", uuid::Uuid::new_v4()))
        });
        let stderr = match &log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        };
        let mut cmd = Command::new(TANDEM);
        cmd.args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database_url,
        ])
        .env("TANDEM_JWT_SECRET", SECRET)
        .env("TANDEM_RATE_LIMIT_PER_SECOND", "0")
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .stderr(stderr);
        if let Some(schema) = schema {
            cmd.env("TANDEM_DATABASE_SCHEMA", schema);
        }
        let child = cmd.spawn().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "tandem did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Tandem {
            child,
            url: format!("{base}/graphql"),
            ws: format!("ws://127.0.0.1:{port}/graphql"),
            base,
            log,
        }
    }

    /// What the server has logged so far (empty when it was started without a log).
    pub fn log(&self) -> String {
        self.log
            .as_ref()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default()
    }

    /// SIGKILL, and waits for the process to be gone: no chance to finish anything.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// A server a failed assertion leaves behind is killed, not left running.
impl Drop for Tandem {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The response body of a GraphQL request to `url` as `token`'s bearer.
pub async fn gql(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    vars: Value,
) -> Value {
    client
        .post(url)
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": vars}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
