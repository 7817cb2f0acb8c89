//! Webhooks: where integrations want events pushed, in which envelope, how failures are
//! retried, and which network addresses a delivery may never reach. How deliveries are signed,
//! and how secrets rotate, is in [`signing`].

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::event::{EventKind, FieldChange, NewEvent, SubjectKind};
use crate::ids::{WebhookDeliveryId, WebhookEndpointId};
use crate::{DomainError, DomainResult, text};

pub mod signing;

pub use signing::{PreviousSecret, Secrets, SignatureScheme};

/// The longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// An endpoint's definition, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointData {
    /// Where deliveries are POSTed: an `http` or `https` URL without credentials.
    pub url: url::Url,
    /// What it is for.
    pub description: Option<String>,
    /// The event kinds it receives; every kind when empty.
    pub event_kinds: Vec<EventKind>,
    /// How its deliveries are signed.
    pub signature_scheme: SignatureScheme,
    /// What a delivery's body and headers look like.
    pub envelope: Envelope,
    /// The most deliveries sent to it in any one second; unlimited when `None`.
    pub rate_limit_per_second: Option<u32>,
}

/// The highest per-endpoint rate limit accepted, in deliveries per second.
pub const MAX_RATE_LIMIT: u32 = 1000;

impl EndpointData {
    /// Validates an endpoint as an integration typed it.
    pub fn validate(
        url: &str,
        description: Option<&str>,
        mut event_kinds: Vec<EventKind>,
        signature_scheme: SignatureScheme,
        envelope: Envelope,
    ) -> DomainResult<EndpointData> {
        event_kinds.sort();
        event_kinds.dedup();
        Ok(EndpointData {
            url: check_url(url)?,
            description: text::optional("description", description, 500)?,
            event_kinds,
            signature_scheme,
            envelope,
            rate_limit_per_second: None,
        })
    }

    /// The same endpoint with at most `per_second` deliveries a second (1 to
    /// [`MAX_RATE_LIMIT`]), or unlimited for `None`.
    pub fn with_rate_limit(self, per_second: Option<i64>) -> DomainResult<EndpointData> {
        let rate_limit_per_second = per_second
            .map(|n| {
                u32::try_from(n)
                    .ok()
                    .filter(|n| (1..=MAX_RATE_LIMIT).contains(n))
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "rateLimitPerSecond",
                            format!("must be between 1 and {MAX_RATE_LIMIT}, not {n}"),
                        )
                    })
            })
            .transpose()?;
        Ok(EndpointData {
            rate_limit_per_second,
            ..self
        })
    }

    /// Whether the endpoint wants events of `kind`.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.event_kinds.is_empty() || self.event_kinds.contains(&kind)
    }
}

/// The signature scheme of an endpoint registered without naming one.
pub const DEFAULT_SIGNATURE_SCHEME: SignatureScheme = SignatureScheme::StandardWebhooks;

crate::text_enum! {
    /// What a delivery looks like on the wire. Either way it is signed as the endpoint's
    /// signature scheme says.
    pub enum Envelope {
        /// Tandem's JSON body `{deliveryId, event}`.
        Tandem = "TANDEM",
        /// A CloudEvents 1.0 event in HTTP binary content mode: the attributes in `ce-*`
        /// headers, the event as the JSON body.
        CloudEvents = "CLOUD_EVENTS",
    }
}

/// The CloudEvents `source` of every delivery: a URI reference naming Tandem.
pub const CLOUD_EVENTS_SOURCE: &str = "/tandem";

/// The CloudEvents `type` of an event kind: reverse-DNS and the kind's words, dotted
/// (`PLAYBOOK_FIRED` is `com.tandem.playbook.fired`).
pub fn cloud_event_type(kind: EventKind) -> String {
    format!(
        "com.tandem.{}",
        kind.as_str().to_ascii_lowercase().replace('_', ".")
    )
}

/// Parses and checks an endpoint URL: `http` or `https`, a host, no user name or password, no
/// fragment.
pub fn check_url(raw: &str) -> DomainResult<url::Url> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(DomainError::invalid(
            "url",
            format!("is longer than {MAX_URL_LEN} characters"),
        ));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| DomainError::invalid("url", format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(DomainError::invalid(
            "url",
            format!("must be http or https, not {}", url.scheme()),
        ));
    }
    if url.host().is_none() {
        return Err(DomainError::invalid("url", "must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DomainError::invalid(
            "url",
            "must not carry a user name or password; deliveries are authenticated by their signature",
        ));
    }
    if url.fragment().is_some() {
        return Err(DomainError::invalid("url", "must not have a #fragment"));
    }
    Ok(url)
}

