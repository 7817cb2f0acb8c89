//! The revenue outlook of a period over a slice: the MRR expected to be kept and added,
//! probability-weighted, with GRR and NRR forecasts and their bands, and the accounts that move
//! the number most (`domain::outlook::revenue` reckons; this reads the book and says who may
//! see it). All of it is money, so it needs `SeeMoney` beside `ReadInsights`.
//!
//! Two sides of the same book: the managers' calls on the renewals ([`outlook`]) and the renewal
//! model's likelihood to renew ([`by_model`], read only when asked: scoring reads each
//! renewal's features).

use chrono::{NaiveDate, Utc};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::metrics::Period;
use tandem_domain::outlook::LikelihoodToRenew;
use tandem_domain::outlook::revenue::{self, Book, Caller, Outlook};
use tandem_domain::segment::Slice;
use tandem_persistence::outlook as store_outlook;

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
    /// What it weighs.
    pub book: Book,
    /// As the managers' calls on the renewals see it.
    pub manager: Outlook,
}

/// The outlook as the renewal model sees it, or why it cannot.
#[derive(Debug, Clone)]
pub enum ByModel {
    /// Every renewal the model could score, weighed by its likelihood to renew (any it could
    /// not count at the manager's call, and the outlook says how many).
    Scored {
        /// The outlook.
        outlook: Box<Outlook>,
        /// The version of the model that scored the renewals.
        version: i32,
        /// Closed renewals so far.
        closed: usize,
    },
    /// Too few closed renewals for the model to answer with numbers.
    NotEnoughHistory {
        /// Closed renewals so far.
        closed: usize,
        /// Closed renewals needed.
        needed: usize,
    },
    /// Enough history, but no model has been fitted yet (`refitOutlookModel`).
    NotFitted {
        /// Closed renewals so far.
        closed: usize,
    },
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
    let calls = s.outlook.model().calls;
    let manager = revenue::outlook(&book, Caller::Manager, &calls, MAX_MOVERS)?;
    Ok(RevenueOutlook {
        period,
        as_of: today,
        book,
        manager,
    })
}

/// The same `book` as the renewal model sees it: each renewal weighed by the latest model's
/// likelihood to renew, read from the renewals' features now (a bounded number of statements
/// for the whole book), or why the model cannot say.
#[tracing::instrument(level = "debug", name = "service::revenue_outlook::by_model", skip_all)]
pub async fn by_model(s: &Services, who: &Principal, book: &Book) -> ApiResult<ByModel> {
    who.authorize(Action::ReadInsights)?;
    who.authorize(Action::SeeMoney)?;
    let settings = s.outlook.model();
    let basis = store_outlook::basis(&s.store).await?;
    if basis.closed < settings.min_closed {
        return Ok(ByModel::NotEnoughHistory {
            closed: basis.closed,
            needed: settings.min_closed,
        });
    }
    let Some(model) = &basis.model else {
        return Ok(ByModel::NotFitted {
            closed: basis.closed,
        });
    };
    let ids: Vec<_> = book.renewals.iter().map(|r| r.renewal_id).collect();
    let scores = super::outlook::likelihoods(s, who, &basis, &ids).await?;
    let mut scored = book.clone();
    for r in &mut scored.renewals {
        if let Some(LikelihoodToRenew::Score { probability, .. }) = scores.get(&r.renewal_id) {
            r.model_probability = Some(*probability);
        }
    }
    let outlook = revenue::outlook(&scored, Caller::Model, &settings.calls, MAX_MOVERS)?;
    Ok(ByModel::Scored {
        outlook: Box::new(outlook),
        version: model.version,
        closed: basis.closed,
    })
}
