//! Survey responses, support tickets and billing status: the signals besides usage and revenue
//! that feed health. Each row remembers who recorded it, so an integration can read back what
//! it wrote and nothing else.

use chrono::Utc;
use tandem_domain::ids::{AccountId, ContactId, SurveyResponseId, TicketId};
use tandem_domain::signals::{BillingStatus, SurveyResponse, Ticket};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

/// Inserts a ticket or updates the account's ticket with the same external id.
const UPSERT_TICKET: &str = include_str!("signals.upsert_ticket.sql");

/// Ensures the account exists and is not archived (and the contact, if any, belongs to it).
async fn ensure_account(
    conn: &impl sea_orm::ConnectionTrait,
    account: AccountId,
    contact: Option<ContactId>,
) -> PersistenceResult<()> {
    crate::account::ensure_live(conn, account, "it takes no new signals").await?;
    if let Some(contact) = contact {
        let mut q = Sql::new("SELECT account_id FROM contacts WHERE id = ");
        q.bind(contact.0);
        let rows = q.all(conn).await?;
        let owner: Option<Uuid> = rows.first().map(|r| get(r, "account_id")).transpose()?;
        if owner != Some(account.0) {
            return Err(PersistenceError::Domain(
                tandem_domain::DomainError::invalid(
                    "contactId",
                    format!("no contact of this account has the id {contact}"),
                ),
            ));
        }
    }
    Ok(())
}

/// Records a survey answer.
pub async fn record_survey(
    store: &Store,
    recorded_by: &str,
    response: SurveyResponse,
) -> PersistenceResult<SurveyResponse> {
    ensure_account(store.conn(), response.account_id, response.contact_id).await?;
    let mut q = Sql::new(
        "INSERT INTO survey_responses (id, account_id, contact_id, kind, score, comment, responded_at, recorded_by, created_at) VALUES (",
    );
    q.bind(response.id.0)
        .push(", ")
        .bind(response.account_id.0)
        .push(", ")
        .bind(response.contact_id.map(|c| c.0))
        .push(", ")
        .bind(response.kind.as_str())
        .push(", ")
        .bind(response.score)
        .push(", ")
        .bind(response.comment.clone())
        .push(", ")
        .bind(response.responded_at)
        .push(", ")
        .bind(recorded_by)
        .push(", ")
        .bind(Utc::now())
        .push(")");
    q.execute(store.conn()).await?;
    Ok(SurveyResponse {
        recorded_by: recorded_by.to_owned(),
        ..response
    })
}

/// An account's survey answers, newest first, at most `limit`; only those `recorded_by` wrote
/// when given.
pub async fn surveys(
    store: &Store,
    account: AccountId,
    recorded_by: Option<&str>,
    limit: u64,
) -> PersistenceResult<Vec<SurveyResponse>> {
    let mut q = Sql::new(
        "SELECT id, account_id, contact_id, kind, score, comment, responded_at, recorded_by \
         FROM survey_responses WHERE account_id = ",
    );
    q.bind(account.0);
    if let Some(who) = recorded_by {
        q.push(" AND recorded_by = ").bind(who);
    }
    q.push(" ORDER BY responded_at DESC, id DESC LIMIT ")
        .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(SurveyResponse {
                id: SurveyResponseId(get(r, "id")?),
                account_id: AccountId(get(r, "account_id")?),
                contact_id: get::<Option<Uuid>>(r, "contact_id")?.map(ContactId),
                kind: get::<String>(r, "kind")?
                    .parse()
                    .map_err(|e| corrupt("survey kind", e))?,
                score: get(r, "score")?,
                comment: get(r, "comment")?,
                responded_at: get(r, "responded_at")?,
                recorded_by: get(r, "recorded_by")?,
            })
        })
        .collect()
}

