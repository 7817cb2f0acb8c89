//! GraphQL over Server-Sent Events (the graphql-sse protocol's distinct connections mode): raw
//! requests, and the npm `graphql-sse` client subscribing from Node.js.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{Server, create_account};

/// POSTs `body` asking for an event stream; returns the status, the content type and the
/// response as it arrived, to its end.
async fn stream(server: &Server, token: Option<&str>, body: Value) -> (u16, String, String) {
    let mut request = server
        .http
        .post(&server.url)
        .header("accept", "text/event-stream")
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = tokio::time::timeout(Duration::from_secs(10), response.text())
        .await
        .expect("the stream ends")
        .unwrap();
    (status, content_type, text)
}

/// The `data` of each `next` event in `text`, and whether `complete` ended it.
fn events(text: &str) -> (Vec<Value>, bool) {
    let mut results = Vec::new();
    let mut completed = false;
    for event in text.split("\n\n").filter(|e| !e.is_empty()) {
        match event.split_once('\n') {
            Some(("event: next", data)) => {
                let json = data.strip_prefix("data: ").expect("a data line");
                results.push(serde_json::from_str(json).expect("JSON data"));
            }
            Some(("event: complete", "data:")) => completed = true,
            _ => panic!("unexpected event {event:?} in {text:?}"),
        }
    }
    (results, completed)
}

db_test! {
    async fn a_query_over_sse_is_one_next_event_then_complete(db) {
        let server = Server::start(&db).await;
        create_account(&server, "Acme").await;
        let token = server.token(Role::Viewer);
        let query = json!({ "query": "{ accounts(first: 5) { totalCount } }" });
        let (status, content_type, text) = stream(&server, Some(&token), query).await;
        assert_eq!(status, 200, "{text}");
        assert!(content_type.starts_with("text/event-stream"), "{content_type}");
        let (results, completed) = events(&text);
        assert_eq!(results, vec![json!({ "data": { "accounts": { "totalCount": 1 } } })]);
        assert!(completed, "{text}");
        // The same over GET, with the request in the URL.
        let text = server
            .http
            .get(&server.url)
            .bearer_auth(&token)
            .header("accept", "text/event-stream")
            .query(&[("query", "{ accounts(first: 5) { totalCount } }")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(events(&text), (vec![json!({ "data": { "accounts": { "totalCount": 1 } } })], true));
        server.stop().await;
    }
}

db_test! {
    async fn errors_before_execution_arrive_in_the_stream_and_bad_requests_are_refused(db) {
        let server = Server::start(&db).await;
        let token = server.token(Role::Viewer);
        // A document that does not validate: the stream opens and carries the errors.
        let (status, _, text) = stream(&server, Some(&token), json!({ "query": "{ nope }" })).await;
        assert_eq!(status, 200, "{text}");
        let (results, completed) = events(&text);
        assert_eq!(results.len(), 1, "{text}");
        assert_eq!(results[0]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{text}");
        assert!(completed, "{text}");
        // No token, or a body that is not a GraphQL request: refused before any stream.
        let (status, content_type, text) = stream(&server, None, json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, 401, "{text}");
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let (status, _, text) = stream(&server, Some(&token), json!({ "qeury": "{ __typename }" })).await;
        assert_eq!(status, 400, "{text}");
        server.stop().await;
    }
}

db_test! {
    async fn an_open_subscription_stream_ends_when_the_server_shuts_down(db) {
        let server = Server::start(&db).await;
        let mut response = server
            .http
            .post(&server.url)
            .bearer_auth(server.token(Role::Viewer))
            .header("accept", "text/event-stream")
            .json(&json!({ "query": "subscription { accountChanges { kind } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let stopping = tokio::spawn(server.stop());
        // Within the drain's 300 ms and well before the 5 s after which the server would drop
        // every connection anyway: the stream ends because it was told of the shutdown.
        let ended = tokio::time::timeout(Duration::from_secs(3), async {
            let mut seen = Vec::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                seen.extend_from_slice(&chunk);
            }
            seen
        })
        .await
        .expect("the stream ends at shutdown");
        let seen = String::from_utf8(ended).unwrap();
        assert!(!seen.contains("event: complete"), "an interrupted stream does not claim to be complete: {seen:?}");
        stopping.await.unwrap();
    }
}

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sse")
}

db_test! {
    async fn the_graphql_sse_client_receives_a_subscription_event(db) {
        let dir = client_dir();
        if !crate::support::node_package(&dir, "graphql-sse", "the graphql-sse client") {
            return;
        }
        let server = Server::start(&db).await;
        let mut child = tokio::process::Command::new("node")
            .arg("subscribe.mjs")
            .arg(&server.url)
            .env("TANDEM_TOKEN", server.token(Role::Viewer))
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("run node");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut next_line = async || -> Value {
            let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
                .await
                .expect("a line from the client within 20 s")
                .unwrap()
                .expect("the client printed a line");
            serde_json::from_str(&line).expect("a JSON line")
        };
        assert_eq!(next_line().await, json!({ "connected": true }));
        // The stream is open; the subscription starts listening as the server first polls it,
        // so write until an event arrives rather than guess how long that takes.
        let event = tokio::select! {
            event = next_line() => event,
            () = async {
                for i in 0.. {
                    create_account(&server, &format!("Streamed {i}")).await;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            } => unreachable!(),
        };
        let change = &event["event"]["data"]["accountChanges"];
        assert_eq!(change["kind"], "ACCOUNT_CREATED", "{event}");
        assert!(change["account"]["name"].as_str().unwrap().starts_with("Streamed "), "{event}");
        let query = next_line().await;
        let count = &query["query"]["data"]["accounts"]["totalCount"];
        assert!(count.as_i64().is_some_and(|n| n >= 1), "{query}");
        let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .expect("the client exits")
            .unwrap();
        assert!(status.success(), "the client failed: {status}");
        server.stop().await;
    }
}
