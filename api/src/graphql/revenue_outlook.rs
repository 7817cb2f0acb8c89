//! The revenue outlook in the API: for a period and a slice, the MRR expected to be kept and
//! added, probability-weighted, GRR and NRR forecasts with their bands, and the accounts that
//! move the number most. All money: ADMIN, CS_MANAGER, SERVICES and INTEGRATION.

use async_graphql::{Context, Enum, Object, SimpleObject};
use tandem_domain::metrics::Period;
use tandem_domain::money::Currency;
use tandem_domain::outlook::revenue::{self, Mover, Outlook};

use super::account::AccountNode;
use super::common::context::{loaders, parts};
use super::common::paging::first_or;
use super::figures::{PeriodInput, SliceInput};
use super::money::MoneyValue;
use super::scalars::Date;
use crate::error::ApiError;
use crate::service;
use crate::service::revenue_outlook::{ByModel, MAX_MOVERS, RevenueOutlook};

/// An expected amount of money, rounded to the minor unit.
fn money(minor: f64, currency: Currency) -> MoneyValue {
    MoneyValue::of(minor.round() as i64, currency)
}

/// An expected amount of money with its band: the 10th to the 90th percentile.
#[derive(SimpleObject)]
pub struct MoneyBand {
    /// The expected amount.
    pub expected: MoneyValue,
    /// The 10th percentile.
    pub low: MoneyValue,
    /// The 90th percentile.
    pub high: MoneyValue,
}

impl MoneyBand {
    fn of(b: revenue::Band, currency: Currency) -> MoneyBand {
        MoneyBand {
            expected: money(b.expected, currency),
            low: money(b.low, currency),
            high: money(b.high, currency),
        }
    }
}

/// An expected retention rate (1.0 = 100%) with its band: the 10th to the 90th percentile.
#[derive(SimpleObject)]
pub struct RetentionBand {
    /// The expected rate.
    pub expected: f64,
    /// The 10th percentile.
    pub low: f64,
    /// The 90th percentile.
    pub high: f64,
}

impl From<revenue::Band> for RetentionBand {
    fn from(b: revenue::Band) -> Self {
        RetentionBand {
            expected: b.expected,
            low: b.low,
            high: b.high,
        }
    }
}

/// An account that moves the outlook.
#[derive(SimpleObject)]
pub struct RevenueOutlookMover {
    /// The account.
    pub account: AccountNode,
    /// What it is expected to add to the period's MRR: negative when the churn its renewal
    /// risks and its downsells outweigh its expansion.
    pub expected_change: MoneyValue,
    /// The MRR its churn would lose; null when no renewal of it falls in the period.
    pub at_stake: Option<MoneyValue>,
    /// The probability of its renewal as this side sees it; null when none falls in the period.
    pub renewal_probability: Option<f64>,
    /// The standard deviation it adds to the period's MRR: how much it makes the outcome
    /// uncertain.
    pub spread: MoneyValue,
}

/// The outlook as one side sees the renewals (the opportunities weigh the same on each side).
pub struct RevenueOutlookSide {
    outlook: Outlook,
    currency: Currency,
}

