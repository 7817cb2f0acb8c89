//! How a delivery proves that Tandem sent it: the signature schemes an endpoint may choose,
//! its signing secrets, and how a secret is rotated without a gap.
//!
//! - **Standard Webhooks 1.0** (the default for new endpoints): `webhook-id`,
//!   `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
//!   keyed by the base64 part of a `whsec_…` secret, so that any Standard Webhooks library
//!   verifies a delivery with `new Webhook(secret).verify(body, headers)`.
//! - **Tandem** (endpoints registered before Standard Webhooks arrived keep it):
//!   `Tandem-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of "{timestamp}.{body}">`, keyed by
//!   the secret's text as it is.
//!
//! While a rotation's overlap lasts, a delivery carries one signature per live secret, newest
//! first (space-separated `v1,…` entries, or repeated `v1=` entries), so a receiver holding
//! either secret accepts it and can switch at its own pace.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Timelike, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{DomainError, DomainResult};

crate::text_enum! {
    /// How an endpoint's deliveries are signed.
    pub enum SignatureScheme {
        /// Standard Webhooks 1.0: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
        StandardWebhooks = "STANDARD_WEBHOOKS",
        /// Tandem's own `Tandem-Signature: t=…,v1=…`, kept for endpoints registered before.
        Tandem = "TANDEM",
    }
}

/// What every signing secret starts with, as Standard Webhooks libraries expect.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret Tandem issues.
pub const SECRET_BYTES: usize = 32;
/// The fewest and most key bytes a Standard Webhooks secret may carry (the specification's
/// bounds).
pub const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;
/// How long the old secret keeps signing after a rotation, unless the caller says otherwise.
pub const DEFAULT_OVERLAP: Duration = Duration::hours(24);
/// The longest overlap a rotation may ask for: an old secret that may have leaked must not
/// stay good for long.
pub const MAX_OVERLAP: Duration = Duration::days(7);

/// A new signing secret from `random` bytes: `whsec_` and their base64.
pub fn new_secret(random: [u8; SECRET_BYTES]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(random))
}

/// The HMAC key of a secret under Standard Webhooks: the base64 after `whsec_`, decoded, 24 to
/// 64 bytes.
pub fn standard_key(secret: &str) -> DomainResult<Vec<u8>> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD.decode(encoded).map_err(|_| {
        DomainError::invalid(
            "secret",
            "is not a Standard Webhooks secret (whsec_ and base64); rotate it to get one",
        )
    })?;
    if !KEY_BYTES.contains(&key.len()) {
        return Err(DomainError::invalid(
            "secret",
            format!(
                "carries {} key bytes; Standard Webhooks needs {} to {}; rotate it to get a new one",
                key.len(),
                KEY_BYTES.start(),
                KEY_BYTES.end()
            ),
        ));
    }
    Ok(key)
}

/// Checks that `secret` can sign under `scheme` (any text can sign under Tandem's scheme).
pub fn check_scheme(scheme: SignatureScheme, secret: &str) -> DomainResult<()> {
    match scheme {
        SignatureScheme::StandardWebhooks => {
            standard_key(secret).map(|_| ()).map_err(|e| match e {
                DomainError::Invalid { message, .. } => {
                    DomainError::invalid("signatureScheme", format!("the secret {message}"))
                }
                other => other,
            })
        }
        SignatureScheme::Tandem => Ok(()),
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts a key of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// One Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256, keyed by `key`, of
/// `"{id}.{timestamp}.{body}"`.
pub fn sign_standard(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = hmac(
        key,
        &[
            id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ],
    );
    format!("v1,{}", STANDARD.encode(mac))
}

/// The signature of a delivery under Tandem's scheme: hex HMAC-SHA256, keyed by the secret's
/// text, over `"{timestamp}.{body}"` (the Unix time in seconds, a dot, the raw body).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex(&hmac(
        secret.as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    ))
}

/// The `Tandem-Signature` header value for a delivery signed with each of `secrets`:
/// `t={timestamp},v1={signature}[,v1={signature}…]`.
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for s in secrets {
        out.push_str(",v1=");
        out.push_str(&sign(s, timestamp, body));
    }
    out
}

