//! Handling `POST` and `GET /graphql`: reading the request, authenticating the caller, running the
//! operation within the request timeout, and answering.

use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::{self};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::Variables;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use serde_json::Value;
use tracing::Instrument;

use crate::error::Code;
use crate::graphql::complete::Completion;
use crate::graphql::json::RawJson;
use crate::graphql::loaders::Loaders;
use crate::metrics::Outcome;
use crate::state::AppState;

use super::media::{Media, error_body, negotiate, refuse, render};
use super::request::{
    GetParams, InFlight, Params, RequestId, admit, json_content, params, read_body, with_request_id,
};

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    if super::sse::wanted(&req) {
        // Boxed: the event stream's reading would otherwise grow every request's state.
        let id = RequestId::of(&req);
        let opened = Box::pin(super::sse::post(req, body, &state).instrument(id.span("POST")));
        return with_request_id(opened.await, &id);
    }
    let _in_flight = InFlight::enter(&state);
    let id = RequestId::of(&req);
    let span = id.span("POST");
    with_request_id(handle_post(req, body, &state).instrument(span).await, &id)
}

/// `GET /graphql`: a WebSocket upgrade, GraphiQL for a browser, or a query in the URL.
pub async fn get(req: HttpRequest, body: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    {
        return crate::ws::upgrade(req, body, state).await;
    }
    let accepts_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if accepts_html
        && req.query_string().is_empty()
        && let Some(page) = &state.graphiql
    {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page.clone());
    }
    if super::sse::wanted(&req) {
        let id = RequestId::of(&req);
        let opened = Box::pin(super::sse::get(req, &state).instrument(id.span("GET")));
        return with_request_id(opened.await, &id);
    }
    let _in_flight = InFlight::enter(&state);
    let id = RequestId::of(&req);
    let span = id.span("GET");
    with_request_id(handle_get(req, &state).instrument(span).await, &id)
}

pub(super) async fn handle_post(
    req: HttpRequest,
    body: web::Payload,
    state: &AppState,
) -> HttpResponse {
    let media = match answer_media(&req) {
        Ok(media) => media,
        Err(refused) => return *refused,
    };
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
    // The request's whole text: read for its parameters, and by which a request that passed
    // validation is recognised.
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the request body is not valid UTF-8",
        );
    };
    let mut p = match params(text) {
        Ok(p) => p,
        Err(message) => {
            return refuse(StatusCode::BAD_REQUEST, media, Code::BadUserInput, &message);
        }
    };
    if let Err(refused) = trusted(state, &principal, &mut p, media) {
        return *refused;
    }
    let text = Some(text);
    match req
        .headers()
        .get("idempotency-key")
        .map(|v| v.to_str().map(str::trim))
    {
        None => execute(state, media, principal, p, text).await,
        Some(Ok(key)) if !key.is_empty() && key.len() <= 200 => {
            run_once(state, media, principal, p, key, &bytes, text).await
        }
        Some(_) => refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the Idempotency-Key header must be 1 to 200 visible ASCII characters",
        ),
    }
}

pub(super) async fn handle_get(req: HttpRequest, state: &AppState) -> HttpResponse {
    let media = match answer_media(&req) {
        Ok(media) => media,
        Err(refused) => return *refused,
    };
    let principal = match admit(&req, state, media) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let Ok(web::Query(get)) = web::Query::<GetParams>::from_query(req.query_string()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the URL parameters could not be read",
        );
    };
    let variables = match get.variables.as_deref().map(serde_json::from_str::<Value>) {
        None | Some(Ok(Value::Null)) => None,
        Some(Ok(Value::Object(v))) => Some(Variables::from_json(Value::Object(v))),
        Some(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                media,
                Code::BadUserInput,
                "\"variables\" must be a JSON object",
            );
        }
    };
    if let Some(ext) = &get.extensions
        && !matches!(
            serde_json::from_str::<Value>(ext),
            Ok(Value::Object(_) | Value::Null)
        )
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "\"extensions\" must be a JSON object",
        );
    }
    let persisted = match get.extensions.as_deref().map(super::trusted::persisted) {
        None => None,
        Some(Ok(hash)) => hash,
        Some(Err(message)) => {
            return refuse(StatusCode::BAD_REQUEST, media, Code::BadUserInput, &message);
        }
    };
    let query = match get.query {
        Some(query) => query,
        None if persisted.is_some() => String::new(),
        None => {
            return refuse(
                StatusCode::BAD_REQUEST,
                media,
                Code::BadUserInput,
                "the request has no \"query\" parameter",
            );
        }
    };
    let mut p = Params {
        query,
        operation_name: get.operation_name,
        variables,
        persisted,
    };
    if let Err(refused) = trusted(state, &principal, &mut p, media) {
        return *refused;
    }
    if let Ok(document) = crate::graphql::limits::parse(&p.query, usize::MAX) {
        let kind = match (&document.operations, p.operation_name.as_deref()) {
            (DocumentOperations::Single(op), _) => Some(op.node.ty),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
            (DocumentOperations::Multiple(_), None) => None,
        };
        if kind.is_some_and(|k| k != OperationType::Query) {
            return refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                Code::BadUserInput,
                "only queries can be sent with GET; send mutations with POST",
            );
        }
    }
    execute(state, media, principal, p, Some(req.query_string())).await
}

