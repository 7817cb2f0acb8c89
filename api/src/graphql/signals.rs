//! Signals in the API: what integrations send (usage, revenue, surveys, tickets, billing) and
//! what they can read back (only what they wrote).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::ids::{AccountId, ContactId, SurveyResponseId, TicketId};
use tandem_domain::signals::{
    self as domain, MAX_USAGE_BATCH, UsageEvent, check_survey_score, ticket_closed_at,
};
use tandem_domain::signals::{RevenueMovement, SurveyResponse, Ticket};
use tandem_domain::text;

use super::common::context::parts;
use super::ids::{self, Kind};
use super::money::MoneyValue;
use super::scalars::{Date, Long};
use crate::error::{ApiError, ApiResult};
use crate::service;

/// What a revenue movement does to MRR.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::signals::RevenueKind")]
pub enum RevenueKind {
    /// The first revenue from a new customer.
    New,
    /// More revenue from a paying customer.
    Expansion,
    /// Less revenue from a paying customer who stays.
    Contraction,
    /// The customer leaves: MRR drops to zero.
    Churn,
    /// A customer who had left pays again.
    Reactivation,
}

/// Which survey a response answers.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::signals::SurveyKind")]
pub enum SurveyKind {
    /// Net promoter score, 0–10.
    Nps,
    /// Customer satisfaction, 1–5.
    Csat,
}

/// How urgent a ticket is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::signals::TicketPriority")]
pub enum TicketPriority {
    /// Can wait.
    Low,
    /// The usual.
    Normal,
    /// Hurts the customer's work.
    High,
    /// Stops the customer's work.
    Urgent,
}

/// Where a ticket stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::signals::TicketStatus")]
pub enum TicketStatus {
    /// Waiting for support.
    Open,
    /// Waiting for the customer.
    Pending,
    /// Answered.
    Solved,
    /// Done with.
    Closed,
}

/// Whether the account pays its invoices.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::signals::BillingStatus")]
pub enum BillingStatus {
    /// Paid up.
    Current,
    /// An invoice is past due.
    Overdue,
    /// Payment has failed for long enough to threaten the account.
    Delinquent,
}

/// One thing an account did in the product.
#[derive(InputObject)]
pub struct UsageEventInput {
    /// The account.
    pub account_id: ID,
    /// The feature's key (`catalog.import`): letters, digits, `.`, `_`, `-`, `:`.
    pub feature: String,
    /// Who did it (the product's user id).
    pub actor: String,
    /// When (within the last two years).
    pub occurred_at: DateTime<Utc>,
    /// How much; 1 when left out.
    pub quantity: Option<i32>,
}

/// A batch of usage events.
#[derive(InputObject)]
pub struct RecordUsageInput {
    /// Up to 10,000 events.
    pub events: Vec<UsageEventInput>,
    /// Send the same key when retrying a batch: it is counted once. A key already used for a
    /// different batch is a CONFLICT.
    pub idempotency_key: Option<String>,
}

/// What became of a usage batch.
#[derive(SimpleObject)]
pub struct RecordUsagePayload {
    /// Events in the batch.
    pub accepted: i32,
    /// The batch had already been recorded under this key; nothing was counted again.
    pub duplicate: bool,
}

/// A revenue movement to record.
#[derive(InputObject)]
pub struct RecordRevenueInput {
    /// The account.
    pub account_id: ID,
    /// What kind of movement.
    pub kind: RevenueKind,
    /// Its size in minor units, positive (the kind gives the direction); a CHURN may leave it
    /// out and takes the whole MRR.
    pub amount_minor: Option<Long>,
    /// The day it takes effect.
    pub effective_on: Date,
}

/// A recorded revenue movement.
pub struct RevenueMovementNode(pub RevenueMovement);

