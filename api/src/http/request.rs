//! What a GraphQL-over-HTTP request carries: its parameters (from a JSON body or the URL), its
//! request id, and the count of requests in flight that shutdown waits for.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

use crate::state::AppState;

/// The parameters of a GraphQL request, checked for type.
pub(super) struct Params {
    pub(super) query: String,
    pub(super) operation_name: Option<String>,
    pub(super) variables: Option<async_graphql::Variables>,
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
