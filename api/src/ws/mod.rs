//! GraphQL subscriptions over WebSocket on `/graphql`: the `graphql-transport-ws` protocol and
//! the legacy `graphql-ws` (subscriptions-transport-ws) one. Clients authenticate in
//! `connection_init` with `{"Authorization": "Bearer <token>"}` (or `{"token": "<token>"}`).
//! On shutdown every connection is closed with 1001 (going away). The protocol's own close codes
//! (4400, 4401, 4403, 4408, 4409, 4429) are kept by [`gate`].
//!
//! A client that stops reading its socket is dropped: once the kernel's buffers and the
//! session's queue are full, a send waits, and a send that waits longer than the request
//! timeout (`TANDEM_REQUEST_TIMEOUT`) ends the connection. Without that, the connection's task
//! would wait forever (its pings wait in the same queue), holding the socket and several MiB of
//! kernel buffers for as long as the client lives, and delaying graceful shutdown. The other
//! subscribers never wait on it either way: each connection has its own task and the relay's
//! broadcast channel does not wait for slow receivers. A dropped client resumes with `after`.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use async_graphql::Data;
use async_graphql::http::{WebSocketProtocols, WsMessage};
use futures_util::StreamExt;
use serde_json::Value;
use tokio_stream::wrappers::UnboundedReceiverStream;

use crate::error::{ApiError, Code};
use crate::graphql::complete::{Completion, Shape};
use crate::graphql::loaders::Loaders;
use crate::graphql::{TandemSchema, limits};
use crate::http::trusted::Documents;
use crate::state::AppState;
use tandem_domain::auth::Principal;

mod gate;

use gate::Gate;

/// How often the server pings an idle connection.
const PING_INTERVAL: Duration = Duration::from_secs(30);

/// Upgrades `GET /graphql` to a GraphQL WebSocket.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let protocol = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return HttpResponse::build(StatusCode::BAD_REQUEST)
            .content_type("application/json")
            .body(
                r#"{"errors":[{"message":"offer the graphql-transport-ws or graphql-ws WebSocket subprotocol","extensions":{"code":"BAD_USER_INPUT"}}]}"#,
            );
    };
    let (response, session, stream) = match actix_ws::handle_with_protocols(
        &req,
        body,
        &["graphql-transport-ws", "graphql-ws"],
    ) {
        Ok(parts) => parts,
        Err(e) => return e.error_response(),
    };
    let limit = state.limits.max_body_bytes;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    actix_web::rt::spawn(run(state.into_inner(), protocol, session, stream));
    response
}

/// The bearer header a `connection_init` payload carries, in the shapes clients use.
fn authorization(payload: &Value) -> Option<String> {
    let find = |v: &Value| -> Option<String> {
        for key in ["Authorization", "authorization"] {
            if let Some(Value::String(s)) = v.get(key) {
                return Some(s.clone());
            }
        }
        match v.get("token") {
            Some(Value::String(t)) => Some(format!("Bearer {t}")),
            _ => None,
        }
    };
    find(payload).or_else(|| payload.get("headers").and_then(find))
}

async fn run(
    state: Arc<AppState>,
    protocol: WebSocketProtocols,
    mut session: actix_ws::Session,
    mut incoming: actix_ws::AggregatedMessageStream,
) {
    let _open = state.metrics.websocket();
    let (to_graphql, from_client) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let verifier = state.verifier.clone();
    let store = state.services.store.clone();
    let checked = Checked {
        schema: state.schema.clone(),
        customer_schema: state.customer_schema.clone(),
        max_aliases: state.limits.max_aliases,
        shape: state.shape.clone(),
        documents: state.documents.clone(),
    };
    let mut graphql = async_graphql::http::WebSocket::new(
        checked,
        UnboundedReceiverStream::new(from_client),
        protocol,
    )
    .on_connection_init(move |payload| async move {
        let header = authorization(&payload);
        let principal = verifier
            .verify_header(header.as_deref())
            .map_err(|e| async_graphql::Error::from(ApiError::new(Code::Unauthenticated, e.0)))?;
        tracing::debug!(subject = %principal.subject, "websocket authenticated");
        let mut data = Data::default();
        data.insert(principal);
        data.insert(Loaders::uncached(store));
        Ok(data)
    });
    let mut shutdown = state.shutdown.clone();
    let limit = state.limits.request_timeout;
    if *shutdown.borrow() {
        let _ = sent(limit, session.close(Some(going_away()))).await;
        return;
    }
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    // graphql-transport-ws only: the legacy protocol has rules of its own, which async-graphql keeps.
    let mut gate = (protocol == WebSocketProtocols::GraphQLWS).then(Gate::default);
    let init_deadline = tokio::time::sleep(state.limits.ws_init_timeout);
    tokio::pin!(init_deadline);
    loop {
        tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(AggregatedMessage::Text(text))) => {
                    if let Some(refusal) = gate.as_mut().and_then(|g| g.incoming(text.as_bytes()).err()) {
                        let _ = sent(limit, session.close(Some(refused(refusal)))).await;
                        return;
                    }
                    if to_graphql.send(text.as_bytes().to_vec()).is_err() {
                        break;
                    }
                }
                Some(Ok(AggregatedMessage::Binary(bytes))) => {
                    if let Some(refusal) = gate.as_mut().and_then(|g| g.incoming(&bytes).err()) {
                        let _ = sent(limit, session.close(Some(refused(refusal)))).await;
                        return;
                    }
                    if to_graphql.send(bytes.to_vec()).is_err() {
                        break;
                    }
                }
                Some(Ok(AggregatedMessage::Ping(bytes))) => {
                    if !sent(limit, session.pong(&bytes)).await {
                        return;
                    }
                }
                Some(Ok(AggregatedMessage::Pong(_))) => {}
                Some(Ok(AggregatedMessage::Close(_))) | Some(Err(_)) | None => break,
            },
            reply = graphql.next() => match reply {
                Some(WsMessage::Text(text)) => {
                    if let Some(g) = gate.as_mut()
                        && !g.outgoing(&text)
                    {
                        continue;
                    }
                    if !sent(limit, session.text(text)).await {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let refusal = match &gate {
                        Some(g) => g.closing(code, reason),
                        None => (code, reason),
                    };
                    let _ = sent(limit, session.close(Some(refused(refusal)))).await;
                    return;
                }
                None => break,
            },
            () = &mut init_deadline, if gate.as_ref().is_some_and(|g| !g.initialising()) => {
                let refusal = (4408, "Connection initialisation timeout".to_owned());
                let _ = sent(limit, session.close(Some(refused(refusal)))).await;
                return;
            }
            _ = shutdown.changed() => {
                let _ = sent(limit, session.close(Some(going_away()))).await;
                return;
            }
            _ = ping.tick() => {
                if !sent(limit, session.ping(b"")).await {
                    return;
                }
            }
        }
    }
    let _ = sent(limit, session.close(None)).await;
}

