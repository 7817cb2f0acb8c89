//! Renewals and risks: each account's next renewal with its forecast and, once decided, its
//! outcome; and a log of what threatens the account, whose categories also name why an account
//! churned or downgraded, so that churn reasons can be counted.

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{AccountId, RenewalId, RiskId, TeamMemberId};
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// What kind of threat a risk is, and why an account churned or downgraded.
    pub enum RiskCategory {
        /// The product lacks something the customer needs.
        ProductGap = "PRODUCT_GAP",
        /// The customer is not adopting the product.
        Adoption = "ADOPTION",
        /// The customer's champion left.
        ChampionLeft = "CHAMPION_LEFT",
        /// Money is tight.
        Budget = "BUDGET",
        /// Support problems.
        Support = "SUPPORT",
        /// A competitor is circling.
        Competitor = "COMPETITOR",
    }
}

crate::text_enum! {
    /// How bad a risk is.
    pub enum RiskSeverity {
        /// Worth watching.
        Low = "LOW",
        /// Needs a plan.
        Medium = "MEDIUM",
        /// Threatens the renewal.
        High = "HIGH",
        /// The account is about to go.
        Critical = "CRITICAL",
    }
}

crate::text_enum! {
    /// Where a risk stands.
    pub enum RiskStatus {
        /// Raised, nothing done yet.
        Open = "OPEN",
        /// Being worked on.
        Mitigating = "MITIGATING",
        /// No longer a threat.
        Resolved = "RESOLVED",
    }
}

impl RiskStatus {
    /// Checks a move: open ↔ mitigating, either → resolved, resolved → open (it came back).
    pub fn check_move(self, next: RiskStatus) -> DomainResult<()> {
        use RiskStatus::*;
        match (self, next) {
            (a, b) if a == b => Err(DomainError::Conflict(format!("the risk is already {a}"))),
            (Resolved, Mitigating) => Err(DomainError::Conflict(
                "a resolved risk is reopened (OPEN) before it is mitigated again".to_owned(),
            )),
            _ => Ok(()),
        }
    }
}

/// A risk's editable fields, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskData {
    /// What kind of threat.
    pub category: RiskCategory,
    /// How bad.
    pub severity: RiskSeverity,
    /// A short name.
    pub title: String,
    /// What is going on.
    pub description: Option<String>,
    /// What is being done about it.
    pub mitigation_plan: Option<String>,
    /// Who owns the mitigation.
    pub owner_id: Option<TeamMemberId>,
}

impl RiskData {
    /// Validates a risk as a person typed it.
    pub fn validate(
        category: RiskCategory,
        severity: RiskSeverity,
        title: &str,
        description: Option<&str>,
        mitigation_plan: Option<&str>,
        owner_id: Option<TeamMemberId>,
    ) -> DomainResult<RiskData> {
        Ok(RiskData {
            category,
            severity,
            title: text::required("title", title, 200)?,
            description: text::optional("description", description, 5000)?,
            mitigation_plan: text::optional("mitigationPlan", mitigation_plan, 5000)?,
            owner_id,
        })
    }
}

/// A risk as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// Its id.
    pub id: RiskId,
    /// The account it threatens.
    pub account_id: AccountId,
    /// Its fields.
    pub data: RiskData,
    /// Where it stands.
    pub status: RiskStatus,
    /// Bumped on every change.
    pub version: i32,
    /// Who raised it.
    pub created_by: String,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

crate::text_enum! {
    /// How likely a renewal is.
    pub enum Likelihood {
        /// Signed or verbally committed.
        Committed = "COMMITTED",
        /// Expected.
        Probable = "PROBABLE",
        /// In doubt.
        AtRisk = "AT_RISK",
        /// Expected to be lost.
        Lost = "LOST",
    }
}

crate::text_enum! {
    /// How a renewal ended.
    pub enum RenewalOutcome {
        /// Renewed, at the new ARR.
        Renewed = "RENEWED",
        /// Renewed for less.
        Downgraded = "DOWNGRADED",
        /// Not renewed.
        Churned = "CHURNED",
    }
}

/// A renewal's forecast, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalData {
    /// When the contract renews.
    pub renews_on: NaiveDate,
    /// The ARR expected after it, in minor units of the account's currency.
    pub forecast_arr: i64,
    /// How likely it is.
    pub likelihood: Likelihood,
    /// Who owns it.
    pub owner_id: Option<TeamMemberId>,
    /// Notes.
    pub notes: Option<String>,
}

impl RenewalData {
    /// Validates a forecast as a person typed it.
    pub fn validate(
        renews_on: NaiveDate,
        forecast_arr: i64,
        likelihood: Likelihood,
        owner_id: Option<TeamMemberId>,
        notes: Option<&str>,
    ) -> DomainResult<RenewalData> {
        if forecast_arr < 0 {
            return Err(DomainError::invalid(
                "forecastArrMinor",
                "must not be negative",
            ));
        }
        Ok(RenewalData {
            renews_on,
            forecast_arr,
            likelihood,
            owner_id,
            notes: text::optional("notes", notes, 5000)?,
        })
    }
}

