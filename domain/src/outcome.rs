//! Outcomes: what followed a phase's acceptance on its account — health at acceptance and 30,
//! 60 and 90 days later, and the account's MRR movements in the 90 days after.
//!
//! These are comparisons over time, not causal claims: a renewal, a price change or a new
//! champion moves the same figures. They are here so that services and customer success look at
//! the same numbers when they ask whether a phase delivered what it promised.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::engagement::{Phase, PhaseStatus};
use crate::health::HealthStatus;
use crate::ids::{AccountId, GoalId, PhaseId};
use crate::money::Currency;
use crate::signals::RevenueKind;
use crate::{DomainError, DomainResult, text};

/// The most goals one phase may serve.
pub const MAX_GOALS_PER_PHASE: usize = 20;

/// The days after acceptance at which health is compared with health at acceptance.
pub const HEALTH_CHECKPOINTS: [u64; 3] = [30, 60, 90];

/// How many days after acceptance the account's MRR movements are summed.
pub const REVENUE_WINDOW_DAYS: u64 = 90;

/// Checks the value a phase realised, as the team writes it: 1 to 2,000 characters.
pub fn realised_value(field: &str, value: &str) -> DomainResult<String> {
    text::required(field, value, 2000)
}

/// The goals a phase is to serve, as given: sorted (the first is the one the single-goal
/// `Phase.goal` shows), without repeats, at most [`MAX_GOALS_PER_PHASE`].
pub fn goal_set(field: &str, mut goals: Vec<GoalId>) -> DomainResult<Vec<GoalId>> {
    goals.sort();
    goals.dedup();
    if goals.len() > MAX_GOALS_PER_PHASE {
        return Err(DomainError::invalid(
            field,
            format!(
                "names {} goals; a phase serves at most {MAX_GOALS_PER_PHASE}",
                goals.len()
            ),
        ));
    }
    Ok(goals)
}

/// A realised value belongs to an accepted phase: before acceptance nothing is realised yet.
pub fn ensure_accepted(phase: &Phase) -> DomainResult<()> {
    if phase.status == PhaseStatus::Accepted {
        return Ok(());
    }
    Err(DomainError::Conflict(format!(
        "phase '{}' is {}; its realised value is recorded once the customer accepts it",
        phase.data.name, phase.status
    )))
}

/// A realised value given with a status change is kept only when the change is acceptance.
pub fn check_realised_with(next: PhaseStatus, value: Option<&str>) -> DomainResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(_) if next != PhaseStatus::Accepted => Err(DomainError::invalid(
            "realisedValue",
            format!("is recorded on acceptance, not on a move to {next}"),
        )),
        Some(v) => realised_value("realisedValue", v).map(Some),
    }
}

/// The days after `accepted_on` whose health can be read on `today`: 0 (acceptance itself)
/// and each checkpoint that has been reached. A checkpoint is reached on its day.
pub fn health_days(accepted_on: NaiveDate, today: NaiveDate) -> Vec<u64> {
    std::iter::once(0)
        .chain(
            HEALTH_CHECKPOINTS
                .into_iter()
                .filter(|d| accepted_on.checked_add_days(Days::new(*d)) <= Some(today)),
        )
        .collect()
}

/// The score that stands for `days` after `accepted_on` is the latest one computed on or
/// before that day: any time before the start of the next day (UTC), which this returns.
pub fn score_cutoff(accepted_on: NaiveDate, days: u64) -> DateTime<Utc> {
    let day = accepted_on
        .checked_add_days(Days::new(days + 1))
        .unwrap_or(NaiveDate::MAX);
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The days whose revenue movements follow an acceptance: effective after `after` and up to
/// `through`, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevenueWindow {
    /// The day of acceptance (not counted: movements on it came before or with it).
    pub after: NaiveDate,
    /// The last day counted: 90 days after acceptance, or `today` while that is still ahead.
    pub through: NaiveDate,
    /// Whether the whole 90 days have passed.
    pub complete: bool,
}

/// The revenue window of a phase accepted on `accepted_on`, as it stands on `today`: movements
/// dated in the future are not counted yet.
pub fn revenue_window(accepted_on: NaiveDate, today: NaiveDate) -> RevenueWindow {
    let end = accepted_on
        .checked_add_days(Days::new(REVENUE_WINDOW_DAYS))
        .unwrap_or(NaiveDate::MAX);
    RevenueWindow {
        after: accepted_on,
        through: end.min(today.max(accepted_on)),
        complete: today >= end,
    }
}

/// An account's MRR movements over a window, split by direction (minor units, all
/// non-negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MrrMovement {
    /// MRR gained: expansions, reactivations and new revenue.
    pub expansion: i64,
    /// MRR lost by a customer who stays.
    pub contraction: i64,
    /// MRR lost by a customer who leaves.
    pub churn: i64,
}

