//! An engagement's outcome: how long it took to deliver its first accepted value, what it cost in
//! hours (and how much of that was time and materials), and how the account's MRR moved in the
//! 90 days after each accepted phase — each movement counted once, however many of those
//! windows it falls in.
//!
//! Like a phase's outcome, these are comparisons over time, not causal claims: a renewal, a
//! price change or a new champion moves the same MRR.

use chrono::NaiveDate;

use crate::ids::{AccountId, EngagementId};
use crate::money::Currency;
use crate::outcome::{MrrMovement, RevenueWindow, revenue_window};
use crate::sow::LoggedTime;

/// Days from an engagement's start to its first accepted phase: its time to first value. `None`
/// until a phase is accepted, or when no phase has a recorded start.
pub fn time_to_first_value(
    started_on: Option<NaiveDate>,
    first_accepted_on: Option<NaiveDate>,
) -> Option<i64> {
    Some((first_accepted_on? - started_on?).num_days())
}

/// The days whose revenue movements follow at least one of an engagement's acceptances: the
/// union of the phases' [`revenue_window`]s, as disjoint spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowUnion {
    /// Disjoint spans, oldest first: each counts the days after its `after` up to its
    /// `through`, inclusive. Windows that overlap or touch are merged, so a movement falls in
    /// at most one span. Empty spans (a phase accepted today) are left out.
    pub spans: Vec<RevenueWindow>,
    /// Whether every window has run its full 90 days.
    pub complete: bool,
}

impl WindowUnion {
    /// How many days the spans cover.
    pub fn days(&self) -> i64 {
        self.spans
            .iter()
            .map(|s| (s.through - s.after).num_days())
            .sum()
    }
}

/// The union of the revenue windows of phases accepted on `accepted` (in any order, repeats
/// allowed), as it stands on `today`; `None` without an accepted phase.
pub fn window_union(accepted: &[NaiveDate], today: NaiveDate) -> Option<WindowUnion> {
    let mut windows: Vec<RevenueWindow> =
        accepted.iter().map(|d| revenue_window(*d, today)).collect();
    if windows.is_empty() {
        return None;
    }
    let complete = windows.iter().all(|w| w.complete);
    windows.sort_by_key(|w| w.after);
    let mut spans: Vec<RevenueWindow> = Vec::with_capacity(windows.len());
    for w in windows.into_iter().filter(|w| w.through > w.after) {
        match spans.last_mut() {
            // (a, b] and (c, d] with c <= b share or adjoin days: one span (a, max(b, d)].
            Some(last) if w.after <= last.through => {
                last.through = last.through.max(w.through);
                last.complete = last.complete && w.complete;
            }
            _ => spans.push(w),
        }
    }
    Some(WindowUnion { spans, complete })
}

/// `part` as a percentage of `whole`, to the hundredth (half up, in integer arithmetic, as the
/// SOW budget figures round); `None` when `whole` is zero.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0)
        .then(|| ((part as i128 * 10_000 + whole as i128 / 2) / whole as i128) as f64 / 100.0)
}

/// T&M hours as a percentage of all approved hours of an engagement: its scope-creep signal;
/// `None` before any approved time.
pub fn tm_share_percent(logged: &LoggedTime) -> Option<f64> {
    percent(
        logged.tm_hours.0,
        logged.tm_hours.0 + logged.in_scope_hours.0,
    )
}

