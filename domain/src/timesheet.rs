//! Weekly timesheets and capacity: hours gather into one timesheet per person and week, which is
//! submitted and then approved or returned; only approved hours count as budget burn. Capacity
//! (weekly hours less time off) and allocations to phases give each person's utilisation per
//! week, with over-allocation flagged.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};

use crate::auth::{Principal, Role};
use crate::hours::Hours;
use crate::ids::{AllocationId, PhaseId, TeamMemberId, TimeOffId, TimesheetId};
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// Where a timesheet stands.
    pub enum TimesheetStatus {
        /// Being filled in; time can be logged and removed.
        Draft = "DRAFT",
        /// Handed in for approval; its hours are frozen.
        Submitted = "SUBMITTED",
        /// Approved: its hours count as budget burn. Final.
        Approved = "APPROVED",
        /// Sent back with a reason; time can be corrected and the sheet submitted again.
        Returned = "RETURNED",
    }
}

impl TimesheetStatus {
    /// Whether time can be logged into or removed from a sheet in this status.
    pub fn is_open(self) -> bool {
        matches!(self, TimesheetStatus::Draft | TimesheetStatus::Returned)
    }
}

/// The Monday of the week `day` falls in: weeks run Monday to Sunday.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// A team member's week of logged time.
#[derive(Debug, Clone, PartialEq)]
pub struct Timesheet {
    /// Its id.
    pub id: TimesheetId,
    /// Whose week it is.
    pub team_member_id: TeamMemberId,
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    /// Where it stands.
    pub status: TimesheetStatus,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who approved or returned it last (a token subject).
    pub decided_by: Option<String>,
    /// When it was approved or returned last.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was returned, while it is returned.
    pub return_reason: Option<String>,
    /// Bumped on every change.
    pub version: i32,
    /// When its first hour was logged.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A decision on a submitted timesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve: the hours count as burn.
    Approve,
    /// Return for correction, with the reason.
    Return(String),
}

impl Timesheet {
    /// A new, empty draft for `member`'s week containing `day`.
    pub fn draft(member: TeamMemberId, day: NaiveDate, now: DateTime<Utc>) -> Timesheet {
        Timesheet {
            id: TimesheetId::new(),
            team_member_id: member,
            week_start: week_start(day),
            status: TimesheetStatus::Draft,
            submitted_at: None,
            decided_by: None,
            decided_at: None,
            return_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The Sunday the week ends on.
    pub fn week_end(&self) -> NaiveDate {
        self.week_start + Days::new(6)
    }

    /// `Ok` when time may be logged into (or removed from) this sheet.
    pub fn ensure_open(&self) -> DomainResult<()> {
        if self.status.is_open() {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "the timesheet for the week of {} is {}; its time cannot change{}",
                self.week_start,
                self.status,
                if self.status == TimesheetStatus::Submitted {
                    " until it is returned"
                } else {
                    ""
                }
            )))
        }
    }

    /// The sheet submitted at `now`; refused unless it is a draft or returned, or when it holds
    /// no hours.
    pub fn submitted(&self, hours: Hours, now: DateTime<Utc>) -> DomainResult<Timesheet> {
        if !self.status.is_open() {
            return Err(DomainError::Conflict(format!(
                "the timesheet for the week of {} is {}; only a DRAFT or RETURNED timesheet can \
                 be submitted",
                self.week_start, self.status
            )));
        }
        if hours.0 <= 0 {
            return Err(DomainError::Conflict(format!(
                "the timesheet for the week of {} holds no hours; log time before submitting it",
                self.week_start
            )));
        }
        Ok(Timesheet {
            status: TimesheetStatus::Submitted,
            submitted_at: Some(now),
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        })
    }

    /// The sheet after `decision` by `approver` at `now`. `approver` is the caller and
    /// `approver_is_lead` whether their team-member record marks them a services lead.
    pub fn decided(
        &self,
        decision: Decision,
        approver: &Principal,
        approver_is_lead: bool,
        now: DateTime<Utc>,
    ) -> DomainResult<Timesheet> {
        may_decide(self, approver, approver_is_lead)?;
        if self.status != TimesheetStatus::Submitted {
            return Err(DomainError::Conflict(format!(
                "the timesheet for the week of {} is {}; only a SUBMITTED timesheet can be \
                 approved or returned",
                self.week_start, self.status
            )));
        }
        let (status, reason) = match decision {
            Decision::Approve => (TimesheetStatus::Approved, None),
            Decision::Return(reason) => (
                TimesheetStatus::Returned,
                Some(text::required("reason", &reason, 2000)?),
            ),
        };
        Ok(Timesheet {
            status,
            decided_by: Some(approver.subject.clone()),
            decided_at: Some(now),
            return_reason: reason,
            version: self.version + 1,
            updated_at: now,
            ..self.clone()
        })
    }
}