#[Object]
impl RevenueOutlookSide {
    /// Expected MRR lost to churn: each renewal in the period loses the account's MRR with the
    /// probability that it does not renew.
    async fn expected_churn(&self) -> MoneyValue {
        money(self.outlook.expected_churn_minor, self.currency)
    }
    /// Expected MRR lost to open downsells, each weighed by its probability.
    async fn expected_contraction(&self) -> MoneyValue {
        money(self.outlook.expected_contraction_minor, self.currency)
    }
    /// Expected MRR added by open upsells, cross-sells and renewal uplifts, each weighed by its
    /// probability (and, on an account whose renewal falls in the period, by that too).
    async fn expected_expansion(&self) -> MoneyValue {
        money(self.outlook.expected_expansion_minor, self.currency)
    }
    /// Expected one-off services value of open services follow-ons (outside GRR and NRR).
    async fn expected_services(&self) -> MoneyValue {
        money(self.outlook.expected_services_minor, self.currency)
    }
    /// The MRR kept of the starting MRR, before expansion, with its band.
    async fn retained_mrr(&self) -> MoneyBand {
        MoneyBand::of(self.outlook.retained_mrr, self.currency)
    }
    /// The MRR at the end of the period (kept plus expansion), with its band.
    async fn ending_mrr(&self) -> MoneyBand {
        MoneyBand::of(self.outlook.ending_mrr, self.currency)
    }
    /// Gross revenue retention forecast, with its band; null when nothing in the slice pays.
    async fn grr(&self) -> Option<RetentionBand> {
        self.outlook.grr.map(Into::into)
    }
    /// Net revenue retention forecast, with its band; null when nothing in the slice pays.
    async fn nrr(&self) -> Option<RetentionBand> {
        self.outlook.nrr.map(Into::into)
    }
    /// Renewals in play that fall in the period.
    async fn renewals(&self) -> i32 {
        i32::try_from(self.outlook.renewals).unwrap_or(i32::MAX)
    }
    /// Renewals this side could not weigh by its own probability and counted at the
    /// manager's call instead (on the model's side: renewals whose features could not be
    /// read); always 0 on the managers' side.
    async fn renewals_without_score(&self) -> i32 {
        i32::try_from(self.outlook.renewals_without_score).unwrap_or(i32::MAX)
    }
    /// Open opportunities expected to close in the period.
    async fn opportunities(&self) -> i32 {
        i32::try_from(self.outlook.opportunities).unwrap_or(i32::MAX)
    }
    /// The accounts that move the number most, the largest expected change (either way) first
    /// (at most 50).
    async fn movers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<RevenueOutlookMover>> {
        let first = usize::try_from(first_or(Some(first), 10)?)
            .unwrap_or(MAX_MOVERS)
            .min(MAX_MOVERS);
        let movers: &[Mover] = &self.outlook.movers[..first.min(self.outlook.movers.len())];
        let loaded = loaders(ctx)?
            .accounts()
            .load_many(movers.iter().map(|m| m.account_id))
            .await?;
        let currency = self.currency;
        Ok(movers
            .iter()
            .filter_map(|m| {
                loaded
                    .get(&m.account_id)
                    .cloned()
                    .map(|a| RevenueOutlookMover {
                        account: AccountNode::from(a),
                        expected_change: money(m.expected_change_minor, currency),
                        at_stake: m
                            .renewal_probability
                            .map(|_| MoneyValue::of(m.at_stake_minor, currency)),
                        renewal_probability: m.renewal_probability,
                        spread: money(m.spread_minor, currency),
                    })
            })
            .collect())
    }
}

/// Whether the renewal model could weigh the outlook.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum RevenueOutlookModelStatus {
    /// The latest model weighed every renewal it could score.
    Scored,
    /// Too few closed renewals for the model to answer with numbers.
    NotEnoughHistory,
    /// Enough closed renewals, but no model has been fitted yet (`refitOutlookModel`).
    NotFitted,
}

/// The outlook as the renewal model's likelihood to renew sees the renewals, or why it cannot.
pub struct RevenueOutlookByModel {
    by_model: ByModel,
    currency: Currency,
}

