//! The revenue outlook of a period over a slice: the MRR expected to be kept and added,
//! probability-weighted, with GRR and NRR forecasts and their bands, and the accounts that move
//! the number most (`domain::outlook::revenue` reckons; this reads the book and says who may
//! see it). All of it is money, so it needs `SeeMoney` beside `ReadInsights`.

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::metrics::Period;
use tandem_domain::outlook::backtest::CallProbabilities;
use tandem_domain::outlook::revenue::{self, Caller, Outlook};
use tandem_domain::segment::Slice;

use super::Services;
use crate::error::ApiResult;

/// The most accounts an outlook names as moving it.
pub const MAX_MOVERS: usize = 50;

/// A period's outlook over a slice.
#[derive(Debug, Clone)]
pub struct RevenueOutlook {
    /// The period.
    pub period: Period,
    /// The day its MRR is taken on (today).
    pub as_of: NaiveDate,
    /// As the managers' calls on the renewals see it.
    pub manager: Outlook,
}

/// The outlook of `period` over `slice`, weighing each renewal in play that falls in it by the
/// manager's call (read as `CallProbabilities`' defaults: COMMITTED 0.9, PROBABLE 0.7, AT_RISK
/// 0.4, LOST 0.1) and each open opportunity expected to close in it by its probability.
#[tracing::instrument(level = "debug", name = "service::revenue_outlook::outlook", skip_all)]
pub async fn outlook(
    s: &Services,
    who: &Principal,
    slice: &Slice,
    period: Period,
) -> ApiResult<RevenueOutlook> {
    who.authorize(Action::ReadInsights)?;
    who.authorize(Action::SeeMoney)?;
    let today = Utc::now().date_naive();
    let book =
        tandem_persistence::revenue_outlook::book(&s.store, slice, today, period.from, period.to)
            .await?;
    let calls = CallProbabilities::default();
    let manager = revenue::outlook(&book, Caller::Manager, &calls, MAX_MOVERS)?;
    Ok(RevenueOutlook {
        period,
        as_of: today,
        manager,
    })
}
