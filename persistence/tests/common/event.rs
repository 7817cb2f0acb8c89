//! The account-change events tests read back.

use tandem_domain::event::{EventKind, NewEvent};
use tandem_persistence::Store;
use tandem_persistence::event::{self, EventQuery};

/// Every recorded event of `kinds`, in cursor order.
pub async fn events_of(store: &Store, kinds: &[EventKind]) -> Vec<NewEvent> {
    event::list(
        store,
        &EventQuery {
            limit: 10_000,
            kinds: kinds.to_vec(),
            ..EventQuery::default()
        },
    )
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.event)
    .collect()
}

/// How many events of `kind` are recorded.
pub async fn count(store: &Store, kind: EventKind) -> usize {
    events_of(store, &[kind]).await.len()
}
