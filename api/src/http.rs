//! GraphQL over HTTP, per the GraphQL-over-HTTP specification: POST with `application/json`,
//! GET with URL parameters (queries only), responses in `application/graphql-response+json` or
//! `application/json` as the client accepts, and the status codes the specification asks for.

use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Instant;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ServerError, Variables};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tracing::Instrument;

use crate::error::Code;
use crate::graphql::json::{self, RawJson};
use crate::graphql::loaders::Loaders;
use crate::state::AppState;

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponse,
    /// `application/json`: the legacy type; GraphQL errors come with 200.
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// The response type for an `Accept` header, or `None` when the client accepts neither.
fn negotiate(accept: Option<&str>) -> Option<Media> {
    let accept = match accept.map(str::trim) {
        None | Some("") => return Some(Media::Json),
        Some(a) => a,
    };
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "application/graphql-response+json" => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => return Some(Media::Json),
            _ => {}
        }
    }
    None
}

fn error_body(code: Code, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    }))
    .unwrap_or_default()
}

/// A response that carries only an error, with an HTTP status.
fn refuse(status: StatusCode, media: Media, code: Code, message: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.content_type(media.content_type());
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.insert_header((header::ALLOW, "POST"));
    }
    response.body(error_body(code, message))
}

/// Takes one request from the caller's rate; a caller over it gets 429 with `RATE_LIMITED`,
/// a `Retry-After` header and `extensions.retryAfterSeconds`.
fn rate_limited(
    state: &AppState,
    principal: &tandem_domain::auth::Principal,
    media: Media,
) -> Option<HttpResponse> {
    let wait = state.limiter.check(&principal.subject).err()?;
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    tracing::info!(subject = %principal.subject, retry_after = seconds, "rate limited");
    let body = serde_json::to_vec(&json!({
        "errors": [{
            "message": format!("too many requests for this token; retry in {seconds} s"),
            "extensions": { "code": Code::RateLimited.as_str(), "retryAfterSeconds": seconds }
        }]
    }))
    .unwrap_or_default();
    Some(
        HttpResponse::build(StatusCode::TOO_MANY_REQUESTS)
            .content_type(media.content_type())
            .insert_header((header::RETRY_AFTER, seconds.to_string()))
            .body(body),
    )
}

/// The parameters of a GraphQL request, checked for type.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<async_graphql::Variables>,
}

/// A request body's fields, read in one pass and left as JSON text until each is checked.
#[derive(serde::Deserialize)]
struct Body<'a> {
    #[serde(borrow, default)]
    query: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default, rename = "operationName")]
    operation_name: Option<&'a serde_json::value::RawValue>,
    // A usage batch can be megabytes: it goes straight into async-graphql's own values,
    // without a detour through serde_json's.
    #[serde(borrow, default)]
    variables: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    extensions: Option<&'a serde_json::value::RawValue>,
}

/// Checks the JSON parameters; the error is the message for a 400.
fn params(body: &str) -> Result<Params, String> {
    let object = |raw: &serde_json::value::RawValue| raw.get().starts_with('{');
    // (serde would also read a JSON array into `Body`, field by field.)
    let is_object = body.trim_ascii_start().starts_with('{');
    let body: Body = serde_json::from_str(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("the request body could not be read ({e})"),
        _ => format!("the request body is not valid JSON ({e})"),
    })?;
    if !is_object {
        return Err("the request body must be a JSON object with a \"query\"".into());
    }
    let query = match body.query {
        None => return Err("the request has no \"query\"".into()),
        Some(q) => serde_json::from_str::<String>(q.get())
            .map_err(|_| "\"query\" must be a string".to_owned())?,
    };
    let operation_name = match body.operation_name {
        None => None,
        Some(name) => Some(
            serde_json::from_str::<String>(name.get())
                .map_err(|_| "\"operationName\" must be a string or null".to_owned())?,
        ),
    };
    let variables = match body.variables {
        None => None,
        Some(v) if object(v) => Some(
            serde_json::from_str::<async_graphql::Variables>(v.get())
                .map_err(|e| format!("\"variables\" could not be read ({e})"))?,
        ),
        Some(_) => return Err("\"variables\" must be an object or null".into()),
    };
    if body.extensions.is_some_and(|e| !object(e)) {
        return Err("\"extensions\" must be an object or null".into());
    }
    Ok(Params {
        query,
        operation_name,
        variables,
    })
}