/// How long to wait before attempt `attempt + 1` after `attempt` failed attempts (1-based):
/// `base`, then doubling, at most `max`.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(max).min(max)
}

/// The deliveries sent to one endpoint in the current second, for its rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    /// When the second began.
    pub started: DateTime<Utc>,
    /// Deliveries sent in it.
    pub sent: u32,
}

/// Whether a delivery may be sent at `now` to an endpoint of at most `limit` a second, given
/// its `window`: `Ok` (the window counts it), or `Err` with when the next second begins — the
/// delivery waits until then, without counting an attempt.
pub fn admit(
    window: &mut Option<SendWindow>,
    limit: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(), DateTime<Utc>> {
    let Some(limit) = limit else {
        return Ok(());
    };
    match window {
        Some(w) if now < w.started + chrono::Duration::seconds(1) => {
            if w.sent < limit {
                w.sent += 1;
                Ok(())
            } else {
                Err(w.started + chrono::Duration::seconds(1))
            }
        }
        _ => {
            *window = Some(SendWindow {
                started: now,
                sent: 1,
            });
            Ok(())
        }
    }
}

/// Checks the start of a recovery: failed deliveries owed since `since` are sent again, and
/// `since` cannot be later than `now`.
pub fn check_recovery_since(since: DateTime<Utc>, now: DateTime<Utc>) -> DomainResult<()> {
    if since > now {
        return Err(DomainError::invalid(
            "since",
            "is in the future; no delivery was owed after now",
        ));
    }
    Ok(())
}

/// A network in CIDR notation (`127.0.0.1/32`, `::1/128`, `10.0.0.0/8`); a bare address is a
/// network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Network {
    type Err = String;
    fn from_str(s: &str) -> Result<Network, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("'{s}' is not an IP address or CIDR network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{s}' has a prefix length outside 0..={max}"))?,
            None => max,
        };
        Ok(Network { addr, prefix })
    }
}

impl Network {
    /// Whether `ip` is inside the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Why a delivery to `ip` is refused, unless `allowed` permits it: the server's own loopback,
/// link-local (cloud metadata lives there) and unspecified addresses are refused.
pub fn refusal(ip: IpAddr, allowed: &[Network]) -> Option<&'static str> {
    if allowed.iter().any(|n| n.contains(ip)) {
        return None;
    }
    match canonical(ip) {
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address"),
        IpAddr::V4(v4) if v4.is_link_local() => Some("a link-local address"),
        IpAddr::V4(v4) if v4.is_unspecified() || v4.is_broadcast() => {
            Some("an unspecified or broadcast address")
        }
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address"),
        IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => Some("a link-local address"),
        IpAddr::V6(v6) if v6.is_unspecified() => Some("an unspecified address"),
        _ => None,
    }
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Its id.
    pub id: WebhookEndpointId,
    /// Its definition.
    pub data: EndpointData,
    /// The signing secrets. A new one is shown to the integration once, when it registers the
    /// endpoint or rotates the secret.
    pub secrets: Secrets,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why it was disabled, when the server disabled it.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed.
    pub failing_since: Option<DateTime<Utc>>,
    /// Failed attempts in a row.
    pub consecutive_failures: i32,
    /// Bumped on every change.
    pub version: i32,
    /// Who registered it (the token subject).
    pub created_by: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was deleted.
    pub archived_at: Option<DateTime<Utc>>,
}

/// The actor recorded on what the delivery worker does by itself: disabling an endpoint that
/// has failed for too long.
pub const DISPATCHER_ACTOR: &str = "webhook-dispatcher";

/// Why an endpoint stopped receiving deliveries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Disabling {
    /// Someone set `enabled: false`.
    ByHand,
    /// The worker gave up on it: every attempt since `failing_since` failed, `failures` in a row.
    Failing {
        /// Since when every attempt has failed.
        failing_since: DateTime<Utc>,
        /// Failed attempts in a row.
        failures: i32,
    },
}

