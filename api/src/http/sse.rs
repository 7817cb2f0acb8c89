//! GraphQL over Server-Sent Events: the graphql-sse protocol's "distinct connections mode", on
//! the GraphQL endpoint itself. A request whose `Accept` names `text/event-stream` (and no JSON
//! type before it) is answered with `Content-Type: text/event-stream`: one
//! `event: next` / `data: <result>` per execution result, then `event: complete`. A subscription
//! streams until the client closes the connection or the server shuts down; a query or mutation
//! answers with one `next` and `complete`. A comment line (`:`) goes out every
//! [`KEEP_ALIVE`] so that proxies keep an idle stream open and a departed client is noticed.
//!
//! Authentication and rate limits are those of GraphQL over HTTP (the `Authorization` header);
//! a request that cannot be read is refused with a JSON error and a 4xx status, before the
//! stream opens. Errors the GraphQL layer raises (parse, validation, trusted documents, limits)
//! go through the opened stream as a `next` event, as the protocol asks. Streams are not counted
//! as requests in flight: shutdown ends them instead of waiting for them.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Variables;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::media::{Media, refuse, render};
use super::request::{GetParams, Params, admit, json_content, params, read_body};
use crate::error::Code;
use crate::graphql::complete::Completion;
use crate::graphql::limits;
use crate::graphql::loaders::Loaders;
use crate::state::AppState;

/// How often an idle stream carries a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(12);

