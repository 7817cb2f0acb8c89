//! The errors the domain's rules raise.

use crate::auth::role::{Action, Role};

/// What a user did wrong, or what the rules refuse.
///
/// Messages are written for a person: they name the offending field or the rule, and say what
/// would be accepted instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An input value breaks a rule. `field` is the input path, for example `name` or `tags[2]`.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The caller's role does not allow the action.
    #[error("the {role} role may not {action}")]
    Forbidden { role: Role, action: Action },
    /// The caller's role would allow the action, but not on this object (for example approving
    /// their own timesheet).
    #[error("{0}")]
    NotAllowed(String),
    /// The object is in a state that refuses the change (for example it is archived).
    #[error("{0}")]
    Conflict(String),
}

impl DomainError {
    /// An [`DomainError::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The result of a domain rule.
pub type DomainResult<T> = Result<T, DomainError>;
