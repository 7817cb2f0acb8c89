//! Automatic persisted queries and the trusted-documents allowlist, over HTTP and WebSocket.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, WsClient, first_error};

const QUERY: &str = "query Persisted { accounts(first: 1) { totalCount } }";
const OTHER: &str = "query Other { accounts(first: 2) { totalCount } }";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn persisted(text: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(text) } })
}

/// POSTs `body` as `role`; returns the status and the JSON answer.
async fn send(server: &Server, role: Role, body: Value) -> (u16, Value) {
    let response = server
        .http
        .post(&server.url)
        .bearer_auth(server.token(role))
        .header("accept", "application/graphql-response+json")
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn total(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    &body["data"]["accounts"]["totalCount"]
}

db_test! {
    async fn a_persisted_query_is_registered_once_then_sent_by_hash(db) {
        let server = Server::start(&db).await;
        let by_hash = json!({ "extensions": persisted(QUERY) });
        let (status, unknown) = send(&server, Role::Viewer, by_hash.clone()).await;
        assert_eq!(status, 400, "{unknown}");
        assert_eq!(
            first_error(&unknown),
            ("PERSISTED_QUERY_NOT_FOUND".into(), "PersistedQueryNotFound".into())
        );
        let with_text = json!({ "query": QUERY, "extensions": persisted(QUERY) });
        let (status, ran) = send(&server, Role::Viewer, with_text).await;
        assert_eq!((status, total(&ran)), (200, &json!(0)), "{ran}");
        // Registered by one caller, found by any (and on any worker).
        for role in [Role::Viewer, Role::CsManager, Role::Viewer] {
            let (status, found) = send(&server, role, by_hash.clone()).await;
            assert_eq!((status, total(&found)), (200, &json!(0)), "{found}");
        }
        // A GET carries the hash in its `extensions` parameter.
        let found = server
            .http
            .get(&server.url)
            .bearer_auth(server.token(Role::Viewer))
            .query(&[("extensions", persisted(QUERY).to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(found.status().as_u16(), 200);
        let found: Value = found.json().await.unwrap();
        assert_eq!(total(&found), &json!(0), "{found}");
        server.stop().await;
    }
}

db_test! {
    async fn a_persisted_query_whose_text_does_not_match_its_hash_is_refused(db) {
        let server = Server::start(&db).await;
        let wrong = json!({ "query": OTHER, "extensions": persisted(QUERY) });
        let (status, refused) = send(&server, Role::Viewer, wrong).await;
        assert_eq!(status, 400, "{refused}");
        let (code, message) = first_error(&refused);
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("does not match"), "{message}");
        // And it was not registered under the hash it claimed.
        let (_, unknown) = send(&server, Role::Viewer, json!({ "extensions": persisted(QUERY) })).await;
        assert_eq!(first_error(&unknown).0, "PERSISTED_QUERY_NOT_FOUND");
        let bad_version = json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": sha256(QUERY) } } });
        let (status, refused) = send(&server, Role::Viewer, bad_version).await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(first_error(&refused).0, "BAD_USER_INPUT");
        server.stop().await;
    }
}

/// Starts a server that runs only [`QUERY`] (and [`FOLLOW`]), except for ADMIN and SERVICES.
async fn allowlisted(db: &tandem_tests::TestDb) -> (Server, std::path::PathBuf) {
    let manifest =
        std::env::temp_dir().join(format!("tandem-manifest-{}.json", uuid::Uuid::new_v4()));
    let documents = json!({ sha256(QUERY): QUERY, sha256(FOLLOW): FOLLOW });
    std::fs::write(&manifest, documents.to_string()).unwrap();
    let path = manifest.to_str().unwrap().to_owned();
    let server = Server::start_with(
        db,
        &[
            ("TANDEM_TRUSTED_DOCUMENTS", "allowlist"),
            ("TANDEM_TRUSTED_DOCUMENTS_MANIFEST", &path),
            ("TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES", "ADMIN,SERVICES"),
        ],
    )
    .await;
    (server, manifest)
}

const FOLLOW: &str =
    "subscription Follow($after: String) { accountChanges(after: $after) { kind } }";

db_test! {
    async fn the_allowlist_runs_only_registered_documents(db) {
        let (server, manifest) = allowlisted(&db).await;
        let (status, by_hash) = send(&server, Role::Viewer, json!({ "extensions": persisted(QUERY) })).await;
        assert_eq!((status, total(&by_hash)), (200, &json!(0)), "{by_hash}");
        let (status, by_text) = send(&server, Role::Viewer, json!({ "query": QUERY })).await;
        assert_eq!((status, total(&by_text)), (200, &json!(0)), "{by_text}");
        let (status, refused) = send(&server, Role::Viewer, json!({ "query": OTHER })).await;
        assert_eq!(status, 400, "{refused}");
        let (code, message) = first_error(&refused);
        assert_eq!(code, "PERSISTED_QUERY_NOT_IN_LIST");
        assert!(message.contains("registered"), "{message}");
        // Registering a new document by APQ is refused too, and so is asking for it by hash.
        let register = json!({ "query": OTHER, "extensions": persisted(OTHER) });
        let (_, refused) = send(&server, Role::Viewer, register).await;
        assert_eq!(first_error(&refused).0, "PERSISTED_QUERY_NOT_IN_LIST");
        let (_, refused) = send(&server, Role::Viewer, json!({ "extensions": persisted(OTHER) })).await;
        assert_eq!(first_error(&refused).0, "PERSISTED_QUERY_NOT_IN_LIST");
        // GET is held to the same list.
        let refused: Value = server
            .http
            .get(&server.url)
            .bearer_auth(server.token(Role::Viewer))
            .query(&[("query", OTHER)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(first_error(&refused).0, "PERSISTED_QUERY_NOT_IN_LIST");
        // So is a Server-Sent Events stream: the refusal comes as its one result.
        let text = server
            .http
            .post(&server.url)
            .bearer_auth(server.token(Role::Viewer))
            .header("accept", "text/event-stream")
            .json(&json!({ "query": OTHER }))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text.starts_with("event: next\n"), "{text}");
        assert!(text.contains("PERSISTED_QUERY_NOT_IN_LIST"), "{text}");
        server.stop().await;
        std::fs::remove_file(manifest).ok();
    }
}

db_test! {
    async fn roles_listed_as_unrestricted_send_any_document_under_the_allowlist(db) {
        let (server, manifest) = allowlisted(&db).await;
        for role in [Role::Admin, Role::Services] {
            let (status, ran) = send(&server, role, json!({ "query": OTHER })).await;
            assert_eq!((status, total(&ran)), (200, &json!(0)), "{role}: {ran}");
            // An APQ client falls back to the text, which then runs (without being remembered).
            let (_, unknown) = send(&server, role, json!({ "extensions": persisted(OTHER) })).await;
            assert_eq!(first_error(&unknown).0, "PERSISTED_QUERY_NOT_FOUND");
            let with_text = json!({ "query": OTHER, "extensions": persisted(OTHER) });
            let (status, ran) = send(&server, role, with_text).await;
            assert_eq!((status, total(&ran)), (200, &json!(0)), "{role}: {ran}");
        }
        server.stop().await;
        std::fs::remove_file(manifest).ok();
    }
}

db_test! {
    async fn the_allowlist_holds_over_the_websocket_too(db) {
        let (server, manifest) = allowlisted(&db).await;
        let viewer = json!({ "Authorization": format!("Bearer {}", server.token(Role::Viewer)) });
        let (mut ws, ack) = WsClient::connect(&server, "graphql-transport-ws", viewer).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws.subscribe("1", "subscription { accountChanges { cursor } }", json!({})).await;
        let refused = ws.next_message().await.unwrap();
        // (async-graphql answers a document refused before execution as a `next` with errors.)
        assert_eq!(refused["type"], "next", "{refused}");
        assert_eq!(first_error(&refused["payload"]).0, "PERSISTED_QUERY_NOT_IN_LIST", "{refused}");
        let done = ws.next_message().await.unwrap();
        assert_eq!((&done["type"], &done["id"]), (&json!("complete"), &json!("1")), "{done}");
        // The registered subscription runs: an account created before it arrives from the log.
        crate::support::create_account(&server, "Listed").await;
        ws.subscribe("2", FOLLOW, json!({ "after": "0" })).await;
        let event = ws.next_event().await;
        assert_eq!(event["accountChanges"]["kind"], "ACCOUNT_CREATED", "{event}");
        server.stop().await;
        std::fs::remove_file(manifest).ok();
    }
}
