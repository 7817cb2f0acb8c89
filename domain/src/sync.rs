//! Sync by external id: accounts, contacts and team members carry ids from other systems (a CRM,
//! billing), unique per source, so that a sync can create or update each record by its own key.

use uuid::Uuid;

use crate::account::{Account, AccountPatch, NewAccount};
use crate::contact::{Contact, ContactPatch, NewContact};
use crate::ids::AccountId;
use crate::{DomainError, DomainResult};

/// The most records one upsert takes.
pub const MAX_UPSERT: usize = 1000;

crate::text_enum! {
    /// What kind of object an external id names.
    pub enum ExternalKind {
        /// An account.
        Account = "ACCOUNT",
        /// A contact.
        Contact = "CONTACT",
        /// A team member.
        TeamMember = "TEAM_MEMBER",
    }
}

crate::text_enum! {
    /// What an upsert did with one record.
    pub enum UpsertStatus {
        /// A new object was created.
        Created = "CREATED",
        /// The object changed.
        Updated = "UPDATED",
        /// The object already matched the record.
        Unchanged = "UNCHANGED",
        /// The record was refused; the others went on.
        Failed = "FAILED",
    }
}

/// Checks a source system's name: 1 to 50 lower-case letters, digits, `-` or `_` (`salesforce`,
/// `billing-eu`). Returned trimmed and lower-cased.
pub fn source(field: &str, raw: &str) -> DomainResult<String> {
    let s = raw.trim().to_lowercase();
    if s.is_empty()
        || s.len() > 50
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(DomainError::invalid(
            field,
            "a source is 1 to 50 lower-case letters, digits, '-' or '_' (for example 'salesforce')",
        ));
    }
    Ok(s)
}

/// Checks an external id: 1 to 200 characters, no surrounding spaces kept.
pub fn external_id(field: &str, raw: &str) -> DomainResult<String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 200 {
        return Err(DomainError::invalid(
            field,
            "an external id is 1 to 200 characters",
        ));
    }
    Ok(s.to_owned())
}

/// One external id of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId {
    /// The object.
    pub entity_id: Uuid,
    /// The system that names it.
    pub source: String,
    /// Its id there.
    pub external_id: String,
}

/// One account record of an upsert: its external id, the fields to create it with, and the
/// same fields as a change for when it exists (fields the record leaves out stay as they are).
#[derive(Debug, Clone)]
pub struct AccountRecord {
    /// Its id in the source.
    pub external_id: String,
    /// The account to create when the source's id is new.
    pub create: NewAccount,
    /// The change to apply when it exists.
    pub patch: AccountPatch,
}

/// What happened to one record. `E` is the error of the layer that stored it: a record can fail
/// on the rules or on storage (a conflict, a missing account), and each failure keeps its own
/// code.
#[derive(Debug)]
pub struct RecordResult<E> {
    /// The record's position in the request.
    pub index: usize,
    /// Its external id.
    pub external_id: String,
    /// What was done.
    pub status: UpsertStatus,
    /// The account, unless it failed.
    pub account: Option<Account>,
    /// Why it failed.
    pub error: Option<E>,
}

/// Which account a contact record belongs to.
#[derive(Debug, Clone)]
pub enum AccountRef {
    /// By Tandem id.
    Id(AccountId),
    /// By the account's id in the same source.
    External(String),
}

/// One contact record of an upsert, as [`AccountRecord`] is for accounts. The account is
/// needed to create a contact; for an existing one it must be the contact's own (contacts do
/// not move between accounts).
#[derive(Debug, Clone)]
pub struct ContactRecord {
    /// Its id in the source.
    pub external_id: String,
    /// Its account, when the record names one.
    pub account: Option<AccountRef>,
    /// The contact to create when the source's id is new.
    pub create: NewContact,
    /// The change to apply when it exists.
    pub patch: ContactPatch,
}

/// What happened to one contact record; `E` as for [`RecordResult`].
#[derive(Debug)]
pub struct ContactResult<E> {
    /// The record's position in the request.
    pub index: usize,
    /// Its external id.
    pub external_id: String,
    /// What was done.
    pub status: UpsertStatus,
    /// The contact, unless it failed.
    pub contact: Option<Contact>,
    /// Why it failed.
    pub error: Option<E>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_ids_are_plain() {
        assert_eq!(source("source", " Salesforce ").unwrap(), "salesforce");
        assert!(source("source", "sales force").is_err());
        assert!(source("source", "").is_err());
        assert_eq!(
            external_id("externalId", " 0015g00000XyZ ").unwrap(),
            "0015g00000XyZ"
        );
        assert!(external_id("externalId", "  ").is_err());
    }
}