/// Who may approve or return `sheet`: an ADMIN, or a SERVICES member marked as a lead — and
/// never the person whose week it is.
fn may_decide(sheet: &Timesheet, who: &Principal, is_lead: bool) -> DomainResult<()> {
    let allowed = match who.role {
        Role::Admin => true,
        Role::Services => is_lead,
        _ => false,
    };
    if !allowed {
        return Err(DomainError::NotAllowed(format!(
            "only a services lead or an ADMIN may approve or return timesheets; the {} role{} \
             may not",
            who.role,
            if who.role == Role::Services {
                " without the lead mark"
            } else {
                ""
            }
        )));
    }
    if who.subject == sheet.team_member_id.to_string() {
        return Err(DomainError::NotAllowed(
            "nobody approves or returns their own timesheet; ask another lead".into(),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Capacity

/// Monday to Friday.
const WORKDAYS: i64 = 5;

/// Days away from work.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeOff {
    /// Its id.
    pub id: TimeOffId,
    /// Who is away.
    pub team_member_id: TeamMemberId,
    /// The first day away.
    pub starts_on: NaiveDate,
    /// The last day away.
    pub ends_on: NaiveDate,
    /// Why (holiday, training…).
    pub reason: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

/// Time off as typed.
#[derive(Debug, Clone)]
pub struct NewTimeOff {
    pub team_member_id: TeamMemberId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: Option<String>,
}

impl NewTimeOff {
    /// Validates the range and the reason.
    pub fn validate(self, now: DateTime<Utc>) -> DomainResult<TimeOff> {
        check_range(self.starts_on, self.ends_on)?;
        Ok(TimeOff {
            id: TimeOffId::new(),
            team_member_id: self.team_member_id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            reason: text::optional("reason", self.reason.as_deref(), 500)?,
            created_at: now,
        })
    }
}

fn check_range(starts_on: NaiveDate, ends_on: NaiveDate) -> DomainResult<()> {
    if ends_on < starts_on {
        return Err(DomainError::invalid(
            "endsOn",
            format!("{ends_on} is before the start, {starts_on}"),
        ));
    }
    if (ends_on - starts_on).num_days() > 366 * 2 {
        return Err(DomainError::invalid(
            "endsOn",
            "a range may span at most two years",
        ));
    }
    Ok(())
}

/// The editable fields of an allocation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationData {
    /// The first day of the allocation.
    pub starts_on: NaiveDate,
    /// The last day of the allocation.
    pub ends_on: NaiveDate,
    /// Hours per (full, five-day) week.
    pub hours_per_week: Hours,
    /// A note for the person and the lead.
    pub note: Option<String>,
}

impl AllocationData {
    /// Validates the range and the hours (more than 0, at most 80 a week).
    pub fn validate(self) -> DomainResult<AllocationData> {
        check_range(self.starts_on, self.ends_on)?;
        if self.hours_per_week.0 <= 0 || self.hours_per_week.0 > 8000 {
            return Err(DomainError::invalid(
                "hoursPerWeek",
                format!("{} is not in (0, 80] hours a week", self.hours_per_week),
            ));
        }
        Ok(AllocationData {
            note: text::optional("note", self.note.as_deref(), 500)?,
            ..self
        })
    }
}

/// A person planned onto an engagement phase for some hours a week over a date range.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Its id.
    pub id: AllocationId,
    /// Who.
    pub team_member_id: TeamMemberId,
    /// On which phase.
    pub phase_id: PhaseId,
    /// Its fields.
    pub data: AllocationData,
    /// Bumped on every change.
    pub version: i32,
    /// Who made it.
    pub created_by: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The Monday-to-Friday days of the week starting `monday` that fall in `[from, to]`.
fn workdays_within(
    monday: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> impl Iterator<Item = NaiveDate> {
    (0..WORKDAYS as u64)
        .map(move |d| monday + Days::new(d))
        .filter(move |day| *day >= from && *day <= to)
}

/// One person's week: capacity, planned and logged hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// The Monday it starts on.
    pub week_start: NaiveDate,
    /// Weekly capacity less the workdays off.
    pub capacity: Hours,
    /// Hours allocated to phases, pro rata to the workdays each allocation covers.
    pub allocated: Hours,
    /// Hours logged in the week, whatever their timesheet's status.
    pub logged: Hours,
    /// Hours logged in the week on an approved timesheet.
    pub approved: Hours,
}

impl Week {
    /// More hours allocated than the person has that week.
    pub fn over_allocated(&self) -> bool {
        self.allocated.0 > self.capacity.0
    }

    /// Logged hours against capacity, in percent to the hundredth; `None` without capacity.
    pub fn utilisation_percent(&self) -> Option<f64> {
        percent(self.logged.0, self.capacity.0)
    }

    /// Allocated hours against capacity, in percent to the hundredth; `None` without capacity.
    pub fn allocation_percent(&self) -> Option<f64> {
        percent(self.allocated.0, self.capacity.0)
    }

    /// The sum of several weeks (a team's), keeping the first one's start.
    pub fn total(week_start: NaiveDate, weeks: impl IntoIterator<Item = Week>) -> Week {
        weeks.into_iter().fold(
            Week {
                week_start,
                capacity: Hours(0),
                allocated: Hours(0),
                logged: Hours(0),
                approved: Hours(0),
            },
            |t, w| Week {
                week_start,
                capacity: Hours(t.capacity.0 + w.capacity.0),
                allocated: Hours(t.allocated.0 + w.allocated.0),
                logged: Hours(t.logged.0 + w.logged.0),
                approved: Hours(t.approved.0 + w.approved.0),
            },
        )
    }
}

/// A team's week: its people's weeks summed, and how many of them are over-allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamWeek {
    /// The sums.
    pub total: Week,
    /// How many people have more allocated than their capacity.
    pub over_allocated_people: usize,
}

impl TeamWeek {
    /// The team's week starting `week_start` from each person's week.
    pub fn of(week_start: NaiveDate, weeks: &[Week]) -> TeamWeek {
        TeamWeek {
            total: Week::total(week_start, weeks.iter().copied()),
            over_allocated_people: weeks.iter().filter(|w| w.over_allocated()).count(),
        }
    }
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0)
        .then(|| ((part as i128 * 10_000 + whole as i128 / 2) / whole as i128) as f64 / 100.0)
}

/// A person's capacity and plans, as storage reads them for a range of weeks.
#[derive(Debug, Clone, Default)]
pub struct Plans<'a> {
    /// Hours a full week.
    pub weekly_capacity: Hours,
    /// Their time off overlapping the range.
    pub time_off: Vec<&'a TimeOff>,
    /// Their allocations overlapping the range.
    pub allocations: Vec<&'a Allocation>,
}

