//! Answers with field errors have the shape the GraphQL spec gives them, checked against the
//! reference implementation: for each document below, graphql-js (npm `graphql`, in
//! `tests/oracle`) executes it over `schema.graphql` with resolvers that read Tandem's answer and
//! raise where Tandem reported an error, and its `data` must be Tandem's, byte for byte. The
//! documents cover roles that may not see a field (nullable and non-null, in objects, lists and
//! at the root), fragments, aliases, directives, variables, several operations, abstract types
//! and mutations' payloads, on the demo data.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracle")
}

/// One document, as one role asks it.
struct Case {
    name: String,
    role: Role,
    query: String,
    variables: Value,
    operation: Option<&'static str>,
}

fn case(name: &str, role: Role, query: &str, variables: Value) -> Case {
    Case {
        name: name.into(),
        role,
        query: query.into(),
        variables,
        operation: None,
    }
}

/// Tandem's answer to `case`, as the text it sent (graphql-js compares key order too).
async fn answer(server: &Server, case: &Case) -> String {
    let response = server
        .http
        .post(&server.url)
        .bearer_auth(server.token(case.role))
        .header("accept", "application/graphql-response+json")
        .json(&json!({
            "query": case.query,
            "variables": case.variables,
            "operationName": case.operation,
        }))
        .send()
        .await
        .expect("request");
    response.text().await.expect("body")
}

const PERIOD: &str = r#"period: { from: "2026-01-01", to: "2026-06-30" }"#;

