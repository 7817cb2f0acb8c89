//! The one mapping from domain and storage errors to GraphQL errors with a stable
//! `extensions.code`. Messages are written for a person; causes go to the log, never to the
//! client.

use async_graphql::ErrorExtensions;
use tandem_domain::DomainError;
use tandem_persistence::PersistenceError;

/// The stable error codes a client can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The input is wrong; the message says what to change.
    BadUserInput,
    /// No valid credentials.
    Unauthenticated,
    /// Valid credentials, but the role may not do this.
    Forbidden,
    /// No such object.
    NotFound,
    /// The object changed meanwhile, or the change breaks a uniqueness rule or a state rule.
    Conflict,
    /// Something failed on our side.
    Internal,
    /// The caller sent more requests than its rate allows; retry after the hinted delay.
    RateLimited,
}

impl Code {
    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::Internal => "INTERNAL",
            Code::RateLimited => "RATE_LIMITED",
        }
    }
}

/// An error on its way to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code.
    pub code: Code,
    /// What a person should know.
    pub message: String,
    /// The offending input field, for validation errors (`input.name`).
    pub field: Option<String>,
}

/// The result of a service call.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A BAD_USER_INPUT error about `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self {
            code: Code::BadUserInput,
            message: format!("{field}: {}", message.into()),
            field: Some(field),
        }
    }

    /// A NOT_FOUND error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    /// Puts the field of a validation error under `prefix` (`input`), as the client sent it.
    pub fn under(mut self, prefix: &str) -> Self {
        if let Some(field) = self.field.take() {
            let full = format!("{prefix}.{field}");
            self.message = self.message.replacen(&field, &full, 1);
            self.field = Some(full);
        }
        self
    }

    /// The error for an internal failure: logged in full here, shown to the client only as a
    /// generic message (the request id in the log ties the two together).
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        Self::new(
            Code::Internal,
            "an internal error occurred; it has been logged with this request's id",
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid { field, message } => ApiError::invalid(field, message),
            DomainError::Forbidden { .. } => ApiError::new(Code::Forbidden, err.to_string()),
            DomainError::NotAllowed(message) => ApiError::new(Code::Forbidden, message),
            DomainError::Conflict(message) => ApiError::new(Code::Conflict, message),
        }
    }
}

impl From<PersistenceError> for ApiError {
    fn from(err: PersistenceError) -> Self {
        match err {
            PersistenceError::NotFound { .. } => ApiError::new(Code::NotFound, err.to_string()),
            PersistenceError::Stale { .. } | PersistenceError::Conflict(_) => {
                ApiError::new(Code::Conflict, err.to_string())
            }
            PersistenceError::Domain(d) => d.into(),
            PersistenceError::Unavailable(ref cause) => {
                tracing::error!(error = %cause, "database unavailable");
                ApiError::new(
                    Code::Internal,
                    "the database is unavailable right now; try again shortly",
                )
            }
            PersistenceError::Internal(ref cause) => ApiError::internal(cause),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let field = err.field.clone();
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", err.code.as_str());
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_the_input_field() {
        let err = ApiError::from(DomainError::invalid("name", "must not be empty")).under("input");
        assert_eq!(err.code, Code::BadUserInput);
        assert_eq!(err.field.as_deref(), Some("input.name"));
        assert_eq!(err.message, "input.name: must not be empty");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let cause = std::io::Error::other("SELECT * FROM secrets failed");
        let err = ApiError::internal(&cause);
        assert_eq!(err.code, Code::Internal);
        assert!(!err.message.contains("SELECT"));
    }

    #[test]
    fn stale_versions_are_conflicts() {
        let err = ApiError::from(PersistenceError::Stale {
            entity: "account",
            read: 1,
            current: 2,
        });
        assert_eq!(err.code, Code::Conflict);
        assert!(err.message.contains("version 1"));
    }
}
