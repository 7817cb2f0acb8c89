//! What a GraphQL-over-HTTP request carries: its caller (authenticated and rate-limited), its
//! body and parameters (from a JSON body or the URL), its request id, and the count of requests
//! in flight that shutdown waits for. Shared by the JSON answers ([`super::execute`]) and the
//! event streams ([`super::sse`]).

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use super::media::{Media, rate_limited, refuse};
use crate::error::Code;
use crate::metrics::Outcome;
use crate::state::AppState;

/// The parameters of a GraphQL request, checked for type.
pub(super) struct Params {
    /// The document's text; empty for a request sent by its persisted-query hash alone, until
    /// [`super::trusted::Documents::resolve`] fills it in.
    pub(super) query: String,
    pub(super) operation_name: Option<String>,
    pub(super) variables: Option<async_graphql::Variables>,
    /// The `extensions.persistedQuery` hash, when sent.
    pub(super) persisted: Option<super::trusted::Hash>,
}

/// A request body's fields, read in one pass and left as JSON text until each is checked.
#[derive(serde::Deserialize)]
pub(super) struct Body<'a> {
    #[serde(borrow, default)]
    pub(super) query: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default, rename = "operationName")]
    pub(super) operation_name: Option<&'a serde_json::value::RawValue>,
    // A usage batch can be megabytes: it goes straight into async-graphql's own values,
    // without a detour through serde_json's.
    #[serde(borrow, default)]
    pub(super) variables: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    pub(super) extensions: Option<&'a serde_json::value::RawValue>,
}

/// Refuses (415) a body that is not declared as UTF-8 JSON.
pub(super) fn json_content(req: &HttpRequest, media: Media) -> Result<(), Box<HttpResponse>> {
    let unsupported = |message: &str| {
        Err(Box::new(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            Code::BadUserInput,
            message,
        )))
    };
    let Some(ct) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return unsupported("send the request as Content-Type: application/json");
    };
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || p == "charset=utf-8" || p == "charset=\"utf-8\""
    });
    if !essence.eq_ignore_ascii_case("application/json") || !charset_ok {
        return unsupported("send the request as Content-Type: application/json (UTF-8)");
    }
    Ok(())
}

/// Reads a request's body, up to the body limit (413 past it; 400 when it is empty or cannot be
/// read).
pub(super) async fn read_body(
    req: &HttpRequest,
    mut body: web::Payload,
    state: &AppState,
    media: Media,
) -> Result<web::BytesMut, Box<HttpResponse>> {
    let limit = state.limits.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let refused =
        |status, message: &str| Err(Box::new(refuse(status, media, Code::BadUserInput, message)));
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is larger than the {limit}-byte limit"),
        )
    };
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let mut bytes = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return refused(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
            );
        };
        if bytes.len() + chunk.len() > limit {
            return too_large();
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return refused(StatusCode::BAD_REQUEST, "the request has no body");
    }
    Ok(bytes)
}

/// The caller of a request, authenticated and within their rate limit, or the refusal to send
/// (401 with `UNAUTHENTICATED`, 429 with `RATE_LIMITED`).
#[inline]
pub(super) fn admit(
    req: &HttpRequest,
    state: &AppState,
    media: Media,
) -> Result<tandem_domain::auth::Principal, Box<HttpResponse>> {
    let principal = authenticate(req, state).map_err(|message| {
        state
            .metrics
            .refused(Outcome::error(Code::Unauthenticated.as_str()));
        Box::new(refuse(
            StatusCode::UNAUTHORIZED,
            media,
            Code::Unauthenticated,
            &message,
        ))
    })?;
    match rate_limited(state, &principal, media) {
        Some(refused) => {
            state
                .metrics
                .refused(Outcome::error(Code::RateLimited.as_str()));
            Err(Box::new(refused))
        }
        None => Ok(principal),
    }
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

/// Checks the JSON parameters; the error is the message for a 400.
pub(super) fn params(body: &str) -> Result<Params, String> {
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
    let persisted = match body.extensions {
        Some(e) if object(e) => super::trusted::persisted(e.get())?,
        Some(_) => return Err("\"extensions\" must be an object or null".into()),
        None => None,
    };
    let query = match body.query {
        None if persisted.is_some() => String::new(),
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
    Ok(Params {
        query,
        operation_name,
        variables,
        persisted,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct GetParams {
    pub(super) query: Option<String>,
    #[serde(rename = "operationName")]
    pub(super) operation_name: Option<String>,
    pub(super) variables: Option<String>,
    pub(super) extensions: Option<String>,
}

/// A request's id, kept on the stack: the caller's `X-Request-Id` when it is sane (1 to 64
/// ASCII letters, digits, `-` or `_`), else a new random one.
pub(super) struct RequestId {
    pub(super) bytes: [u8; 64],
    pub(super) len: usize,
}

impl RequestId {
    pub(super) fn of(req: &HttpRequest) -> RequestId {
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
    pub(super) fn span(&self, method: &'static str) -> tracing::Span {
        tracing::info_span!(
            "request",
            request_id = self.as_str(),
            method,
            operation = tracing::field::Empty,
            subject = tracing::field::Empty
        )
    }

    pub(super) fn as_str(&self) -> &str {
        // Only ASCII is ever written (checked above, or a uuid's hex digits).
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

/// Counts a request as in flight until it is dropped.
pub(super) struct InFlight<'a>(pub(super) &'a AtomicUsize);

impl InFlight<'_> {
    pub(super) fn enter(state: &AppState) -> InFlight<'_> {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(&state.in_flight)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(super) fn with_request_id(mut response: HttpResponse, id: &RequestId) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(id.as_str()) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), v);
    }
    response
}
