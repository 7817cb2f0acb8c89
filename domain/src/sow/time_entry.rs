//! Hours logged against a signed SOW, in scope or as time and materials, priced at the
//! role's rate.

use chrono::{DateTime, NaiveDate, Utc};

use super::statement::Sow;
use crate::engagement::Phase;
use crate::hours::Hours;
use crate::ids::{PhaseId, SowId, TeamMemberId, TimeEntryId, TimesheetId};
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// Whether hours are part of the fixed-price scope or billed as time and materials.
    pub enum WorkKind {
        /// Part of the fixed-price scope.
        InScope = "IN_SCOPE",
        /// Outside the scope, billed against the T&M budget.
        TimeAndMaterials = "TIME_AND_MATERIALS",
    }
}

/// Hours logged against a SOW.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEntry {
    /// Its id.
    pub id: TimeEntryId,
    /// The SOW.
    pub sow_id: SowId,
    /// Who worked.
    pub team_member_id: TeamMemberId,
    /// In which role (from the rate card).
    pub role: String,
    /// On which phase.
    pub phase_id: Option<PhaseId>,
    /// On which day.
    pub worked_on: NaiveDate,
    /// How long.
    pub hours: Hours,
    /// In scope or T&M.
    pub kind: WorkKind,
    /// The value of the hours at the role's rate when logged, in minor units.
    pub amount: i64,
    /// What was done.
    pub note: Option<String>,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// The person's timesheet for the week it falls in (set when stored).
    pub timesheet_id: Option<TimesheetId>,
}

/// A time entry as typed.
#[derive(Debug, Clone)]
pub struct NewTimeEntry {
    pub team_member_id: TeamMemberId,
    pub role: String,
    pub phase_id: Option<PhaseId>,
    pub worked_on: NaiveDate,
    pub hours: Hours,
    pub kind: WorkKind,
    pub note: Option<String>,
}

impl NewTimeEntry {
    /// Validates the entry against its SOW, the engagement's phases and `today`, and prices it
    /// at the role's rate (rounded to the nearest minor unit).
    pub fn validate(
        self,
        sow: &Sow,
        phases: &[Phase],
        today: NaiveDate,
    ) -> DomainResult<TimeEntry> {
        sow.ensure_binding("time can be logged")?;
        if self.hours.0 <= 0 || self.hours.0 > 2400 {
            return Err(DomainError::invalid(
                "hours",
                format!("{} is not in (0, 24] hours", self.hours),
            ));
        }
        if self.worked_on > today {
            return Err(DomainError::invalid(
                "workedOn",
                format!("{} is in the future", self.worked_on),
            ));
        }
        let rate = sow.data.rate(&self.role).ok_or_else(|| {
            let roles: Vec<&str> = sow.data.rate_card.iter().map(|r| r.role.as_str()).collect();
            DomainError::invalid(
                "role",
                format!(
                    "'{}' is not on the SOW's rate card ({})",
                    self.role.trim(),
                    roles.join(", ")
                ),
            )
        })?;
        if let Some(phase) = self.phase_id
            && !phases.iter().any(|p| p.id == phase)
        {
            return Err(DomainError::invalid(
                "phaseId",
                "is not a phase of this SOW's engagement",
            ));
        }
        let amount = (self.hours.0 as i128 * rate.hourly_rate as i128 + 50) / 100;
        Ok(TimeEntry {
            id: TimeEntryId::new(),
            sow_id: sow.id,
            team_member_id: self.team_member_id,
            role: rate.role.clone(),
            phase_id: self.phase_id,
            worked_on: self.worked_on,
            hours: self.hours,
            kind: self.kind,
            amount: i64::try_from(amount).unwrap_or(i64::MAX),
            note: text::optional("note", self.note.as_deref(), 2000)?,
            created_at: Utc::now(),
            timesheet_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sow::fixtures::{draft, signed, today};

    #[test]
    fn time_is_validated_and_priced_at_the_roles_rate() {
        let s = signed();
        let entry = |hours: i64, role: &str, day: NaiveDate| NewTimeEntry {
            team_member_id: TeamMemberId::new(),
            role: role.into(),
            phase_id: None,
            worked_on: day,
            hours: Hours(hours),
            kind: WorkKind::TimeAndMaterials,
            note: None,
        };
        let e = entry(150, "developer", today())
            .validate(&s, &[], today())
            .unwrap();
        assert_eq!(e.amount, 18_000);
        assert_eq!(e.role, "Developer");
        assert!(
            entry(0, "Developer", today())
                .validate(&s, &[], today())
                .is_err()
        );
        assert!(
            entry(2401, "Developer", today())
                .validate(&s, &[], today())
                .is_err()
        );
        let future = today().succ_opt().unwrap();
        assert!(
            entry(100, "Developer", future)
                .validate(&s, &[], today())
                .is_err()
        );
        let err = entry(100, "Designer", today())
            .validate(&s, &[], today())
            .unwrap_err();
        assert!(
            err.to_string().contains("Solutions Architect, Developer"),
            "{err}"
        );
        assert!(
            entry(100, "Developer", today())
                .validate(&draft(), &[], today())
                .is_err()
        );
    }
}