/// The documents that only read.
fn reads(account: &str, other: &str, engagement: &str, sow: &str) -> Vec<Case> {
    use Role::*;
    let id = json!({ "id": account });
    let mut cases = vec![
        case(
            "viewer: money in a list",
            Viewer,
            "{ accounts(first: 2) { nodes { name mrr { formatted } } } }",
            json!({}),
        ),
        case(
            "viewer: a bad id beside a good one",
            Viewer,
            r#"query($id: ID!) { a: account(id: "bogus") { name } b: account(id: $id) { name } }"#,
            id.clone(),
        ),
        case(
            "viewer: the only field fails",
            Viewer,
            "query($id: ID!) { account(id: $id) { mrr { amountMinor } } }",
            id.clone(),
        ),
        case(
            "viewer: figures' nullable money",
            Viewer,
            &format!("{{ figures({PERIOD}) {{ total {{ nrr }} }} }}"),
            json!({}),
        ),
        case(
            "viewer: figures' non-null money nulls the root",
            Viewer,
            &format!(
                "{{ figures({PERIOD}) {{ from total {{ startMrr {{ amountMinor }} payingAccounts }} }} }}"
            ),
            json!({}),
        ),
        case(
            "viewer: a non-null root field fails beside another",
            Viewer,
            &format!(
                "{{ viewer {{ role }} figures({PERIOD}) {{ total {{ startMrr {{ formatted }} }} }} }}"
            ),
            json!({}),
        ),
        case(
            "viewer: figures' groups",
            Viewer,
            &format!(
                "{{ figures({PERIOD}, groupBy: TOUCH_TIER) {{ groups {{ key nrr grr payingAccounts }} }} }}"
            ),
            json!({}),
        ),
        case(
            "viewer: several money fields",
            Viewer,
            "query($id: ID!) { account(id: $id) { name arr { formatted } mrr { formatted } health { score } } }",
            id.clone(),
        ),
        case(
            "viewer: named fragment",
            Viewer,
            "query($id: ID!) { account(id: $id) { ...F } } fragment F on Account { name mrr { formatted } }",
            id.clone(),
        ),
        case(
            "viewer: fragment with only failing fields",
            Viewer,
            "query($id: ID!) { account(id: $id) { ...F } } fragment F on Account { mrr { formatted } arr { formatted } }",
            id.clone(),
        ),
        case(
            "viewer: inline fragment in a list",
            Viewer,
            "{ accounts(first: 3) { nodes { ... on Account { name mrr { amountMinor } } } } }",
            json!({}),
        ),
        case(
            "viewer: @include true",
            Viewer,
            "query($with: Boolean!) { accounts(first: 2) { nodes { name mrr @include(if: $with) { formatted } arr @skip(if: $with) { formatted } } } }",
            json!({ "with": true }),
        ),
        case(
            "viewer: @include false",
            Viewer,
            "query($with: Boolean!) { accounts(first: 2) { nodes { name mrr @include(if: $with) { formatted } arr @skip(if: $with) { formatted } } } }",
            json!({ "with": false }),
        ),
        case(
            "viewer: a variable's default in a directive",
            Viewer,
            "query($with: Boolean = true) { accounts(first: 1) { nodes { mrr @include(if: $with) { formatted } name } } }",
            json!({}),
        ),
        case(
            "viewer: aliases",
            Viewer,
            "{ accounts(first: 2) { nodes { n: name m1: mrr { formatted } m2: mrr { amountMinor } } } }",
            json!({}),
        ),
        case(
            "viewer: the same field twice, merged",
            Viewer,
            "query($id: ID!) { account(id: $id) { mrr { formatted } name mrr { currency } } }",
            id.clone(),
        ),
        case(
            "viewer: node interface",
            Viewer,
            "query($id: ID!) { node(id: $id) { __typename id ... on Account { name mrr { formatted } } } }",
            id.clone(),
        ),
        case(
            "viewer: fragment on the interface",
            Viewer,
            "query($id: ID!) { node(id: $id) { ...N } } fragment N on Node { __typename id ... on Account { mrr { formatted } } }",
            id.clone(),
        ),
        case(
            "viewer: nodes list",
            Viewer,
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Account { name arr { formatted } } } }",
            json!({ "ids": [account, other] }),
        ),
        case(
            "viewer: money deep in lists",
            Viewer,
            "{ accounts(first: 2) { nodes { name engagements { name sows { title fixedPrice { formatted } } } } } }",
            json!({}),
        ),
        case(
            "viewer: every item's only field fails",
            Viewer,
            "{ accounts(first: 3) { nodes { mrr { formatted } } } }",
            json!({}),
        ),
        case(
            "viewer: edges",
            Viewer,
            "{ accounts(first: 2) { edges { cursor node { name mrr { formatted } } } pageInfo { hasNextPage } } }",
            json!({}),
        ),
        case(
            "viewer: signals in a non-null list",
            Viewer,
            "query($id: ID!) { account(id: $id) { name tickets { id } } }",
            id.clone(),
        ),
        case(
            "viewer: a failing non-null list beside a good root field",
            Viewer,
            "query($id: ID!) { viewer { role } account(id: $id) { name tickets { subject } } }",
            id.clone(),
        ),
        case(
            "viewer: SOW budget",
            Viewer,
            "query($id: ID!) { sow(id: $id) { title fixedPrice { formatted } budget { tmHours tmAmount { formatted } } rateCard { role hourlyRate { formatted } } } }",
            json!({ "id": sow }),
        ),
        case(
            "viewer: SOW list",
            Viewer,
            "{ sows(first: 3) { nodes { title status fixedPrice { amountMinor } } } }",
            json!({}),
        ),
        case(
            "viewer: portfolio's non-null money",
            Viewer,
            "{ portfolio { accounts mrr { formatted } } }",
            json!({}),
        ),
        case(
            "viewer: engagement with its account's money",
            Viewer,
            "query($id: ID!) { engagement(id: $id) { name account { name mrr { formatted } } phases { name status } } }",
            json!({ "id": engagement }),
        ),
        case(
            "viewer: several operations",
            Viewer,
            "query A { viewer { role } } query B($id: ID!) { account(id: $id) { name mrr { formatted } } }",
            id.clone(),
        ),
        case(
            "viewer: nothing fails",
            Viewer,
            "query($id: ID!) { account(id: $id) { name touchTier contacts { name } } }",
            id.clone(),
        ),
        case(
            "integration: health",
            Integration,
            "query($id: ID!) { account(id: $id) { name health { score } } }",
            id.clone(),
        ),
        case(
            "integration: non-null usage nulls the account",
            Integration,
            "query($id: ID!) { account(id: $id) { name usage { lastActiveOn } } }",
            id.clone(),
        ),
        case(
            "integration: non-null usage in a list nulls the root",
            Integration,
            "{ accounts(first: 2) { nodes { name usage { lastActiveOn } } } }",
            json!({}),
        ),
        case(
            "integration: one alias fails, one does not",
            Integration,
            "query($id: ID!) { a: account(id: $id) { health { score } } b: account(id: $id) { name } }",
            id.clone(),
        ),
        case(
            "integration: figures",
            Integration,
            &format!("{{ figures({PERIOD}) {{ total {{ payingAccounts }} }} }}"),
            json!({}),
        ),
        case(
            "integration: goals",
            Integration,
            "query($id: ID!) { account(id: $id) { goals { title } name } }",
            id.clone(),
        ),
        case(
            "integration: fragment with a non-null list",
            Integration,
            "query($id: ID!) { account(id: $id) { name ...H } } fragment H on Account { health { score } healthHistory { score } }",
            id.clone(),
        ),
        case(
            "integration: a root list",
            Integration,
            "{ viewer { role } segments { name } }",
            json!({}),
        ),
        case(
            "product: money and health",
            Product,
            "query($id: ID!) { account(id: $id) { name mrr { formatted } health { score status } } }",
            id.clone(),
        ),
        case(
            "services: revenue",
            Services,
            "query($id: ID!) { account(id: $id) { name revenueMovements { kind } } }",
            id.clone(),
        ),
        case(
            "services: the engagement's account's revenue",
            Services,
            "query($id: ID!) { engagement(id: $id) { name progress { totalPhases } account { revenueMovements { kind } } } }",
            json!({ "id": engagement }),
        ),
        case(
            "admin: nothing fails",
            Admin,
            "query($id: ID!) { account(id: $id) { name mrr { formatted } health { score } } }",
            id.clone(),
        ),
    ];
    for c in &mut cases {
        if c.name == "viewer: several operations" {
            c.operation = Some("B");
        }
    }
    cases
}

