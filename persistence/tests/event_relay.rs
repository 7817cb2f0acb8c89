//! The JetStream relay's position beside the outbox, and the outbox as Debezium reads it
//! (the `event_outbox` view), on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_persistence::event::{self, EventQuery};
use tandem_persistence::event_relay;
use tandem_tests::db_test;

mod common;
use common::account::{customer, person};
use common::open;
use common::team_member::member;

db_test! {
    async fn a_relay_position_starts_at_zero_and_only_moves_forward(db) {
        let store = open(&db).await;
        assert_eq!(event_relay::position(&store, "EVENTS").await.unwrap(), 0);
        event_relay::advance(&store, "EVENTS", 7).await.unwrap();
        event_relay::advance(&store, "EVENTS", 5).await.unwrap();
        assert_eq!(event_relay::position(&store, "EVENTS").await.unwrap(), 7);
        event_relay::advance(&store, "EVENTS", 9).await.unwrap();
        assert_eq!(event_relay::position(&store, "EVENTS").await.unwrap(), 9);
        assert_eq!(event_relay::position(&store, "OTHER").await.unwrap(), 0, "one row per relay");
    }
}

db_test! {
    async fn relay_lag_counts_from_the_position_to_the_newest_event(db) {
        let store = open(&db).await;
        let level = event_relay::lag(&store, "EVENTS").await.unwrap();
        assert_eq!((level.position, level.latest, level.oldest_pending_at), (0, 0, None));
        customer(&store, "Acme").await;
        customer(&store, "Birch").await;
        let events = event::list(&store, &EventQuery { limit: 10, ..EventQuery::default() })
            .await
            .unwrap();
        event_relay::advance(&store, "EVENTS", events[0].cursor).await.unwrap();
        let lag = event_relay::lag(&store, "EVENTS").await.unwrap();
        assert_eq!(lag.position, events[0].cursor);
        assert_eq!(lag.latest, events[1].cursor);
        assert_eq!(lag.oldest_pending_at, Some(events[1].occurred_at));
        event_relay::advance(&store, "EVENTS", events[1].cursor).await.unwrap();
        assert_eq!(event_relay::lag(&store, "EVENTS").await.unwrap().oldest_pending_at, None);
    }
}

db_test! {
    async fn the_outbox_view_maps_every_event_column_by_column(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        person(&store, a, "bo@acme.example").await;
        member(&store, "Ann").await;
        let events = event::list(&store, &EventQuery { limit: 10, ..EventQuery::default() })
            .await
            .unwrap();
        let rows = event_relay::outbox(&store, 0, 10).await.unwrap();
        assert_eq!(rows.len(), 3);
        assert!(events.iter().any(|e| e.event.account_id.is_none()), "one event without an account");
        for (e, row) in events.iter().zip(&rows) {
            let account = e.event.account_id.map(|a| a.0.to_string());
            assert_eq!(row.id, e.cursor);
            assert_eq!(row.aggregate_type, e.event.subject_kind.as_str());
            assert_eq!(
                row.aggregate_id,
                account.clone().unwrap_or_else(|| e.event.subject_id.to_string())
            );
            assert_eq!(row.event_type, e.event.kind.as_str());
            let p = &row.payload;
            assert_eq!(p["cursor"], e.cursor);
            assert_eq!(p["kind"], e.event.kind.as_str());
            assert_eq!(p["accountId"].as_str().map(str::to_owned), account);
            assert_eq!(p["subjectKind"], e.event.subject_kind.as_str());
            assert_eq!(p["subjectId"], e.event.subject_id.to_string());
            assert_eq!(p["actor"], e.event.actor.as_str());
            assert_eq!(
                p["occurredAt"],
                e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
            assert_eq!(p["changes"], serde_json::to_value(&e.event.changes).unwrap());
        }
        let later = event_relay::outbox(&store, rows[0].id, 10).await.unwrap();
        assert_eq!(later.len(), 2, "rows after a cursor");
    }
}
