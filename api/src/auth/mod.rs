//! Bearer-token authentication: JWTs verified with one pinned algorithm, issuer, audience and
//! expiry, mapped to a [`Principal`].

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use tandem_domain::auth::{Principal, Role};

use crate::cache::Memo;
use crate::graphql::ids::{self, Kind};
use crate::settings::{AuthSettings, JwtAlgorithm, Secret};

mod claims;

use claims::principal;
pub use claims::{AuthError, Claims, MAX_CUSTOMER_ACCOUNTS, principal_for};

/// Why the configured keys could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A setting is missing.
    #[error("{0}")]
    Missing(&'static str),
    /// A key does not parse.
    #[error("{setting}: {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
}

fn algorithm(a: JwtAlgorithm) -> Algorithm {
    match a {
        JwtAlgorithm::Hs256 => Algorithm::HS256,
        JwtAlgorithm::Rs256 => Algorithm::RS256,
        JwtAlgorithm::EdDsa => Algorithm::EdDSA,
    }
}

/// Reads a PEM value given either as the PEM text itself or as a path to a file holding it.
fn pem(setting: &'static str, value: &str) -> Result<Vec<u8>, KeyError> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Ok(value.replace("\\n", "\n").into_bytes());
    }
    std::fs::read(value).map_err(|e| KeyError::Invalid {
        setting,
        reason: format!("neither PEM text nor a readable file ({e})"),
    })
}

/// Checks tokens. Built once at start-up; cheap to share.
///
/// A client sends the same token with every request until it expires, and checking its
/// signature (and decoding its JSON twice) is most of what a small request costs. So a token
/// that verified is remembered, by its exact text, with the principal it stands for, until its
/// `exp`: the same text under the same key always verifies to the same claims, and nothing
/// else decides the answer. A refused token is never remembered; tokens longer than
/// [`CACHED_TOKEN_BYTES`] are checked every time; at most [`CACHED_TOKENS`] are kept.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    verified: Arc<Memo<(Principal, u64)>>,
}

/// Verified tokens kept at most, per thread (each HTTP worker keeps its own).
const CACHED_TOKENS: usize = 4096;
/// Longer tokens are verified every time rather than kept.
const CACHED_TOKEN_BYTES: usize = 4096;

impl Verifier {
    /// A verifier for the configured algorithm and key.
    pub fn new(settings: &AuthSettings) -> Result<Verifier, KeyError> {
        let alg = algorithm(settings.algorithm);
        let key = match settings.algorithm {
            JwtAlgorithm::Hs256 => {
                let secret = settings.secret.as_ref().ok_or(KeyError::Missing(
                    "TANDEM_JWT_SECRET: required for HS256 tokens",
                ))?;
                DecodingKey::from_secret(secret.expose().as_bytes())
            }
            JwtAlgorithm::Rs256 | JwtAlgorithm::EdDsa => {
                let setting = "TANDEM_JWT_PUBLIC_KEY";
                let text = settings.public_key.as_deref().ok_or(KeyError::Missing(
                    "TANDEM_JWT_PUBLIC_KEY: required for RS256 and EdDSA tokens",
                ))?;
                let bytes = pem(setting, text)?;
                let parsed = if settings.algorithm == JwtAlgorithm::Rs256 {
                    DecodingKey::from_rsa_pem(&bytes)
                } else {
                    DecodingKey::from_ed_pem(&bytes)
                };
                parsed.map_err(|e| KeyError::Invalid {
                    setting,
                    reason: e.to_string(),
                })?
            }
        };
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = settings.leeway.as_secs();
        Ok(Verifier {
            key,
            validation,
            verified: Arc::new(Memo::new(CACHED_TOKENS)),
        })
    }