/// The person's week starting `monday`, with `logged` and `approved` hours summed by storage.
pub fn week(plans: &Plans<'_>, monday: NaiveDate, logged: Hours, approved: Hours) -> Week {
    debug_assert_eq!(monday.weekday(), Weekday::Mon);
    let friday = monday + Days::new(4);
    let days_off = workdays_within(monday, monday, friday)
        .filter(|day| {
            plans
                .time_off
                .iter()
                .any(|t| t.starts_on <= *day && *day <= t.ends_on)
        })
        .count() as i64;
    let capacity = plans.weekly_capacity.0 * (WORKDAYS - days_off) / WORKDAYS;
    let allocated: i64 = plans
        .allocations
        .iter()
        .map(|a| {
            let days = workdays_within(monday, a.data.starts_on, a.data.ends_on).count() as i64;
            // To the nearest hundredth of an hour.
            (a.data.hours_per_week.0 * days * 2 + WORKDAYS) / (WORKDAYS * 2)
        })
        .sum();
    Week {
        week_start: monday,
        capacity: Hours(capacity),
        allocated: Hours(allocated),
        logged,
        approved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sheet(status: TimesheetStatus) -> Timesheet {
        Timesheet {
            status,
            ..Timesheet::draft(TeamMemberId::new(), d(2026, 11, 25), Utc::now())
        }
    }

    fn who(role: Role, subject: &str) -> Principal {
        Principal::vendor(subject, role)
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d(2026, 11, 23)), d(2026, 11, 23));
        assert_eq!(week_start(d(2026, 11, 29)), d(2026, 11, 23));
        assert_eq!(week_start(d(2026, 11, 30)), d(2026, 11, 30));
        assert_eq!(sheet(TimesheetStatus::Draft).week_start, d(2026, 11, 23));
    }

    #[test]
    fn the_sheet_machine() {
        let now = Utc::now();
        let draft = sheet(TimesheetStatus::Draft);
        assert!(matches!(
            draft.submitted(Hours(0), now),
            Err(DomainError::Conflict(_))
        ));
        let submitted = draft.submitted(Hours(800), now).unwrap();
        assert_eq!(submitted.status, TimesheetStatus::Submitted);
        assert!(submitted.ensure_open().is_err());
        let lead = who(Role::Services, "someone-else");
        let returned = submitted
            .decided(Decision::Return("Wrong phase".into()), &lead, true, now)
            .unwrap();
        assert_eq!(returned.return_reason.as_deref(), Some("Wrong phase"));
        assert!(returned.ensure_open().is_ok());
        assert!(
            submitted
                .decided(Decision::Return("  ".into()), &lead, true, now)
                .is_err()
        );
        let approved = returned
            .submitted(Hours(800), now)
            .unwrap()
            .decided(Decision::Approve, &lead, true, now)
            .unwrap();
        assert_eq!(approved.status, TimesheetStatus::Approved);
        assert_eq!(approved.return_reason, None);
        assert!(matches!(
            approved.decided(Decision::Approve, &lead, true, now),
            Err(DomainError::Conflict(_))
        ));
        assert!(approved.submitted(Hours(800), now).is_err());
    }

    #[test]
    fn only_other_leads_and_admins_decide() {
        let now = Utc::now();
        let s = sheet(TimesheetStatus::Submitted);
        let own = s.team_member_id.to_string();
        for (principal, lead, ok) in [
            (who(Role::Admin, "x"), false, true),
            (who(Role::Services, "x"), true, true),
            (who(Role::Services, "x"), false, false),
            (who(Role::CsManager, "x"), true, false),
            (who(Role::Admin, &own), false, false),
            (who(Role::Services, &own), true, false),
        ] {
            let r = s.decided(Decision::Approve, &principal, lead, now);
            assert_eq!(r.is_ok(), ok, "{principal:?} lead={lead}: {r:?}");
            if let Err(e) = r {
                assert!(matches!(e, DomainError::NotAllowed(_)), "{e:?}");
            }
        }
    }

    fn allocation(from: NaiveDate, to: NaiveDate, hours: i64) -> Allocation {
        Allocation {
            id: AllocationId::new(),
            team_member_id: TeamMemberId::new(),
            phase_id: PhaseId::new(),
            data: AllocationData {
                starts_on: from,
                ends_on: to,
                hours_per_week: Hours(hours),
                note: None,
            },
            version: 1,
            created_by: "t".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn capacity_allocation_and_over_allocation_per_week() {
        let monday = d(2026, 11, 23);
        let off = NewTimeOff {
            team_member_id: TeamMemberId::new(),
            starts_on: d(2026, 11, 26),
            ends_on: d(2026, 11, 30),
            reason: Some("Thanksgiving".into()),
        }
        .validate(Utc::now())
        .unwrap();
        // 30 h/week all week, and 20 h/week from Wednesday on (3 of 5 days = 12 h).
        let a = allocation(d(2026, 11, 1), d(2026, 12, 31), 3000);
        let b = allocation(d(2026, 11, 25), d(2026, 12, 31), 2000);
        let plans = Plans {
            weekly_capacity: Hours(4000),
            time_off: vec![&off],
            allocations: vec![&a, &b],
        };
        let w = week(&plans, monday, Hours(1000), Hours(600));
        // Thursday and Friday off: 3/5 of 40 h.
        assert_eq!(w.capacity, Hours(2400));
        assert_eq!(w.allocated, Hours(4200));
        assert!(w.over_allocated());
        assert_eq!(w.utilisation_percent(), Some(41.67));
        assert_eq!(w.allocation_percent(), Some(175.0));
        let next = week(&plans, d(2026, 11, 30), Hours(0), Hours(0));
        assert_eq!(next.capacity, Hours(3200));
        assert_eq!(next.allocated, Hours(5000));
        let after = week(&plans, d(2027, 1, 4), Hours(0), Hours(0));
        assert_eq!(after.allocated, Hours(0));
        assert!(!after.over_allocated());
        let team = TeamWeek::of(monday, &[w, next]);
        assert_eq!(team.total.capacity, Hours(5600));
        assert_eq!(team.over_allocated_people, 2);
    }

    #[test]
    fn ranges_and_hours_are_checked() {
        let bad = AllocationData {
            starts_on: d(2026, 12, 1),
            ends_on: d(2026, 11, 1),
            hours_per_week: Hours(100),
            note: None,
        };
        assert!(
            matches!(bad.validate(), Err(DomainError::Invalid { field, .. }) if field == "endsOn")
        );
        let zero = AllocationData {
            starts_on: d(2026, 11, 1),
            ends_on: d(2026, 12, 1),
            hours_per_week: Hours(0),
            note: None,
        };
        assert!(
            matches!(zero.validate(), Err(DomainError::Invalid { field, .. }) if field == "hoursPerWeek")
        );
    }
}
