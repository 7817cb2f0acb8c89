//! What a webhook delivery carries and where it may go: the request every endpoint receives
//! (the event as the API shows it, with global ids, in the endpoint's envelope and signed as
//! its scheme says), and the network guard that keeps deliveries away from loopback,
//! link-local and private addresses unless the operator allows them — checked when an endpoint
//! is registered and again at every delivery.

use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, Utc};
use tandem_domain::event::Event;
use tandem_domain::webhook::{self, Due, Envelope, Network, signing};

use crate::graphql::ids::{self, Kind};

/// The event as the API shows it, with global ids: what every webhook envelope carries, and the
/// body of each JetStream message.
pub fn event_json(e: &Event) -> serde_json::Value {
    serde_json::json!({
        "cursor": e.cursor.to_string(),
        "kind": e.event.kind.as_str(),
        "accountId": e.event.account_id.map(|a| ids::encode(Kind::Account, a.0).to_string()),
        "subjectKind": e.event.subject_kind.as_str(),
        "subjectId": ids::subject_of(e).to_string(),
        "actor": e.event.actor,
        "occurredAt": occurred_at(e),
        "changes": e.event.changes,
    })
}

fn occurred_at(e: &Event) -> String {
    e.occurred_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The body of a delivery in Tandem's envelope: the delivery's id and the event.
pub fn payload(e: &Event, delivery: tandem_domain::ids::WebhookDeliveryId) -> serde_json::Value {
    serde_json::json!({
        "deliveryId": ids::encode(Kind::WebhookDelivery, delivery.0).to_string(),
        "event": event_json(e),
    })
}

/// A delivery ready to POST: its headers (names in lower case) and its body.
#[derive(Debug, Clone)]
pub struct Request {
    /// Every header, the signature's among them.
    pub headers: Vec<(&'static str, String)>,
    /// The raw body the signature covers.
    pub body: Vec<u8>,
}

/// The request that delivers `event` as `due` says, sent at `now`: in the endpoint's envelope
/// (Tandem's `{deliveryId, event}`, or a CloudEvent in HTTP binary content mode whose body is
/// the event), signed with every secret live at `now`. The delivery's global id is the
/// message id (`webhook-id`, `ce-id`, `Tandem-Delivery`), the same on every retry.
pub fn request(event: &Event, due: &Due, now: DateTime<Utc>) -> Result<Request, String> {
    let id = ids::encode(Kind::WebhookDelivery, due.delivery.id.0).to_string();
    let body = match due.envelope {
        Envelope::Tandem => payload(event, due.delivery.id),
        Envelope::CloudEvents => event_json(event),
    };
    let body = serde_json::to_vec(&body).map_err(|e| format!("cannot encode the event: {e}"))?;
    let mut headers = vec![
        ("content-type", "application/json".to_owned()),
        ("tandem-delivery", id.clone()),
        ("tandem-event-cursor", event.cursor.to_string()),
        ("tandem-event-kind", event.event.kind.as_str().to_owned()),
    ];
    if due.envelope == Envelope::CloudEvents {
        headers.extend([
            ("ce-specversion", "1.0".to_owned()),
            ("ce-id", id.clone()),
            ("ce-source", webhook::CLOUD_EVENTS_SOURCE.to_owned()),
            ("ce-type", webhook::cloud_event_type(event.event.kind)),
            ("ce-time", occurred_at(event)),
            ("ce-subject", ids::subject_of(event).to_string()),
        ]);
    }
    let signatures = signing::signature_headers(
        due.signature_scheme,
        &due.secrets.signing_at(now),
        &id,
        now.timestamp(),
        &body,
    )
    .map_err(|e| format!("cannot sign the delivery: {e}"))?;
    headers.extend(signatures);
    Ok(Request { headers, body })
}

/// Resolves endpoint host names, refusing the addresses deliveries must not reach (checked at
/// every delivery, so a name that later resolves to 127.0.0.1 is refused then).
pub struct GuardedResolver {
    /// The networks the operator allows although deliveries would otherwise refuse them.
    pub allowed: Vec<Network>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (ok, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
                .into_iter()
                .partition(|a| webhook::refusal(a.ip(), &allowed).is_none());
            if ok.is_empty() {
                let why = refused
                    .first()
                    .and_then(|a| webhook::refusal(a.ip(), &allowed))
                    .unwrap_or("no address");
                return Err(format!(
                    "refused: {host} resolves to {why}; allow it with TANDEM_WEBHOOK_ALLOWED_NETWORKS"
                )
                .into());
            }
            Ok(Box::new(ok.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Checks an endpoint's host at registration: `Err` with the reason when every address it
/// resolves to is refused. A name that does not resolve now is accepted (its deliveries fail
/// and retry until it does).
pub async fn check_host(url: &url::Url, allowed: &[Network]) -> Result<(), String> {
    let ips: Vec<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(v4)) => vec![v4.into()],
        Some(url::Host::Ipv6(v6)) => vec![v6.into()],
        Some(url::Host::Domain(d)) => match tokio::net::lookup_host((d, 0)).await {
            Ok(addrs) => addrs.map(|a| a.ip()).collect(),
            Err(_) => return Ok(()),
        },
        None => return Err("names no host".to_owned()),
    };
    match ips
        .iter()
        .find_map(|ip| webhook::refusal(*ip, allowed).map(|w| (ip, w)))
    {
        Some((ip, why))
            if ips
                .iter()
                .all(|ip| webhook::refusal(*ip, allowed).is_some()) =>
        {
            Err(format!(
                "points at {ip}, {why}, which deliveries may not reach unless TANDEM_WEBHOOK_ALLOWED_NETWORKS allows it"
            ))
        }
        _ => Ok(()),
    }
}
