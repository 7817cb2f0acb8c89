//! Idempotency keys on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_persistence::idempotency::{self, Claim};
use tandem_tests::db_test;

mod common;
use common::open;

const BODY: &str = r#"{"query":"mutation { createAccount(name: \"Acme\") { id } }"}"#;

db_test! {
    async fn a_new_key_runs_its_request(db) {
        let store = open(&db).await;
        assert_eq!(idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(), Claim::Run);
    }
}

db_test! {
    async fn a_retry_before_the_answer_is_stored_is_told_the_request_is_in_progress(db) {
        let store = open(&db).await;
        idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap();
        assert_eq!(idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(), Claim::InProgress);
    }
}

db_test! {
    async fn a_retry_after_the_answer_is_stored_replays_it(db) {
        let store = open(&db).await;
        idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap();
        idempotency::finish(&store, "crm", "k-1", 200, r#"{"data":{"id":"a1"}}"#).await.unwrap();
        assert_eq!(
            idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(),
            Claim::Replay { status: 200, body: r#"{"data":{"id":"a1"}}"#.into() }
        );
        // And again: a replay does not use the answer up.
        assert!(matches!(idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(), Claim::Replay { status: 200, .. }));
    }
}

db_test! {
    async fn the_same_key_with_another_request_is_a_mismatch(db) {
        let store = open(&db).await;
        idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap();
        idempotency::finish(&store, "crm", "k-1", 200, "{}").await.unwrap();
        let other = BODY.replace("Acme", "Globex");
        assert_eq!(idempotency::claim(&store, "crm", "k-1", &other).await.unwrap(), Claim::Mismatch);
        // Even before the first request has its answer.
        idempotency::claim(&store, "crm", "k-2", BODY).await.unwrap();
        assert_eq!(idempotency::claim(&store, "crm", "k-2", &other).await.unwrap(), Claim::Mismatch);
    }
}

db_test! {
    async fn keys_belong_to_the_subject_that_sent_them(db) {
        let store = open(&db).await;
        idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap();
        idempotency::finish(&store, "crm", "k-1", 200, "{}").await.unwrap();
        assert_eq!(idempotency::claim(&store, "billing", "k-1", BODY).await.unwrap(), Claim::Run);
        // Another subject's answer is not theirs to finish.
        idempotency::finish(&store, "billing", "k-1", 500, "oops").await.unwrap();
        assert_eq!(idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(), Claim::Replay { status: 200, body: "{}".into() });
    }
}

db_test! {
    async fn a_released_key_runs_its_request_again(db) {
        let store = open(&db).await;
        idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap();
        idempotency::claim(&store, "billing", "k-1", BODY).await.unwrap();
        idempotency::release(&store, "crm", "k-1").await.unwrap();
        assert_eq!(idempotency::claim(&store, "crm", "k-1", BODY).await.unwrap(), Claim::Run);
        assert_eq!(idempotency::claim(&store, "billing", "k-1", BODY).await.unwrap(), Claim::InProgress, "only the released subject's key is forgotten");
    }
}
