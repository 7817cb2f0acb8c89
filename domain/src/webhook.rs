//! Webhooks: where integrations want events pushed, how each delivery is signed, how failures
//! are retried, and which network addresses a delivery may never reach.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::event::EventKind;
use crate::ids::{WebhookDeliveryId, WebhookEndpointId};
use crate::{DomainError, DomainResult, text};

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
}

impl EndpointData {
    /// Validates an endpoint as an integration typed it.
    pub fn validate(
        url: &str,
        description: Option<&str>,
        mut event_kinds: Vec<EventKind>,
    ) -> DomainResult<EndpointData> {
        event_kinds.sort();
        event_kinds.dedup();
        Ok(EndpointData {
            url: check_url(url)?,
            description: text::optional("description", description, 500)?,
            event_kinds,
        })
    }

    /// Whether the endpoint wants events of `kind`.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.event_kinds.is_empty() || self.event_kinds.contains(&kind)
    }
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

/// The signature of a delivery: hex HMAC-SHA256, keyed by the endpoint's secret, over
/// `"{timestamp}.{body}"` (the Unix time in seconds, a dot, the raw body). The
/// `Tandem-Signature` header carries it as `t={timestamp},v1={signature}`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// The `Tandem-Signature` header value for a delivery.
pub fn signature_header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, body))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// How long to wait before attempt `attempt + 1` after `attempt` failed attempts (1-based):
/// `base`, then doubling, at most `max`.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    base.checked_mul(factor).unwrap_or(max).min(max)
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
    /// The signing secret. Shown to the integration once, when it registers the endpoint.
    pub secret: String,
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
    pub secret: String,
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
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        let sig = sign("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, sign("whsec_test", 1_700_000_000, br#"{"a":1}"#));
        assert_ne!(sig, sign("whsec_test", 1_700_000_001, br#"{"a":1}"#));
        assert_ne!(sig, sign("other", 1_700_000_000, br#"{"a":1}"#));
        // RFC 4231, test case 2: the HMAC underneath is the standard one.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(signature_header("s", 5, b"x").starts_with("t=5,v1="));
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
