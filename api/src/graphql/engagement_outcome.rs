//! An engagement's outcome in the API: time to first value, approved hours and their T&M share,
//! and the account's MRR movements after the accepted phases — read through one loader that
//! answers for a whole page of engagements at once.

use async_graphql::{Context, Object};
use tandem_domain::auth::Action;
use tandem_domain::engagement_outcome as rules;
use tandem_domain::engagement_outcome::EngagementOutcome;
use tandem_domain::ids::EngagementId;
use tandem_domain::money::Money;
use tandem_domain::outcome::MrrMovement;

use super::common::context::{Allowed, loaders};
use super::money::MoneyValue;
use super::scalars::Date;
use crate::error::ApiResult;

/// The outcome of engagement `id`, through the request's loader.
pub(crate) async fn of(
    ctx: &Context<'_>,
    id: EngagementId,
) -> ApiResult<Option<EngagementOutcomeNode>> {
    Ok(loaders(ctx)?
        .engagement_outcome()
        .load_one(id)
        .await?
        .map(EngagementOutcomeNode))
}

/// What an engagement delivered and what followed on its account.
pub struct EngagementOutcomeNode(pub EngagementOutcome);

impl EngagementOutcomeNode {
    fn money(&self, pick: impl Fn(&MrrMovement) -> i64) -> Option<MoneyValue> {
        self.0
            .movement
            .as_ref()
            .map(|m| Money::new(pick(m), self.0.currency).into())
    }
}

/// What an engagement delivered — when its first value came, what it cost in approved hours —
/// and how its account's MRR moved in the 90 days after each accepted phase. The MRR figures
/// are comparisons over time, not claims that the engagement caused them: renewals, pricing and
/// everything else that happened to the account move the same numbers.
#[Object(name = "EngagementOutcome")]
impl EngagementOutcomeNode {
    /// When work started: the earliest actual start of its phases (an engagement records no
    /// start of its own; `plannedStart` is a plan). Null until a phase has started.
    async fn started_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }
    /// The day the customer accepted its first phase; null until then.
    async fn first_accepted_on(&self) -> Option<Date> {
        self.0.first_accepted_on.map(Date)
    }
    /// Days from `startedOn` to `firstAcceptedOn`: the time to first value. Null until a phase
    /// is accepted.
    async fn time_to_first_value_days(&self) -> Option<i64> {
        rules::time_to_first_value(self.0.started_on, self.0.first_accepted_on)
    }
    /// How many of its phases the customer has accepted.
    async fn accepted_phases(&self) -> i64 {
        self.0.accepted_phases
    }
    /// Hours spent on it: time on approved timesheets, in scope and T&M, over all its SOWs.
    /// Logged time awaiting approval (or returned) does not count yet.
    async fn hours_spent(&self) -> f64 {
        tandem_domain::hours::Hours(self.0.logged.in_scope_hours.0 + self.0.logged.tm_hours.0)
            .as_decimal()
    }
    /// Of `hoursSpent`, the hours logged as TIME_AND_MATERIALS: work outside the fixed scope.
    async fn tm_hours(&self) -> f64 {
        self.0.logged.tm_hours.as_decimal()
    }
    /// `tmHours` as a percentage of `hoursSpent`, to the hundredth: the scope-creep signal;
    /// null before any approved time.
    async fn tm_share_percent(&self) -> Option<f64> {
        rules::tm_share_percent(&self.0.logged)
    }
    /// Whether the 90 days after every accepted phase have passed; until then the MRR
    /// movements are those of a partial window. Null until a phase is accepted.
    async fn revenue_window_complete(&self) -> Option<bool> {
        self.0.window.as_ref().map(|w| w.complete)
    }
    /// How many days the MRR movements below cover: the union of the 90-day windows after the
    /// accepted phases, up to today. Null until a phase is accepted.
    async fn revenue_days(&self) -> Option<i64> {
        self.0.window.as_ref().map(|w| w.days())
    }
    /// MRR the account gained (expansions, reactivations, new revenue) with effect in the 90
    /// days after any of its accepted phases. Windows of several phases that overlap count a
    /// movement once, not once per phase. Over time, not caused by the engagement. Null until a
    /// phase is accepted. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn expansion(&self) -> Option<MoneyValue> {
        self.money(|m| m.expansion)
    }
    /// MRR the account lost to contractions over the same days (each counted once), as a
    /// positive amount. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn contraction(&self) -> Option<MoneyValue> {
        self.money(|m| m.contraction)
    }
    /// MRR the account lost to churn over the same days (each counted once), as a positive
    /// amount. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn churn(&self) -> Option<MoneyValue> {
        self.money(|m| m.churn)
    }
    /// Expansion − contraction − churn: the change in the account's MRR over the days after
    /// its accepted phases, each movement counted once however many windows it falls in. A
    /// comparison over time, not the engagement's effect. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn net_mrr_movement(&self) -> Option<MoneyValue> {
        self.money(|m| m.net())
    }
}
