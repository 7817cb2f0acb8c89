//! The portfolio outcome comparison in the API: for a period and a slice, the accounts that had
//! a phase accepted beside those that had none, and goals linked to phases beside the rest.
//! Comparisons, not causal claims; money is hidden from PRODUCT and VIEWER.

use async_graphql::{Context, Object};
use tandem_domain::auth::Action;
use tandem_domain::metrics::{self, Period};
use tandem_domain::money::{Currency, Money};
use tandem_domain::outcome_comparison::{Comparison, GoalTally, Side};

use super::common::context::{Allowed, parts};
use super::figures::{PeriodInput, SliceInput};
use super::money::MoneyValue;
use super::scalars::Date;
use crate::error::ApiError;
use crate::service;

/// Hundredths of an hour as hours.
fn hours(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

/// One side of the comparison: the slice's accounts that had at least one phase accepted in
/// the period, or those that had none. Read the account counts and starting MRR before the
/// ratios: a side with few accounts says little.
pub struct OutcomeCohort {
    side: Side,
    currency: Currency,
}

impl OutcomeCohort {
    fn money(&self, minor: i64) -> MoneyValue {
        Money::new(minor, self.currency).into()
    }
}

#[Object]
impl OutcomeCohort {
    /// Accounts of the slice on this side, paying or not.
    async fn accounts(&self) -> i64 {
        self.side.accounts
    }
    /// Phases accepted in the period on these accounts (0 on the side without).
    async fn accepted_phases(&self) -> i64 {
        self.side.accepted_phases
    }
    /// Accounts of this side paying at the period's start: the cohort its retention is
    /// measured on.
    async fn accounts_at_start(&self) -> i64 {
        self.side.movements.accounts_at_start
    }
    /// The cohort's MRR at the period's start.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn start_mrr(&self) -> MoneyValue {
        self.money(self.side.movements.start_mrr)
    }
    /// Net revenue retention of this side's cohort over the period: (start + expansion +
    /// reactivation − contraction − churn) / start; `null` without a cohort. Set beside the
    /// other side's, it is a comparison, not a measure of what the services work caused.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn nrr(&self) -> Option<f64> {
        metrics::nrr(&self.side.movements)
    }
    /// Gross revenue retention of this side's cohort: (start − contraction − churn) / start;
    /// `null` without a cohort. A comparison, not a causal claim.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn grr(&self) -> Option<f64> {
        metrics::grr(&self.side.movements)
    }
    /// Logo churn: cohort accounts that churned in the period (and had not come back by its
    /// end) / cohort; `null` without a cohort. A comparison, not a causal claim.
    async fn logo_churn(&self) -> Option<f64> {
        metrics::logo_churn(&self.side.movements)
    }
    /// Cohort accounts that churned in the period and had not come back by its end.
    async fn churned_accounts(&self) -> i64 {
        self.side.movements.churned_accounts
    }
    /// Expansion revenue of the cohort in the period: expansion + reactivation.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn expansion_revenue(&self) -> MoneyValue {
        self.money(metrics::expansion_revenue(&self.side.movements))
    }
    /// MRR the cohort lost to contraction in the period.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn contraction(&self) -> MoneyValue {
        self.money(self.side.movements.contraction)
    }
    /// MRR the cohort lost to churn in the period.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn churn(&self) -> MoneyValue {
        self.money(self.side.movements.churn)
    }
    /// Services hours logged in the period on these accounts' statements of work, approved
    /// timesheets only (what counts as burn).
    async fn services_hours(&self) -> f64 {
        hours(self.side.hours)
    }
    /// Of `servicesHours`, the hours logged as time and materials.
    async fn tm_hours(&self) -> f64 {
        hours(self.side.tm_hours)
    }
    /// `tmHours` as a percentage of `servicesHours`, to the hundredth (as the SOW budget and
    /// the engagement outcome give it); `null` without hours.
    async fn tm_share_percent(&self) -> Option<f64> {
        tandem_domain::engagement_outcome::percent(self.side.tm_hours, self.side.hours)
    }
}

