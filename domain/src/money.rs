//! Money: integer minor units and an ISO 4217 currency code. Never floating point.

use std::fmt;

use crate::{DomainError, DomainResult};

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars, the default currency of a new account.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a code such as `EUR`; lower case is accepted and normalised.
    pub fn parse(field: &str, code: &str) -> DomainResult<Self> {
        let code = code.trim().to_ascii_uppercase();
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|ch| ch.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(DomainError::invalid(
                field,
                format!(
                    "'{code}' is not an ISO 4217 currency code (three letters, such as USD or EUR)"
                ),
            )),
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many minor units make one major unit (2 for most currencies).
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" => 0,
            "BHD" | "JOD" | "KWD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = DomainError;
    fn try_from(code: String) -> DomainResult<Self> {
        Currency::parse("currency", &code)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

/// An amount of money in a currency's minor units (cents for USD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Money {
    /// The amount in minor units; negative for a decrease.
    pub minor: i64,
    /// The currency the amount is in.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The amount multiplied by a whole factor (ARR = 12 × MRR), saturating rather than
    /// wrapping on overflow.
    pub fn times(self, factor: i64) -> Self {
        Self::new(self.minor.saturating_mul(factor), self.currency)
    }
}

impl fmt::Display for Money {
    /// `1234.50 USD`: the amount in major units with the currency's number of decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if digits == 0 {
            return write!(f, "{sign}{abs} {}", self.currency);
        }
        let scale = 10u64.pow(digits);
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            abs / scale,
            abs % scale,
            self.currency,
            width = digits as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_normalised_to_upper_case() {
        assert_eq!(Currency::parse("c", " eur ").unwrap().as_str(), "EUR");
    }

    #[test]
    fn currency_codes_must_be_three_letters() {
        for bad in ["", "US", "USDX", "U5D", "€€€"] {
            assert!(Currency::parse("c", bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn money_displays_in_major_units_with_the_currencys_decimals() {
        let usd = Currency::USD;
        assert_eq!(Money::new(123_450, usd).to_string(), "1234.50 USD");
        assert_eq!(Money::new(-5, usd).to_string(), "-0.05 USD");
        let jpy = Currency::parse("c", "JPY").unwrap();
        assert_eq!(Money::new(1200, jpy).to_string(), "1200 JPY");
        let kwd = Currency::parse("c", "KWD").unwrap();
        assert_eq!(Money::new(1, kwd).to_string(), "0.001 KWD");
    }

    #[test]
    fn multiplying_saturates_instead_of_wrapping() {
        assert_eq!(
            Money::new(i64::MAX / 2, Currency::USD).times(12).minor,
            i64::MAX
        );
        assert_eq!(Money::new(100, Currency::USD).times(12).minor, 1200);
    }
}
