//! The automation worker as tests run it.

use tandem_domain::playbook::Batch;
use tandem_persistence::{Store, automation};

/// Runs the automation worker once over every event recorded so far.
pub async fn run_worker(store: &Store) -> Batch {
    let from = automation::position(store).await.unwrap();
    automation::process_events(store, from, 10_000)
        .await
        .unwrap()
}
