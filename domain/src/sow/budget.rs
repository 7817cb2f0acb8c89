//! Budget figures: logged time summed ([`LoggedTime`]) and read against the SOW's estimate
//! and caps ([`BudgetFigures`]).

use super::scope::SowData;
use crate::engagement::Phase;
use crate::hours::Hours;
use crate::ids::PhaseId;

/// Sums of logged time, as storage aggregates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoggedTime {
    /// In-scope hours.
    pub in_scope_hours: Hours,
    /// T&M hours.
    pub tm_hours: Hours,
    /// The value of the T&M hours, in minor units.
    pub tm_amount: i64,
}

/// A SOW's (or a phase's) budget position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetFigures {
    /// Estimated in-scope hours.
    pub estimated_hours: Hours,
    /// In-scope hours logged.
    pub in_scope_hours: Hours,
    /// T&M hours logged.
    pub tm_hours: Hours,
    /// The value of the T&M hours.
    pub tm_amount: i64,
    /// T&M used against its cap, in percent to the hundredth: by amount when there is an amount
    /// cap, else by hours; `None` without a cap.
    pub burn_percent: Option<f64>,
    /// T&M hours as a percentage of all hours logged: the scope-creep signal.
    pub tm_share_percent: Option<f64>,
    /// In-scope hours at completion: logged hours plus the estimate of the scope not yet
    /// delivered.
    pub forecast_in_scope_hours: Hours,
}

/// The budget figures of `sow` from its logged time (`logged`) and the status of its phases.
pub fn figures(data: &SowData, logged: LoggedTime, phases: &[Phase]) -> BudgetFigures {
    // Percentages to the hundredth, in integer arithmetic so that every reader gets the same
    // number.
    let percent = |part: i64, whole: i64| {
        (whole > 0)
            .then(|| ((part as i128 * 10_000 + whole as i128 / 2) / whole as i128) as f64 / 100.0)
    };
    let burn_percent = match (data.tm_amount_cap, data.tm_hours_cap) {
        (Some(cap), _) => percent(logged.tm_amount, cap),
        (None, Some(cap)) => percent(logged.tm_hours.0, cap.0),
        (None, None) => None,
    };
    let delivered = |phase: Option<PhaseId>| {
        phase.is_some_and(|id| {
            phases
                .iter()
                .any(|p| p.id == id && p.status.unblocks_dependents())
        })
    };
    let remaining: i64 = data
        .scope
        .iter()
        .filter(|item| !delivered(item.phase_id))
        .map(|item| item.estimated_hours.0)
        .sum();
    BudgetFigures {
        estimated_hours: data.estimated_hours(),
        in_scope_hours: logged.in_scope_hours,
        tm_hours: logged.tm_hours,
        tm_amount: logged.tm_amount,
        burn_percent,
        tm_share_percent: percent(
            logged.tm_hours.0,
            logged.tm_hours.0 + logged.in_scope_hours.0,
        ),
        forecast_in_scope_hours: Hours(logged.in_scope_hours.0 + remaining),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sow::fixtures::signed;

    #[test]
    fn figures_show_burn_share_and_forecast() {
        let s = signed();
        let logged = LoggedTime {
            in_scope_hours: Hours(3000),
            tm_hours: Hours(1000),
            tm_amount: 125_000,
        };
        let f = figures(&s.data, logged, &[]);
        assert_eq!(f.burn_percent, Some(25.0));
        assert_eq!(f.tm_share_percent, Some(25.0));
        assert_eq!(f.forecast_in_scope_hours, Hours(11000));
        let none = figures(&s.data, LoggedTime::default(), &[]);
        assert_eq!(none.tm_share_percent, None);
    }
}