    /// The principal a token stands for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let now = jsonwebtoken::get_current_timestamp();
        if let Some((principal, exp)) = self.verified.get(token) {
            // Served only strictly before `exp`, whatever the leeway: never longer than a
            // fresh check would accept the token.
            if now < exp {
                return Ok(principal);
            }
            self.verified.remove(token);
        }
        let (principal, exp) = self.check(token)?;
        if token.len() <= CACHED_TOKEN_BYTES && now < exp {
            self.verified.put(token, (principal.clone(), exp));
        }
        Ok(principal)
    }

    /// Checks a token's signature and claims: the principal and the token's expiry.
    fn check(&self, token: &str) -> Result<(Principal, u64), AuthError> {
        if let Some(alg) = header_algorithm(token)
            && !self
                .validation
                .algorithms
                .iter()
                .any(|a| format!("{a:?}") == alg)
        {
            return Err(AuthError(format!(
                "the token is signed with an algorithm this server does not accept ({alg})"
            )));
        }
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| {
                AuthError(
                    match e.kind() {
                        ErrorKind::ExpiredSignature => "the token has expired",
                        ErrorKind::ImmatureSignature => {
                            "the token is not valid yet (nbf is in the future)"
                        }
                        ErrorKind::InvalidSignature => "the token's signature does not verify",
                        ErrorKind::InvalidAudience => "the token was issued for another audience",
                        ErrorKind::InvalidIssuer => "the token was issued by an unknown issuer",
                        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                            "the token is signed with an algorithm this server does not accept"
                        }
                        ErrorKind::MissingRequiredClaim(_) => {
                            "the token lacks a required claim (sub, exp, iss or aud)"
                        }
                        _ => "the token is malformed",
                    }
                    .to_owned(),
                )
            })?;
        let role: Role = data.claims.role.parse().map_err(|_| {
            AuthError(format!(
                "the token carries an unknown role '{}'",
                data.claims.role
            ))
        })?;
        if data.claims.sub.trim().is_empty() {
            return Err(AuthError("the token's subject (sub) is empty".into()));
        }
        let exp = data.claims.exp;
        Ok((principal(data.claims, role)?, exp))
    }

    /// The principal for an `Authorization` header value (`Bearer <token>`).
    pub fn verify_header(&self, header: Option<&str>) -> Result<Principal, AuthError> {
        let header = header.ok_or_else(|| {
            AuthError("this API needs a bearer token: send 'Authorization: Bearer <token>'".into())
        })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AuthError("the Authorization header must be 'Bearer <token>'".into()))?;
        self.verify(token)
    }
}

/// The `alg` a token's header names, read without trusting it: only to explain a refusal.
fn header_algorithm(token: &str) -> Option<String> {
    use base64::Engine;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_owned)
}

/// Signs tokens: for `tandem token`, the demo, and tests.
pub struct Issuer {
    key: EncodingKey,
    header: Header,
    issuer: String,
    audience: String,
}

impl Issuer {
    /// An issuer for the configured algorithm: the HS256 secret, or the private key.
    pub fn new(settings: &AuthSettings) -> Result<Issuer, KeyError> {
        let key = match settings.algorithm {
            JwtAlgorithm::Hs256 => {
                let secret = settings.secret.as_ref().ok_or(KeyError::Missing(
                    "TANDEM_JWT_SECRET: required to sign HS256 tokens",
                ))?;
                EncodingKey::from_secret(secret.expose().as_bytes())
            }
            JwtAlgorithm::Rs256 | JwtAlgorithm::EdDsa => {
                let setting = "TANDEM_JWT_PRIVATE_KEY";
                let text = settings.private_key.as_ref().ok_or(KeyError::Missing(
                    "TANDEM_JWT_PRIVATE_KEY: required to sign RS256 and EdDSA tokens",
                ))?;
                let bytes = pem(setting, text.expose())?;
                let parsed = if settings.algorithm == JwtAlgorithm::Rs256 {
                    EncodingKey::from_rsa_pem(&bytes)
                } else {
                    EncodingKey::from_ed_pem(&bytes)
                };
                parsed.map_err(|e| KeyError::Invalid {
                    setting,
                    reason: e.to_string(),
                })?
            }
        };
        Ok(Issuer {
            key,
            header: Header::new(algorithm(settings.algorithm)),
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
        })
    }

    /// A token for `subject` with `role`, valid for `ttl` from now.
    pub fn issue(&self, subject: &str, role: Role, ttl: Duration) -> Result<String, KeyError> {
        self.issue_for(&Principal::vendor(subject, role), ttl)
    }