#[Object]
impl RevenueOutlookByModel {
    /// Whether the model could weigh the outlook.
    async fn status(&self) -> RevenueOutlookModelStatus {
        match self.by_model {
            ByModel::Scored { .. } => RevenueOutlookModelStatus::Scored,
            ByModel::NotEnoughHistory { .. } => RevenueOutlookModelStatus::NotEnoughHistory,
            ByModel::NotFitted { .. } => RevenueOutlookModelStatus::NotFitted,
        }
    }
    /// The version of the model that weighed it; null unless SCORED.
    async fn model_version(&self) -> Option<i32> {
        match self.by_model {
            ByModel::Scored { version, .. } => Some(version),
            _ => None,
        }
    }
    /// Renewals decided so far: what the model learns from.
    async fn closed_renewals(&self) -> i32 {
        let closed = match self.by_model {
            ByModel::Scored { closed, .. }
            | ByModel::NotEnoughHistory { closed, .. }
            | ByModel::NotFitted { closed } => closed,
        };
        i32::try_from(closed).unwrap_or(i32::MAX)
    }
    /// Closed renewals needed before the model answers with numbers; null once it does.
    async fn closed_renewals_needed(&self) -> Option<i32> {
        match self.by_model {
            ByModel::NotEnoughHistory { needed, .. } => i32::try_from(needed).ok(),
            _ => None,
        }
    }
    /// The outlook with each renewal weighed by its likelihood to renew; null unless SCORED.
    async fn outlook(&self) -> Option<RevenueOutlookSide> {
        match &self.by_model {
            ByModel::Scored { outlook, .. } => Some(RevenueOutlookSide {
                outlook: (**outlook).clone(),
                currency: self.currency,
            }),
            _ => None,
        }
    }
}

/// The revenue outlook of a period over a slice.
pub struct RevenueOutlookView {
    outlook: RevenueOutlook,
    currency: Currency,
    by_model: tokio::sync::OnceCell<ByModel>,
}

#[Object(name = "RevenueOutlook")]
impl RevenueOutlookView {
    /// The first day of the period.
    async fn from(&self) -> Date {
        Date(self.outlook.period.from)
    }
    /// The last day of the period.
    async fn to(&self) -> Date {
        Date(self.outlook.period.to)
    }
    /// The day the MRR is taken on (today): the outlook weighs what is in play now.
    async fn as_of(&self) -> Date {
        Date(self.outlook.as_of)
    }
    /// The MRR of the slice's live accounts today.
    async fn starting_mrr(&self) -> MoneyValue {
        MoneyValue::of(self.outlook.manager.starting_mrr_minor, self.currency)
    }
    /// The outlook with each renewal weighed by its manager's call (COMMITTED 0.9, PROBABLE
    /// 0.7, AT_RISK 0.4, LOST 0.1).
    async fn managers_call(&self) -> RevenueOutlookSide {
        RevenueOutlookSide {
            outlook: self.outlook.manager.clone(),
            currency: self.currency,
        }
    }
    /// The same outlook with each renewal weighed by the renewal model's likelihood to renew
    /// (`Renewal.likelihoodToRenew`), beside the managers' calls; or why the model cannot say.
    /// Read only when asked: it scores every renewal of the period. Null, with an error, when
    /// the model's side fails (a model fitted on other features must be fitted again), so the
    /// managers' side still answers.
    async fn model(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<RevenueOutlookByModel>> {
        let (s, who) = parts(ctx)?;
        let by_model = self
            .by_model
            .get_or_try_init(|| service::revenue_outlook::by_model(s, who, &self.outlook.book))
            .await?
            .clone();
        Ok(Some(RevenueOutlookByModel {
            by_model,
            currency: self.currency,
        }))
    }
}

#[derive(Default)]
pub struct RevenueOutlookQuery;

#[Object]
impl RevenueOutlookQuery {
    /// The revenue outlook of a period over a slice (every USD account when left out): the
    /// starting MRR, the churn, contraction and expansion expected from the renewals in play and
    /// the open opportunities that fall in the period, GRR and NRR forecasts with 10th–90th
    /// percentile bands, and the accounts that move the number most. Needs the money
    /// permission (FORBIDDEN for PRODUCT and VIEWER).
    async fn revenue_outlook(
        &self,
        ctx: &Context<'_>,
        period: PeriodInput,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<RevenueOutlookView> {
        let (s, who) = parts(ctx)?;
        let period = Period::new(period.from.0, period.to.0).map_err(ApiError::from)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        let outlook = service::revenue_outlook::outlook(s, who, &slice, period).await?;
        Ok(RevenueOutlookView {
            outlook,
            currency,
            by_model: tokio::sync::OnceCell::new(),
        })
    }
}
