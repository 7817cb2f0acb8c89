//! What a token's claims stand for: the claims Tandem reads and writes, and the principal they
//! name — a vendor's, or a customer's scoped to the accounts and contact its token names.

use tandem_domain::auth::{CustomerScope, Principal, Role};
use tandem_domain::ids::{AccountId, ContactId};

use crate::graphql::ids::{self, Kind};

/// The claims Tandem reads from and writes into a token.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// The caller: a team member's id, a machine client's name, or the customer's person as the
    /// identity provider names them.
    pub sub: String,
    /// The access role.
    pub role: String,
    /// CUSTOMER tokens only: the accounts the customer may see (one, or several for a group),
    /// as the API shows their ids (opaque global ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
    /// CUSTOMER tokens only: the contact the customer acts as, as the API shows its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not valid before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Issued at.
    pub iat: u64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}

/// Why a token was refused. The message is safe to show to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

/// The most accounts one CUSTOMER token may name (a group's members).
pub const MAX_CUSTOMER_ACCOUNTS: usize = 100;

/// The principal verified `claims` with `role` stand for: a vendor's, or a customer's scoped to
/// the accounts and contact its claims name. Only CUSTOMER tokens carry those claims, and a
/// CUSTOMER token must carry both: a token that is unclear about whose data it may see is
/// refused rather than guessed at.
pub(super) fn principal(claims: Claims, role: Role) -> Result<Principal, AuthError> {
    if role.is_vendor() {
        if claims.accounts.is_some() || claims.contact.is_some() {
            return Err(AuthError(format!(
                "only CUSTOMER tokens carry 'accounts' or 'contact' claims; this one's role is {role}"
            )));
        }
        return Ok(Principal::vendor(claims.sub, role));
    }
    let accounts = claims.accounts.unwrap_or_default();
    if accounts.is_empty() {
        return Err(AuthError(
            "a CUSTOMER token must name the customer's accounts: an 'accounts' claim with at \
             least one account id, as the API shows it"
                .into(),
        ));
    }
    if accounts.len() > MAX_CUSTOMER_ACCOUNTS {
        return Err(AuthError(format!(
            "a CUSTOMER token names at most {MAX_CUSTOMER_ACCOUNTS} accounts; this one names {}",
            accounts.len()
        )));
    }
    let accounts = accounts
        .iter()
        .map(|id| global(Kind::Account, id, "accounts").map(AccountId))
        .collect::<Result<Vec<_>, _>>()?;
    let contact = claims.contact.ok_or_else(|| {
        AuthError(
            "a CUSTOMER token must name the contact it acts as: a 'contact' claim with the \
             contact's id, as the API shows it"
                .into(),
        )
    })?;
    let contact = ContactId(global(Kind::Contact, &contact, "contact")?);
    let scope = CustomerScope::new(accounts, contact).map_err(|e| AuthError(e.to_string()))?;
    Ok(Principal::customer(claims.sub, scope))
}

/// The principal `tandem token` signs for: `role`, with `accounts` and `contact` (ids as the API
/// shows them) exactly when it is CUSTOMER. The message names the flag to fix.
pub fn principal_for(
    subject: &str,
    role: Role,
    accounts: Vec<String>,
    contact: Option<String>,
) -> Result<Principal, AuthError> {
    let given = !accounts.is_empty() || contact.is_some();
    if role.is_vendor() && given {
        return Err(AuthError(format!(
            "--account and --contact are for CUSTOMER tokens only, not {role}"
        )));
    }
    if !role.is_vendor() && (accounts.is_empty() || contact.is_none()) {
        return Err(AuthError(
            "a CUSTOMER token needs --account ID (once per account) and --contact ID, with the \
             ids the API shows"
                .into(),
        ));
    }
    let claims = Claims {
        sub: subject.to_owned(),
        role: role.as_str().to_owned(),
        accounts: given.then_some(accounts),
        contact,
        exp: 0,
        nbf: None,
        iat: 0,
        iss: String::new(),
        aud: String::new(),
    };
    principal(claims, role)
}

/// The uuid of the global id `id` that a claim says names a `kind`.
fn global(kind: Kind, id: &str, claim: &str) -> Result<uuid::Uuid, AuthError> {
    match ids::decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        _ => Err(AuthError(format!(
            "the token's '{claim}' claim holds '{id}', which is not one of the API's {} ids",
            kind.as_str()
        ))),
    }
}
