//! Opportunities: the revenue a team expects to win or keep on an account — a renewal, an
//! upsell, a downsell, a cross-sell or a services follow-on — moving through configurable,
//! ordered stages until it is won or lost.
//!
//! The rules here are the whole of what an opportunity may hold: the sign of its MRR delta per
//! kind, the one-off services value a follow-on carries, a probability between 0 and 1, and a
//! status that leaves OPEN once and for good. What a win does to revenue is decided here too
//! ([`revenue_on_win`]); storage only carries it out.

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{
    AccountId, GoalId, OpportunityId, OpportunityStageId, PhaseId, RevenueEventId, SowId,
    TeamMemberId,
};
use crate::signals::RevenueKind;
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// What kind of revenue an opportunity is about.
    pub enum OpportunityKind {
        /// Keeping the contract at its renewal (its MRR delta is the uplift, 0 when flat).
        Renewal = "RENEWAL",
        /// More of what the account already buys.
        Upsell = "UPSELL",
        /// Less of it: a smaller contract rather than a churn.
        Downsell = "DOWNSELL",
        /// Another product.
        CrossSell = "CROSS_SELL",
        /// More services work after a phase or an engagement: one-off revenue.
        ServicesFollowOn = "SERVICES_FOLLOW_ON",
    }
}

crate::text_enum! {
    /// Where an opportunity stands: OPEN until it is WON or LOST, which are final.
    pub enum OpportunityStatus {
        /// In play.
        Open = "OPEN",
        /// Won.
        Won = "WON",
        /// Lost.
        Lost = "LOST",
    }
}

/// A probability between 0 and 1, inclusive.
pub fn probability(field: &str, p: f64) -> DomainResult<f64> {
    if !p.is_finite() || !(0.0..=1.0).contains(&p) {
        return Err(DomainError::invalid(
            field,
            format!("{p} is not a probability; give a number from 0 to 1 (0.25 for 25%)"),
        ));
    }
    Ok(p)
}

/// A stage of the pipeline, as configured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// Its id.
    #[serde(skip)]
    pub id: OpportunityStageId,
    /// Its name, unique.
    pub name: String,
    /// Its place in the pipeline, unique; lower comes first.
    pub position: i32,
    /// The probability an opportunity in it closes won, unless the opportunity overrides it.
    pub default_probability: f64,
    /// Bumped on every change.
    #[serde(skip)]
    pub version: i32,
}

impl Stage {
    /// Validates a stage as an administrator typed it.
    pub fn validate(
        id: OpportunityStageId,
        name: &str,
        position: i32,
        default_probability: f64,
        version: i32,
    ) -> DomainResult<Stage> {
        if !(0..=1000).contains(&position) {
            return Err(DomainError::invalid("position", "must be from 0 to 1000"));
        }
        Ok(Stage {
            id,
            name: text::required("name", name, 100)?,
            position,
            default_probability: probability("defaultProbability", default_probability)?,
            version,
        })
    }
}

/// An opportunity's editable fields, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpportunityData {
    /// What kind of revenue.
    pub kind: OpportunityKind,
    /// A short name; a services follow-on's drafted SOW takes it.
    pub title: String,
    /// The change in MRR if it is won, in minor units of the account's currency: positive for
    /// an upsell or cross-sell, negative for a downsell, 0 for a services follow-on, 0 or more
    /// for a renewal (its uplift).
    pub mrr_delta_minor: i64,
    /// One-off services value, in minor units: required for a services follow-on.
    pub services_value_minor: i64,
    /// The probability it closes won, overriding its stage's default.
    pub probability: Option<f64>,
    /// When it is expected to close.
    pub expected_close_on: NaiveDate,
    /// Who owns it.
    pub owner_id: Option<TeamMemberId>,
    /// The success-plan goal that motivated it.
    pub goal_id: Option<GoalId>,
    /// The engagement phase whose outcome motivated it.
    pub phase_id: Option<PhaseId>,
}