/// The media type to answer in, from the request's `Accept`, or the 406 to send.
#[inline]
fn answer_media(req: &HttpRequest) -> Result<Media, Box<HttpResponse>> {
    negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    )
    .ok_or_else(|| {
        Box::new(refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            Code::BadUserInput,
            "this endpoint answers application/graphql-response+json or application/json",
        ))
    })
}

/// Fills in, or refuses, the request's document by the persisted and trusted documents rules
/// ([`super::trusted`]); costs one branch when the request has no `persistedQuery` and the
/// allowlist is off.
#[inline]
pub(super) fn trusted(
    state: &AppState,
    who: &tandem_domain::auth::Principal,
    p: &mut Params,
    media: Media,
) -> Result<(), Box<HttpResponse>> {
    state
        .documents
        .resolve(who, p.persisted.as_ref(), &mut p.query)
        .map_err(|e| {
            let (status, body) = render(async_graphql::Response::from_errors(vec![e]), media);
            Box::new(
                HttpResponse::build(status)
                    .content_type(media.content_type())
                    .body(body),
            )
        })
}

pub(super) async fn execute(
    state: &AppState,
    media: Media,
    principal: tandem_domain::auth::Principal,
    p: Params,
    text: Option<&str>,
) -> HttpResponse {
    let (status, body) = run(state, media, principal, p, text).await;
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(body)
}

/// Runs a request, answering with a status and a body. `text` is the request's whole text
/// (query, operation name and variables, as sent), when it is at hand.
pub(super) async fn run(
    state: &AppState,
    media: Media,
    principal: tandem_domain::auth::Principal,
    p: Params,
    text: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let started = Instant::now();
    let operation = state.metrics.operation(p.operation_name.as_deref());
    tracing::Span::current().record(
        "operation",
        p.operation_name.as_deref().unwrap_or("anonymous"),
    );
    let (schema, known) = state.schema_for(&principal);
    let mut request = async_graphql::Request::new(p.query)
        .data(principal)
        .data(Loaders::new(state.services.store.clone()))
        .data(RawJson);
    if let Some(vars) = p.variables {
        request = request.variables(vars);
    }
    if let Some(name) = p.operation_name {
        request = request.operation_name(name);
    }
    let completion = match crate::graphql::limits::prepare(&mut request, state.limits.max_aliases) {
        Ok(prepared) => Completion::of(&request, prepared),
        Err(refused) => {
            let outcome = Outcome::of(std::slice::from_ref(&refused));
            state.metrics.observe(operation, outcome, started.elapsed());
            return render(async_graphql::Response::from_errors(vec![refused]), media);
        }
    };
    let timeout = state.limits.request_timeout;
    let execution = pin!(async {
        match text {
            Some(text) => known.execute(schema, request, text).await,
            None => schema.execute(request).await,
        }
    });
    let Some(response) = within(started + timeout, execution).await else {
        let outcome = Outcome::error(Code::Internal.as_str());
        state.metrics.observe(operation, outcome, started.elapsed());
        tracing::warn!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request timed out"
        );
        let message = format!(
            "the request ran longer than {}s and was stopped",
            timeout.as_secs_f64()
        );
        return (
            StatusCode::GATEWAY_TIMEOUT,
            error_body(Code::Internal, &message),
        );
    };
    let mut response = response;
    completion.apply(&state.shape, &mut response);
    let outcome = Outcome::of(&response.errors);
    let (status, body) = render(response, media);
    let elapsed = started.elapsed();
    state.metrics.observe(operation, outcome, elapsed);
    tracing::info!(
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        status = status.as_u16(),
        "graphql request"
    );
    (status, body)
}