/// What an engagement delivered and what followed on its account.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementOutcome {
    /// The engagement.
    pub engagement: EngagementId,
    /// Its account.
    pub account: AccountId,
    /// The account's currency.
    pub currency: Currency,
    /// The earliest actual start of its phases (an engagement records no start of its own).
    pub started_on: Option<NaiveDate>,
    /// The earliest acceptance of its phases.
    pub first_accepted_on: Option<NaiveDate>,
    /// How many of its phases the customer accepted.
    pub accepted_phases: i64,
    /// Its approved hours, in scope and T&M (`tm_amount` is left at zero: not an outcome).
    pub logged: LoggedTime,
    /// The union of the accepted phases' revenue windows; `None` before any acceptance.
    pub window: Option<WindowUnion>,
    /// The account's MRR movements over that union, each counted once; `None` before any
    /// acceptance.
    pub movement: Option<MrrMovement>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hours::Hours;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn span(after: NaiveDate, through: NaiveDate, complete: bool) -> RevenueWindow {
        RevenueWindow {
            after,
            through,
            complete,
        }
    }

    #[test]
    fn time_to_first_value_needs_a_start_and_an_acceptance() {
        assert_eq!(
            time_to_first_value(Some(day(1, 1)), Some(day(2, 15))),
            Some(45)
        );
        assert_eq!(
            time_to_first_value(Some(day(1, 1)), Some(day(1, 1))),
            Some(0)
        );
        assert_eq!(time_to_first_value(Some(day(1, 1)), None), None);
        assert_eq!(time_to_first_value(None, Some(day(1, 1))), None);
    }

    #[test]
    fn no_accepted_phase_no_window() {
        assert_eq!(window_union(&[], day(6, 1)), None);
    }

    #[test]
    fn overlapping_windows_merge_into_one_span() {
        // Accepted Jan 1 and Feb 1: (Jan 1, Apr 1] and (Feb 1, May 2] overlap.
        let u = window_union(&[day(2, 1), day(1, 1)], day(12, 31)).unwrap();
        assert_eq!(u.spans, vec![span(day(1, 1), day(5, 2), true)]);
        assert!(u.complete);
        assert_eq!(u.days(), 121);
    }

    #[test]
    fn windows_that_touch_merge_and_apart_stay_apart() {
        // (Jan 1, Apr 1] and (Apr 1, Jun 30] touch: one span of 180 days.
        let touching = window_union(&[day(1, 1), day(4, 1)], day(12, 31)).unwrap();
        assert_eq!(touching.spans, vec![span(day(1, 1), day(6, 30), true)]);
        assert_eq!(touching.days(), 180);
        // (Jan 1, Apr 1] and (Jun 1, Aug 30]: two spans.
        let apart = window_union(&[day(6, 1), day(1, 1)], day(12, 31)).unwrap();
        assert_eq!(
            apart.spans,
            vec![
                span(day(1, 1), day(4, 1), true),
                span(day(6, 1), day(8, 30), true)
            ]
        );
        assert_eq!(apart.days(), 180);
    }

    #[test]
    fn the_union_is_partial_while_any_window_runs() {
        // Today Mar 1: (Jan 1, Mar 1] runs on; (Feb 10, Mar 1] too.
        let u = window_union(&[day(1, 1), day(2, 10)], day(3, 1)).unwrap();
        assert_eq!(u.spans, vec![span(day(1, 1), day(3, 1), false)]);
        assert!(!u.complete);
        assert_eq!(u.days(), 59);
        // One complete window and one running: the union is not complete.
        let mixed = window_union(&[day(1, 1), day(6, 1)], day(6, 10)).unwrap();
        assert!(!mixed.complete);
        assert!(mixed.spans[0].complete);
        assert!(!mixed.spans[1].complete);
    }

    #[test]
    fn a_phase_accepted_today_adds_no_days_yet() {
        let u = window_union(&[day(3, 1), day(3, 1)], day(3, 1)).unwrap();
        assert_eq!(u.spans, vec![]);
        assert!(!u.complete);
        assert_eq!(u.days(), 0);
    }

    #[test]
    fn tm_share_is_a_percentage_of_approved_hours() {
        let logged = |in_scope: i64, tm: i64| LoggedTime {
            in_scope_hours: Hours(in_scope),
            tm_hours: Hours(tm),
            tm_amount: 0,
        };
        assert_eq!(tm_share_percent(&logged(0, 0)), None);
        assert_eq!(tm_share_percent(&logged(3000, 1000)), Some(25.0));
        assert_eq!(tm_share_percent(&logged(2000, 1000)), Some(33.33));
        assert_eq!(tm_share_percent(&logged(1000, 2000)), Some(66.67));
        assert_eq!(tm_share_percent(&logged(0, 500)), Some(100.0));
    }
}
