//! graphql-transport-ws as its PROTOCOL.md (npm `graphql-ws`) says, rule by rule, with raw
//! frames: each way a client breaks the protocol closes the socket with the code the protocol
//! names for it.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, WsClient};

const PROTOCOL: &str = "graphql-transport-ws";
const FOLLOW: &str = "subscription { accountChanges { cursor kind } }";

/// The close frame the server sends next (after any other messages): its code and reason.
async fn closed(ws: &mut WsClient) -> (u64, String) {
    loop {
        let m = ws
            .next_message()
            .await
            .expect("a close frame, not a dropped connection");
        if m["type"] == "__closed" {
            return (
                m["code"].as_u64().unwrap_or(0),
                m["reason"].as_str().unwrap_or("").to_owned(),
            );
        }
    }
}

async fn acknowledged(server: &Server) -> WsClient {
    let (ws, ack) = WsClient::connect(
        server,
        PROTOCOL,
        json!({"token": server.token(Role::Viewer)}),
    )
    .await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

fn subscribe(id: &str) -> Value {
    json!({"id": id, "type": "subscribe", "payload": {"query": FOLLOW}})
}

db_test! {
    async fn subscribing_before_the_acknowledgement_is_unauthorized_4401(db) {
        let server = Server::start(&db).await;
        let mut ws = WsClient::open(&server, PROTOCOL).await;
        ws.send(subscribe("1")).await;
        assert_eq!(closed(&mut ws).await.0, 4401);
        server.stop().await;
    }
}

db_test! {
    async fn a_second_subscription_under_a_running_id_is_4409_and_a_completed_id_is_free(db) {
        let server = Server::start(&db).await;
        let mut ws = acknowledged(&server).await;
        ws.send(subscribe("a")).await;
        ws.send(json!({"id": "a", "type": "complete"})).await;
        ws.send(subscribe("a")).await;
        // Still open: a query on another id answers.
        ws.send(json!({"id": "q", "type": "subscribe", "payload": {"query": "{ viewer { role } }"}})).await;
        let answer = loop {
            let m = ws.next_message().await.expect("an answer");
            assert_ne!(m["type"], "__closed", "{m}");
            if m["id"] == "q" && m["type"] == "next" {
                break m;
            }
        };
        assert_eq!(answer["payload"]["data"]["viewer"]["role"], "VIEWER");
        ws.send(subscribe("a")).await;
        let (code, reason) = closed(&mut ws).await;
        assert_eq!(code, 4409, "{reason}");
        assert!(reason.contains("Subscriber for a already exists"), "{reason}");
        server.stop().await;
    }
}

db_test! {
    async fn an_unknown_message_type_or_a_frame_that_is_not_json_is_a_bad_request_4400(db) {
        let server = Server::start(&db).await;
        let mut ws = acknowledged(&server).await;
        ws.send(json!({"type": "hello"})).await;
        assert_eq!(closed(&mut ws).await.0, 4400);
        let mut ws = acknowledged(&server).await;
        ws.send_text("this is not JSON").await;
        assert_eq!(closed(&mut ws).await.0, 4400);
        let mut ws = acknowledged(&server).await;
        ws.send(json!({"type": "subscribe", "payload": {"query": FOLLOW}})).await;
        assert_eq!(closed(&mut ws).await.0, 4400, "a subscribe without an id");
        server.stop().await;
    }
}

db_test! {
    async fn a_socket_that_never_initialises_is_closed_with_4408(db) {
        let server = Server::start_with(&db, &[("TANDEM_WS_INIT_TIMEOUT", "300ms")]).await;
        let started = std::time::Instant::now();
        let mut ws = WsClient::open(&server, PROTOCOL).await;
        assert_eq!(closed(&mut ws).await.0, 4408);
        assert!(started.elapsed() >= std::time::Duration::from_millis(250), "{:?}", started.elapsed());
        // One that does initialise in time stays open past the wait.
        let mut ws = acknowledged(&server).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        ws.send(json!({"id": "q", "type": "subscribe", "payload": {"query": "{ viewer { role } }"}})).await;
        let m = ws.next_message().await.expect("an answer");
        assert_eq!(m["type"], "next", "{m}");
        server.stop().await;
    }
}

db_test! {
    async fn a_refused_token_is_forbidden_4403_and_a_second_init_is_4429(db) {
        let server = Server::start(&db).await;
        let (mut ws, reply) = WsClient::connect(&server, PROTOCOL, json!({"token": "nonsense"})).await;
        let reply = if reply["type"] == "__closed" { reply } else { json!({"code": closed(&mut ws).await.0}) };
        assert_eq!(reply["code"], 4403, "{reply}");
        let mut ws = acknowledged(&server).await;
        ws.send(json!({"type": "connection_init", "payload": {}})).await;
        assert_eq!(closed(&mut ws).await.0, 4429);
        server.stop().await;
    }
}
