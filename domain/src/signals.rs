//! The signals integrations and teams send about an account: revenue movements, product usage,
//! survey answers, support tickets and billing status, with the rules each must follow.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::ids::{AccountId, ContactId, RevenueEventId, SurveyResponseId, TicketId};
use crate::money::Money;
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// What a revenue movement does to an account's MRR.
    pub enum RevenueKind {
        /// The first revenue from a new customer.
        New = "NEW",
        /// More revenue from a paying customer.
        Expansion = "EXPANSION",
        /// Less revenue from a paying customer who stays.
        Contraction = "CONTRACTION",
        /// The customer leaves: MRR drops to zero.
        Churn = "CHURN",
        /// A customer who had left pays again.
        Reactivation = "REACTIVATION",
    }
}

/// The signed change in MRR a movement makes, checked against the account's MRR on its
/// effective day (`mrr_before`) and whether it ever paid before.
///
/// `amount` is the size of the movement in minor units, always positive; a CHURN may leave it
/// out and takes the whole MRR. NEW is for an account that never paid, REACTIVATION for one that
/// paid and left, EXPANSION and CONTRACTION for a paying account (a contraction to zero is a
/// churn), and a CHURN must take exactly the MRR there is.
pub fn signed_movement(
    kind: RevenueKind,
    amount: Option<i64>,
    mrr_before: i64,
    ever_paid: bool,
) -> DomainResult<i64> {
    if let Some(a) = amount
        && a <= 0
    {
        return Err(DomainError::invalid(
            "amountMinor",
            "must be positive; the kind says which way MRR moves",
        ));
    }
    let need = |field: &str| {
        amount.ok_or_else(|| DomainError::invalid(field, format!("a {kind} needs an amount")))
    };
    match kind {
        RevenueKind::New if ever_paid => Err(DomainError::invalid(
            "kind",
            "the account already has revenue: record EXPANSION, or REACTIVATION after a churn",
        )),
        RevenueKind::New => need("amountMinor"),
        RevenueKind::Reactivation if mrr_before > 0 => Err(DomainError::invalid(
            "kind",
            "the account is paying on that day: record EXPANSION instead",
        )),
        RevenueKind::Reactivation if !ever_paid => Err(DomainError::invalid(
            "kind",
            "the account never paid: record NEW instead",
        )),
        RevenueKind::Reactivation => need("amountMinor"),
        _ if mrr_before <= 0 => Err(DomainError::invalid(
            "kind",
            format!(
                "the account has no MRR on that day; a {kind} needs a paying account (record {} instead)",
                if ever_paid { "REACTIVATION" } else { "NEW" }
            ),
        )),
        RevenueKind::Expansion => need("amountMinor"),
        RevenueKind::Contraction => {
            let a = need("amountMinor")?;
            if a >= mrr_before {
                return Err(DomainError::invalid(
                    "amountMinor",
                    format!(
                        "a contraction of {a} would leave no MRR (it is {mrr_before}): record CHURN instead"
                    ),
                ));
            }
            Ok(-a)
        }
        RevenueKind::Churn => match amount {
            Some(a) if a != mrr_before => Err(DomainError::invalid(
                "amountMinor",
                format!(
                    "a churn takes the whole MRR, which is {mrr_before} on that day; leave the amount out"
                ),
            )),
            _ => Ok(-mrr_before),
        },
    }
}

/// The most usage events one `recordUsage` call takes.
pub const MAX_USAGE_BATCH: usize = 10_000;

/// One thing an account did in the product, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageEvent {
    /// The account.
    pub account_id: AccountId,
    /// The feature's key, lower case (`catalog.import`).
    pub feature: String,
    /// Who did it (a user id in the product).
    pub actor: String,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// How much (1 for a single action).
    pub quantity: i64,
}

impl UsageEvent {
    /// Checks one event of a batch (`index` names it in errors): a feature key of letters,
    /// digits, `.`, `_`, `-` or `:`, an actor, a time no later than a day from `now` and no
    /// earlier than two years before it, and a quantity from 1 to 1,000,000,000.
    pub fn check(
        index: usize,
        account_id: AccountId,
        feature: &str,
        actor: &str,
        occurred_at: DateTime<Utc>,
        quantity: Option<i64>,
        now: DateTime<Utc>,
    ) -> DomainResult<UsageEvent> {
        let feature = feature.trim().to_lowercase();
        if feature.is_empty()
            || feature.len() > 100
            || !feature
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c))
        {
            return Err(DomainError::invalid(
                format!("events[{index}].feature"),
                "a feature key is 1–100 letters, digits, '.', '_', '-' or ':'",
            ));
        }
        let actor = text::required(&format!("events[{index}].actor"), actor, 200)?;
        if occurred_at > now + Duration::days(1) || occurred_at < now - Duration::days(731) {
            return Err(DomainError::invalid(
                format!("events[{index}].occurredAt"),
                "must be within the last two years and not in the future",
            ));
        }
        let quantity = quantity.unwrap_or(1);
        if !(1..=1_000_000_000).contains(&quantity) {
            return Err(DomainError::invalid(
                format!("events[{index}].quantity"),
                "must be from 1 to 1,000,000,000",
            ));
        }
        Ok(UsageEvent {
            account_id,
            feature,
            actor,
            occurred_at,
            quantity,
        })
    }

    /// The day the event counts for (UTC).
    pub fn day(&self) -> NaiveDate {
        self.occurred_at.date_naive()
    }
}

