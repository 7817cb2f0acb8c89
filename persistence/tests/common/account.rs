//! Accounts and their contacts as tests arrange them, and the slice of accounts figures read.

use tandem_domain::account::NewAccount;
use tandem_domain::contact::{NewContact, StakeholderRole};
use tandem_domain::ids::{AccountId, ContactId};
use tandem_domain::money::Currency;
use tandem_domain::segment::Slice;
use tandem_persistence::{Store, account, contact};

/// An account made of `data`.
pub async fn customer_from(store: &Store, data: NewAccount) -> AccountId {
    account::create(store, "t", data.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// An account named `name`, everything else as a new account has it.
pub async fn customer(store: &Store, name: &str) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            ..Default::default()
        },
    )
    .await
}

/// An account named `name` that is billed in `currency`.
pub async fn customer_in(store: &Store, name: &str, currency: &str) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            currency: Some(currency.into()),
            ..Default::default()
        },
    )
    .await
}

/// Bo, a champion at `a`, reached at `email`.
pub async fn person(store: &Store, a: AccountId, email: &str) -> ContactId {
    contact::create(
        store,
        "t",
        a,
        NewContact {
            name: "Bo".into(),
            email: email.into(),
            title: None,
            phone: None,
            stakeholder_role: StakeholderRole::Champion,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id
}

/// Every USD account.
pub fn usd() -> Slice {
    Slice {
        currency: Currency::USD,
        segment: None,
        criteria: None,
    }
}