/// The `WEBHOOK_ENDPOINT_DISABLED` event, written in the transaction that disables the endpoint
/// so that other integrations (another endpoint, the JetStream stream, a subscription) learn
/// that this one has stopped receiving. It belongs to no account. Its changes say that
/// `enabled` went from true to false and, when the worker disabled it, since when it had been
/// failing and how many times in a row; the reason's text (which quotes the last error) stays
/// on the endpoint, for those allowed to read it.
pub fn disabled_event(id: WebhookEndpointId, actor: &str, how: Disabling) -> NewEvent {
    let mut changes = vec![FieldChange {
        field: "enabled".to_owned(),
        before: true.into(),
        after: false.into(),
    }];
    if let Disabling::Failing {
        failing_since,
        failures,
    } = how
    {
        changes.push(FieldChange {
            field: "failingSince".to_owned(),
            before: serde_json::Value::Null,
            after: failing_since.to_rfc3339().into(),
        });
        changes.push(FieldChange {
            field: "consecutiveFailures".to_owned(),
            before: serde_json::Value::Null,
            after: failures.into(),
        });
    }
    NewEvent {
        account_id: None,
        subject_kind: SubjectKind::WebhookEndpoint,
        subject_id: id.0,
        kind: EventKind::WebhookEndpointDisabled,
        actor: actor.to_owned(),
        changes,
    }
}

/// A change to an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointChange {
    /// Its new definition.
    pub data: EndpointData,
    /// Whether deliveries are made. Enabling a disabled endpoint clears its failure record and
    /// retries its pending deliveries at once.
    pub enabled: bool,
    /// Delete it: no more deliveries are made or owed.
    pub archive: bool,
    /// Its signing secrets (as they were, or rotated).
    pub secrets: Secrets,
}

crate::text_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus {
        /// Not delivered yet; another attempt is due at `next_attempt_at`.
        Pending = "PENDING",
        /// The endpoint answered 2xx.
        Delivered = "DELIVERED",
        /// Given up: every attempt failed, or the endpoint was deleted.
        Failed = "FAILED",
    }
}

