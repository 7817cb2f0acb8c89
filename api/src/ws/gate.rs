//! The rules of `graphql-transport-ws` (its PROTOCOL.md, shipped in the npm `graphql-ws`
//! package) that async-graphql's implementation does not keep, checked on every frame before
//! async-graphql sees it and on every message it sends back:
//!
//! | the client… | closed with |
//! |---|---|
//! | sends a frame that is not JSON, or a message of an unknown type or shape | 4400 Bad request |
//! | subscribes before the server acknowledged `connection_init` | 4401 Unauthorized |
//! | is refused in `connection_init` (no or a bad token) | 4403 Forbidden |
//! | does not send `connection_init` in time ([`Limits::ws_init_timeout`]) | 4408 Connection initialisation timeout |
//! | subscribes with an id that is still running | 4409 Subscriber for `<id>` already exists |
//! | sends `connection_init` twice | 4429 Too many initialisation requests |
//!
//! Held by the e2e tests in `tests/tests/e2e/ws_protocol.rs`, which send raw frames.
//!
//! [`Limits::ws_init_timeout`]: crate::settings::Limits::ws_init_timeout

use std::collections::HashSet;

use serde_json::Value;

/// Why the server closes a connection: the close code and its reason.
pub(super) type Refusal = (u16, String);

/// What one graphql-transport-ws connection has said so far.
#[derive(Debug, Default)]
pub(super) struct Gate {
    /// `connection_init` arrived.
    initialising: bool,
    /// The server acknowledged it.
    acknowledged: bool,
    /// The ids of the subscriptions still running.
    running: HashSet<String>,
    /// The ids the client completed while they ran: async-graphql answers each with a
    /// `complete` of its own, which the protocol does not send and which must not end a new
    /// subscription under the same id.
    stopping: HashSet<String>,
}

impl Gate {
    /// Whether `connection_init` has arrived (the init timeout stops counting then).
    pub(super) fn initialising(&self) -> bool {
        self.initialising
    }

    /// Checks a frame from the client; `Err` is the close to send instead of passing it on.
    pub(super) fn incoming(&mut self, frame: &[u8]) -> Result<(), Refusal> {
        let message: Value =
            serde_json::from_slice(frame).map_err(|_| bad("Invalid message received: not JSON"))?;
        let Some(kind) = message.get("type").and_then(Value::as_str) else {
            return Err(bad("Invalid message received: no type"));
        };
        let payload_ok = |required: bool| match message.get("payload") {
            None | Some(Value::Null) => !required,
            Some(Value::Object(_)) => true,
            Some(_) => false,
        };
        match kind {
            "connection_init" => {
                if !payload_ok(false) {
                    return Err(bad(
                        "Invalid message received: the payload must be an object",
                    ));
                }
                if self.initialising {
                    return Err((4429, "Too many initialisation requests".into()));
                }
                self.initialising = true;
            }
            "ping" | "pong" => {
                if !payload_ok(false) {
                    return Err(bad(
                        "Invalid message received: the payload must be an object",
                    ));
                }
            }
            "subscribe" => {
                let id = id_of(&message)?;
                let has_query = message
                    .get("payload")
                    .and_then(|p| p.get("query"))
                    .is_some_and(Value::is_string);
                if !has_query {
                    return Err(bad(
                        "Invalid message received: subscribe needs payload.query",
                    ));
                }
                if !self.acknowledged {
                    return Err((4401, "Unauthorized".into()));
                }
                if !self.running.insert(id.to_owned()) {
                    return Err((4409, format!("Subscriber for {id} already exists")));
                }
            }
            "complete" => {
                let id = id_of(&message)?;
                if self.running.remove(id) {
                    self.stopping.insert(id.to_owned());
                }
            }
            other => {
                return Err(bad(&format!(
                    "Invalid message received: unknown type '{}'",
                    other.chars().take(40).collect::<String>()
                )));
            }
        }
        Ok(())
    }

    /// Notes a message the server sends: the acknowledgement, and the end of a subscription.
    /// `false` for async-graphql's answer to the client's own `complete`, which is not sent.
    /// Messages are written by serde with `type` first, so a look at the start tells them apart.
    pub(super) fn outgoing(&mut self, text: &str) -> bool {
        if text.starts_with(r#"{"type":"connection_ack""#) {
            self.acknowledged = true;
            return true;
        }
        let complete = text.starts_with(r#"{"type":"complete""#);
        if (complete || text.starts_with(r#"{"type":"error""#))
            && let Some(id) = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|m| m.get("id").and_then(Value::as_str).map(str::to_owned))
        {
            if complete && self.stopping.remove(&id) {
                return false;
            }
            self.running.remove(&id);
        }
        true
    }

    /// The close async-graphql asks for, as the protocol wants it: a refused `connection_init`
    /// is 4403 (async-graphql says 1002, which the protocol does not use).
    pub(super) fn closing(&self, code: u16, reason: String) -> Refusal {
        if code == 1002 && self.initialising && !self.acknowledged {
            return (4403, format!("Forbidden: {reason}"));
        }
        (code, reason)
    }
}

/// The `id` of a message that must have one.
fn id_of(message: &Value) -> Result<&str, Refusal> {
    match message.get("id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(bad("Invalid message received: an id is required")),
    }
}

fn bad(reason: &str) -> Refusal {
    (4400, reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acked() -> Gate {
        let mut g = Gate::default();
        g.incoming(br#"{"type":"connection_init"}"#).unwrap();
        g.outgoing(r#"{"type":"connection_ack"}"#);
        g
    }

    #[test]
    fn each_rule_closes_with_its_code() {
        let sub = |id: &str| {
            format!(
                r#"{{"type":"subscribe","id":"{id}","payload":{{"query":"{{ viewer {{ role }} }}"}}}}"#
            )
        };
        assert_eq!(
            Gate::default().incoming(sub("1").as_bytes()).unwrap_err().0,
            4401
        );
        assert_eq!(Gate::default().incoming(b"not json").unwrap_err().0, 4400);
        assert_eq!(
            Gate::default()
                .incoming(br#"{"type":"hello"}"#)
                .unwrap_err()
                .0,
            4400
        );
        let mut g = acked();
        g.incoming(sub("1").as_bytes()).unwrap();
        assert_eq!(g.incoming(sub("1").as_bytes()).unwrap_err().0, 4409);
        g.outgoing(r#"{"type":"complete","id":"1"}"#);
        g.incoming(sub("1").as_bytes()).unwrap();
        // The client completes "1" and subscribes under it again before async-graphql's answer
        // to the complete goes out: that answer is not sent and does not end the new one.
        g.incoming(br#"{"type":"complete","id":"1"}"#).unwrap();
        g.incoming(sub("1").as_bytes()).unwrap();
        assert!(!g.outgoing(r#"{"type":"complete","id":"1"}"#));
        assert_eq!(g.incoming(sub("1").as_bytes()).unwrap_err().0, 4409);
        assert!(g.outgoing(r#"{"type":"complete","id":"1"}"#));
        g.incoming(sub("1").as_bytes()).unwrap();
        assert_eq!(
            g.incoming(br#"{"type":"connection_init"}"#).unwrap_err().0,
            4429
        );
    }

    #[test]
    fn a_refused_init_is_forbidden_and_later_closes_pass_as_they_are() {
        let mut g = Gate::default();
        g.incoming(br#"{"type":"connection_init","payload":{}}"#)
            .unwrap();
        assert_eq!(g.closing(1002, "bad token".into()).0, 4403);
        g.outgoing(r#"{"type":"connection_ack"}"#);
        assert_eq!(g.closing(1002, "x".into()).0, 1002);
    }
}
