//! The outlook's object types: a likelihood to renew and its reasons, a fitted model and its
//! backtest.

use async_graphql::{Enum, ID, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use tandem_domain::outlook::metrics::Metrics;
use tandem_domain::outlook::{self as rules, OutlookModel};

use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::Date;

/// What the renewal model looks at.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::outlook::features::Feature")]
pub enum OutlookFeature {
    /// The account's health score, 0–100.
    HealthScore,
    /// Its change over 30 days, in points.
    HealthChange30,
    /// Its change over 90 days, in points.
    HealthChange90,
    /// The usage component, 0–100.
    Usage,
    /// The adoption-breadth component, 0–100.
    AdoptionBreadth,
    /// The CSAT component, 0–100.
    Csat,
    /// The billing component, 0–100.
    Billing,
    /// The engagement-recency component, 0–100.
    EngagementRecency,
    /// The goal-attainment component, 0–100.
    GoalAttainment,
    /// NPS, −100–100.
    Nps,
    /// Open tickets weighed by priority (low 1 … urgent 8).
    SupportLoad,
    /// Active days in the last 30 less those in the 30 before.
    UsageTrend,
    /// Open low risks.
    OpenRisksLow,
    /// Open medium risks.
    OpenRisksMedium,
    /// Open high risks.
    OpenRisksHigh,
    /// Open critical risks.
    OpenRisksCritical,
    /// Engagement phases accepted in the last year.
    PhasesAccepted,
    /// How late phases ended against plan, in days on average.
    PhaseSlipDays,
    /// T&M hours as a percentage of approved services hours.
    TmShare,
    /// Months since the account started.
    TenureMonths,
    /// Served at the HIGH touch tier.
    TierHigh,
    /// Served at the MEDIUM touch tier.
    TierMedium,
    /// Served at the LOW touch tier.
    TierLow,
    /// Served at the TECH touch tier.
    TierTech,
}

/// One feature's part in a score.
pub struct OutlookReason(pub rules::Reason);

#[Object]
impl OutlookReason {
    /// The feature.
    async fn feature(&self) -> OutlookFeature {
        self.0.feature.into()
    }
    /// Its name for a person ("Health change over 90 days").
    async fn label(&self) -> &'static str {
        self.0.feature.label()
    }
    /// Its value for this renewal.
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// What it adds to the log-odds of renewing: positive helps, negative hurts.
    async fn log_odds(&self) -> f64 {
        self.0.log_odds
    }
    /// The value in words ("health fell 12 points in 90 days").
    async fn reading(&self) -> &str {
        &self.0.reading
    }
}

/// The model's probability that a renewal renews, with the reasons that moved it most.
pub struct LikelihoodScore {
    probability: f64,
    top: Vec<rules::Reason>,
    model_version: i32,
}

#[Object]
impl LikelihoodScore {
    /// The probability of renewing (a downgrade counts), 0–1.
    async fn probability(&self) -> f64 {
        self.probability
    }
    /// The features that moved it most, the largest first; a feature at its average (or
    /// without data) moves nothing and is not listed.
    async fn reasons(&self) -> Vec<OutlookReason> {
        self.top.iter().cloned().map(OutlookReason).collect()
    }
    /// The version of the model that scored it (`outlookModel(version:)`).
    async fn model_version(&self) -> i32 {
        self.model_version
    }
}

/// Too few closed renewals to learn from: a number would be a guess.
#[derive(SimpleObject)]
pub struct NotEnoughHistory {
    /// Renewals decided so far.
    pub closed: i32,
    /// Renewals that must be decided before the model answers
    /// (`TANDEM_OUTLOOK_MIN_CLOSED`).
    pub needed: i32,
}

impl NotEnoughHistory {
    pub(super) fn new(closed: usize, needed: usize) -> Self {
        NotEnoughHistory {
            closed: i32::try_from(closed).unwrap_or(i32::MAX),
            needed: i32::try_from(needed).unwrap_or(i32::MAX),
        }
    }
}

/// A renewal's likelihood to renew: a score, or not enough history yet.
#[derive(Union)]
pub enum LikelihoodToRenew {
    /// A probability, its reasons and the model's version.
    Score(LikelihoodScore),
    /// Too few closed renewals.
    NotEnoughHistory(NotEnoughHistory),
}

impl From<rules::LikelihoodToRenew> for LikelihoodToRenew {
    fn from(l: rules::LikelihoodToRenew) -> Self {
        match l {
            rules::LikelihoodToRenew::Score {
                probability,
                top,
                model_version,
            } => LikelihoodToRenew::Score(LikelihoodScore {
                probability,
                top,
                model_version,
            }),
            rules::LikelihoodToRenew::NotEnoughHistory { closed, needed } => {
                LikelihoodToRenew::NotEnoughHistory(NotEnoughHistory::new(closed, needed))
            }
        }
    }
}

/// One decile of predicted probability: how many renewals fell in it, what was predicted for
/// them on average and how many of them renewed.
#[derive(SimpleObject)]
pub struct CalibrationBin {
    /// 0 for 0–10 %, … 9 for 90–100 %.
    pub decile: i32,
    /// Renewals in it.
    pub count: i32,
    /// The mean predicted probability.
    pub mean_predicted: f64,
    /// The share that renewed.
    pub observed_rate: f64,
}