impl OpportunityData {
    /// Checks the amounts against the kind, and the rest of the fields.
    pub fn validate(self) -> DomainResult<OpportunityData> {
        use OpportunityKind::*;
        let d = self.mrr_delta_minor;
        let field = "mrrDeltaMinor";
        match self.kind {
            Upsell | CrossSell if d <= 0 => {
                return Err(DomainError::invalid(
                    field,
                    format!("an {} adds MRR: give a positive delta", self.kind),
                ));
            }
            Downsell if d >= 0 => {
                return Err(DomainError::invalid(
                    field,
                    "a DOWNSELL takes MRR away: give a negative delta",
                ));
            }
            ServicesFollowOn if d != 0 => {
                return Err(DomainError::invalid(
                    field,
                    "a SERVICES_FOLLOW_ON is one-off revenue: leave the MRR delta at 0 and give servicesValueMinor",
                ));
            }
            Renewal if d < 0 => {
                return Err(DomainError::invalid(
                    field,
                    "a RENEWAL's delta is its uplift (0 when flat); a smaller renewal is a DOWNSELL",
                ));
            }
            _ => {}
        }
        if self.services_value_minor < 0 {
            return Err(DomainError::invalid(
                "servicesValueMinor",
                "must not be negative",
            ));
        }
        if self.kind == ServicesFollowOn && self.services_value_minor == 0 {
            return Err(DomainError::invalid(
                "servicesValueMinor",
                "a SERVICES_FOLLOW_ON carries its one-off services value: give more than 0",
            ));
        }
        if let Some(p) = self.probability {
            probability("probability", p)?;
        }
        Ok(OpportunityData {
            title: text::required("title", &self.title, 200)?,
            ..self
        })
    }
}

/// How an opportunity was closed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Closing {
    /// WON or LOST.
    pub status: OpportunityStatus,
    /// Why it was won or lost (required when lost).
    pub reason: Option<String>,
    /// The day it closed.
    pub closed_on: NaiveDate,
}

impl Closing {
    /// A win, with an optional reason.
    pub fn won(reason: Option<&str>, closed_on: NaiveDate) -> DomainResult<Closing> {
        Ok(Closing {
            status: OpportunityStatus::Won,
            reason: text::optional("reason", reason, 2000)?,
            closed_on,
        })
    }

    /// A loss, which names its reason.
    pub fn lost(reason: &str, closed_on: NaiveDate) -> DomainResult<Closing> {
        let reason = text::required("reason", reason, 2000).map_err(|_| {
            DomainError::invalid(
                "reason",
                "a lost opportunity says why it was lost (1 to 2000 characters)",
            )
        })?;
        Ok(Closing {
            status: OpportunityStatus::Lost,
            reason: Some(reason),
            closed_on,
        })
    }
}

/// An opportunity as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    /// Its id.
    pub id: OpportunityId,
    /// The account it is with.
    pub account_id: AccountId,
    /// Its fields.
    pub data: OpportunityData,
    /// The stage it is in.
    pub stage_id: OpportunityStageId,
    /// Where it stands.
    pub status: OpportunityStatus,
    /// Why it was won or lost.
    pub close_reason: Option<String>,
    /// The day it was won or lost.
    pub closed_on: Option<NaiveDate>,
    /// The revenue movement its win recorded (upsell, cross-sell, downsell).
    pub revenue_event_id: Option<RevenueEventId>,
    /// The SOW its win drafted (services follow-on).
    pub sow_id: Option<SowId>,
    /// Bumped on every change.
    pub version: i32,
    /// Who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Opportunity {
    /// Refuses a change to a closed opportunity: WON and LOST are final.
    pub fn ensure_open(&self) -> DomainResult<()> {
        if self.status != OpportunityStatus::Open {
            return Err(DomainError::Conflict(format!(
                "opportunity '{}' is {}; a closed opportunity does not change (open a new one instead)",
                self.data.title, self.status
            )));
        }
        Ok(())
    }

    /// The opportunity moved to `stage`.
    pub fn moved(&self, stage: &Stage) -> DomainResult<Opportunity> {
        self.ensure_open()?;
        if stage.id == self.stage_id {
            return Err(DomainError::Conflict(format!(
                "opportunity '{}' is already in stage '{}'",
                self.data.title, stage.name
            )));
        }
        Ok(Opportunity {
            stage_id: stage.id,
            ..self.clone()
        })
    }

    /// The opportunity closed as `closing` says.
    pub fn closed(&self, closing: Closing) -> DomainResult<Opportunity> {
        self.ensure_open()?;
        Ok(Opportunity {
            status: closing.status,
            close_reason: closing.reason,
            closed_on: Some(closing.closed_on),
            ..self.clone()
        })
    }

    /// Its probability of closing won: its own override, else its stage's default.
    pub fn probability(&self, stage_default: f64) -> f64 {
        self.data.probability.unwrap_or(stage_default)
    }
}