crate::text_enum! {
    /// Which survey a response answers.
    pub enum SurveyKind {
        /// Net promoter score, 0–10.
        Nps = "NPS",
        /// Customer satisfaction, 1–5.
        Csat = "CSAT",
    }
}

/// Checks a survey score against its scale.
pub fn check_survey_score(kind: SurveyKind, score: i32) -> DomainResult<i32> {
    let (low, high) = match kind {
        SurveyKind::Nps => (0, 10),
        SurveyKind::Csat => (1, 5),
    };
    if (low..=high).contains(&score) {
        Ok(score)
    } else {
        Err(DomainError::invalid(
            "score",
            format!("a {kind} score is from {low} to {high}, got {score}"),
        ))
    }
}

crate::text_enum! {
    /// How urgent a support ticket is.
    pub enum TicketPriority {
        /// Can wait.
        Low = "LOW",
        /// The usual.
        Normal = "NORMAL",
        /// Hurts the customer's work.
        High = "HIGH",
        /// Stops the customer's work.
        Urgent = "URGENT",
    }
}

impl TicketPriority {
    /// How much an open ticket of this priority weighs on support load.
    pub fn weight(self) -> i64 {
        match self {
            TicketPriority::Low => 1,
            TicketPriority::Normal => 2,
            TicketPriority::High => 4,
            TicketPriority::Urgent => 8,
        }
    }
}

crate::text_enum! {
    /// Where a support ticket stands.
    pub enum TicketStatus {
        /// Waiting for support.
        Open = "OPEN",
        /// Waiting for the customer.
        Pending = "PENDING",
        /// Answered.
        Solved = "SOLVED",
        /// Done with.
        Closed = "CLOSED",
    }
}

impl TicketStatus {
    /// Whether a ticket in this status still weighs on support load.
    pub fn is_open(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

/// Checks a ticket's times: an open ticket has no close time; a solved or closed one closes at
/// `closed_at` or, when none is given, `now`, never before it opened.
pub fn ticket_closed_at(
    status: TicketStatus,
    opened_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DomainResult<Option<DateTime<Utc>>> {
    if status.is_open() {
        return match closed_at {
            Some(_) => Err(DomainError::invalid(
                "closedAt",
                format!("an {status} ticket is not closed; leave closedAt out"),
            )),
            None => Ok(None),
        };
    }
    let closed = closed_at.unwrap_or(now);
    if closed < opened_at {
        return Err(DomainError::invalid(
            "closedAt",
            "a ticket cannot close before it opened",
        ));
    }
    Ok(Some(closed))
}

crate::text_enum! {
    /// Whether the account pays its invoices.
    pub enum BillingStatus {
        /// Paid up.
        Current = "CURRENT",
        /// An invoice is past due.
        Overdue = "OVERDUE",
        /// Payment has failed for long enough to threaten the account.
        Delinquent = "DELINQUENT",
    }
}

/// A survey answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponse {
    /// Its id.
    pub id: SurveyResponseId,
    /// The account.
    pub account_id: AccountId,
    /// The contact who answered, when known.
    pub contact_id: Option<ContactId>,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score on the kind's scale.
    pub score: i32,
    /// What they wrote.
    pub comment: Option<String>,
    /// When they answered.
    pub responded_at: DateTime<Utc>,
    /// Who recorded it (a token subject).
    pub recorded_by: String,
}

/// A support ticket, as the help desk knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    /// Tandem's id for it.
    pub id: TicketId,
    /// The account.
    pub account_id: AccountId,
    /// The help desk's id for it (unique per account).
    pub external_id: String,
    /// Its subject line.
    pub subject: String,
    /// How urgent.
    pub priority: TicketPriority,
    /// Where it stands.
    pub status: TicketStatus,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was solved or closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub recorded_by: String,
}

/// What became of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    /// Events in the batch.
    pub events: usize,
    /// The batch had been sent before with the same key: nothing was counted again.
    pub duplicate: bool,
}

/// One day of an account's usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayUsage {
    /// The day (UTC).
    pub day: NaiveDate,
    /// Events that day.
    pub events: i64,
    /// Their summed quantity.
    pub quantity: i64,
    /// Distinct actors that day.
    pub active_users: i64,
}