#[Object(name = "RevenueMovement")]
impl RevenueMovementNode {
    /// Its opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::RevenueEvent, self.0.id.0)
    }
    /// What kind of movement.
    async fn kind(&self) -> RevenueKind {
        self.0.kind.into()
    }
    /// The change in MRR: negative for contraction and churn.
    async fn amount(&self) -> MoneyValue {
        self.0.amount.into()
    }
    /// The day it takes effect.
    async fn effective_on(&self) -> Date {
        Date(self.0.effective_on)
    }
    /// Who recorded it (`null` for imported history).
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// A survey answer to record.
#[derive(InputObject)]
pub struct RecordSurveyResponseInput {
    /// The account.
    pub account_id: ID,
    /// The contact who answered, if known.
    pub contact_id: Option<ID>,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score: 0–10 for NPS, 1–5 for CSAT.
    pub score: i32,
    /// What they wrote.
    pub comment: Option<String>,
    /// When they answered; now when left out.
    pub responded_at: Option<DateTime<Utc>>,
}

/// A survey answer.
pub struct SurveyResponseNode(pub SurveyResponse);

#[Object(name = "SurveyResponse")]
impl SurveyResponseNode {
    /// Its opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::SurveyResponse, self.0.id.0)
    }
    /// NPS or CSAT.
    async fn kind(&self) -> SurveyKind {
        self.0.kind.into()
    }
    /// The score.
    async fn score(&self) -> i32 {
        self.0.score
    }
    /// What they wrote.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// The contact who answered.
    async fn contact_id(&self) -> Option<ID> {
        self.0.contact_id.map(|c| ids::encode(Kind::Contact, c.0))
    }
    /// When they answered.
    async fn responded_at(&self) -> DateTime<Utc> {
        self.0.responded_at
    }
    /// Who recorded it.
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
}

/// A support ticket to record, or to update when the account already has one with this
/// external id.
#[derive(InputObject)]
pub struct RecordTicketInput {
    /// The account.
    pub account_id: ID,
    /// The help desk's id for it.
    pub external_id: String,
    /// Its subject line.
    pub subject: String,
    /// How urgent.
    pub priority: TicketPriority,
    /// Where it stands.
    pub status: TicketStatus,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was solved or closed (now, when left out for a solved or closed ticket).
    pub closed_at: Option<DateTime<Utc>>,
}

/// A support ticket.
pub struct TicketNode(pub Ticket);

#[Object(name = "Ticket")]
impl TicketNode {
    /// Its opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Ticket, self.0.id.0)
    }
    /// The help desk's id.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    /// Its subject line.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// How urgent.
    async fn priority(&self) -> TicketPriority {
        self.0.priority.into()
    }
    /// Where it stands.
    async fn status(&self) -> TicketStatus {
        self.0.status.into()
    }
    /// When it was opened.
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    /// When it was solved or closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Who recorded it.
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
}

fn account_id(id: &ID, field: &str) -> ApiResult<AccountId> {
    Ok(AccountId(ids::decode(Kind::Account, id, field)?))
}

#[derive(Default)]
pub struct SignalsMutation;

#[Object]
impl SignalsMutation {
    /// Records a batch of up to 10,000 usage events in one transaction (ADMIN, CS_MANAGER,
    /// INTEGRATION). An invalid event refuses the whole batch, naming it.
    async fn record_usage(
        &self,
        ctx: &Context<'_>,
        input: RecordUsageInput,
    ) -> async_graphql::Result<RecordUsagePayload> {
        let (s, who) = parts(ctx)?;
        if input.events.len() > MAX_USAGE_BATCH {
            return Err(ApiError::invalid(
                "input.events",
                format!(
                    "{} events; a batch takes at most {MAX_USAGE_BATCH}: split it",
                    input.events.len()
                ),
            )
            .into());
        }
        let key = input
            .idempotency_key
            .as_deref()
            .map(|k| text::required("input.idempotencyKey", k, 200))
            .transpose()
            .map_err(ApiError::from)?;
        let now = Utc::now();
        let mut last: Option<(ID, AccountId)> = None;
        let mut events = Vec::with_capacity(input.events.len());
        for (i, e) in input.events.iter().enumerate() {
            let account = match &last {
                Some((raw, id)) if *raw == e.account_id => *id,
                _ => {
                    let id = account_id(&e.account_id, &format!("input.events[{i}].accountId"))?;
                    last = Some((e.account_id.clone(), id));
                    id
                }
            };
            events.push(
                UsageEvent::check(
                    i,
                    account,
                    &e.feature,
                    &e.actor,
                    e.occurred_at,
                    e.quantity.map(i64::from),
                    now,
                )
                .map_err(ApiError::from)?,
            );
        }
        let done = service::signals::record_usage(s, who, key.as_deref(), &events).await?;
        Ok(RecordUsagePayload {
            accepted: done.events as i32,
            duplicate: done.duplicate,
        })
    }