/// The headers that sign a delivery (names in lower case): under `scheme`, with each of
/// `secrets` (newest first), for the message `id` sent at `timestamp` (Unix seconds).
pub fn signature_headers(
    scheme: SignatureScheme,
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> DomainResult<Vec<(&'static str, String)>> {
    Ok(match scheme {
        SignatureScheme::StandardWebhooks => {
            let mut signatures = Vec::with_capacity(secrets.len());
            for s in secrets {
                signatures.push(sign_standard(&standard_key(s)?, id, timestamp, body));
            }
            vec![
                ("webhook-id", id.to_owned()),
                ("webhook-timestamp", timestamp.to_string()),
                ("webhook-signature", signatures.join(" ")),
            ]
        }
        SignatureScheme::Tandem => vec![(
            "tandem-signature",
            signature_header(secrets, timestamp, body),
        )],
    })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

/// A secret that still signs after a rotation, until `expires_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousSecret {
    /// The secret.
    pub secret: String,
    /// When it stops signing.
    pub expires_at: DateTime<Utc>,
}

/// An endpoint's signing secrets: the current one and, during a rotation's overlap, the one it
/// replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Secrets {
    /// The secret every delivery is signed with.
    pub current: String,
    /// The secret it replaced, while it still signs.
    pub previous: Option<PreviousSecret>,
}

impl Secrets {
    /// Only `current`.
    pub fn new(current: impl Into<String>) -> Secrets {
        Secrets {
            current: current.into(),
            previous: None,
        }
    }

    /// The secrets a delivery sent at `now` is signed with, newest first.
    pub fn signing_at(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut out = vec![self.current.as_str()];
        if let Some(p) = &self.previous
            && now < p.expires_at
        {
            out.push(p.secret.as_str());
        }
        out
    }

    /// When the previous secret stops signing, if one still signs at `now`.
    pub fn overlap_ends(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.previous
            .as_ref()
            .map(|p| p.expires_at)
            .filter(|end| now < *end)
    }

    /// The secrets after rotating to `new` at `now`: the current one keeps signing for
    /// `overlap` (not at all when it is zero), to the whole second, as signatures' timestamps
    /// go. A secret older than the current one stops signing at once, so a delivery never
    /// carries more than two signatures.
    pub fn rotated(&self, new: String, now: DateTime<Utc>, overlap: Duration) -> Secrets {
        let end = now + overlap;
        Secrets {
            current: new,
            previous: (overlap > Duration::zero()).then(|| PreviousSecret {
                secret: self.current.clone(),
                expires_at: end.with_nanosecond(0).unwrap_or(end),
            }),
        }
    }
}

