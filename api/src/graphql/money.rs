//! Money in the API: integer minor units and a currency code, never floating point.

use async_graphql::SimpleObject;

use super::scalars::Long;

/// An amount of money.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Money")]
pub struct MoneyValue {
    /// The amount in the currency's minor units (cents for USD).
    pub amount_minor: Long,
    /// The ISO 4217 currency code.
    pub currency: String,
    /// The amount in major units with the currency code, for display (`1234.50 USD`).
    pub formatted: String,
}

impl super::plain::Plain for MoneyValue {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        use super::plain::value;
        match name {
            "amountMinor" => value(self.amount_minor),
            "currency" => value(self.currency.clone()),
            "formatted" => value(self.formatted.clone()),
            _ => None,
        }
    }
}

impl From<tandem_domain::money::Money> for MoneyValue {
    fn from(m: tandem_domain::money::Money) -> Self {
        MoneyValue {
            amount_minor: Long(m.minor),
            currency: m.currency.as_str().to_owned(),
            formatted: m.to_string(),
        }
    }
}

impl MoneyValue {
    /// `minor` units of `currency`.
    pub fn of(minor: i64, currency: tandem_domain::money::Currency) -> MoneyValue {
        tandem_domain::money::Money::new(minor, currency).into()
    }
}