    /// A token that verifies to `who` (with a customer's accounts and contact), valid for
    /// `ttl` from now.
    pub fn issue_for(&self, who: &Principal, ttl: Duration) -> Result<String, KeyError> {
        let now = jsonwebtoken::get_current_timestamp();
        let scope = who.customer.as_ref();
        let claims = Claims {
            sub: who.subject.clone(),
            role: who.role.as_str().to_owned(),
            accounts: scope.map(|s| {
                s.accounts()
                    .iter()
                    .map(|a| ids::encode(Kind::Account, a.0).0)
                    .collect()
            }),
            contact: scope.map(|s| ids::encode(Kind::Contact, s.contact().0).0),
            exp: now + ttl.as_secs(),
            nbf: Some(now),
            iat: now,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        jsonwebtoken::encode(&self.header, &claims, &self.key).map_err(|e| KeyError::Invalid {
            setting: "signing key",
            reason: e.to_string(),
        })
    }
}

/// A random HS256 secret for a demo run that was given none.
pub fn ephemeral_secret() -> Secret {
    Secret::new(format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::auth::CustomerScope;
    use tandem_domain::ids::{AccountId, ContactId};

    fn settings() -> AuthSettings {
        AuthSettings {
            algorithm: JwtAlgorithm::Hs256,
            secret: Some(Secret::new("0123456789abcdef0123456789abcdef")),
            public_key: None,
            private_key: None,
            issuer: "tandem".into(),
            audience: "tandem-api".into(),
            leeway: Duration::from_secs(0),
        }
    }

    #[test]
    fn an_issued_token_verifies_to_its_principal() {
        let s = settings();
        let token = Issuer::new(&s)
            .unwrap()
            .issue("ann", Role::CsManager, Duration::from_secs(60))
            .unwrap();
        let p = Verifier::new(&s).unwrap().verify(&token).unwrap();
        assert_eq!(p, Principal::vendor("ann", Role::CsManager));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let mut other = settings();
        other.secret = Some(Secret::new("another-secret-another-secret-123"));
        let token = Issuer::new(&other)
            .unwrap()
            .issue("ann", Role::Admin, Duration::from_secs(60))
            .unwrap();
        let err = Verifier::new(&settings())
            .unwrap()
            .verify(&token)
            .unwrap_err();
        assert!(err.0.contains("signature"), "{err}");
    }

    #[test]
    fn a_token_for_another_audience_is_refused() {
        let mut other = settings();
        other.audience = "someone-else".into();
        let token = Issuer::new(&other)
            .unwrap()
            .issue("ann", Role::Admin, Duration::from_secs(60))
            .unwrap();
        let err = Verifier::new(&settings())
            .unwrap()
            .verify(&token)
            .unwrap_err();
        assert!(err.0.contains("audience"), "{err}");
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = b64.encode(
            format!(r#"{{"sub":"x","role":"ADMIN","exp":{},"iat":0,"iss":"tandem","aud":"tandem-api"}}"#, u64::MAX / 2)
                .as_bytes(),
        );
        let token = format!("{header}.{claims}.");
        assert!(Verifier::new(&settings()).unwrap().verify(&token).is_err());
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires() {
        let s = settings();
        let verifier = Verifier::new(&s).unwrap();
        let token = Issuer::new(&s)
            .unwrap()
            .issue("ann", Role::Viewer, Duration::from_secs(60))
            .unwrap();
        let first = verifier.verify(&token).unwrap();
        assert_eq!(verifier.verified.len(), 1);
        assert_eq!(verifier.verify(&token).unwrap(), first);
        // An entry whose exp has come is not served: the token is checked afresh (and, being
        // valid, remembered again with its real exp).
        let now = jsonwebtoken::get_current_timestamp();
        verifier.verified.put(&token, (first.clone(), now));
        assert_eq!(verifier.verify(&token).unwrap(), first);
        assert!(
            verifier
                .verified
                .get(&token)
                .is_some_and(|(_, exp)| exp > now)
        );
    }

    #[test]
    fn a_refused_token_is_not_remembered() {
        let verifier = Verifier::new(&settings()).unwrap();
        let mut other = settings();
        other.secret = Some(Secret::new("another-secret-another-secret-123"));
        let forged = Issuer::new(&other)
            .unwrap()
            .issue("ann", Role::Admin, Duration::from_secs(60))
            .unwrap();
        for _ in 0..2 {
            assert!(verifier.verify(&forged).is_err());
        }
        assert!(verifier.verified.is_empty());
    }

    #[test]
    fn an_expired_token_is_refused_although_it_was_remembered() {
        let s = settings();
        let verifier = Verifier::new(&s).unwrap();
        let issuer = Issuer::new(&s).unwrap();
        // A token that expired a minute ago, as if it had been remembered while valid.
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: "ann".into(),
            role: "ADMIN".into(),
            accounts: None,
            contact: None,
            exp: now - 60,
            nbf: None,
            iat: now - 120,
            iss: "tandem".into(),
            aud: "tandem-api".into(),
        };
        let token = jsonwebtoken::encode(&issuer.header, &claims, &issuer.key).unwrap();
        verifier
            .verified
            .put(&token, (Principal::vendor("ann", Role::Admin), now - 60));
        let err = verifier.verify(&token).unwrap_err();
        assert!(err.0.contains("expired"), "{err}");
        assert!(verifier.verified.is_empty());
    }

    #[test]
    fn the_header_must_be_a_bearer_token() {
        let v = Verifier::new(&settings()).unwrap();
        assert!(v.verify_header(None).unwrap_err().0.contains("Bearer"));
        assert!(
            v.verify_header(Some("Basic abc"))
                .unwrap_err()
                .0
                .contains("Bearer")
        );
    }

    fn customer() -> Principal {
        let scope = CustomerScope::new(
            vec![
                AccountId(uuid::Uuid::from_u128(2)),
                AccountId(uuid::Uuid::from_u128(1)),
            ],
            ContactId(uuid::Uuid::from_u128(7)),
        );
        Principal::customer("pat@customer.example", scope.unwrap())
    }

    /// A token signed with the test secret carrying `claims` beside the standard ones.
    fn signed(role: &str, extra: serde_json::Value) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let mut claims = serde_json::json!({
            "sub": "pat", "role": role, "exp": now + 60, "iat": now,
            "iss": "tandem", "aud": "tandem-api",
        });
        if let (Some(c), serde_json::Value::Object(extra)) = (claims.as_object_mut(), extra) {
            c.extend(extra);
        }
        let key = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        jsonwebtoken::encode(&Header::default(), &claims, &key).unwrap()
    }

    #[test]
    fn a_customer_token_verifies_to_its_accounts_and_contact() {
        let s = settings();
        let token = Issuer::new(&s)
            .unwrap()
            .issue_for(&customer(), Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            Verifier::new(&s).unwrap().verify(&token).unwrap(),
            customer()
        );
    }

    #[test]
    fn a_customer_token_names_its_ids_as_the_api_shows_them() {
        let account = ids::encode(Kind::Account, uuid::Uuid::from_u128(1)).0;
        let contact = ids::encode(Kind::Contact, uuid::Uuid::from_u128(7)).0;
        let token = signed(
            "CUSTOMER",
            serde_json::json!({"accounts": [account], "contact": contact}),
        );
        let p = Verifier::new(&settings()).unwrap().verify(&token).unwrap();
        let scope = p.customer.unwrap();
        assert_eq!(scope.accounts(), &[AccountId(uuid::Uuid::from_u128(1))]);
        assert_eq!(scope.contact(), ContactId(uuid::Uuid::from_u128(7)));
    }

    #[test]
    fn a_malformed_customer_token_is_refused_and_says_what_to_fix() {
        let account = ids::encode(Kind::Account, uuid::Uuid::from_u128(1)).0;
        let contact = ids::encode(Kind::Contact, uuid::Uuid::from_u128(7)).0;
        let too_many: Vec<String> = (0..=MAX_CUSTOMER_ACCOUNTS as u128)
            .map(|n| ids::encode(Kind::Account, uuid::Uuid::from_u128(n)).0)
            .collect();
        let cases = [
            (
                "no accounts",
                "CUSTOMER",
                serde_json::json!({"contact": contact}),
                "'accounts' claim",
            ),
            (
                "empty accounts",
                "CUSTOMER",
                serde_json::json!({"accounts": [], "contact": contact}),
                "at least one account",
            ),
            (
                "no contact",
                "CUSTOMER",
                serde_json::json!({"accounts": [account]}),
                "'contact' claim",
            ),
            (
                "raw uuid",
                "CUSTOMER",
                serde_json::json!({"accounts": [uuid::Uuid::from_u128(1).to_string()], "contact": contact}),
                "not one of the API's Account ids",
            ),
            (
                "contact as account",
                "CUSTOMER",
                serde_json::json!({"accounts": [contact], "contact": contact}),
                "'accounts' claim holds",
            ),
            (
                "account as contact",
                "CUSTOMER",
                serde_json::json!({"accounts": [account], "contact": account}),
                "not one of the API's Contact ids",
            ),
            (
                "too many",
                "CUSTOMER",
                serde_json::json!({"accounts": too_many, "contact": contact}),
                "at most 100",
            ),
            (
                "vendor with accounts",
                "VIEWER",
                serde_json::json!({"accounts": [account]}),
                "only CUSTOMER tokens",
            ),
        ];
        let verifier = Verifier::new(&settings()).unwrap();
        for (case, role, extra, expected) in cases {
            let err = verifier.verify(&signed(role, extra)).unwrap_err();
            assert!(err.0.contains(expected), "{case}: {err}");
        }
        assert!(verifier.verified.is_empty());
    }
}
