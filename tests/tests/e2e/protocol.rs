//! GraphQL over HTTP: methods, media types, status codes, limits and configuration.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, WsClient, first_error};

async fn raw(
    server: &Server,
    accept: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, String, Value) {
    let mut request = server
        .http
        .post(&server.url)
        .bearer_auth(server.token(Role::Admin))
        .header("accept", accept)
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const GR: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

db_test! {
    async fn requests_get_the_status_and_media_type_the_spec_asks_for(db) {
        let server = Server::start(&db).await;
        let (status, ct, body) = raw(&server, GR, Some(JSON), r#"{"query":"{ __typename }"}"#).await;
        assert_eq!((status, ct.as_str()), (200, "application/graphql-response+json; charset=utf-8"));
        assert_eq!(body, json!({"data": {"__typename": "Query"}}));
        let (_, ct, _) = raw(&server, JSON, Some("application/json; charset=utf-8"), r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(ct, "application/json; charset=utf-8");

        // A document that does not parse: 400 without data for the new media type, 200 for JSON.
        let (status, _, body) = raw(&server, GR, Some(JSON), r#"{"query":"{ accounts { "}"#).await;
        assert_eq!(status, 400);
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");
        let (status, _, body) = raw(&server, JSON, Some(JSON), r#"{"query":"{ nope }"}"#).await;
        assert_eq!(status, 200);
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");

        let (status, _, body) = raw(&server, GR, Some(JSON), "{not json").await;
        assert_eq!(status, 400);
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");
        let (status, _, _) = raw(&server, GR, Some(JSON), vec![0xff_u8, 0xfe, 0x7b]).await;
        assert_eq!(status, 400, "invalid UTF-8");
        let (status, _, _) = raw(&server, GR, Some(JSON), r#"{"qeury":"{ __typename }"}"#).await;
        assert_eq!(status, 400);
        let (status, _, _) = raw(&server, GR, Some(JSON), r#"{"query":"{ __typename }","variables":"x"}"#).await;
        assert_eq!(status, 400);
        let (status, _, _) = raw(&server, GR, None, r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(status, 415);
        let (status, _, _) = raw(&server, GR, Some("text/plain"), r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(status, 415);
        let (status, _, _) = raw(&server, "text/csv", Some(JSON), r#"{"query":"{ __typename }"}"#).await;
        assert_eq!(status, 406);
        let (status, _, body) = raw(&server, GR, Some(JSON), r#"{"query":"query A { __typename } query B { __typename }","operationName":"C"}"#).await;
        assert_eq!(status, 400, "{body}");
        server.stop().await;
    }
}

db_test! {
    async fn get_runs_queries_but_not_mutations(db) {
        let server = Server::start(&db).await;
        let token = server.token(Role::Admin);
        let response = server.http.get(&server.url)
            .query(&[("query", "query Q($n: Int) { accounts(first: $n) { totalCount } }"), ("variables", r#"{"n": 1}"#), ("operationName", "Q")])
            .bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"]["accounts"]["totalCount"], 0);
        let response = server.http.get(&server.url)
            .query(&[("query", "mutation { createAccount(input: {name: \"X\"}) { account { id } } }")])
            .bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405);
        assert_eq!(response.headers().get("allow").unwrap(), "POST");
        let body: Value = server.http.post(&server.url).bearer_auth(&token).json(&json!({"query": "{ accounts { totalCount } }"})).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["data"]["accounts"]["totalCount"], 0, "the GET mutation must not have run");
        server.stop().await;
    }
}

db_test! {
    async fn depth_complexity_alias_and_size_limits_refuse_abuse(db) {
        let server = Server::start_with(&db, &[("TANDEM_MAX_DEPTH", "6"), ("TANDEM_MAX_ALIASES", "3"), ("TANDEM_MAX_COMPLEXITY", "500"), ("TANDEM_MAX_BODY_BYTES", "4096")]).await;
        let deep = "{ accounts { nodes { contacts { account { contacts { account { contacts { name } } } } } } } }";
        let (status, _, body) = raw(&server, GR, Some(JSON), json!({"query": deep}).to_string()).await;
        assert_eq!(status, 400);
        assert!(first_error(&body).1.to_lowercase().contains("nested"), "{body}");
        let aliases = "{ a: viewer { role } b: viewer { role } c: viewer { role } d: viewer { role } }";
        let (status, _, body) = raw(&server, GR, Some(JSON), json!({"query": aliases}).to_string()).await;
        assert_eq!(status, 400);
        let (code, message) = first_error(&body);
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("aliases"), "{message}");
        let wide = "{ accounts(first: 100) { nodes { id name domain industry plan region tags version } } }";
        let (status, _, body) = raw(&server, GR, Some(JSON), json!({"query": wide}).to_string()).await;
        assert_eq!(status, 400);
        assert!(first_error(&body).1.to_lowercase().contains("complex"), "{body}");
        let big = json!({"query": format!("{{ __typename }} # {}", "x".repeat(5000))}).to_string();
        let (status, _, body) = raw(&server, GR, Some(JSON), big).await;
        assert_eq!(status, 413);
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");
        let fine = "{ accounts(first: 5) { nodes { id name } } }";
        let (status, _, _) = raw(&server, GR, Some(JSON), json!({"query": fine}).to_string()).await;
        assert_eq!(status, 200);
        server.stop().await;
    }
}

db_test! {
    async fn introspection_and_suggestions_follow_configuration(db) {
        let open = Server::start(&db).await;
        let (_, _, body) = raw(&open, GR, Some(JSON), r#"{"query":"{ __schema { queryType { name } } }"}"#).await;
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
        let (_, _, body) = raw(&open, GR, Some(JSON), r#"{"query":"{ acounts { totalCount } }"}"#).await;
        assert!(first_error(&body).1.contains("Did you mean"), "{body}");
        open.stop().await;

        let closed = Server::start_with(&db, &[("TANDEM_INTROSPECTION", "false"), ("TANDEM_SUGGESTIONS", "false")]).await;
        let (_, _, body) = raw(&closed, GR, Some(JSON), r#"{"query":"{ __schema { queryType { name } } }"}"#).await;
        assert!(body.get("errors").is_some() || body["data"]["__schema"].is_null(), "introspection answered: {body}");
        let (_, _, body) = raw(&closed, GR, Some(JSON), r#"{"query":"{ acounts { totalCount } }"}"#).await;
        assert!(!first_error(&body).1.contains("Did you mean"), "{body}");
        closed.stop().await;
    }
}

db_test! {
    async fn health_readiness_and_graphiql_answer(db) {
        let server = Server::start(&db).await;
        let health = server.http.get(format!("{}/healthz", server.base())).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);
        let ready = server.http.get(format!("{}/readyz", server.base())).send().await.unwrap();
        assert_eq!(ready.status().as_u16(), 200);
        let page = server.http.get(&server.url).header("accept", "text/html").send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("GraphiQL"));
        let script = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        let asset = server.http.get(format!("{}{script}", server.base())).send().await.unwrap();
        assert_eq!(asset.status().as_u16(), 200, "{script}");
        assert!(asset.headers().get("cache-control").unwrap().to_str().unwrap().contains("immutable"));
        let missing = server.http.get(format!("{}/nope", server.base())).send().await.unwrap();
        assert_eq!(missing.status().as_u16(), 404);
        let id = server.http.post(&server.url).bearer_auth(server.token(Role::Viewer))
            .header("x-request-id", "trace-123").json(&json!({"query": "{ __typename }"})).send().await.unwrap();
        assert_eq!(id.headers().get("x-request-id").unwrap(), "trace-123");
        server.stop().await;
    }
}

db_test! {
    async fn internal_details_never_reach_the_client(db) {
        let server = Server::start(&db).await;
        // A cursor that decodes but points nowhere sensible, and ids of the wrong kind.
        let bad = ["{ account(id: \"QWNjb3VudDpub3QtYS11dWlk\") { id } }", "{ accounts(after: \"eyJvIjowfQ\") { totalCount } }"];
        for q in bad {
            let (_, _, body) = raw(&server, GR, Some(JSON), json!({"query": q}).to_string()).await;
            let text = body.to_string().to_lowercase();
            for leak in ["select ", "sqlx", "sea_orm", "panicked", "stack backtrace"] {
                assert!(!text.contains(leak), "{leak} leaked: {body}");
            }
            assert!(body["errors"][0]["extensions"]["code"].is_string(), "{body}");
        }
        server.stop().await;
    }
}

db_test! {
    async fn a_retried_request_with_an_idempotency_key_runs_once(db) {
        let server = Server::start(&db).await;
        let token = server.token(Role::Admin);
        let body = json!({"query": "mutation { createAccount(input: {name: \"Acme\"}) { account { id } } }"}).to_string();
        let send = |key: &'static str, body: String, token: String| {
            let http = server.http.clone();
            let url = server.url.clone();
            async move {
                http.post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .header("idempotency-key", key)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let first = send("create-acme-1", body.clone(), token.clone()).await;
        assert_eq!(first.status().as_u16(), 200);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first: Value = first.json().await.unwrap();
        let again = send("create-acme-1", body.clone(), token.clone()).await;
        assert_eq!(again.status().as_u16(), 200);
        assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(first, again, "the retry gets the first answer");
        let count = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 1, "the retry changed nothing");

        let other = json!({"query": "mutation { createAccount(input: {name: \"Globex\"}) { account { id } } }"}).to_string();
        let mismatch = send("create-acme-1", other, token.clone()).await;
        assert_eq!(mismatch.status().as_u16(), 422);
        let mismatch: Value = mismatch.json().await.unwrap();
        assert_eq!(first_error(&mismatch).0, "CONFLICT");

        let too_long = server.http.post(&server.url).bearer_auth(&token)
            .header("content-type", "application/json")
            .header("idempotency-key", "k".repeat(201))
            .body(body.clone()).send().await.unwrap();
        assert_eq!(too_long.status().as_u16(), 400);
        let too_long: Value = too_long.json().await.unwrap();
        assert_eq!(first_error(&too_long).0, "BAD_USER_INPUT");

        // Keys belong to their caller: another subject's same key runs on its own.
        let theirs = send("create-acme-1", body, server.token_for("someone-else", Role::Admin)).await;
        assert!(theirs.headers().get("idempotent-replayed").is_none());
        let count = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 2);
        server.stop().await;
    }
}

db_test! {
    async fn a_caller_over_its_rate_is_told_when_to_retry_and_others_are_not_affected(db) {
        let server = Server::start_with(&db, &[("TANDEM_RATE_LIMIT_PER_SECOND", "1"), ("TANDEM_RATE_LIMIT_BURST", "3")]).await;
        let greedy = server.token_for("greedy-sync", Role::Integration);
        for _ in 0..3 {
            let (status, _) = server.post(&greedy, "{ viewer { role } }", json!({})).await;
            assert_eq!(status, 200);
        }
        let response = server
            .http
            .post(&server.url)
            .bearer_auth(&greedy)
            .json(&json!({"query": "{ viewer { role } }"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 429);
        let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry), "{retry}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
        assert_eq!(body["errors"][0]["extensions"]["retryAfterSeconds"], retry);
        // Someone else's token still gets through.
        let (status, _) = server.post(&server.token_for("calm", Role::Viewer), "{ viewer { role } }", json!({})).await;
        assert_eq!(status, 200);
        // After the hinted wait the greedy caller is served again.
        tokio::time::sleep(std::time::Duration::from_secs(retry)).await;
        let (status, _) = server.post(&greedy, "{ viewer { role } }", json!({})).await;
        assert_eq!(status, 200);
        server.stop().await;
    }
}

db_test! {
    async fn abusive_requests_get_coded_errors_and_leave_other_clients_alone(db) {
        let server = Server::start(&db).await;
        // Batched operations are not accepted.
        let batch = json!([{"query": "{ viewer { role } }"}, {"query": "{ viewer { role } }"}]).to_string();
        let (status, _, body) = raw(&server, GR, Some(JSON), batch).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");
        // Invalid UTF-8.
        let mut bytes = br#"{"query":"{ viewer { role } }", "x": ""#.to_vec();
        bytes.extend_from_slice(&[0xff, 0xfe, b'"', b'}']);
        let (status, _, body) = raw(&server, GR, Some(JSON), bytes).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(first_error(&body).0, "BAD_USER_INPUT");
        // An operation name the document does not define.
        let unknown = json!({"query": "query A { viewer { role } }", "operationName": "B"}).to_string();
        let (status, _, body) = raw(&server, GR, Some(JSON), unknown).await;
        assert_eq!(status, 400, "{body}");
        let (code, message) = first_error(&body);
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains('B'), "{message}");
        // A huge string input, within the body limit, is refused by validation and writes nothing.
        let huge = json!({"query": "mutation($n: String!) { createAccount(input: {name: $n}) { account { id } } }", "variables": {"n": "x".repeat(500_000)}}).to_string();
        let (status, _, body) = raw(&server, GR, Some(JSON), huge).await;
        assert_eq!(status, 200, "{body}");
        let (code, message) = first_error(&body);
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("name"), "{message}");
        let count = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 0);
        // A very wide flood of fields and deep fragments, sent alongside an ordinary client:
        // the abuse is refused and the ordinary request is answered.
        let wide = format!("{{ {} }}", (0..5000).map(|i| format!("f{i}: __typename")).collect::<Vec<_>>().join(" "));
        let flood = {
            let server = &server;
            async move {
                let mut refused = 0;
                for _ in 0..20 {
                    let (status, _, _) = raw(server, GR, Some(JSON), json!({"query": wide}).to_string()).await;
                    if status == 400 {
                        refused += 1;
                    }
                }
                refused
            }
        };
        let ordinary = async {
            let mut ok = 0;
            for _ in 0..20 {
                let (status, _) = server.post(&server.token(Role::Viewer), "{ viewer { role } }", json!({})).await;
                if status == 200 {
                    ok += 1;
                }
            }
            ok
        };
        let (refused, ok) = tokio::join!(flood, ordinary);
        assert_eq!((refused, ok), (20, 20));
        server.stop().await;
    }
}

db_test! {
    async fn a_websocket_document_meets_the_alias_limit_too(db) {
        let server = Server::start_with(&db, &[("TANDEM_MAX_ALIASES", "3")]).await;
        let token = server.token(Role::Viewer);
        let (mut ws, ack) = WsClient::connect(&server, "graphql-transport-ws", json!({"token": token})).await;
        assert_eq!(ack["type"], "connection_ack");
        ws.subscribe("many", "{ a: viewer { role } b: viewer { role } c: viewer { role } d: viewer { role } }", json!({})).await;
        let refused = ws.next_message().await.expect("an answer");
        let errors = if refused["type"] == "error" { refused["payload"].clone() } else { refused["payload"]["errors"].clone() };
        assert!(errors.to_string().contains("aliases"), "{refused}");
        ws.subscribe("few", "{ a: viewer { role } b: viewer { role } }", json!({})).await;
        let fine = loop {
            let m = ws.next_message().await.expect("an answer");
            if m["id"] == "few" {
                break m;
            }
        };
        assert_eq!(fine["payload"]["data"]["a"]["role"], "VIEWER", "{fine}");
        server.stop().await;
    }
}