/// How well a set of predictions called renewals whose outcome is known.
pub struct ForecastGrade(Metrics);

#[Object]
impl ForecastGrade {
    /// Renewals graded.
    async fn count(&self) -> i32 {
        i32::try_from(self.0.count).unwrap_or(i32::MAX)
    }
    /// How many of them renewed.
    async fn renewed(&self) -> i32 {
        i32::try_from(self.0.renewed).unwrap_or(i32::MAX)
    }
    /// Area under the ROC curve: 0.5 is a coin, 1 ranks every renewal above every churn;
    /// `null` when the graded renewals had only one outcome.
    async fn auc(&self) -> Option<f64> {
        self.0.auc
    }
    /// Brier score: the mean squared gap between probability and outcome (lower is better);
    /// `null` with nothing graded.
    async fn brier(&self) -> Option<f64> {
        self.0.brier
    }
    /// Calibration by decile of predicted probability; empty deciles are left out.
    async fn calibration(&self) -> Vec<CalibrationBin> {
        self.0
            .calibration
            .iter()
            .map(|b| CalibrationBin {
                decile: i32::from(b.decile),
                count: i32::try_from(b.count).unwrap_or(i32::MAX),
                mean_predicted: b.mean_predicted,
                observed_rate: b.observed_rate,
            })
            .collect()
    }
}

/// How a model fitted on the older closed renewals called the most recent ones, beside the
/// manager's calls on the same renewals (COMMITTED 0.9, PROBABLE 0.7, AT_RISK 0.4, LOST 0.1).
pub struct OutlookBacktest<'a>(&'a rules::backtest::Backtest);

#[Object]
impl OutlookBacktest<'_> {
    /// Closed renewals the backtest's model was fitted on.
    async fn trained_on(&self) -> i32 {
        i32::try_from(self.0.trained_on).unwrap_or(i32::MAX)
    }
    /// The most recent closed renewals, held out and scored.
    async fn held_out(&self) -> i32 {
        i32::try_from(self.0.held_out).unwrap_or(i32::MAX)
    }
    /// The earliest decision among the held-out renewals.
    async fn held_out_from(&self) -> Date {
        Date(self.0.held_out_from)
    }
    /// The model's scores on every held-out renewal.
    async fn model(&self) -> ForecastGrade {
        ForecastGrade(self.0.model.clone())
    }
    /// The manager's calls at the snapshot, on the held-out renewals that had one.
    async fn manager(&self) -> ForecastGrade {
        ForecastGrade(self.0.manager.clone())
    }
    /// The model's scores on exactly the renewals the manager called: the like-for-like
    /// comparison with `manager`.
    async fn model_where_called(&self) -> ForecastGrade {
        ForecastGrade(self.0.model_where_called.clone())
    }
}

/// One feature's weight in a model.
#[derive(SimpleObject)]
pub struct OutlookWeight {
    /// The feature.
    pub feature: OutlookFeature,
    /// Its name for a person.
    pub label: &'static str,
    /// The change in log-odds for one standard deviation above the training mean.
    pub coefficient: f64,
    /// Its mean over the renewals the model was fitted on.
    pub mean: f64,
}

/// A fitted renewal model, with its backtest.
pub struct OutlookModelNode(pub Box<OutlookModel>);

#[Object(name = "OutlookModel")]
impl OutlookModelNode {
    /// The model's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::OutlookModel, self.0.id)
    }
    /// 1 for the first fit, one more for each refit.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was fitted.
    async fn fitted_at(&self) -> DateTime<Utc> {
        self.0.fitted_at
    }
    /// Who fitted it: a token's subject, `system` for the schedule.
    async fn fitted_by(&self) -> &str {
        &self.0.fitted_by
    }
    /// Closed renewals it learned from.
    async fn closed_renewals(&self) -> i32 {
        i32::try_from(self.0.closed_renewals).unwrap_or(i32::MAX)
    }
    /// The closed renewals it needed (`TANDEM_OUTLOOK_MIN_CLOSED` when it was fitted).
    async fn min_closed(&self) -> i32 {
        i32::try_from(self.0.settings.min_closed).unwrap_or(i32::MAX)
    }
    /// How the same fit, on the older renewals, called the most recent ones, beside the
    /// manager.
    async fn backtest(&self) -> OutlookBacktest<'_> {
        OutlookBacktest(&self.0.fitted.backtest)
    }
    /// Each feature's weight, the heaviest first.
    async fn weights(&self) -> Vec<OutlookWeight> {
        let m = &self.0.fitted.model;
        let mut out: Vec<OutlookWeight> = m
            .feature_names
            .iter()
            .zip(m.coefficients.iter().zip(&m.means))
            .filter_map(|(name, (c, mean))| {
                let f = name
                    .parse::<tandem_domain::outlook::features::Feature>()
                    .ok()?;
                Some(OutlookWeight {
                    feature: f.into(),
                    label: f.label(),
                    coefficient: *c,
                    mean: *mean,
                })
            })
            .collect();
        out.sort_by(|a, b| b.coefficient.abs().total_cmp(&a.coefficient.abs()));
        out
    }
}

/// What a refit gave: the new model, or not enough history (nothing stored).
#[derive(Union)]
pub enum RefitOutcome {
    /// The new version.
    Fitted(OutlookModelNode),
    /// Too few closed renewals.
    NotEnoughHistory(NotEnoughHistory),
}