/// Records a ticket or, when the account already has one with this external id, updates it
/// (a help desk sends a ticket again whenever it changes).
pub async fn upsert_ticket(
    store: &Store,
    recorded_by: &str,
    ticket: Ticket,
) -> PersistenceResult<Ticket> {
    ensure_account(store.conn(), ticket.account_id, None).await?;
    let now = Utc::now();
    let mut q = Sql::new(UPSERT_TICKET);
    q.bind_value(ticket.id.0)
        .bind_value(ticket.account_id.0)
        .bind_value(ticket.external_id.as_str())
        .bind_value(ticket.subject.as_str())
        .bind_value(ticket.priority.as_str())
        .bind_value(ticket.status.as_str())
        .bind_value(ticket.opened_at)
        .bind_value(ticket.closed_at)
        .bind_value(recorded_by)
        .bind_value(now)
        .bind_value(now);
    q.execute(store.conn()).await?;
    let mut q = Sql::new("SELECT id FROM support_tickets WHERE account_id = ");
    q.bind(ticket.account_id.0)
        .push(" AND external_id = ")
        .bind(ticket.external_id.as_str());
    let rows = q.all(store.conn()).await?;
    let id = rows
        .first()
        .map(|r| get::<Uuid>(r, "id"))
        .transpose()?
        .unwrap_or(ticket.id.0);
    Ok(Ticket {
        id: TicketId(id),
        recorded_by: recorded_by.to_owned(),
        ..ticket
    })
}

/// An account's tickets, open ones first then newest first, at most `limit`; only those
/// `recorded_by` wrote when given.
pub async fn tickets(
    store: &Store,
    account: AccountId,
    recorded_by: Option<&str>,
    limit: u64,
) -> PersistenceResult<Vec<Ticket>> {
    let mut q = Sql::new(
        "SELECT id, account_id, external_id, subject, priority, status, opened_at, closed_at, recorded_by \
         FROM support_tickets WHERE account_id = ",
    );
    q.bind(account.0);
    if let Some(who) = recorded_by {
        q.push(" AND recorded_by = ").bind(who);
    }
    q.push(
        " ORDER BY CASE WHEN status IN ('OPEN', 'PENDING') THEN 0 ELSE 1 END, opened_at DESC, id DESC LIMIT ",
    )
    .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(Ticket {
                id: TicketId(get(r, "id")?),
                account_id: AccountId(get(r, "account_id")?),
                external_id: get(r, "external_id")?,
                subject: get(r, "subject")?,
                priority: get::<String>(r, "priority")?
                    .parse()
                    .map_err(|e| corrupt("ticket priority", e))?,
                status: get::<String>(r, "status")?
                    .parse()
                    .map_err(|e| corrupt("ticket status", e))?,
                opened_at: get(r, "opened_at")?,
                closed_at: get(r, "closed_at")?,
                recorded_by: get(r, "recorded_by")?,
            })
        })
        .collect()
}

/// Sets an account's billing status.
pub async fn set_billing(
    store: &Store,
    recorded_by: &str,
    account: AccountId,
    status: BillingStatus,
) -> PersistenceResult<()> {
    ensure_account(store.conn(), account, None).await?;
    let mut q = Sql::new(
        "INSERT INTO billing_statuses (account_id, status, recorded_by, updated_at) VALUES (",
    );
    q.bind(account.0)
        .push(", ")
        .bind(status.as_str())
        .push(", ")
        .bind(recorded_by)
        .push(", ")
        .bind(Utc::now())
        .push(
            ") ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, \
             recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
        );
    q.execute(store.conn()).await?;
    Ok(())
}

/// An account's billing status, if one was recorded.
pub async fn billing(
    store: &Store,
    account: AccountId,
) -> PersistenceResult<Option<BillingStatus>> {
    let mut q = Sql::new("SELECT status FROM billing_statuses WHERE account_id = ");
    q.bind(account.0);
    q.all(store.conn())
        .await?
        .first()
        .map(|r| {
            get::<String>(r, "status")?
                .parse()
                .map_err(|e| corrupt("billing status", e))
        })
        .transpose()
}
