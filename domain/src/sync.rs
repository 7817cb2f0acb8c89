//! Sync by external id: accounts, contacts and team members carry ids from other systems (a CRM,
//! billing), unique per source, so that a sync can create or update each record by its own key.

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