/// `execution`'s output, or `None` once `deadline` passes first. Unlike `tokio::time::timeout`
/// it arms no timer for an execution that finishes on its first poll, as one that reads
/// nothing from the database does.
///
/// The caller pins `execution` where it lives: moved in by value, a future of some kilobytes
/// would be stored twice in every request's state (once as the argument, once pinned), and
/// that state is copied into a fresh allocation per request.
pub(super) fn within<F: Future>(
    deadline: Instant,
    mut execution: Pin<&mut F>,
) -> impl Future<Output = Option<F::Output>> + '_ {
    let mut timer = None;
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = execution.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.into())))
            .as_mut()
            .poll(cx)
            .map(|()| None)
    })
}

/// Runs a POST that carries an `Idempotency-Key`: the first request with the key runs and its
/// answer is kept for a day; a retry with the same body gets that answer again (with
/// `Idempotent-Replayed: true`) and changes nothing; another body with the same key is a CONFLICT.
pub(super) async fn run_once(
    state: &AppState,
    media: Media,
    principal: tandem_domain::auth::Principal,
    p: Params,
    key: &str,
    body: &[u8],
    text: Option<&str>,
) -> HttpResponse {
    use tandem_persistence::idempotency::{self, Claim};
    let store = &state.services.store;
    let subject = key_owner(&principal);
    let request = String::from_utf8_lossy(body);
    let claim = match idempotency::claim(store, &subject, key, &request).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "idempotency key check failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                Code::Internal,
                "the Idempotency-Key could not be checked; try again shortly",
            );
        }
    };
    match claim {
        Claim::Replay { status, body } => {
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                .content_type(media.content_type())
                .insert_header(("idempotent-replayed", "true"))
                .body(body)
        }
        Claim::InProgress => refuse(
            StatusCode::CONFLICT,
            media,
            Code::Conflict,
            "a request with this Idempotency-Key is still running; retry it shortly",
        ),
        Claim::Mismatch => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            media,
            Code::Conflict,
            "this Idempotency-Key was already used for a different request; use a new key",
        ),
        Claim::Run => {
            let (status, answer) = run(state, media, principal, p, text).await;
            let kept = if status.is_server_error() {
                idempotency::release(store, &subject, key).await
            } else {
                idempotency::finish(
                    store,
                    &subject,
                    key,
                    status.as_u16(),
                    &String::from_utf8_lossy(&answer),
                )
                .await
            };
            if let Err(e) = kept {
                tracing::error!(error = %e, "could not record the idempotency key's answer");
            }
            HttpResponse::build(status)
                .content_type(media.content_type())
                .body(answer)
        }
    }
}

