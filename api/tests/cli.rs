//! The `tandem` command as a person runs it.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TANDEM: &str = env!("CARGO_BIN_EXE_tandem");
const SECRET: &str = "cli-test-secret-cli-test-secret-0123456789";

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tandem-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn schema_prints_the_checked_in_sdl() {
    let out = Command::new(TANDEM).arg("schema").output().unwrap();
    assert!(out.status.success());
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), checked_in);
}

#[test]
fn a_bad_setting_stops_the_server_naming_it_without_showing_secrets() {
    let dir = temp_dir();
    let out = Command::new(TANDEM)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env("TANDEM_MAX_DEPTH", "very")
        .env("TANDEM_JWT_SECRET", "short-secret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("TANDEM_MAX_DEPTH"), "{stderr}");
    assert!(stderr.contains("TANDEM_JWT_SECRET"), "{stderr}");
    assert!(!stderr.contains("short-secret"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn token_prints_a_token_for_the_role() {
    let out = Command::new(TANDEM)
        .args(["token", "--role", "viewer", "--sub", "ann", "--ttl", "5m"])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(token.trim().split('.').count(), 3);
    let bad = Command::new(TANDEM)
        .args(["token", "--role", "boss"])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--role"));
}

/// The claims of a token, read without checking its signature.
fn claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.trim().split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn token_prints_a_customer_token_naming_its_accounts_and_contact() {
    // Ids as the API shows them: base64url of `Kind:uuid`.
    let a1 = "QWNjb3VudDowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDE";
    let a2 = "QWNjb3VudDowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDI";
    let contact = "Q29udGFjdDowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDM";
    let run = |args: &[&str]| {
        Command::new(TANDEM)
            .args(["token", "--role", "CUSTOMER", "--sub", "pat"])
            .args(args)
            .env("TANDEM_JWT_SECRET", SECRET)
            .output()
            .unwrap()
    };
    let out = run(&["--account", a2, "--account", a1, "--contact", contact]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let claims = claims(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(claims["role"], "CUSTOMER");
    assert_eq!(claims["accounts"], serde_json::json!([a1, a2]));
    assert_eq!(claims["contact"], contact);

    for (args, expected) in [
        (&["--contact", contact][..], "--account ID"),
        (&["--account", a1][..], "--contact ID"),
        (
            &["--account", contact, "--contact", contact][..],
            "Account ids",
        ),
    ] {
        let bad = run(args);
        assert!(!bad.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let vendor = Command::new(TANDEM)
        .args(["token", "--role", "VIEWER", "--account", a1])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(!vendor.status.success());
    assert!(String::from_utf8_lossy(&vendor.stderr).contains("CUSTOMER tokens only"));
}

/// The README's first command: serve with demo data, answer with the printed token, stop
/// cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_loads_demo_data_and_stops_on_sigterm() {
    let dir = temp_dir();
    let mut child = Command::new(TANDEM)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("TANDEM_JWT_SECRET")
        .env_remove("TANDEM_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("stderr.log")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (url, token) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut url = None;
        while let Some(Ok(line)) = lines.next() {
            if let Some(rest) = line.strip_prefix("GraphiQL: ") {
                url = rest.split_whitespace().next().map(str::to_owned);
            }
            if line.starts_with("Admin token") {
                let token = lines.next().unwrap().unwrap();
                // Keep reading, as a terminal would, so the server can print the rest.
                std::thread::spawn(move || lines.for_each(drop));
                return (url.unwrap(), token);
            }
        }
        panic!("the demo banner never appeared");
    })
    .await
    .unwrap();
    assert!(
        dir.join("tandem.db").exists(),
        "the default SQLite file was not created"
    );

    let client = reqwest::Client::new();
    let body: serde_json::Value = client
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({"query": "{ accounts { totalCount } engagements { totalCount } sows { totalCount } teamMembers { name } viewer { role teamMember { name } } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["data"]["accounts"]["totalCount"].as_i64().unwrap() >= 200,
        "{body}"
    );
    assert!(
        body["data"]["teamMembers"].as_array().unwrap().len() >= 20,
        "{body}"
    );
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN");
    let page = client
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&token),
        "the demo GraphiQL page carries the admin token"
    );

    let started = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap_or_default();
    assert!(
        status.success(),
        "exit status {status}; the server logged:\n{log}"
    );
    std::fs::remove_dir_all(dir).ok();
}
