//! Outcomes of accepted phases in the API: comparisons over time on the phase's account, read
//! through loaders that answer for a whole page of phases at once.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::money::Money;
use tandem_domain::outcome::{AcceptedPhase, RevenueOutcome, ScorePoint};

use super::common::context::{Allowed, loaders};
use super::health::HealthStatus;
use super::money::MoneyValue;
use super::scalars::Date;
use super::success::{GoalNode, GoalStatus};
use crate::error::ApiResult;

/// What followed a phase's acceptance on its account. Every figure is a comparison over time,
/// not a claim that the phase caused it: renewals, pricing and everything else that happened to
/// the account move the same numbers.
pub struct PhaseOutcomeNode(pub AcceptedPhase);

/// A stored health score of the account.
#[derive(SimpleObject)]
pub struct OutcomeHealth {
    /// The score, 0 to 100.
    pub score: f64,
    /// What it meant under its model then.
    pub status: HealthStatus,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

impl From<&ScorePoint> for OutcomeHealth {
    fn from(p: &ScorePoint) -> Self {
        OutcomeHealth {
            score: p.score,
            status: p.status.into(),
            computed_at: p.computed_at,
        }
    }
}

/// A success-plan goal the phase serves, and where it stands now.
#[derive(SimpleObject)]
pub struct PhaseGoalOutcome {
    /// The goal.
    pub goal: GoalNode,
    /// Its status today (not at acceptance).
    pub status: GoalStatus,
}

impl PhaseOutcomeNode {
    async fn health(&self, ctx: &Context<'_>, days: u64) -> ApiResult<Option<OutcomeHealth>> {
        Ok(loaders(ctx)?
            .outcome_health()
            .load_one(self.0)
            .await?
            .and_then(|points| points.get(&days).map(OutcomeHealth::from)))
    }

    async fn revenue(&self, ctx: &Context<'_>) -> ApiResult<Option<RevenueOutcome>> {
        loaders(ctx)?.outcome_revenue().load_one(self.0).await
    }

    async fn money(
        &self,
        ctx: &Context<'_>,
        pick: impl Fn(&RevenueOutcome) -> i64,
    ) -> ApiResult<Option<MoneyValue>> {
        Ok(self
            .revenue(ctx)
            .await?
            .map(|r| Money::new(pick(&r), r.currency).into()))
    }
}

/// What followed a phase's acceptance on its account: health at acceptance and 30, 60 and 90
/// days later, the status of the goals it serves, and the account's MRR movements in the 90
/// days after. Comparisons over time, not claims that the phase caused them: renewals, pricing
/// and everything else that happened to the account move the same numbers.
#[Object(name = "PhaseOutcome")]
impl PhaseOutcomeNode {
    /// The day the customer accepted the phase.
    async fn accepted_on(&self) -> Date {
        Date(self.0.accepted_on)
    }
    /// The account's latest health score on or before the day of acceptance; null without one.
    async fn health_at_acceptance(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<OutcomeHealth>> {
        Ok(self.health(ctx, 0).await?)
    }
    /// The account's latest health score on or before 30 days after acceptance, to compare with
    /// `healthAtAcceptance` (a comparison over time, not a causal claim); null until 30 days
    /// have passed, or without a score by then.
    async fn health30(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutcomeHealth>> {
        Ok(self.health(ctx, 30).await?)
    }
    /// As `health30`, 60 days after acceptance.
    async fn health60(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutcomeHealth>> {
        Ok(self.health(ctx, 60).await?)
    }
    /// As `health30`, 90 days after acceptance.
    async fn health90(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<OutcomeHealth>> {
        Ok(self.health(ctx, 90).await?)
    }
    /// The success-plan goals the phase serves, each with its status today. Empty for a phase
    /// linked to no goal.
    async fn goals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseGoalOutcome>> {
        Ok(loaders(ctx)?
            .phase_goals()
            .load_one(self.0.phase)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|g| PhaseGoalOutcome {
                status: g.status.into(),
                goal: GoalNode(g),
            })
            .collect())
    }
    /// The last day the MRR movements below count: 90 days after acceptance, or today while
    /// those 90 days have not passed.
    async fn revenue_through(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        Ok(self.revenue(ctx).await?.map(|r| Date(r.window.through)))
    }
    /// Whether the 90 days after acceptance have all passed; until then the MRR movements are
    /// those of a partial window.
    async fn revenue_window_complete(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<bool>> {
        Ok(self.revenue(ctx).await?.map(|r| r.window.complete))
    }
    /// MRR the account gained (expansions, reactivations, new revenue) with effect in the 90
    /// days after acceptance (a partial window until they have passed: see `revenueThrough`).
    /// Over time, not caused by the phase. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn expansion(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(self.money(ctx, |r| r.movement.expansion).await?)
    }
    /// MRR the account lost to contractions in the same window, as a positive amount. Hidden
    /// from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn contraction(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(self.money(ctx, |r| r.movement.contraction).await?)
    }
    /// MRR the account lost to churn in the same window, as a positive amount. Hidden from
    /// PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn churn(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(self.money(ctx, |r| r.movement.churn).await?)
    }
    /// Expansion − contraction − churn: the change in the account's MRR over the window after
    /// acceptance (partial until 90 days have passed). A comparison over time, not the phase's
    /// effect. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn net_mrr_movement(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MoneyValue>> {
        Ok(self.money(ctx, |r| r.movement.net()).await?)
    }
}
