//! Budget figures in the API: the SOW's position and each phase's share of it.

use async_graphql::{Context, Object};
use tandem_domain::auth::Action;
use tandem_domain::ids::{EngagementId, PhaseId};
use tandem_domain::money::Currency;
use tandem_domain::sow as rules;

use crate::graphql::common::context::Allowed;
use crate::graphql::engagement::PhaseNode;
use crate::graphql::money::MoneyValue;

/// A budget position: the SOW's, or one phase's share of it.
pub(super) struct BudgetNode {
    pub(super) figures: rules::BudgetFigures,
    pub(super) currency: Currency,
}

#[Object(name = "BudgetFigures")]
impl BudgetNode {
    /// Estimated in-scope hours.
    async fn estimated_hours(&self) -> f64 {
        self.figures.estimated_hours.as_decimal()
    }
    /// In-scope hours logged.
    async fn in_scope_hours(&self) -> f64 {
        self.figures.in_scope_hours.as_decimal()
    }
    /// T&M hours logged.
    async fn tm_hours(&self) -> f64 {
        self.figures.tm_hours.as_decimal()
    }
    /// The value of the T&M hours at the rates they were logged at. Hidden from PRODUCT and
    /// VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn tm_amount(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(self.figures.tm_amount, self.currency))
    }
    /// T&M used against its cap in percent (by amount when there is an amount cap, else by
    /// hours); null without a cap.
    async fn burn_percent(&self) -> Option<f64> {
        self.figures.burn_percent
    }
    /// T&M hours as a percentage of all hours logged: the scope-creep signal; null before any
    /// time is logged.
    async fn tm_share_percent(&self) -> Option<f64> {
        self.figures.tm_share_percent
    }
    /// In-scope hours at completion: logged hours plus the estimate of scope whose phase is not
    /// delivered yet.
    async fn forecast_in_scope_hours(&self) -> f64 {
        self.figures.forecast_in_scope_hours.as_decimal()
    }
}

/// One phase's share of a SOW's budget.
pub(super) struct PhaseBudgetNode {
    pub(super) phase: Option<PhaseId>,
    pub(super) engagement: Option<EngagementId>,
    pub(super) budget: BudgetNode,
}

#[Object(name = "PhaseBudget")]
impl PhaseBudgetNode {
    /// The phase; null for hours and scope not booked to a phase.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        PhaseNode::named(ctx, self.engagement, self.phase).await
    }
    /// The figures for that phase (burn is null: caps apply to the whole SOW).
    async fn budget(&self) -> &BudgetNode {
        &self.budget
    }
}