/// A request's id, kept on the stack: the caller's `X-Request-Id` when it is sane (1 to 64
/// ASCII letters, digits, `-` or `_`), else a new random one.
struct RequestId {
    bytes: [u8; 64],
    len: usize,
}

impl RequestId {
    fn of(req: &HttpRequest) -> RequestId {
        let mut bytes = [0u8; 64];
        let sent = req.headers().get("x-request-id").map(|v| v.as_bytes());
        let len = match sent {
            Some(v)
                if !v.is_empty()
                    && v.len() <= bytes.len()
                    && v.iter()
                        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') =>
            {
                bytes[..v.len()].copy_from_slice(v);
                v.len()
            }
            _ => uuid::Uuid::new_v4().simple().encode_lower(&mut bytes).len(),
        };
        RequestId { bytes, len }
    }

    /// The span a request's log lines carry: its id and method, and later its operation and
    /// subject.
    fn span(&self, method: &'static str) -> tracing::Span {
        tracing::info_span!(
            "request",
            request_id = self.as_str(),
            method,
            operation = tracing::field::Empty,
            subject = tracing::field::Empty
        )
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever written (checked above, or a uuid's hex digits).
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// Counts a request as in flight until it is dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl InFlight<'_> {
    fn enter(state: &AppState) -> InFlight<'_> {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(&state.in_flight)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
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
    let _in_flight = InFlight::enter(&state);
    let id = RequestId::of(&req);
    let span = id.span("GET");
    with_request_id(handle_get(req, &state).instrument(span).await, &id)
}

fn with_request_id(mut response: HttpResponse, id: &RequestId) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    response
}

async fn handle_post(req: HttpRequest, mut body: web::Payload, state: &AppState) -> HttpResponse {
    let Some(media) = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            Code::BadUserInput,
            "this endpoint answers application/graphql-response+json or application/json",
        );
    };
    match req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                media,
                Code::BadUserInput,
                "send the request as Content-Type: application/json",
            );
        }
        Some(ct) => {
            let mut parts = ct.split(';');
            let essence = parts.next().unwrap_or_default().trim();
            let charset_ok = parts.all(|p| {
                let p = p.trim().to_ascii_lowercase();
                !p.starts_with("charset=") || p == "charset=utf-8" || p == "charset=\"utf-8\""
            });
            if !essence.eq_ignore_ascii_case("application/json") || !charset_ok {
                return refuse(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    media,
                    Code::BadUserInput,
                    "send the request as Content-Type: application/json (UTF-8)",
                );
            }
        }
    }
    let principal = match authenticate(&req, state) {
        Ok(p) => p,
        Err(message) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                media,
                Code::Unauthenticated,
                &message,
            );
        }
    };
    if let Some(refused) = rate_limited(state, &principal, media) {
        return refused;
    }
    let limit = state.limits.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            Code::BadUserInput,
            &format!("the request body is larger than the {limit}-byte limit"),
        )
    };
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let mut bytes = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return refuse(
                StatusCode::BAD_REQUEST,
                media,
                Code::BadUserInput,
                "the request body could not be read",
            );
        };
        if bytes.len() + chunk.len() > limit {
            return too_large();
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the request has no body",
        );
    }
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
    let p = match params(text) {
        Ok(p) => p,
        Err(message) => {
            return refuse(StatusCode::BAD_REQUEST, media, Code::BadUserInput, &message);
        }
    };
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

#[derive(serde::Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