    /// Records a revenue movement and `REVENUE_RECORDED` (ADMIN, INTEGRATION). The movement
    /// must fit the account's MRR on its day: NEW for a new customer, CONTRACTION smaller than
    /// the MRR, CHURN taking all of it, REACTIVATION after a churn.
    async fn record_revenue(
        &self,
        ctx: &Context<'_>,
        input: RecordRevenueInput,
    ) -> async_graphql::Result<RevenueMovementNode> {
        let (s, who) = parts(ctx)?;
        let account = account_id(&input.account_id, "input.accountId")?;
        let m = service::signals::record_revenue(
            s,
            who,
            account,
            input.kind.into(),
            input.amount_minor.map(|a| a.0),
            input.effective_on.0,
        )
        .await?;
        Ok(RevenueMovementNode(m))
    }

    /// Records a survey answer (ADMIN, CS_MANAGER, INTEGRATION).
    async fn record_survey_response(
        &self,
        ctx: &Context<'_>,
        input: RecordSurveyResponseInput,
    ) -> async_graphql::Result<SurveyResponseNode> {
        let (s, who) = parts(ctx)?;
        let account = account_id(&input.account_id, "input.accountId")?;
        let contact = input
            .contact_id
            .as_ref()
            .map(|c| ids::decode(Kind::Contact, c, "input.contactId").map(ContactId))
            .transpose()?;
        let kind: domain::SurveyKind = input.kind.into();
        let score = check_survey_score(kind, input.score).map_err(ApiError::from)?;
        let comment = text::optional("input.comment", input.comment.as_deref(), 5000)
            .map_err(ApiError::from)?;
        let now = Utc::now();
        let responded_at = input.responded_at.unwrap_or(now);
        if responded_at > now + chrono::Duration::minutes(5) {
            return Err(ApiError::invalid("input.respondedAt", "is in the future").into());
        }
        let saved = service::signals::record_survey(
            s,
            who,
            SurveyResponse {
                id: SurveyResponseId::new(),
                account_id: account,
                contact_id: contact,
                kind,
                score,
                comment,
                responded_at,
                recorded_by: String::new(),
            },
        )
        .await?;
        Ok(SurveyResponseNode(saved))
    }

    /// Records a support ticket, or updates it when the account already has one with this
    /// external id (ADMIN, CS_MANAGER, INTEGRATION).
    async fn record_ticket(
        &self,
        ctx: &Context<'_>,
        input: RecordTicketInput,
    ) -> async_graphql::Result<TicketNode> {
        let (s, who) = parts(ctx)?;
        let account = account_id(&input.account_id, "input.accountId")?;
        let external_id =
            text::required("input.externalId", &input.external_id, 200).map_err(ApiError::from)?;
        let subject =
            text::required("input.subject", &input.subject, 500).map_err(ApiError::from)?;
        let status: domain::TicketStatus = input.status.into();
        let closed_at = ticket_closed_at(status, input.opened_at, input.closed_at, Utc::now())
            .map_err(ApiError::from)?;
        let saved = service::signals::record_ticket(
            s,
            who,
            Ticket {
                id: TicketId::new(),
                account_id: account,
                external_id,
                subject,
                priority: input.priority.into(),
                status,
                opened_at: input.opened_at,
                closed_at,
                recorded_by: String::new(),
            },
        )
        .await?;
        Ok(TicketNode(saved))
    }

    /// Sets an account's billing status (ADMIN, CS_MANAGER, INTEGRATION).
    async fn set_billing_status(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        status: BillingStatus,
    ) -> async_graphql::Result<BillingStatus> {
        let (s, who) = parts(ctx)?;
        let account = self::account_id(&account_id, "accountId")?;
        Ok(
            service::signals::set_billing(s, who, account, status.into())
                .await?
                .into(),
        )
    }
}
