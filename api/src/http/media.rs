//! What a GraphQL-over-HTTP answer looks like: the media type the client accepts, error bodies and
//! refusals, and a GraphQL response rendered with the status code the specification asks for.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self};
use async_graphql::ServerError;
use serde_json::json;

use crate::error::Code;
use crate::graphql::json::{self};
use crate::state::AppState;

/// The media type of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Media {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponse,
    /// `application/json`: the legacy type; GraphQL errors come with 200.
    Json,
}

impl Media {
    pub(super) fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// The response type for an `Accept` header, or `None` when the client accepts neither.
pub(super) fn negotiate(accept: Option<&str>) -> Option<Media> {
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

pub(super) fn error_body(code: Code, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    }))
    .unwrap_or_default()
}

/// A response that carries only an error, with an HTTP status.
pub(super) fn refuse(status: StatusCode, media: Media, code: Code, message: &str) -> HttpResponse {
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
pub(super) fn rate_limited(
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

/// Gives every error a code, and decides the status: a request error (the document did not
/// parse or validate, or the variables did not coerce: nothing ran, so there is no `data`) is a
/// 400 for `application/graphql-response+json` and a 200 for `application/json`.
pub(super) fn render(mut response: async_graphql::Response, media: Media) -> (StatusCode, Vec<u8>) {
    // Sized like the last answer: a dashboard's answer otherwise grew through five copies.
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
pub(super) fn ensure_code(error: &mut ServerError) {
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