/// A decided renewal's outcome, validated.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// How it ended.
    pub outcome: RenewalOutcome,
    /// The ARR after it (0 for a churn).
    pub new_arr: i64,
    /// Why it churned or downgraded.
    pub reason: Option<RiskCategory>,
    /// The day it was decided.
    pub decided_on: NaiveDate,
}

impl Decision {
    /// Checks an outcome against the ARR before it (`arr_before`): a renewal names its new ARR;
    /// a downgrade a smaller one and its reason; a churn its reason (and no ARR).
    pub fn validate(
        outcome: RenewalOutcome,
        new_arr: Option<i64>,
        reason: Option<RiskCategory>,
        decided_on: NaiveDate,
        arr_before: i64,
    ) -> DomainResult<Decision> {
        let new_arr = match (outcome, new_arr) {
            (RenewalOutcome::Churned, None | Some(0)) => 0,
            (RenewalOutcome::Churned, Some(_)) => {
                return Err(DomainError::invalid(
                    "newArrMinor",
                    "a churned renewal has no new ARR; leave it out",
                ));
            }
            (_, None) => {
                return Err(DomainError::invalid(
                    "newArrMinor",
                    format!("a {outcome} renewal names its new ARR"),
                ));
            }
            (_, Some(arr)) if arr <= 0 => {
                return Err(DomainError::invalid(
                    "newArrMinor",
                    "must be above 0 (a renewal at 0 is a churn)",
                ));
            }
            (RenewalOutcome::Downgraded, Some(arr)) if arr >= arr_before => {
                return Err(DomainError::invalid(
                    "newArrMinor",
                    format!(
                        "a downgrade's new ARR must be below the ARR before it ({arr_before} minor units)"
                    ),
                ));
            }
            (_, Some(arr)) => arr,
        };
        let reason = match (outcome, reason) {
            (RenewalOutcome::Renewed, Some(_)) => {
                return Err(DomainError::invalid(
                    "reason",
                    "a renewed renewal has no churn reason; leave it out",
                ));
            }
            (RenewalOutcome::Renewed, None) => None,
            (_, None) => {
                return Err(DomainError::invalid(
                    "reason",
                    format!("a {outcome} renewal names its reason, one of the risk categories"),
                ));
            }
            (_, r) => r,
        };
        Ok(Decision {
            outcome,
            new_arr,
            reason,
            decided_on,
        })
    }
}

/// A renewal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Renewal {
    /// Its id.
    pub id: RenewalId,
    /// The account renewing.
    pub account_id: AccountId,
    /// Its forecast.
    pub data: RenewalData,
    /// Its outcome, once decided.
    pub decision: Option<Decision>,
    /// The ARR when it was decided.
    pub arr_at_decision: Option<i64>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One pipeline cell: renewals in play in a month at a likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineRow {
    /// `YYYY-MM`.
    pub month: String,
    /// The likelihood.
    pub likelihood: Likelihood,
    /// How many renewals.
    pub renewals: i64,
    /// Their ARR today (12 × MRR).
    pub current_arr: i64,
    /// Their forecast ARR.
    pub forecast_arr: i64,
}

/// Churn and downgrade reasons counted over renewals decided from `from` to `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonRow {
    /// The reason.
    pub reason: RiskCategory,
    /// Churned or downgraded.
    pub outcome: RenewalOutcome,
    /// How many renewals.
    pub renewals: i64,
    /// ARR lost: before the decision minus after it.
    pub lost_arr: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn outcomes_carry_what_they_need() {
        use RenewalOutcome::*;
        let renewed = Decision::validate(Renewed, Some(120_000), None, day(), 100_000).unwrap();
        assert_eq!(renewed.new_arr, 120_000);
        assert!(Decision::validate(Renewed, None, None, day(), 100_000).is_err());
        assert!(
            Decision::validate(Renewed, Some(1), Some(RiskCategory::Budget), day(), 1).is_err()
        );
        let down = Decision::validate(
            Downgraded,
            Some(80_000),
            Some(RiskCategory::Budget),
            day(),
            100_000,
        )
        .unwrap();
        assert_eq!(down.reason, Some(RiskCategory::Budget));
        assert!(
            Decision::validate(
                Downgraded,
                Some(100_000),
                Some(RiskCategory::Budget),
                day(),
                100_000
            )
            .is_err()
        );
        assert!(Decision::validate(Downgraded, Some(80_000), None, day(), 100_000).is_err());
        let churn = Decision::validate(
            Churned,
            None,
            Some(RiskCategory::Competitor),
            day(),
            100_000,
        )
        .unwrap();
        assert_eq!(churn.new_arr, 0);
        assert!(
            Decision::validate(Churned, Some(5), Some(RiskCategory::Budget), day(), 9).is_err()
        );
        assert!(Decision::validate(Churned, None, None, day(), 9).is_err());
    }

    #[test]
    fn risks_move_sensibly() {
        use RiskStatus::*;
        assert!(Open.check_move(Mitigating).is_ok());
        assert!(Mitigating.check_move(Resolved).is_ok());
        assert!(Resolved.check_move(Open).is_ok());
        assert!(Resolved.check_move(Mitigating).is_err());
        assert!(Open.check_move(Open).is_err());
    }
}
