//! Account-change events: the history query and the subscription over WebSocket.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, WsClient, create_account};

const UPDATE: &str = "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { version } } }";
const FOLLOW: &str = "subscription($account: ID, $after: String) { accountChanges(accountId: $account, after: $after) { cursor kind actor account { name } changes { field before after } } }";

async fn set_plan(server: &Server, id: &str, version: i64, plan: &str) {
    server
        .ok(
            Role::CsManager,
            UPDATE,
            json!({"input": {"id": id, "version": version, "plan": plan}}),
        )
        .await;
}

db_test! {
    async fn every_mutation_records_an_event_with_what_changed(db) {
        let server = Server::start(&db).await;
        let id = create_account(&server, "Acme").await;
        set_plan(&server, &id, 1, "Growth").await;
        // A failed mutation records nothing.
        server.error(Role::CsManager, UPDATE, json!({"input": {"id": id, "version": 1, "plan": "Plus"}})).await;
        let history = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id) { edges { cursor node { kind actor accountId changes { field before after } } } pageInfo { hasNextPage } } }", json!({"id": id})).await;
        let edges = history["accountEvents"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["kind"], "ACCOUNT_CREATED");
        let update = &edges[1]["node"];
        assert_eq!(update["kind"], "ACCOUNT_UPDATED");
        assert_eq!(update["actor"], "tester");
        assert_eq!(update["accountId"], id.as_str());
        assert_eq!(update["changes"], json!([{"field": "plan", "before": null, "after": "Growth"}]));
        let c0: i64 = edges[0]["cursor"].as_str().unwrap().parse().unwrap();
        let c1: i64 = edges[1]["cursor"].as_str().unwrap().parse().unwrap();
        assert!(c1 > c0);

        let page = server.ok(Role::Viewer, "query($after: String) { accountEvents(first: 1, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }", json!({"after": edges[0]["cursor"]})).await;
        assert_eq!(page["accountEvents"]["edges"][0]["cursor"], edges[1]["cursor"]);
        assert_eq!(page["accountEvents"]["pageInfo"]["hasNextPage"], false);
        server.stop().await;
    }
}

db_test! {
    async fn a_subscription_resumes_from_a_cursor_with_no_gap_and_no_duplicate(db) {
        let server = Server::start(&db).await;
        let id = create_account(&server, "Acme").await;
        let other = create_account(&server, "Globex").await;
        set_plan(&server, &id, 1, "Starter").await;
        set_plan(&server, &other, 1, "Plus").await;
        set_plan(&server, &id, 2, "Growth").await;
        let history = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id) { edges { cursor } } }", json!({"id": id})).await;
        let first_cursor = history["accountEvents"]["edges"][0]["cursor"].clone();

        let token = server.token(Role::Viewer);
        let (mut ws, ack) = WsClient::connect(&server, "graphql-transport-ws", json!({"Authorization": format!("Bearer {token}")})).await;
        assert_eq!(ack["type"], "connection_ack");
        ws.subscribe("1", FOLLOW, json!({"account": id, "after": first_cursor})).await;
        let stored_1 = ws.next_event().await;
        let stored_2 = ws.next_event().await;
        assert_eq!(stored_1["accountChanges"]["changes"][0]["after"], "Starter");
        assert_eq!(stored_2["accountChanges"]["changes"][0]["after"], "Growth");

        set_plan(&server, &other, 2, "Enterprise").await;
        set_plan(&server, &id, 3, "Plus").await;
        let live = ws.next_event().await;
        assert_eq!(live["accountChanges"]["kind"], "ACCOUNT_UPDATED");
        assert_eq!(live["accountChanges"]["account"]["name"], "Acme");
        assert_eq!(live["accountChanges"]["changes"][0]["after"], "Plus");
        let cursors: Vec<i64> = [&stored_1, &stored_2, &live]
            .iter()
            .map(|e| e["accountChanges"]["cursor"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");

        // Resuming from the last cursor seen yields nothing old, then the next change.
        let (mut again, _) = WsClient::connect(&server, "graphql-transport-ws", json!({"token": token})).await;
        again.subscribe("2", FOLLOW, json!({"account": id, "after": cursors[2].to_string()})).await;
        set_plan(&server, &id, 4, "Enterprise").await;
        let next = again.next_event().await;
        assert_eq!(next["accountChanges"]["changes"][0]["after"], "Enterprise");
        let next_cursor: i64 = next["accountChanges"]["cursor"].as_str().unwrap().parse().unwrap();
        assert!(next_cursor > cursors[2]);
        server.stop().await;
    }
}