/// The overlap a rotation asked for, in seconds: 0 to [`MAX_OVERLAP`], [`DEFAULT_OVERLAP`] when
/// left out.
pub fn rotation_overlap(seconds: Option<i64>) -> DomainResult<Duration> {
    let Some(seconds) = seconds else {
        return Ok(DEFAULT_OVERLAP);
    };
    if !(0..=MAX_OVERLAP.num_seconds()).contains(&seconds) {
        return Err(DomainError::invalid(
            "overlapSeconds",
            format!(
                "must be between 0 and {} (7 days), not {seconds}",
                MAX_OVERLAP.num_seconds()
            ),
        ));
    }
    Ok(Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn the_tandem_signature_is_hex_hmac_sha256_over_timestamp_and_body() {
        let sig = sign("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, sign("whsec_test", 1_700_000_000, br#"{"a":1}"#));
        assert_ne!(sig, sign("whsec_test", 1_700_000_001, br#"{"a":1}"#));
        assert_ne!(sig, sign("other", 1_700_000_000, br#"{"a":1}"#));
        // RFC 4231, test case 2: the HMAC underneath is the standard one.
        assert_eq!(
            hex(&hmac(b"Jefe", &[b"what do ya want for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            signature_header(&["s"], 5, b"x"),
            format!("t=5,v1={}", sign("s", 5, b"x"))
        );
    }

    #[test]
    fn a_tandem_signature_during_an_overlap_repeats_v1_for_each_secret() {
        let header = signature_header(&["new", "old"], 5, b"x");
        assert_eq!(
            header,
            format!(
                "t=5,v1={},v1={}",
                sign("new", 5, b"x"),
                sign("old", 5, b"x")
            )
        );
    }

    #[test]
    fn the_standard_signature_matches_the_specifications_example() {
        // The example every Standard Webhooks library tests against.
        let key = standard_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            sign_standard(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn standard_headers_carry_id_timestamp_and_one_signature_per_secret() {
        let (a, b) = (new_secret([1; 32]), new_secret([2; 32]));
        let headers = signature_headers(
            SignatureScheme::StandardWebhooks,
            &[&a, &b],
            "msg_1",
            7,
            b"{}",
        )
        .unwrap();
        let get = |name: &str| headers.iter().find(|(k, _)| *k == name).unwrap().1.clone();
        assert_eq!(get("webhook-id"), "msg_1");
        assert_eq!(get("webhook-timestamp"), "7");
        let sigs: Vec<String> = get("webhook-signature")
            .split(' ')
            .map(str::to_owned)
            .collect();
        assert_eq!(
            sigs,
            [
                sign_standard(&standard_key(&a).unwrap(), "msg_1", 7, b"{}"),
                sign_standard(&standard_key(&b).unwrap(), "msg_1", 7, b"{}"),
            ]
        );
        let tandem = signature_headers(SignatureScheme::Tandem, &[&a], "msg_1", 7, b"{}").unwrap();
        assert_eq!(
            tandem,
            [("tandem-signature", signature_header(&[&a], 7, b"{}"))]
        );
    }

    #[test]
    fn issued_secrets_are_whsec_base64_of_32_bytes() {
        let s = new_secret([0xab; 32]);
        assert!(s.starts_with("whsec_"), "{s}");
        assert_eq!(standard_key(&s).unwrap(), vec![0xab; 32]);
        assert_ne!(new_secret([1; 32]), new_secret([2; 32]));
    }

    #[test]
    fn a_standard_key_is_base64_of_24_to_64_bytes() {
        assert_eq!(standard_key(&new_secret([7; 32])).unwrap().len(), 32);
        let b64 = |n: usize| format!("whsec_{}", STANDARD.encode(vec![1u8; n]));
        assert!(standard_key(&b64(24)).is_ok());
        assert!(standard_key(&b64(64)).is_ok());
        for bad in [
            b64(23),
            b64(65),
            "whsec_not base64!".to_owned(),
            "whsec_".to_owned(),
        ] {
            let err = standard_key(&bad).unwrap_err();
            assert!(
                matches!(err, DomainError::Invalid { ref field, .. } if field == "secret"),
                "{bad}"
            );
        }
        // A secret issued before Standard Webhooks (`whsec_` and 64 hex digits) is base64 of
        // 48 bytes, so such an endpoint can switch schemes without a rotation.
        let legacy = format!("whsec_{}", "0123456789abcdef".repeat(4));
        assert_eq!(standard_key(&legacy).unwrap().len(), 48);
        assert!(check_scheme(SignatureScheme::StandardWebhooks, &legacy).is_ok());
        assert!(check_scheme(SignatureScheme::Tandem, "anything").is_ok());
        let err = check_scheme(SignatureScheme::StandardWebhooks, "whsec_%%").unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "signatureScheme")
        );
    }

    #[test]
    fn during_the_overlap_both_secrets_sign_and_after_it_only_the_new_one() {
        let s = Secrets::new("old").rotated("new".into(), at(1000), Duration::seconds(60));
        assert_eq!(s.signing_at(at(1000)), ["new", "old"]);
        assert_eq!(s.signing_at(at(1059)), ["new", "old"]);
        assert_eq!(s.overlap_ends(at(1059)), Some(at(1060)));
        assert_eq!(s.signing_at(at(1060)), ["new"]);
        assert_eq!(s.overlap_ends(at(1060)), None);
    }

    #[test]
    fn a_rotation_without_overlap_drops_the_old_secret_at_once() {
        let s = Secrets::new("old").rotated("new".into(), at(1000), Duration::zero());
        assert_eq!(s.signing_at(at(1000)), ["new"]);
        assert_eq!(s.previous, None);
    }

    #[test]
    fn a_second_rotation_during_an_overlap_retires_the_oldest_secret() {
        let once = Secrets::new("a").rotated("b".into(), at(0), Duration::hours(24));
        let twice = once.rotated("c".into(), at(60), Duration::hours(1));
        assert_eq!(twice.signing_at(at(60)), ["c", "b"]);
        assert_eq!(twice.overlap_ends(at(60)), Some(at(60 + 3600)));
    }

    #[test]
    fn the_overlap_defaults_to_a_day_and_is_bounded_by_a_week() {
        assert_eq!(rotation_overlap(None).unwrap(), Duration::hours(24));
        assert_eq!(rotation_overlap(Some(0)).unwrap(), Duration::zero());
        assert_eq!(rotation_overlap(Some(604_800)).unwrap(), Duration::days(7));
        for bad in [-1, 604_801, i64::MAX] {
            let err = rotation_overlap(Some(bad)).unwrap_err();
            assert!(
                matches!(err, DomainError::Invalid { ref field, .. } if field == "overlapSeconds"),
                "{bad}"
            );
        }
    }
}
