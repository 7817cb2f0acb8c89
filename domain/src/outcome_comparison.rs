//! The portfolio outcome comparison: over one period and one slice of accounts, those with a
//! phase accepted in the period beside those without, and goals linked to phases beside the
//! rest. A comparison, not a causal claim; `metrics` turns its sums into ratios.

use crate::metrics::PeriodMovements;

/// One side of the comparison: the slice's accounts with (or without) a phase accepted in the
/// period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Side {
    /// Accounts of the slice on this side, paying or not.
    pub accounts: i64,
    /// Phases accepted in the period on those accounts (0 on the side without).
    pub accepted_phases: i64,
    /// The side's revenue cohort (accounts paying at the period's start) and its movements.
    pub movements: PeriodMovements,
    /// Approved hours logged in the period on the side's statements of work, in hundredths.
    pub hours: i64,
    /// Of those, hours logged as time and materials.
    pub tm_hours: i64,
}

/// The goals of one kind (linked to a phase, or not) that came due in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoalTally {
    /// Goals counted: not archived, due in the period (or, without a due date, achieved in it).
    pub goals: i64,
    /// Of those, achieved.
    pub achieved: i64,
    /// Of those, marked missed.
    pub missed: i64,
}

/// The whole comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comparison {
    /// Accounts with at least one phase accepted in the period.
    pub with_accepted: Side,
    /// Accounts with none.
    pub without_accepted: Side,
    /// Goals served by at least one phase.
    pub linked_goals: GoalTally,
    /// Goals no phase serves.
    pub unlinked_goals: GoalTally,
}