/// Asks each read and each mutation, and hands the answers to graphql-js.
async fn answers(server: &Server) -> (Vec<(String, String)>, Vec<Case>) {
    let first = server
        .ok(Role::Admin, "{ accounts(first: 2) { nodes { id } } engagements(first: 1) { nodes { id } } sows(first: 1) { nodes { id } } }", json!({}))
        .await;
    let account = first["accounts"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = first["accounts"]["nodes"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let engagement = first["engagements"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sow = first["sows"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut asked = reads(&account, &other, &engagement, &sow);
    let mut out = Vec::new();
    for c in &asked {
        out.push((c.name.clone(), answer(server, c).await));
    }
    // Mutations, each with the account's version read just before it.
    let mutations: [(&str, Role, &str); 5] = [
        (
            "integration: an update's payload with health",
            Role::Integration,
            "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { name plan health { score } } } }",
        ),
        (
            "viewer: an update refused",
            Role::Viewer,
            "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { name } } }",
        ),
        (
            "admin: a stale update beside a good one",
            Role::Admin,
            "mutation($input: UpdateAccountInput!, $stale: UpdateAccountInput!) { ok: updateAccount(input: $input) { account { version } } stale: updateAccount(input: $stale) { account { version } } }",
        ),
        (
            "integration: an update's payload with non-null usage",
            Role::Integration,
            "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { plan mrr { formatted } usage { lastActiveOn } } } }",
        ),
        (
            "admin: an update's payload",
            Role::Admin,
            "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { plan version mrr { formatted } } } }",
        ),
    ];
    for (i, (name, role, query)) in mutations.into_iter().enumerate() {
        let read = server
            .ok(
                Role::Admin,
                "query($id: ID!) { account(id: $id) { version } }",
                json!({ "id": account }),
            )
            .await;
        let version = read["account"]["version"].as_i64().unwrap();
        let variables = json!({
            "input": { "id": account, "version": version, "plan": format!("Plan {i}") },
            "stale": { "id": account, "version": version, "plan": "Stale" },
        });
        let c = case(name, role, query, variables);
        out.push((c.name.clone(), answer(server, &c).await));
        asked.push(c);
    }
    (out, asked)
}

db_test! {
    async fn field_errors_answer_as_graphql_js_does(db) {
        let dir = oracle_dir();
        if !crate::support::node_package(&dir, "graphql", "the graphql-js oracle") {
            return;
        }
        let server = Server::start(&db).await;
        tandem_api::demo::load(&server.store).await.unwrap();
        let (answers, cases) = answers(&server).await;
        assert!(answers.len() >= 40, "only {} documents", answers.len());
        let mut input = String::from("[");
        let mut with_errors = 0;
        for (i, ((name, text), c)) in answers.iter().zip(&cases).enumerate() {
            let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
            if body.get("errors").is_some_and(|e| e.as_array().is_some_and(|e| e.iter().any(|e| e.get("path").is_some()))) {
                with_errors += 1;
            }
            if i > 0 {
                input.push(',');
            }
            input.push_str(&format!(
                r#"{{"name":{},"query":{},"variables":{},"operationName":{},"response":{text}}}"#,
                json!(name), json!(c.query), c.variables, json!(c.operation)
            ));
        }
        input.push(']');
        assert!(with_errors >= 30, "only {with_errors} documents met a field error");
        let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
        let output = tokio::task::spawn_blocking(move || {
            let mut child = Command::new("node")
                .arg("oracle.mjs")
                .arg(schema)
                .current_dir(oracle_dir())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run node");
            child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let differing: Vec<&str> = stdout.lines().filter(|l| !l.contains(r#""same":true"#)).collect();
        assert!(
            output.status.success() && differing.is_empty(),
            "graphql-js shapes these answers differently:\n{}\n{}",
            differing.join("\n"),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(stdout.lines().count(), cases.len(), "{stdout}");
        eprintln!("{}", String::from_utf8_lossy(&output.stderr).trim());
        server.stop().await;
    }
}

db_test! {
    async fn a_websocket_answer_has_its_failed_fields_as_null(db) {
        let server = Server::start(&db).await;
        let account = crate::support::create_account(&server, "Null Shape").await;
        let token = server.token(Role::Viewer);
        let (mut ws, ack) = crate::support::WsClient::connect(
            &server,
            "graphql-transport-ws",
            json!({ "Authorization": format!("Bearer {token}") }),
        )
        .await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws.subscribe(
            "1",
            "query($id: ID!) { account(id: $id) { mrr { amountMinor } } b: account(id: \"bogus\") { name } }",
            json!({ "id": account }),
        )
        .await;
        let message = ws.next_message().await.expect("an answer");
        assert_eq!(message["type"], "next", "{message}");
        let payload = &message["payload"];
        assert_eq!(payload["data"], json!({ "account": { "mrr": null }, "b": null }), "{payload}");
        let mut paths: Vec<String> = payload["errors"].as_array().unwrap().iter().map(|e| e["path"].to_string()).collect();
        paths.sort();
        assert_eq!(paths, [r#"["account","mrr"]"#, r#"["b"]"#], "{payload}");
        server.stop().await;
    }
}