/// One event owed to one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Its id: receivers use it to recognise a retry of a delivery they already processed.
    pub id: WebhookDeliveryId,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// The event's cursor.
    pub event_cursor: i64,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When it was owed.
    pub created_at: DateTime<Utc>,
    /// When the endpoint accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One attempt at a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// The delivery.
    pub delivery_id: WebhookDeliveryId,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status the endpoint answered, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// A delivery that is due, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    /// The delivery.
    pub delivery: Delivery,
    /// Where to send it.
    pub url: url::Url,
    /// How to sign it.
    pub signature_scheme: SignatureScheme,
    /// What it looks like.
    pub envelope: Envelope,
    /// What to sign it with.
    pub secrets: Secrets,
    /// The endpoint's rate limit, deliveries per second.
    pub rate_limit_per_second: Option<u32>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status, if the endpoint answered.
    pub status_code: Option<u16>,
    /// What went wrong; `None` for a 2xx answer.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// When to try again; `None` to give up on this delivery.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Disable the endpoint when it has been failing since before this.
    pub disable_if_failing_since_before: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_endpoint_is_an_event_of_no_account_that_says_why() {
        let id = WebhookEndpointId(uuid::Uuid::now_v7());
        let by_hand = disabled_event(id, "alice", Disabling::ByHand);
        assert_eq!(by_hand.kind, EventKind::WebhookEndpointDisabled);
        assert_eq!(by_hand.subject_kind, SubjectKind::WebhookEndpoint);
        assert_eq!((by_hand.subject_id, by_hand.account_id), (id.0, None));
        assert_eq!(by_hand.actor, "alice");
        let fields: Vec<_> = by_hand.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["enabled"]);
        assert_eq!(
            (&by_hand.changes[0].before, &by_hand.changes[0].after),
            (&serde_json::json!(true), &serde_json::json!(false))
        );
        let since = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .to_utc();
        let failing = disabled_event(
            id,
            DISPATCHER_ACTOR,
            Disabling::Failing {
                failing_since: since,
                failures: 12,
            },
        );
        assert_eq!(failing.actor, DISPATCHER_ACTOR);
        let after: Vec<_> = failing
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.after.clone()))
            .collect();
        assert_eq!(
            after,
            [
                ("enabled", serde_json::json!(false)),
                (
                    "failingSince",
                    serde_json::json!("2026-12-05T10:00:00+00:00")
                ),
                ("consecutiveFailures", serde_json::json!(12)),
            ]
        );
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        assert!(check_url("https://hooks.example.com/tandem").is_ok());
        assert!(check_url("http://127.0.0.1:9000/x").is_ok());
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "not a url",
            "https://example.com/#frag",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rate_limit_admits_so_many_a_second_and_defers_the_rest() {
        let t0 = Utc::now();
        let ms = |n: i64| t0 + chrono::Duration::milliseconds(n);
        let mut w = None;
        assert_eq!(admit(&mut w, Some(2), ms(0)), Ok(()));
        assert_eq!(admit(&mut w, Some(2), ms(300)), Ok(()));
        assert_eq!(admit(&mut w, Some(2), ms(999)), Err(ms(1000)));
        assert_eq!(admit(&mut w, Some(2), ms(1000)), Ok(()));
        assert_eq!(
            w,
            Some(SendWindow {
                started: ms(1000),
                sent: 1
            })
        );
        let mut none = None;
        for i in 0..100 {
            assert_eq!(admit(&mut none, None, ms(i)), Ok(()));
        }
        assert_eq!(none, None);
    }

    #[test]
    fn rate_limits_are_between_one_and_a_thousand_a_second() {
        let data = || {
            EndpointData::validate(
                "https://hooks.example.com/x",
                None,
                vec![],
                SignatureScheme::StandardWebhooks,
                Envelope::Tandem,
            )
            .unwrap()
        };
        assert_eq!(data().rate_limit_per_second, None);
        assert_eq!(
            data()
                .with_rate_limit(Some(5))
                .unwrap()
                .rate_limit_per_second,
            Some(5)
        );
        assert_eq!(
            data().with_rate_limit(None).unwrap().rate_limit_per_second,
            None
        );
        for bad in [0, -1, 1001, i64::MAX] {
            let err = data().with_rate_limit(Some(bad)).unwrap_err();
            assert!(
                matches!(err, DomainError::Invalid { ref field, .. } if field == "rateLimitPerSecond"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_recovery_starts_no_later_than_now() {
        let now = Utc::now();
        assert!(check_recovery_since(now, now).is_ok());
        assert!(check_recovery_since(now - chrono::Duration::days(30), now).is_ok());
        let err = check_recovery_since(now + chrono::Duration::seconds(1), now).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "since"));
    }

    #[test]
    fn cloud_event_types_are_the_kind_dotted_under_com_tandem() {
        assert_eq!(
            cloud_event_type(EventKind::PlaybookFired),
            "com.tandem.playbook.fired"
        );
        assert_eq!(
            cloud_event_type(EventKind::AccountCreated),
            "com.tandem.account.created"
        );
    }

    #[test]
    fn retries_back_off_exponentially_to_a_ceiling() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(3600);
        assert_eq!(retry_delay(1, base, max), Duration::from_secs(1));
        assert_eq!(retry_delay(2, base, max), Duration::from_secs(2));
        assert_eq!(retry_delay(5, base, max), Duration::from_secs(16));
        assert_eq!(retry_delay(40, base, max), max);
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(refusal(ip("127.0.0.1"), &[]).is_some());
        assert!(refusal(ip("::1"), &[]).is_some());
        assert!(refusal(ip("169.254.169.254"), &[]).is_some());
        assert!(refusal(ip("fe80::1"), &[]).is_some());
        assert!(refusal(ip("::ffff:127.0.0.1"), &[]).is_some());
        assert!(refusal(ip("0.0.0.0"), &[]).is_some());
        assert!(refusal(ip("93.184.216.34"), &[]).is_none());
        let allowed: Vec<Network> = vec!["127.0.0.0/8".parse().unwrap()];
        assert!(refusal(ip("127.0.0.1"), &allowed).is_none());
        assert!(refusal(ip("::1"), &allowed).is_some());
        assert!("10.0.0.0/33".parse::<Network>().is_err());
        assert!("::1".parse::<Network>().unwrap().contains(ip("::1")));
    }
}
