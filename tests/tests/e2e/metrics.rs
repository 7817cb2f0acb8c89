//! `GET /metrics`: the request counters move by what was sent, by operation and outcome; the
//! latency histogram and the gauges (pool, relay, webhooks, WebSocket subscribers) are there
//! and sane.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, WsClient};

/// Every sample of a scrape, by its series (`name{labels}` exactly as written).
async fn scrape(server: &Server) -> HashMap<String, f64> {
    let response = server
        .http
        .get(format!("{}/metrics", server.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let text = response.text().await.unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_owned(), value.parse().unwrap())
        })
        .collect()
}

fn get(samples: &HashMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

async fn named(server: &Server, token: &str, name: &str, query: &str) -> (u16, Value) {
    let response = server
        .http
        .post(&server.url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "operationName": name }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

db_test!(
    async fn requests_are_counted_by_operation_and_outcome(db) {
        let server = Server::start_with(&db, &[("TANDEM_AUTOMATION", "false")]).await;
        let before = scrape(&server).await;
        let admin = server.token(Role::Admin);
        let viewer = server.token(Role::Viewer);
        for _ in 0..3 {
            let (_, body) = named(&server, &admin, "Ping", "query Ping { __typename }").await;
            assert!(body.get("errors").is_none(), "{body}");
        }
        for _ in 0..2 {
            let (_, body) = named(&server, &admin, "Broken", "query Broken { nope }").await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        }
        let create = "mutation Create { createAccount(input: {name: \"Metrics Co\"}) { account { id } } }";
        let (_, body) = named(&server, &viewer, "Create", create).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        server.ok(Role::Admin, "{ __typename }", json!({})).await;
        let refused = server
            .http
            .post(&server.url)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);

        let after = scrape(&server).await;
        let moved = |series: &str| get(&after, series) - get(&before, series);
        let requests = "tandem_graphql_requests_total";
        assert_eq!(moved(&format!("{requests}{{operation=\"Ping\",outcome=\"ok\"}}")), 3.0);
        assert_eq!(
            moved(&format!(
                "{requests}{{operation=\"Broken\",outcome=\"error\",code=\"BAD_USER_INPUT\"}}"
            )),
            2.0
        );
        assert_eq!(
            moved(&format!(
                "{requests}{{operation=\"Create\",outcome=\"error\",code=\"FORBIDDEN\"}}"
            )),
            1.0
        );
        assert_eq!(moved(&format!("{requests}{{operation=\"(anonymous)\",outcome=\"ok\"}}")), 1.0);
        assert_eq!(moved("tandem_graphql_refused_total{code=\"UNAUTHENTICATED\"}"), 1.0);
        let total: f64 = after
            .iter()
            .filter(|(k, _)| k.starts_with(requests))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(total, 7.0, "only the requests sent are counted: {after:?}");

        let latency = "tandem_graphql_request_duration_seconds";
        assert_eq!(moved(&format!("{latency}_count{{operation=\"Ping\"}}")), 3.0);
        assert_eq!(moved(&format!("{latency}_bucket{{operation=\"Ping\",le=\"+Inf\"}}")), 3.0);
        let fastest = get(&after, &format!("{latency}_bucket{{operation=\"Ping\",le=\"0.0005\"}}"));
        assert!((0.0..=3.0).contains(&fastest));
        let sum = get(&after, &format!("{latency}_sum{{operation=\"Ping\"}}"));
        assert!(sum > 0.0 && sum < 30.0, "{sum}");

        let max = get(&after, "tandem_db_pool_max_connections");
        assert_eq!(max, 5.0, "the test servers' pool size");
        let idle = get(&after, "tandem_db_pool_connections{state=\"idle\"}");
        let busy = get(&after, "tandem_db_pool_connections{state=\"in_use\"}");
        assert!(idle + busy >= 1.0 && idle + busy <= max, "idle {idle}, in use {busy}");
        assert!(after.contains_key("tandem_db_pool_connections{state=\"in_use\"}"));
        assert_eq!(get(&after, "tandem_webhook_deliveries_pending"), 0.0);
        assert!(after.contains_key("tandem_webhook_deliveries_due"));
        assert!(after.contains_key("tandem_event_relay_lag_events"));
        assert!(get(&after, "tandem_event_relay_lag_events") >= 0.0);
        assert!(
            get(&after, "tandem_event_outbox_cursor") >= get(&before, "tandem_event_outbox_cursor")
        );
        assert_eq!(get(&after, "tandem_websocket_connections"), 0.0);
        assert_eq!(get(&after, "tandem_event_subscriptions"), 0.0);

        // A subscriber shows in the gauges while it is connected.
        let (mut ws, ack) = WsClient::connect(
            &server,
            "graphql-transport-ws",
            json!({ "Authorization": format!("Bearer {admin}") }),
        )
        .await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws.subscribe("1", "subscription { accountChanges { kind } }", json!({})).await;
        let started = Instant::now();
        let during = loop {
            let now = scrape(&server).await;
            if get(&now, "tandem_event_subscriptions") >= 1.0 {
                break now;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no subscriber counted: {now:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(get(&during, "tandem_websocket_connections"), 1.0);
        assert_eq!(get(&during, "tandem_event_subscriptions"), 1.0);
        drop(ws);
        server.stop().await;
    }
);

db_test!(
    async fn metrics_can_be_turned_off(db) {
        let server = Server::start_with(&db, &[("TANDEM_METRICS", "off")]).await;
        let response = server
            .http
            .get(format!("{}/metrics", server.base()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        server.stop().await;
    }
);