/// Whether the client asks for an event stream: `Accept` names `text/event-stream` before any
/// JSON type. Reads the header without allocating, as every POST asks.
#[inline]
pub(super) fn wanted(req: &HttpRequest) -> bool {
    let Some(accept) = req.headers().get(header::ACCEPT).map(|v| v.as_bytes()) else {
        return false;
    };
    let Some(at) = find(accept, b"text/event-stream") else {
        return false;
    };
    find(&accept[..at], b"json").is_none()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `POST /graphql` with `Accept: text/event-stream`.
pub(super) async fn post(req: HttpRequest, body: web::Payload, state: &AppState) -> HttpResponse {
    let media = Media::Json;
    if let Err(refused) = json_content(&req, media) {
        return *refused;
    }
    let principal = match admit(&req, state, media) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let bytes = match read_body(&req, body, state, media).await {
        Ok(bytes) => bytes,
        Err(refused) => return *refused,
    };
    let read = std::str::from_utf8(&bytes)
        .map_err(|_| "the request body is not valid UTF-8".to_owned())
        .and_then(params);
    match read {
        Ok(p) => open(state, principal, p),
        Err(message) => refuse(StatusCode::BAD_REQUEST, media, Code::BadUserInput, &message),
    }
}

/// `GET /graphql` with `Accept: text/event-stream`: the request in the URL's parameters.
pub(super) async fn get(req: HttpRequest, state: &AppState) -> HttpResponse {
    let media = Media::Json;
    let principal = match admit(&req, state, media) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    match get_params(req.query_string()) {
        Ok(p) => open(state, principal, p),
        Err(message) => refuse(StatusCode::BAD_REQUEST, media, Code::BadUserInput, &message),
    }
}

fn get_params(query_string: &str) -> Result<Params, String> {
    let web::Query(get) = web::Query::<GetParams>::from_query(query_string)
        .map_err(|_| "the URL parameters could not be read".to_owned())?;
    let variables = match get.variables.as_deref().map(serde_json::from_str) {
        None | Some(Ok(serde_json::Value::Null)) => None,
        Some(Ok(v @ serde_json::Value::Object(_))) => Some(Variables::from_json(v)),
        Some(_) => return Err("\"variables\" must be a JSON object".into()),
    };
    let persisted = match get.extensions.as_deref() {
        Some(ext) => super::trusted::persisted(ext)?,
        None => None,
    };
    let query = match get.query {
        Some(query) => query,
        None if persisted.is_some() => String::new(),
        None => return Err("the request has no \"query\" parameter".into()),
    };
    Ok(Params {
        query,
        operation_name: get.operation_name,
        variables,
        persisted,
    })
}

/// Opens the event stream for a request that was read: runs it and streams its results.
fn open(
    state: &AppState,
    principal: tandem_domain::auth::Principal,
    mut p: Params,
) -> HttpResponse {
    let results: BoxStream<'static, async_graphql::Response> =
        match state
            .documents
            .resolve(&principal, p.persisted.as_ref(), &mut p.query)
        {
            Err(e) => one(e),
            Ok(()) => {
                let (schema, _) = state.schema_for(&principal);
                let schema = schema.clone();
                let mut request = async_graphql::Request::new(p.query)
                    .data(principal)
                    // A stream lives long: it reads afresh rather than from a request's cache.
                    .data(Loaders::uncached(state.services.store.clone()));
                if let Some(vars) = p.variables {
                    request = request.variables(vars);
                }
                if let Some(name) = p.operation_name {
                    request = request.operation_name(name);
                }
                match limits::prepare(&mut request, state.limits.max_aliases) {
                    Ok(prepared) => {
                        let completion = Completion::of(&request, prepared);
                        let shape = state.shape.clone();
                        schema
                            .execute_stream(request)
                            .map(move |mut response| {
                                completion.apply(&shape, &mut response);
                                response
                            })
                            .boxed()
                    }
                    Err(e) => one(e),
                }
            }
        };
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    actix_web::rt::spawn(pump(results, tx, state.shutdown.clone()));
    HttpResponse::Ok()
        .content_type("text/event-stream; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Tells nginx and its kind not to hold events back in a buffer.
        .insert_header(("x-accel-buffering", "no"))
        .streaming(ReceiverStream::new(rx).map(Ok::<_, std::convert::Infallible>))
}

fn one(error: async_graphql::ServerError) -> BoxStream<'static, async_graphql::Response> {
    futures_util::stream::once(async move { async_graphql::Response::from_errors(vec![error]) })
        .boxed()
}

/// Writes `results` to the client as events, with keep-alives between them. Ends when the
/// results end (with `complete`), when the client goes away (the body, and with it `tx`'s
/// receiver, is dropped), or when the server shuts down (the stream just ends, as an unfinished
/// one; the client may resume a subscription with `after`).
async fn pump(
    mut results: BoxStream<'static, async_graphql::Response>,
    tx: mpsc::Sender<Bytes>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    if *shutdown.borrow() {
        return;
    }
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.tick().await;
    loop {
        let event = tokio::select! {
            result = results.next() => match result {
                Some(response) => next_event(response),
                None => {
                    let _ = tx.send(Bytes::from_static(b"event: complete\ndata:\n\n")).await;
                    return;
                }
            },
            _ = keep_alive.tick() => Bytes::from_static(b":\n\n"),
            () = tx.closed() => return,
            _ = shutdown.changed() => return,
        };
        if tx.send(event).await.is_err() {
            return;
        }
    }
}

/// A `next` event carrying `response`, rendered as GraphQL over HTTP renders it (every error
/// with a code).
fn next_event(response: async_graphql::Response) -> Bytes {
    let (_, body) = render(response, Media::Json);
    let mut event = Vec::with_capacity(body.len() + 20);
    event.extend_from_slice(b"event: next\ndata: ");
    event.extend_from_slice(&body);
    event.extend_from_slice(b"\n\n");
    event.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(accept: &str) -> bool {
        wanted(
            &actix_web::test::TestRequest::default()
                .insert_header(("accept", accept))
                .to_http_request(),
        )
    }

    #[test]
    fn an_event_stream_is_wanted_only_when_asked_for_before_json() {
        assert!(accepting("text/event-stream"));
        assert!(accepting("text/event-stream, application/json;q=0.9"));
        assert!(!accepting("application/json, text/event-stream"));
        assert!(!accepting("application/graphql-response+json"));
        assert!(!accepting("*/*"));
        assert!(!wanted(
            &actix_web::test::TestRequest::default().to_http_request()
        ));
    }

    #[test]
    fn results_become_next_events_with_coded_errors() {
        let error = async_graphql::ServerError::new("no", None);
        let event = next_event(async_graphql::Response::from_errors(vec![error]));
        let text = std::str::from_utf8(&event).unwrap();
        assert!(text.starts_with("event: next\ndata: {"), "{text}");
        assert!(text.ends_with("}\n\n"), "{text}");
        assert!(text.contains("BAD_USER_INPUT"), "{text}");
        assert_eq!(text.matches('\n').count(), 3, "one data line: {text}");
    }
}
