//! Leadership and event wake-ups between servers on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::time::Duration;

use tandem_persistence::Backend;
use tandem_persistence::cluster::{self, Lease};
use tandem_tests::{TestDb, db_test};

mod common;
use common::account::customer;
use common::open;

db_test! {
    async fn only_one_server_at_a_time_leads_a_worker_on_postgresql(db) {
        let first = open(&db).await;
        let second = open(&db).await;
        let lease = Lease::try_acquire(&first, "automation").await.unwrap();
        assert!(lease.is_some());
        let rival = Lease::try_acquire(&second, "automation").await.unwrap();
        // SQLite serves one process, which always leads.
        let expect_rival = first.backend() == Backend::Sqlite;
        assert_eq!(rival.is_some(), expect_rival);
    }
}

db_test! {
    async fn a_released_lease_can_be_taken_by_another_server(db) {
        let first = open(&db).await;
        let second = open(&db).await;
        let mut lease = Lease::try_acquire(&first, "automation").await.unwrap().unwrap();
        assert!(lease.alive().await);
        lease.release().await;
        let mut next = Lease::try_acquire(&second, "automation").await.unwrap().unwrap();
        assert!(next.alive().await);
    }
}

db_test! {
    async fn leases_of_other_workers_and_other_schemas_do_not_block_each_other(db) {
        let store = open(&db).await;
        let _lease = Lease::try_acquire(&store, "automation").await.unwrap().unwrap();
        assert!(Lease::try_acquire(&store, "reports").await.unwrap().is_some());
        let other_db = match db.backend {
            tandem_tests::Backend::Sqlite => TestDb::sqlite().await,
            tandem_tests::Backend::Postgres => TestDb::postgres().await.unwrap(),
        };
        let other = open(&other_db).await;
        assert!(Lease::try_acquire(&other, "automation").await.unwrap().is_some());
        other_db.cleanup().await;
    }
}

db_test! {
    async fn a_committed_event_wakes_the_listeners_of_its_schema_on_postgresql(db) {
        let store = open(&db).await;
        let listener = cluster::listen(&store).await.unwrap();
        if store.backend() == Backend::Sqlite {
            assert!(listener.is_none(), "one process needs no wake-up");
            return;
        }
        let mut listener = listener.unwrap();
        customer(&store, "Acme").await;
        let note = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await.expect("a notification within 10 s").unwrap();
        assert_eq!(note.channel(), cluster::EVENTS_CHANNEL);
        assert_eq!(note.payload(), store.scope());
    }
}
