//! Status machines: the check every aggregate with a status makes before it moves.

use crate::{DomainError, DomainResult};

/// Checks a status change against a machine's allowed moves; the error names both statuses and
/// what is allowed instead.
pub(crate) fn transition<S: Copy + PartialEq + std::fmt::Display>(
    what: &str,
    current: S,
    requested: S,
    allowed: &[S],
) -> DomainResult<()> {
    if allowed.contains(&requested) {
        return Ok(());
    }
    let options = if allowed.is_empty() {
        "none: it is final".to_owned()
    } else {
        allowed
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(DomainError::invalid(
        "status",
        format!(
            "a {what} cannot move from {current} to {requested}; from {current} it can move to {options}"
        ),
    ))
}