async fn handle_get(req: HttpRequest, state: &AppState) -> HttpResponse {
    let Some(media) = negotiate(
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    ) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            Code::BadUserInput,
            "this endpoint answers application/graphql-response+json or application/json",
        );
    };
    let principal = match authenticate(&req, state) {
        Ok(p) => p,
        Err(message) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                media,
                Code::Unauthenticated,
                &message,
            );
        }
    };
    if let Some(refused) = rate_limited(state, &principal, media) {
        return refused;
    }
    let Ok(web::Query(get)) = web::Query::<GetParams>::from_query(req.query_string()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the URL parameters could not be read",
        );
    };
    let Some(query) = get.query else {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            Code::BadUserInput,
            "the request has no \"query\" parameter",
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
    if let Ok(document) = crate::graphql::limits::parse(&query, usize::MAX) {
        let kind = match (&document.operations, get.operation_name.as_deref()) {
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
    let p = Params {
        query,
        operation_name: get.operation_name,
        variables,
    };
    execute(state, media, principal, p, Some(req.query_string())).await
}

fn authenticate(
    req: &HttpRequest,
    state: &AppState,
) -> Result<tandem_domain::auth::Principal, String> {
    // `from_utf8` rather than `HeaderValue::to_str`, whose byte-at-a-time check of a 250-byte
    // token cost more than verifying its signature; a token with any byte outside base64url
    // fails verification all the same.
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok());
    let principal = state.verifier.verify_header(header).map_err(|e| e.0)?;
    tracing::Span::current().record("subject", principal.subject.as_str());
    Ok(principal)
}

async fn execute(
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
async fn run(
    state: &AppState,
    media: Media,
    principal: tandem_domain::auth::Principal,
    p: Params,
    text: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let started = Instant::now();
    tracing::Span::current().record(
        "operation",
        p.operation_name.as_deref().unwrap_or("anonymous"),
    );
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
    if let Err(refused) = crate::graphql::limits::prepare(&mut request, state.limits.max_aliases) {
        return render(async_graphql::Response::from_errors(vec![refused]), media);
    }
    let timeout = state.limits.request_timeout;
    let execution = pin!(async {
        match text {
            Some(text) => state.known.execute(&state.schema, request, text).await,
            None => state.schema.execute(request).await,
        }
    });
    let Some(response) = within(started + timeout, execution).await else {
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
    let (status, body) = render(response, media);
    tracing::info!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
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
fn within<F: Future>(
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
async fn run_once(
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
    let subject = principal.subject.clone();
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

/// Gives every error a code, and decides the status: a request error (the document did not
/// parse or validate, or the variables did not coerce: nothing ran, so there is no `data`) is a
/// 400 for `application/graphql-response+json` and a 200 for `application/json`.
fn render(mut response: async_graphql::Response, media: Media) -> (StatusCode, Vec<u8>) {
    // Sized like the last answer: a dashboard's 100 KB otherwise grew through five copies.
    static LAST_SIZE: AtomicUsize = AtomicUsize::new(1024);
    let last = LAST_SIZE.load(Ordering::Relaxed);
    let mut out = Vec::with_capacity(last.clamp(256, 1 << 20));
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    for error in &mut response.errors {
        ensure_code(error);
    }
    // The members in the order async-graphql's own serialisation gave them before: data, then
    // errors or extensions, each left out when empty (data only for a request error).
    out.push(b'{');
    if !request_error {
        out.extend_from_slice(b"\"data\":");
        json::write_value(&mut out, &response.data);
    }
    if !response.errors.is_empty() {
        if !request_error {
            out.push(b',');
        }
        out.extend_from_slice(b"\"errors\":");
        serde_json::to_writer(&mut out, &response.errors).unwrap_or_default();
    }
    if !response.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":{");
        for (i, (key, value)) in response.extensions.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json::write_str(&mut out, key);
            out.push(b':');
            json::write_value(&mut out, value);
        }
        out.push(b'}');
    }
    out.push(b'}');
    // Written only when it changes: the workers share the line, and a write per request would
    // move it between their cores on every answer.
    if out.len() != last {
        LAST_SIZE.store(out.len(), Ordering::Relaxed);
    }
    let status = if request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, out)
}

/// Errors that async-graphql raises itself (parse, validation, limits, argument coercion) carry
/// no code; they are all about the request, so they are BAD_USER_INPUT.
pub(crate) fn ensure_code(error: &mut ServerError) {
    let has_code = error
        .extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some());
    if !has_code {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", Code::BadUserInput.as_str());
    }
}

/// `GET /healthz`: the process is alive.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

/// `GET /readyz`: the database answers.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.services.store.ping().await {
        Ok(()) => HttpResponse::Ok()
            .content_type("application/json")
            .body(r#"{"status":"ready"}"#),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("application/json")
                .body(r#"{"status":"database unavailable"}"#)
        }
    }
}

/// Any other path or method.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.path() == "/graphql" && req.method() != Method::GET && req.method() != Method::POST {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            Media::Json,
            Code::BadUserInput,
            "use GET or POST",
        );
    }
    refuse(
        StatusCode::NOT_FOUND,
        Media::Json,
        Code::NotFound,
        "nothing here: the API is at /graphql",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