/// Whose Idempotency-Keys a request's are: its token subject's, and for a customer the whole of
/// its scope too, so that an answer kept for one caller is never replayed to another whose token
/// merely shares the `sub` (a vendor's, or the same person's for other accounts).
fn key_owner(who: &tandem_domain::auth::Principal) -> String {
    use sha2::Digest;
    if !who.is_customer() {
        return who.subject.clone();
    }
    let scope = format!("{}\n{:?}", who.subject, who.customer);
    let digest = sha2::Sha256::digest(scope.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("customer:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::media::negotiate;
    use crate::http::request::{RequestId, params};
    use serde_json::json;

    #[tokio::test]
    async fn a_deadline_stops_only_what_outlives_it() {
        let soon = || Instant::now() + std::time::Duration::from_millis(50);
        assert_eq!(within(soon(), pin!(async { 1 })).await, Some(1));
        let yields_then_answers = pin!(async {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            2
        });
        assert_eq!(within(soon(), yields_then_answers).await, Some(2));
        assert_eq!(
            within(soon(), pin!(std::future::pending::<u8>())).await,
            None
        );
        // A deadline already past still lets a ready answer through.
        assert_eq!(within(Instant::now(), pin!(async { 3 })).await, Some(3));
    }

    /// The size of the future an async handler of three arguments returns.
    fn state_size<A, B, C, F: Future>(_: fn(A, B, C) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    #[test]
    fn a_request_state_holds_its_execution_once() {
        // actix-web copies a handler's whole future into a new allocation for every request.
        // Holding the GraphQL execution twice (as `within` once did) made it 8.7 KB.
        let post = state_size(post);
        assert!(
            post < 6 * 1024,
            "POST /graphql keeps {post} bytes per request"
        );
    }

    #[test]
    fn a_customers_idempotency_keys_are_apart_from_anyone_elses() {
        use tandem_domain::auth::{CustomerScope, Principal, Role};
        use tandem_domain::ids::{AccountId, ContactId};
        let customer = |account: u128| {
            let scope = CustomerScope::new(
                vec![AccountId(uuid::Uuid::from_u128(account))],
                ContactId(uuid::Uuid::from_u128(9)),
            );
            Principal::customer("ann", scope.unwrap())
        };
        let owners = [
            key_owner(&Principal::vendor("ann", Role::Admin)),
            key_owner(&customer(1)),
            key_owner(&customer(2)),
        ];
        assert_eq!(owners[0], "ann");
        assert_ne!(owners[1], owners[0]);
        assert_ne!(owners[1], owners[2]);
        assert_eq!(
            key_owner(&customer(1)),
            owners[1],
            "stable for the same token"
        );
    }

    #[test]
    fn request_ids_are_the_callers_when_sane() {
        let with = |v: &str| {
            let req = actix_web::test::TestRequest::default()
                .insert_header(("x-request-id", v))
                .to_http_request();
            RequestId::of(&req).as_str().to_owned()
        };
        assert_eq!(with("trace-123_A"), "trace-123_A");
        let long = "a".repeat(64);
        assert_eq!(with(&long), long);
        for insane in ["a b", &"a".repeat(65), "x;y"] {
            let made = with(insane);
            assert_eq!(made.len(), 32, "{insane:?} gave {made:?}");
            assert!(made.bytes().all(|c| c.is_ascii_hexdigit()), "{made}");
        }
        let none = RequestId::of(&actix_web::test::TestRequest::default().to_http_request());
        assert_ne!(none.as_str(), with("x;y"), "each made id is new");
    }

    #[test]
    fn accept_headers_pick_the_response_type() {
        assert_eq!(negotiate(None), Some(Media::Json));
        assert_eq!(
            negotiate(Some("application/graphql-response+json")),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(negotiate(Some("application/json")), Some(Media::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Media::Json));
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0, application/json"
            )),
            Some(Media::Json)
        );
        assert_eq!(negotiate(Some("text/plain")), None);
    }

    #[test]
    fn parameters_are_checked_for_type() {
        let p = |v: Value| params(&v.to_string()).map(|_| ());
        assert!(p(json!({"query": "{a}"})).is_ok());
        assert!(p(json!({"query": "{a}", "variables": {"x": [1, {"y": "z"}]}})).is_ok());
        assert!(p(json!({"query": 1})).is_err());
        assert!(p(json!({"qeury": "{a}"})).is_err());
        assert!(p(json!({"query": "{a}", "variables": "x"})).is_err());
        assert!(p(json!({"query": "{a}", "operationName": []})).is_err());
        assert!(p(json!({"query": "{a}", "extensions": 1})).is_err());
        assert!(p(json!({"query": null})).is_err());
        assert!(p(json!(["{a}"])).is_err());
        assert!(params("{\"query\": ").is_err());
        let all =
            params(r#"{"query":"{a}","operationName":null,"variables":null,"extensions":null}"#);
        assert!(all.is_ok_and(|p| p.operation_name.is_none() && p.variables.is_none()));
        let read =
            params(r#" {"query":"q \u00e9\n","operationName":"A","variables":{"x":1}}"#).unwrap();
        assert_eq!(
            (read.query.as_str(), read.operation_name.as_deref()),
            ("q \u{e9}\n", Some("A"))
        );
        assert!(read.variables.is_some());
        // A repeated key is refused, not silently overwritten.
        let twice = params(r#"{"query":"{a}","query":"{b}"}"#).err().unwrap();
        assert!(twice.contains("duplicate field"), "{twice}");
        let not_object = params("[1]").err().unwrap();
        assert!(not_object.contains("must be a JSON object"), "{not_object}");
    }
}