db_test! {
    async fn the_legacy_graphql_ws_protocol_delivers_events_too(db) {
        let server = Server::start(&db).await;
        let token = server.token(Role::Integration);
        let (mut ws, ack) = WsClient::connect(&server, "graphql-ws", json!({"authorization": format!("Bearer {token}")})).await;
        assert_eq!(ack["type"], "connection_ack");
        // From the start of the (empty) stream, so the test does not race the subscription's
        // registration against the write.
        ws.subscribe("a", "subscription { accountChanges(kinds: [ACCOUNT_CREATED], after: \"0\") { kind account { name } } }", json!({})).await;
        create_account(&server, "Initech").await;
        let event = ws.next_event().await;
        assert_eq!(event["accountChanges"], json!({"kind": "ACCOUNT_CREATED", "account": {"name": "Initech"}}));
        server.stop().await;
    }
}

db_test! {
    async fn a_websocket_without_a_valid_token_is_refused(db) {
        let server = Server::start(&db).await;
        let (mut ws, reply) = WsClient::connect(&server, "graphql-transport-ws", json!({"Authorization": "Bearer nonsense"})).await;
        assert_ne!(reply["type"], "connection_ack", "{reply}");
        if reply["type"] != "__closed" {
            let closed = ws.next_message().await.unwrap_or(Value::Null);
            assert!(closed["type"] == "__closed" || closed.is_null(), "{closed}");
        }
        server.stop().await;
    }
}

db_test! {
    async fn shutdown_closes_subscriptions_cleanly(db) {
        let server = Server::start(&db).await;
        let token = server.token(Role::Viewer);
        let (mut ws, ack) = WsClient::connect(&server, "graphql-transport-ws", json!({"token": token})).await;
        assert_eq!(ack["type"], "connection_ack");
        ws.subscribe("1", FOLLOW, json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let stopping = tokio::spawn(server.stop());
        let closed = ws.next_message().await.expect("a close frame");
        assert_eq!(closed["type"], "__closed", "{closed}");
        assert_eq!(closed["code"], 1001, "{closed}");
        stopping.await.unwrap();
    }
}

/// A graphql-transport-ws connection that subscribes and then never reads again: its own
/// socket, with a small receive buffer, so that what it leaves unread fills the kernel's
/// buffers after a few dozen events rather than a few MiB.
async fn stalled_subscriber(
    server: &Server,
    token: &str,
    subscriptions: usize,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let addr: std::net::SocketAddr = server
        .base()
        .trim_start_matches("http://")
        .parse()
        .expect("server address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let stream = socket.connect(addr).await.expect("connect");
    let mut request = server
        .ws_url
        .as_str()
        .into_client_request()
        .expect("ws request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .expect("ws handshake");
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"token": token}}),
    ))
    .await
    .expect("init");
    let ack = ws.next().await.expect("ack").expect("ack");
    assert!(
        ack.to_text().unwrap_or_default().contains("connection_ack"),
        "{ack:?}"
    );
    // ~1 KB an event per subscription: the changes many times over
    let heavy = (0..20)
        .map(|k| format!("c{k}: changes {{ field before after }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let query = format!("subscription {{ accountChanges {{ cursor {heavy} }} }}");
    for k in 0..subscriptions {
        ws.send(send(
            json!({"id": k.to_string(), "type": "subscribe", "payload": {"query": query}}),
        ))
        .await
        .expect("subscribe");
    }
    ws
}

db_test! {
    async fn a_subscriber_that_stops_reading_is_dropped_and_holds_no_one_back(db) {
        use futures_util::StreamExt;
        // the request timeout also bounds how long a send may wait for a client to read
        let server = Server::start_with(&db, &[("TANDEM_REQUEST_TIMEOUT", "1s")]).await;
        let id = create_account(&server, "Acme").await;
        let token = server.token(Role::Viewer);
        let mut stalled = stalled_subscriber(&server, &token, 10).await;
        let (mut reader, _) = WsClient::connect(&server, "graphql-transport-ws", json!({"token": token})).await;
        reader.subscribe("r", "subscription { accountChanges(kinds: [ACCOUNT_UPDATED]) { changes { after } } }", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;

        // a long plan name makes each of the stalled client's messages ~5 KB
        let events = 120;
        for v in 1..=events {
            set_plan(&server, &id, v, &format!("{v:0>100}")).await;
            let event = reader.next_event().await;
            assert_eq!(event["accountChanges"]["changes"][0]["after"], format!("{v:0>100}"));
        }
        // The stalled client's sends have been waiting; after the timeout the server lets go of
        // it: reading now yields what the kernel had buffered, then the end of the connection.
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        let drained = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            let mut messages = 0;
            while let Some(Ok(m)) = stalled.next().await {
                if m.is_close() {
                    break;
                }
                messages += 1;
            }
            messages
        })
        .await
        .expect("the server closes a connection that stopped reading");
        assert!(drained < events as usize * 10, "the stalled client got all {drained} messages: it was never stalled");
        server.stop().await;
    }
}