/// Waits at most `limit` for `send` to hand a message to the connection; `false` when the
/// connection is closed or the client has not made room for it in that time (it has stopped
/// reading), and the caller should drop the connection.
async fn sent(limit: Duration, send: impl Future<Output = Result<(), actix_ws::Closed>>) -> bool {
    match tokio::time::timeout(limit, send).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(_) => {
            tracing::info!(
                waited_ms = limit.as_millis() as u64,
                "dropping a WebSocket client that has stopped reading"
            );
            false
        }
    }
}

/// The schema as a WebSocket runs it: each document held to the persisted and trusted
/// documents rules, then parsed and checked by [`limits::parse`], as over HTTP.
#[derive(Clone)]
struct Checked {
    schema: TandemSchema,
    /// What a CUSTOMER is served instead (`graphql::audience`).
    customer_schema: TandemSchema,
    max_aliases: usize,
    /// Completes answers with field errors to the spec's shape.
    shape: Arc<Shape>,
    documents: Arc<Documents>,
}

impl Checked {
    /// Fills in or refuses the request's document ([`Documents::resolve_request`]) for the
    /// caller the connection authenticated as: the schema that serves that caller.
    fn trusted(
        &self,
        request: &mut async_graphql::Request,
        data: Option<&Data>,
    ) -> Result<TandemSchema, async_graphql::ServerError> {
        let who = data
            .and_then(|d| d.get(&std::any::TypeId::of::<Principal>()))
            .and_then(|p| p.downcast_ref::<Principal>());
        match who {
            Some(who) => {
                self.documents.resolve_request(who, request)?;
                Ok(if who.is_customer() {
                    self.customer_schema.clone()
                } else {
                    self.schema.clone()
                })
            }
            None => Err(crate::http::trusted::error(
                "authenticate with connection_init first",
                Code::Unauthenticated.as_str(),
            )),
        }
    }
}

impl async_graphql::Executor for Checked {
    async fn execute(&self, mut request: async_graphql::Request) -> async_graphql::Response {
        let data = std::mem::take(&mut request.data);
        let trusted = self.trusted(&mut request, Some(&data));
        request.data = data;
        let schema = match trusted {
            Ok(schema) => schema,
            Err(e) => return async_graphql::Response::from_errors(vec![e]),
        };
        match limits::prepare(&mut request, self.max_aliases) {
            Ok(prepared) => {
                let completion = Completion::of(&request, prepared);
                let mut response = schema.execute(request).await;
                completion.apply(&self.shape, &mut response);
                response
            }
            Err(e) => async_graphql::Response::from_errors(vec![e]),
        }
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        let checked = self
            .trusted(&mut request, session_data.as_deref())
            .and_then(|schema| Ok((schema, limits::prepare(&mut request, self.max_aliases)?)));
        match checked {
            Ok((schema, prepared)) => {
                let completion = Completion::of(&request, prepared);
                let shape = self.shape.clone();
                schema
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                    .map(move |mut response| {
                        completion.apply(&shape, &mut response);
                        response
                    })
                    .boxed()
            }
            Err(e) => {
                futures_util::stream::once(
                    async move { async_graphql::Response::from_errors(vec![e]) },
                )
                .boxed()
            }
        }
    }
}

/// The close frame for a refusal: its code and reason.
fn refused((code, reason): gate::Refusal) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(reason),
    }
}

fn going_away() -> CloseReason {
    CloseReason {
        code: CloseCode::Away,
        description: Some("the server is shutting down".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_token_is_found_in_the_usual_payload_shapes() {
        assert_eq!(
            authorization(&json!({"Authorization": "Bearer a"})).as_deref(),
            Some("Bearer a")
        );
        assert_eq!(
            authorization(&json!({"token": "b"})).as_deref(),
            Some("Bearer b")
        );
        assert_eq!(
            authorization(&json!({"headers": {"authorization": "Bearer c"}})).as_deref(),
            Some("Bearer c")
        );
        assert_eq!(authorization(&json!({})), None);
    }
}
