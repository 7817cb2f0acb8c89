//! What the repository tests share: a store on the test's own database, the days they arrange
//! things on, and the fixtures and reads that several test files need alike.
//!
//! Every test file compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

pub mod account;
pub mod automation;
pub mod dates;
pub mod engagement;
pub mod event;
pub mod revenue;
pub mod sow;
pub mod success;
pub mod team_member;

use tandem_domain::DomainError;
use tandem_persistence::{PersistenceError, Store, StoreOptions};
use tandem_tests::TestDb;

/// A migrated store on the test's own database.
pub async fn open(db: &TestDb) -> Store {
    let mut options = StoreOptions::new(db.url.clone());
    options.pg_schema = db.pg_schema.clone();
    options.max_connections = 8;
    let store = Store::connect(&options).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

/// Whether `err` is the rules refusing the value of `field`.
pub fn invalid(err: &PersistenceError, field: &str) -> bool {
    matches!(err, PersistenceError::Domain(DomainError::Invalid { field: f, .. }) if f == field)
}
