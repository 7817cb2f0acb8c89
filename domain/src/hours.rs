//! Hours: a number of hours in hundredths, so that every sum of logged, estimated and capped
//! time is exact. Statements of work, phases, timesheets and allocations all count in it.

use std::fmt;

use crate::{DomainError, DomainResult};

/// A number of hours, in hundredths of an hour (1.5 h is 150).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Hours(pub i64);

impl Hours {
    /// Hours from a decimal number as a person types it, to the hundredth.
    pub fn from_decimal(field: &str, value: f64) -> DomainResult<Hours> {
        if !value.is_finite() {
            return Err(DomainError::invalid(field, "must be a number of hours"));
        }
        let hundredths = (value * 100.0).round();
        if (hundredths - value * 100.0).abs() > 1e-6 {
            return Err(DomainError::invalid(
                field,
                format!("{value} has more than two decimals"),
            ));
        }
        if hundredths.abs() > 1e12 {
            return Err(DomainError::invalid(field, "is out of range"));
        }
        Ok(Hours(hundredths as i64))
    }

    /// The hours as a decimal number, for display.
    pub fn as_decimal(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} h", self.0 / 100, (self.0 % 100).abs())
    }
}

/// Checks a number of hours that must be positive and sane (at most 100,000 h): an estimate,
/// a cap.
pub fn positive_hours(field: &str, h: Hours) -> DomainResult<Hours> {
    if h.0 <= 0 || h.0 > 10_000_000 {
        return Err(DomainError::invalid(
            field,
            format!("{h} must be more than 0 and at most 100000 h"),
        ));
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_exact_hundredths() {
        assert_eq!(Hours::from_decimal("h", 1.5).unwrap(), Hours(150));
        assert_eq!(Hours::from_decimal("h", 0.25).unwrap(), Hours(25));
        assert!(Hours::from_decimal("h", 0.125).is_err());
        assert!(Hours::from_decimal("h", f64::NAN).is_err());
        assert_eq!(Hours(150).to_string(), "1.50 h");
    }
}
