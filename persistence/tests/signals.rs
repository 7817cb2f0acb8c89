//! Surveys, support tickets and billing status on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, Duration, SubsecRound, Utc};
use tandem_domain::DomainError;
use tandem_domain::ids::{AccountId, ContactId, SurveyResponseId, TicketId};
use tandem_domain::signals::{BillingStatus, SurveyKind, TicketPriority, TicketStatus};
use tandem_domain::signals::{SurveyResponse, Ticket};
use tandem_persistence::{PersistenceError, account, signals};
use tandem_tests::db_test;

mod common;
use common::account::{customer, person};
use common::open;

/// A moment `hours` ago, as storage keeps it (to the microsecond).
fn hours_ago(hours: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::hours(hours)).trunc_subsecs(6)
}

fn answer(
    a: AccountId,
    contact: Option<ContactId>,
    score: i32,
    at: DateTime<Utc>,
) -> SurveyResponse {
    SurveyResponse {
        id: SurveyResponseId::new(),
        account_id: a,
        contact_id: contact,
        kind: SurveyKind::Nps,
        score: tandem_domain::signals::check_survey_score(SurveyKind::Nps, score).unwrap(),
        comment: Some("Great support".into()),
        responded_at: at,
        recorded_by: String::new(),
    }
}

fn ticket(a: AccountId, external: &str, status: TicketStatus, opened: DateTime<Utc>) -> Ticket {
    Ticket {
        id: TicketId::new(),
        account_id: a,
        external_id: external.into(),
        subject: format!("Ticket {external}"),
        priority: TicketPriority::High,
        status,
        opened_at: opened,
        closed_at: None,
        recorded_by: String::new(),
    }
}

fn externals(list: &[Ticket]) -> Vec<&str> {
    list.iter().map(|t| t.external_id.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Surveys

db_test! {
    async fn a_recorded_survey_answer_reads_back_with_who_recorded_it(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let bo = person(&store, a, "bo@acme.com").await;
        let saved = signals::record_survey(&store, "survey-tool", answer(a, Some(bo), 9, hours_ago(2))).await.unwrap();
        assert_eq!(saved.recorded_by, "survey-tool");
        let read = signals::surveys(&store, a, None, 10).await.unwrap();
        assert_eq!(read, [saved]);
    }
}

db_test! {
    async fn a_survey_answer_may_only_name_a_contact_of_its_account(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let of_b = person(&store, b, "bo@globex.com").await;
        let err = signals::record_survey(&store, "s", answer(a, Some(of_b), 9, hours_ago(2))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "contactId"), "{err:?}");
        let err = signals::record_survey(&store, "s", answer(a, Some(ContactId::new()), 9, hours_ago(2))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { .. })), "{err:?}");
        assert!(signals::surveys(&store, a, None, 10).await.unwrap().is_empty());
    }
}

db_test! {
    async fn survey_answers_come_newest_first_up_to_the_limit_and_by_recorder(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let old = signals::record_survey(&store, "tool", answer(a, None, 3, hours_ago(30))).await.unwrap().id;
        let new = signals::record_survey(&store, "tool", answer(a, None, 10, hours_ago(1))).await.unwrap().id;
        let mid = signals::record_survey(&store, "other", answer(a, None, 7, hours_ago(10))).await.unwrap().id;
        signals::record_survey(&store, "tool", answer(b, None, 7, hours_ago(1))).await.unwrap();
        let ids = |list: Vec<SurveyResponse>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(signals::surveys(&store, a, None, 10).await.unwrap()), [new, mid, old]);
        assert_eq!(ids(signals::surveys(&store, a, None, 2).await.unwrap()), [new, mid]);
        assert_eq!(ids(signals::surveys(&store, a, Some("tool"), 10).await.unwrap()), [new, old]);
    }
}

// ---------------------------------------------------------------------------------------------
// Tickets

