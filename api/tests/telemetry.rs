//! What the `tandem` process tells operators besides its answers: traces sent over OTLP/HTTP
//! to a collector when one is configured (here a stand-in that decodes what it receives), and
//! log lines without colour codes when they go to a file rather than a terminal.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::json;
use tandem_tests::TestDb;
use tokio::sync::mpsc;

mod common;
use common::{Tandem, token};

/// A collector stand-in on 127.0.0.1: every export POSTed to `/v1/traces`, decoded, is sent
/// down the channel. Returns its base URL.
fn collector() -> (String, mpsc::UnboundedReceiver<ExportTraceServiceRequest>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let tx = tx.clone();
        App::new().route(
            "/v1/traces",
            web::post().to(move |body: web::Bytes| {
                let tx = tx.clone();
                async move {
                    match ExportTraceServiceRequest::decode(body) {
                        Ok(export) => {
                            let _ = tx.send(export);
                            HttpResponse::Ok()
                                .content_type("application/x-protobuf")
                                .finish()
                        }
                        Err(_) => HttpResponse::BadRequest().finish(),
                    }
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    (base, rx)
}

fn text(value: Option<&AnyValue>) -> Option<&str> {
    match value?.value.as_ref()? {
        any_value::Value::StringValue(s) => Some(s),
        _ => None,
    }
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| text(kv.value.as_ref()))
}

async fn traces_reach_the_collector(db: &TestDb) {
    let (endpoint, mut exports) = collector();
    let tandem = Tandem::start(
        &db.url,
        db.pg_schema.as_deref(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_SERVICE_NAME", "tandem-under-test"),
            // The standard batch delay, in milliseconds: short, so the test waits little.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
        Some("otlp"),
    )
    .await;
    let client = reqwest::Client::new();
    let body: serde_json::Value = client
        .post(&tandem.url)
        .bearer_auth(token("ADMIN"))
        .header("x-request-id", "trace-me-1")
        .json(&json!({
            "query": "query CountAccounts { accounts(first: 5) { totalCount } }",
            "operationName": "CountAccounts",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body}");

    let mut spans: Vec<Span> = Vec::new();
    let mut service_names = Vec::new();
    let started = Instant::now();
    let (request, statement) = loop {
        let request = spans.iter().find(|s| {
            s.name == "request" && attribute(&s.attributes, "request_id") == Some("trace-me-1")
        });
        let statement = request.and_then(|r| {
            spans
                .iter()
                .find(|s| s.trace_id == r.trace_id && s.name.starts_with("sea_orm."))
        });
        if let (Some(r), Some(s)) = (request, statement) {
            break (r.clone(), s.clone());
        }
        let remaining = Duration::from_secs(15).saturating_sub(started.elapsed());
        let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
        let next = tokio::time::timeout(remaining, exports.recv()).await;
        let Ok(Some(export)) = next else {
            panic!(
                "no request span with a statement span inside it arrived; got {names:?}\nlog:\n{}",
                tandem.log()
            );
        };
        for resource in export.resource_spans {
            if let Some(r) = &resource.resource {
                service_names.extend(attribute(&r.attributes, "service.name").map(str::to_owned));
            }
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
    };
    assert!(
        service_names.iter().all(|n| n == "tandem-under-test"),
        "{service_names:?}"
    );
    assert_eq!(
        attribute(&request.attributes, "operation"),
        Some("CountAccounts")
    );
    assert_eq!(attribute(&request.attributes, "method"), Some("POST"));
    assert_eq!(
        attribute(&request.attributes, "subject"),
        Some("harness-test")
    );
    let system = if db.pg_schema.is_some() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(attribute(&statement.attributes, "db.system"), Some(system));
    assert_eq!(
        attribute(&statement.attributes, "db.operation"),
        Some("SELECT")
    );
    let sql = attribute(&statement.attributes, "db.statement").unwrap_or_default();
    assert!(sql.contains("SELECT"), "the statement's text: {sql:?}");
    assert!(
        !statement.parent_span_id.is_empty(),
        "the statement has a parent"
    );
    assert!(
        statement.start_time_unix_nano >= request.start_time_unix_nano
            && statement.end_time_unix_nano <= request.end_time_unix_nano,
        "the statement ran within the request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_reach_the_collector_sqlite() {
    let db = TestDb::sqlite().await;
    traces_reach_the_collector(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_reach_the_collector_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    traces_reach_the_collector(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_to_a_file_carry_no_colour_codes() {
    let db = TestDb::sqlite().await;
    // Set as a terminal user might have it: with no terminal, colour stays off regardless.
    let tandem = Tandem::start(&db.url, None, &[("TANDEM_LOG", "info")], Some("plain")).await;
    let client = reqwest::Client::new();
    let status = client
        .post(&tandem.url)
        .bearer_auth(token("ADMIN"))
        .json(&json!({ "query": "query Hello { __typename }", "operationName": "Hello" }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let started = Instant::now();
    let log = loop {
        let log = tandem.log();
        if log.contains("graphql request") {
            break log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no request logged:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        log.contains("operation=Hello") || log.contains("operation=\"Hello\""),
        "{log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log file:\n{log:?}"
    );
    drop(tandem);
    db.cleanup().await;
}