impl MrrMovement {
    /// Adds the (signed) sum of the movements of one `kind`. Every gain counts as expansion —
    /// new revenue and reactivations included — so that the net movement is exactly the
    /// change in MRR over the window.
    pub fn add(&mut self, kind: RevenueKind, signed: i64) {
        match kind {
            RevenueKind::New | RevenueKind::Expansion | RevenueKind::Reactivation => {
                self.expansion += signed
            }
            RevenueKind::Contraction => self.contraction -= signed,
            RevenueKind::Churn => self.churn -= signed,
        }
    }

    /// Expansion − contraction − churn: the change in MRR over the window.
    pub fn net(&self) -> i64 {
        self.expansion - self.contraction - self.churn
    }
}

/// An accepted phase, as its outcome figures need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AcceptedPhase {
    /// The phase.
    pub phase: PhaseId,
    /// Its engagement's account.
    pub account: AccountId,
    /// The day the customer accepted it.
    pub accepted_on: NaiveDate,
}

/// A stored health score, as an outcome shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScorePoint {
    /// The score, 0 to 100.
    pub score: f64,
    /// What it meant under its model.
    pub status: HealthStatus,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

/// An account's MRR movements after a phase's acceptance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RevenueOutcome {
    /// The days summed.
    pub window: RevenueWindow,
    /// The movements, by direction.
    pub movement: MrrMovement,
    /// The account's currency.
    pub currency: Currency,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn health_checkpoints_appear_on_their_day() {
        let accepted = day(1, 1);
        let cases = [
            (day(1, 1), vec![0]),
            (day(1, 30), vec![0]),
            (day(1, 31), vec![0, 30]),
            (day(3, 1), vec![0, 30]),
            (day(3, 2), vec![0, 30, 60]),
            (day(3, 31), vec![0, 30, 60]),
            (day(4, 1), vec![0, 30, 60, 90]),
            (day(12, 31), vec![0, 30, 60, 90]),
        ];
        for (today, expected) in cases {
            assert_eq!(health_days(accepted, today), expected, "on {today}");
        }
    }

    #[test]
    fn a_score_counts_for_a_day_until_its_end() {
        assert_eq!(
            score_cutoff(day(1, 1), 0).to_rfc3339(),
            "2026-01-02T00:00:00+00:00"
        );
        assert_eq!(
            score_cutoff(day(1, 1), 30).to_rfc3339(),
            "2026-02-01T00:00:00+00:00"
        );
    }

    #[test]
    fn the_revenue_window_is_partial_until_ninety_days_have_passed() {
        let accepted = day(1, 1);
        assert_eq!(
            revenue_window(accepted, day(2, 15)),
            RevenueWindow {
                after: accepted,
                through: day(2, 15),
                complete: false
            }
        );
        assert_eq!(
            revenue_window(accepted, day(4, 1)),
            RevenueWindow {
                after: accepted,
                through: day(4, 1),
                complete: true
            }
        );
        assert_eq!(revenue_window(accepted, day(9, 1)).through, day(4, 1));
        // Accepted "today": nothing after it yet.
        assert_eq!(revenue_window(accepted, accepted).through, accepted);
    }

    #[test]
    fn movements_split_by_direction_and_net_to_the_mrr_change() {
        let mut m = MrrMovement::default();
        m.add(RevenueKind::Expansion, 20_000);
        m.add(RevenueKind::Reactivation, 5_000);
        m.add(RevenueKind::New, 1_000);
        m.add(RevenueKind::Contraction, -3_000);
        m.add(RevenueKind::Churn, -23_000);
        assert_eq!(
            m,
            MrrMovement {
                expansion: 26_000,
                contraction: 3_000,
                churn: 23_000
            }
        );
        assert_eq!(m.net(), 0);
        assert_eq!(MrrMovement::default().net(), 0);
    }

    #[test]
    fn a_goal_set_is_sorted_without_repeats_and_bounded() {
        let a = GoalId(uuid::Uuid::from_u128(1));
        let b = GoalId(uuid::Uuid::from_u128(2));
        assert_eq!(goal_set("goalIds", vec![b, a, b]).unwrap(), vec![a, b]);
        assert_eq!(goal_set("goalIds", vec![]).unwrap(), vec![]);
        let many = (0..21).map(|i| GoalId(uuid::Uuid::from_u128(i))).collect();
        assert!(goal_set("goalIds", many).is_err());
    }

    #[test]
    fn a_realised_value_comes_with_acceptance_only() {
        assert_eq!(check_realised_with(PhaseStatus::Delivered, None), Ok(None));
        assert!(check_realised_with(PhaseStatus::Delivered, Some("x")).is_err());
        assert_eq!(
            check_realised_with(PhaseStatus::Accepted, Some(" +4 % AOV ")),
            Ok(Some("+4 % AOV".to_owned()))
        );
    }

    #[test]
    fn a_realised_value_is_required_text() {
        assert!(realised_value("realisedValue", "  ").is_err());
        assert_eq!(
            realised_value("realisedValue", " Checkout conversion 2.1 % → 2.6 % ").unwrap(),
            "Checkout conversion 2.1 % → 2.6 %"
        );
        assert!(realised_value("realisedValue", &"x".repeat(2001)).is_err());
    }
}