db_test! {
    async fn a_ticket_sent_again_updates_the_one_recorded_and_keeps_its_id(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let first = signals::upsert_ticket(&store, "desk", ticket(a, "Z-1", TicketStatus::Open, hours_ago(5))).await.unwrap();
        let closed_at = hours_ago(1);
        let again = Ticket { status: TicketStatus::Solved, closed_at: Some(closed_at), priority: TicketPriority::Urgent, ..ticket(a, "Z-1", TicketStatus::Open, hours_ago(5)) };
        let second = signals::upsert_ticket(&store, "desk-2", again).await.unwrap();
        assert_eq!(second.id, first.id, "the first id stays");
        let read = signals::tickets(&store, a, None, 10).await.unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!((read[0].id, read[0].status, read[0].priority, read[0].closed_at, read[0].recorded_by.as_str()), (first.id, TicketStatus::Solved, TicketPriority::Urgent, Some(closed_at), "desk-2"));
    }
}

db_test! {
    async fn the_same_help_desk_id_on_two_accounts_is_two_tickets(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        let b = customer(&store, "Globex").await;
        let ta = signals::upsert_ticket(&store, "desk", ticket(a, "Z-1", TicketStatus::Open, hours_ago(5))).await.unwrap();
        let tb = signals::upsert_ticket(&store, "desk", ticket(b, "Z-1", TicketStatus::Open, hours_ago(5))).await.unwrap();
        assert_ne!(ta.id, tb.id);
        assert_eq!(signals::tickets(&store, a, None, 10).await.unwrap()[0].id, ta.id);
        assert_eq!(signals::tickets(&store, b, None, 10).await.unwrap()[0].id, tb.id);
    }
}

db_test! {
    async fn tickets_come_open_first_then_newest_first(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        for (external, status, opened) in [
            ("closed-new", TicketStatus::Closed, hours_ago(1)),
            ("open-old", TicketStatus::Open, hours_ago(50)),
            ("solved-old", TicketStatus::Solved, hours_ago(60)),
            ("pending-new", TicketStatus::Pending, hours_ago(2)),
        ] {
            signals::upsert_ticket(&store, "desk", ticket(a, external, status, opened)).await.unwrap();
        }
        signals::upsert_ticket(&store, "other", ticket(a, "other-open", TicketStatus::Open, hours_ago(3))).await.unwrap();
        let all = signals::tickets(&store, a, None, 10).await.unwrap();
        assert_eq!(externals(&all), ["pending-new", "other-open", "open-old", "closed-new", "solved-old"]);
        assert_eq!(externals(&signals::tickets(&store, a, None, 2).await.unwrap()), ["pending-new", "other-open"]);
        assert_eq!(externals(&signals::tickets(&store, a, Some("other"), 10).await.unwrap()), ["other-open"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Billing

db_test! {
    async fn the_billing_status_is_the_last_one_set(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        assert_eq!(signals::billing(&store, a).await.unwrap(), None);
        signals::set_billing(&store, "billing", a, BillingStatus::Overdue).await.unwrap();
        assert_eq!(signals::billing(&store, a).await.unwrap(), Some(BillingStatus::Overdue));
        signals::set_billing(&store, "billing", a, BillingStatus::Current).await.unwrap();
        assert_eq!(signals::billing(&store, a).await.unwrap(), Some(BillingStatus::Current));
    }
}

db_test! {
    async fn an_archived_or_unknown_account_takes_no_signals(db) {
        let store = open(&db).await;
        let a = customer(&store, "Acme").await;
        account::archive(&store, "t", a, 1).await.unwrap();
        let err = signals::record_survey(&store, "s", answer(a, None, 9, hours_ago(2))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("no new signals")), "{err:?}");
        let err = signals::upsert_ticket(&store, "s", ticket(a, "Z-1", TicketStatus::Open, hours_ago(2))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        let err = signals::set_billing(&store, "s", a, BillingStatus::Delinquent).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        let err = signals::set_billing(&store, "s", AccountId::new(), BillingStatus::Delinquent).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "account", .. }), "{err:?}");
        assert!(signals::surveys(&store, a, None, 10).await.unwrap().is_empty());
        assert!(signals::tickets(&store, a, None, 10).await.unwrap().is_empty());
        assert_eq!(signals::billing(&store, a).await.unwrap(), None);
    }
}