/// How an account used one feature over a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureUsage {
    /// The feature key.
    pub feature: String,
    /// Events in the window.
    pub events: i64,
    /// Their summed quantity.
    pub quantity: i64,
    /// Days in the window it was used.
    pub active_days: i64,
    /// The first day the account ever used it.
    pub first_used_on: Option<NaiveDate>,
    /// The last day in the window it was used.
    pub last_used_on: NaiveDate,
}

/// An account's usage over the 30 days to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UsageSummary {
    /// Days with any usage.
    pub active_days: i64,
    /// Events.
    pub events: i64,
    /// Distinct actors.
    pub active_users: i64,
    /// The last day with usage, ever.
    pub last_active_on: Option<NaiveDate>,
}

/// A recorded revenue movement.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueMovement {
    /// Its id.
    pub id: RevenueEventId,
    /// The account.
    pub account_id: AccountId,
    /// What kind of movement.
    pub kind: RevenueKind,
    /// The signed change in MRR.
    pub amount: Money,
    /// The day it takes effect.
    pub effective_on: NaiveDate,
    /// Who recorded it (`None` for imported history).
    pub recorded_by: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A dated MRR movement to record (a signed amount: negative for contraction and churn).
#[derive(Debug, Clone)]
pub struct NewRevenueMovement {
    /// The account it belongs to.
    pub account_id: AccountId,
    /// NEW, EXPANSION, CONTRACTION, CHURN or REACTIVATION.
    pub kind: &'static str,
    /// The change in MRR.
    pub amount: Money,
    /// The day it takes effect.
    pub effective_on: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_movements_follow_the_account_s_state() {
        use RevenueKind::*;
        assert_eq!(signed_movement(New, Some(100), 0, false), Ok(100));
        assert!(signed_movement(New, Some(100), 0, true).is_err());
        assert_eq!(signed_movement(Expansion, Some(50), 100, true), Ok(50));
        assert!(signed_movement(Expansion, Some(50), 0, true).is_err());
        assert_eq!(signed_movement(Contraction, Some(40), 100, true), Ok(-40));
        assert!(signed_movement(Contraction, Some(100), 100, true).is_err());
        assert_eq!(signed_movement(Churn, None, 100, true), Ok(-100));
        assert_eq!(signed_movement(Churn, Some(100), 100, true), Ok(-100));
        assert!(signed_movement(Churn, Some(90), 100, true).is_err());
        assert!(signed_movement(Churn, None, 0, true).is_err());
        assert_eq!(signed_movement(Reactivation, Some(70), 0, true), Ok(70));
        assert!(signed_movement(Reactivation, Some(70), 0, false).is_err());
        assert!(signed_movement(Reactivation, Some(70), 10, true).is_err());
        assert!(signed_movement(Expansion, Some(-5), 100, true).is_err());
        assert!(signed_movement(Expansion, None, 100, true).is_err());
    }

    #[test]
    fn usage_events_are_checked_and_normalised() {
        let now = Utc::now();
        let a = AccountId::new();
        let e = UsageEvent::check(0, a, " Catalog.Import ", "u1", now, None, now).unwrap();
        assert_eq!((e.feature.as_str(), e.quantity), ("catalog.import", 1));
        let err = UsageEvent::check(3, a, "bad key!", "u1", now, None, now).unwrap_err();
        assert!(err.to_string().starts_with("events[3].feature"), "{err}");
        assert!(UsageEvent::check(0, a, "f", "", now, None, now).is_err());
        assert!(UsageEvent::check(0, a, "f", "u", now + Duration::days(2), None, now).is_err());
        assert!(UsageEvent::check(0, a, "f", "u", now, Some(0), now).is_err());
    }

    #[test]
    fn survey_scores_stay_on_their_scale() {
        assert_eq!(check_survey_score(SurveyKind::Nps, 0), Ok(0));
        assert!(check_survey_score(SurveyKind::Nps, 11).is_err());
        assert!(check_survey_score(SurveyKind::Csat, 0).is_err());
        assert_eq!(check_survey_score(SurveyKind::Csat, 5), Ok(5));
    }

    #[test]
    fn closed_tickets_get_a_close_time_and_open_ones_none() {
        let now = Utc::now();
        let opened = now - Duration::days(2);
        assert_eq!(
            ticket_closed_at(TicketStatus::Open, opened, None, now),
            Ok(None)
        );
        assert!(ticket_closed_at(TicketStatus::Open, opened, Some(now), now).is_err());
        assert_eq!(
            ticket_closed_at(TicketStatus::Solved, opened, None, now),
            Ok(Some(now))
        );
        assert!(
            ticket_closed_at(
                TicketStatus::Closed,
                opened,
                Some(opened - Duration::hours(1)),
                now
            )
            .is_err()
        );
    }
}