/// The revenue movement a won opportunity records: its kind and its unsigned amount (as
/// [`crate::signals::signed_movement`] takes it), or `None` when a win moves no MRR (a renewal,
/// whose revenue continues through billing and `decideRenewal`, and a services follow-on,
/// which drafts a SOW instead). An upsell or cross-sell is an EXPANSION of a paying account,
/// NEW revenue of one that never paid and a REACTIVATION of one that churned; a downsell is a
/// CONTRACTION (refused by the revenue rules when it would take the MRR to zero: that is a
/// churn).
pub fn revenue_on_win(
    data: &OpportunityData,
    mrr_before: i64,
    ever_paid: bool,
) -> Option<(RevenueKind, i64)> {
    use OpportunityKind::*;
    match data.kind {
        Upsell | CrossSell => {
            let kind = if mrr_before > 0 {
                RevenueKind::Expansion
            } else if ever_paid {
                RevenueKind::Reactivation
            } else {
                RevenueKind::New
            };
            Some((kind, data.mrr_delta_minor))
        }
        Downsell => Some((RevenueKind::Contraction, -data.mrr_delta_minor)),
        Renewal | ServicesFollowOn => None,
    }
}

/// An open opportunity as the revenue outlook reads it: what it is worth, how likely it is and
/// when it should close.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOpportunity {
    /// Its id.
    pub id: OpportunityId,
    /// The account.
    pub account_id: AccountId,
    /// What kind of revenue.
    pub kind: OpportunityKind,
    /// The MRR delta if won, in minor units.
    pub mrr_delta_minor: i64,
    /// The one-off services value if won, in minor units.
    pub services_value_minor: i64,
    /// Its probability: its override, else its stage's default.
    pub probability: f64,
    /// When it should close.
    pub expected_close_on: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use OpportunityKind::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn data(kind: OpportunityKind, mrr: i64, services: i64) -> OpportunityData {
        OpportunityData {
            kind,
            title: " Add the EU store ".into(),
            mrr_delta_minor: mrr,
            services_value_minor: services,
            probability: None,
            expected_close_on: day(),
            owner_id: None,
            goal_id: None,
            phase_id: None,
        }
    }

    fn stage(p: f64) -> Stage {
        Stage::validate(OpportunityStageId::new(), "Propose", 30, p, 1).unwrap()
    }

    fn open() -> Opportunity {
        Opportunity {
            id: OpportunityId::new(),
            account_id: AccountId::new(),
            data: data(Upsell, 10_000, 0).validate().unwrap(),
            stage_id: OpportunityStageId::new(),
            status: OpportunityStatus::Open,
            close_reason: None,
            closed_on: None,
            revenue_event_id: None,
            sow_id: None,
            version: 1,
            created_by: "t".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn amounts_take_the_sign_of_their_kind() {
        let table: &[(OpportunityKind, i64, i64, Option<&str>)] = &[
            (Upsell, 100, 0, None),
            (Upsell, 100, 5_000, None),
            (Upsell, 0, 0, Some("mrrDeltaMinor")),
            (CrossSell, -1, 0, Some("mrrDeltaMinor")),
            (Downsell, -100, 0, None),
            (Downsell, 100, 0, Some("mrrDeltaMinor")),
            (Renewal, 0, 0, None),
            (Renewal, 50, 0, None),
            (Renewal, -50, 0, Some("mrrDeltaMinor")),
            (ServicesFollowOn, 0, 9_000, None),
            (ServicesFollowOn, 0, 0, Some("servicesValueMinor")),
            (ServicesFollowOn, 10, 9_000, Some("mrrDeltaMinor")),
            (Upsell, 100, -1, Some("servicesValueMinor")),
        ];
        for (kind, mrr, services, refused) in table {
            let got = data(*kind, *mrr, *services).validate();
            match (refused, got) {
                (None, Ok(d)) => assert_eq!(d.title, "Add the EU store"),
                (Some(field), Err(DomainError::Invalid { field: f, .. })) => {
                    assert_eq!(f, *field, "{kind} {mrr} {services}")
                }
                (want, got) => panic!("{kind} {mrr} {services}: wanted {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_probability_is_between_zero_and_one() {
        for p in [0.0, 0.5, 1.0] {
            assert!(probability("p", p).is_ok());
        }
        for p in [-0.1, 1.01, f64::NAN, f64::INFINITY] {
            assert!(probability("p", p).is_err());
        }
        let mut d = data(Upsell, 1, 0);
        d.probability = Some(1.5);
        assert!(d.validate().is_err());
        assert!(Stage::validate(OpportunityStageId::new(), "X", 1, 2.0, 1).is_err());
        assert!(Stage::validate(OpportunityStageId::new(), " ", 1, 0.2, 1).is_err());
    }

    #[test]
    fn the_stage_default_applies_unless_overridden() {
        let mut o = open();
        assert_eq!(o.probability(0.25), 0.25);
        o.data.probability = Some(0.9);
        assert_eq!(o.probability(0.25), 0.9);
    }

    #[test]
    fn a_lost_opportunity_names_its_reason_and_closing_sets_the_day() {
        assert!(Closing::lost("  ", day()).is_err());
        let lost = open()
            .closed(Closing::lost("Budget frozen", day()).unwrap())
            .unwrap();
        assert_eq!(lost.status, OpportunityStatus::Lost);
        assert_eq!(lost.closed_on, Some(day()));
        assert_eq!(lost.close_reason.as_deref(), Some("Budget frozen"));
        let won = open().closed(Closing::won(None, day()).unwrap()).unwrap();
        assert_eq!(
            (won.status, won.close_reason),
            (OpportunityStatus::Won, None)
        );
    }

    #[test]
    fn only_an_open_opportunity_closes_or_moves() {
        let won = open().closed(Closing::won(None, day()).unwrap()).unwrap();
        assert!(matches!(
            won.closed(Closing::lost("x", day()).unwrap()),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            won.moved(&stage(0.5)),
            Err(DomainError::Conflict(_))
        ));
        let o = open();
        let s = stage(0.5);
        let moved = o.moved(&s).unwrap();
        assert_eq!(moved.stage_id, s.id);
        assert!(matches!(moved.moved(&s), Err(DomainError::Conflict(_))));
    }

    #[test]
    fn a_win_moves_revenue_as_its_kind_says() {
        let up = data(Upsell, 100, 0);
        assert_eq!(
            revenue_on_win(&up, 1_000, true),
            Some((RevenueKind::Expansion, 100))
        );
        assert_eq!(revenue_on_win(&up, 0, false), Some((RevenueKind::New, 100)));
        assert_eq!(
            revenue_on_win(&up, 0, true),
            Some((RevenueKind::Reactivation, 100))
        );
        assert_eq!(
            revenue_on_win(&data(Downsell, -40, 0), 1_000, true),
            Some((RevenueKind::Contraction, 40))
        );
        assert_eq!(revenue_on_win(&data(Renewal, 10, 0), 1_000, true), None);
        assert_eq!(
            revenue_on_win(&data(ServicesFollowOn, 0, 10), 1_000, true),
            None
        );
    }
}