/// How the goals of one kind that came due in the period turned out: goals counted are those
/// not archived and due in the period, or, without a due date, achieved in it.
pub struct GoalAttainment(GoalTally);

#[Object]
impl GoalAttainment {
    /// Goals counted.
    async fn goals(&self) -> i64 {
        self.0.goals
    }
    /// Of those, achieved.
    async fn achieved(&self) -> i64 {
        self.0.achieved
    }
    /// Of those, marked missed.
    async fn missed(&self) -> i64 {
        self.0.missed
    }
    /// Of those, neither achieved nor missed yet.
    async fn open(&self) -> i64 {
        self.0.goals - self.0.achieved - self.0.missed
    }
    /// `achieved / goals`; `null` without goals. Set beside the other kind's, a comparison,
    /// not a causal claim.
    async fn attainment(&self) -> Option<f64> {
        metrics::attainment(self.0.achieved, self.0.goals)
    }
}

/// Whether the services work moved the numbers, as far as figures can tell: over one period
/// and one slice, the accounts that had at least one phase accepted in the period beside those
/// that had none, and the goals phases serve beside the goals no phase serves. These are
/// comparisons, not causal claims: accounts that buy services differ from those that do not in
/// size, plan, maturity and much else, so read the counts and the starting MRR of each side
/// before the ratios.
pub struct OutcomeComparison {
    period: Period,
    currency: Currency,
    comparison: Comparison,
}

#[Object]
impl OutcomeComparison {
    /// The period's first day.
    async fn from(&self) -> Date {
        Date(self.period.from)
    }
    /// The period's last day.
    async fn to(&self) -> Date {
        Date(self.period.to)
    }
    /// The accounts of the slice that had at least one phase accepted in the period (a
    /// comparison group, not a claim about cause).
    async fn with_accepted_phases(&self) -> OutcomeCohort {
        OutcomeCohort {
            side: self.comparison.with_accepted,
            currency: self.currency,
        }
    }
    /// The accounts of the slice that had no phase accepted in the period.
    async fn without_accepted_phases(&self) -> OutcomeCohort {
        OutcomeCohort {
            side: self.comparison.without_accepted,
            currency: self.currency,
        }
    }
    /// Goals of the slice's accounts that at least one phase serves and that came due in the
    /// period.
    async fn linked_goals(&self) -> GoalAttainment {
        GoalAttainment(self.comparison.linked_goals)
    }
    /// Goals of the slice's accounts that no phase serves and that came due in the period.
    async fn unlinked_goals(&self) -> GoalAttainment {
        GoalAttainment(self.comparison.unlinked_goals)
    }
}

/// The outcome comparison query.
#[derive(Default)]
pub struct OutcomeComparisonQuery;

#[Object]
impl OutcomeComparisonQuery {
    /// For a period and a slice of accounts (one currency; a segment, criteria such as touch
    /// tier, industry, plan or owner, or both): NRR, GRR and logo churn of the accounts that
    /// had at least one phase accepted in the period beside those that had none, each with its
    /// account count and starting MRR, services hours and T&M share beside them, and the
    /// attainment of goals phases serve beside goals they do not. Comparisons, not causal
    /// claims. Summed in SQL in two statements. ADMIN, CS_MANAGER and SERVICES read all of
    /// it; PRODUCT and VIEWER everything but money (NRR, GRR and amounts).
    async fn outcome_comparison(
        &self,
        ctx: &Context<'_>,
        period: PeriodInput,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<OutcomeComparison> {
        let (s, who) = parts(ctx)?;
        let period = Period::new(period.from.0, period.to.0).map_err(ApiError::from)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        let comparison = service::figures::outcome_comparison(s, who, &slice, period).await?;
        Ok(OutcomeComparison {
            period,
            currency,
            comparison,
        })
    }
}
