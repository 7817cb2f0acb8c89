//! What the repository tests share.

use tandem_persistence::{Store, StoreOptions};
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
