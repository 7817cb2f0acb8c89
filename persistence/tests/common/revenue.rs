//! Revenue as tests arrange it.

use chrono::NaiveDate;
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::NewRevenueMovement;
use tandem_persistence::{Store, revenue};

/// Imports USD movements of `a` as (kind, signed minor units, day).
pub async fn movements(store: &Store, a: AccountId, list: &[(&'static str, i64, NaiveDate)]) {
    let rows: Vec<NewRevenueMovement> = list
        .iter()
        .map(|(kind, minor, on)| NewRevenueMovement {
            account_id: a,
            kind,
            amount: Money::new(*minor, Currency::USD),
            effective_on: *on,
        })
        .collect();
    revenue::import(store, &rows).await.unwrap();
}
