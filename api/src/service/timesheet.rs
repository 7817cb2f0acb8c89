//! Timesheets, time off, allocations and utilisation.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{
    AllocationId, PhaseId, TeamMemberId, TimeEntryId, TimeOffId, TimesheetId,
};
use tandem_domain::team_member::{Team, TeamMember};
use tandem_domain::timesheet::{
    self as rules, Allocation, AllocationData, Decision, NewTimeOff, Plans, TimeOff, Timesheet,
};
use tandem_persistence::timesheet::{self, SheetFilter};

use super::Services;
use crate::error::{ApiError, ApiResult};

/// One timesheet.
#[tracing::instrument(level = "debug", name = "service::timesheet::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: TimesheetId) -> ApiResult<Option<Timesheet>> {
    who.authorize(Action::Read)?;
    Ok(timesheet::get_sheet(&s.store, id).await?)
}

/// Timesheets matching `filter`, newest week first.
#[tracing::instrument(level = "debug", name = "service::timesheet::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    filter: &SheetFilter,
    limit: u64,
) -> ApiResult<Vec<Timesheet>> {
    who.authorize(Action::Read)?;
    Ok(timesheet::list(&s.store, filter, limit).await?)
}

/// Submits a timesheet for approval.
#[tracing::instrument(level = "debug", name = "service::timesheet::submit", skip_all)]
pub async fn submit(
    s: &Services,
    who: &Principal,
    id: TimesheetId,
    version: i32,
) -> ApiResult<Timesheet> {
    who.authorize(Action::WriteEngagement)?;
    let t = timesheet::submit(&s.store, &who.subject, id, version).await?;
    Ok(s.committed(t))
}

/// Approves or returns a submitted timesheet. The role check is the domain's: an ADMIN or a
/// services lead, never the sheet's owner.
#[tracing::instrument(level = "debug", name = "service::timesheet::decide", skip_all)]
pub async fn decide(
    s: &Services,
    who: &Principal,
    id: TimesheetId,
    version: i32,
    decision: Decision,
) -> ApiResult<Timesheet> {
    who.authorize(Action::WriteEngagement)?;
    let t = timesheet::decide(&s.store, who, id, version, decision).await?;
    Ok(s.committed(t))
}

/// Removes a time entry from a draft or returned timesheet.
#[tracing::instrument(level = "debug", name = "service::timesheet::remove_entry", skip_all)]
pub async fn remove_entry(s: &Services, who: &Principal, id: TimeEntryId) -> ApiResult<Timesheet> {
    who.authorize(Action::WriteEngagement)?;
    let t = timesheet::remove_entry(&s.store, &who.subject, id).await?;
    Ok(s.committed(t))
}

/// Records time off.
#[tracing::instrument(level = "debug", name = "service::timesheet::add_time_off", skip_all)]
pub async fn add_time_off(s: &Services, who: &Principal, input: NewTimeOff) -> ApiResult<TimeOff> {
    who.authorize(Action::PlanCapacity)?;
    let t = input.validate(chrono::Utc::now())?;
    Ok(timesheet::time_off::add_time_off(&s.store, &who.subject, t).await?)
}

/// Removes time off.
#[tracing::instrument(
    level = "debug",
    name = "service::timesheet::remove_time_off",
    skip_all
)]
pub async fn remove_time_off(s: &Services, who: &Principal, id: TimeOffId) -> ApiResult<TimeOff> {
    who.authorize(Action::PlanCapacity)?;
    Ok(timesheet::time_off::remove_time_off(&s.store, id).await?)
}

/// Allocates a person to a phase.
#[tracing::instrument(level = "debug", name = "service::timesheet::allocate", skip_all)]
pub async fn allocate(
    s: &Services,
    who: &Principal,
    member: TeamMemberId,
    phase: PhaseId,
    data: AllocationData,
) -> ApiResult<Allocation> {
    who.authorize(Action::PlanCapacity)?;
    let data = data.validate()?;
    let a = timesheet::allocation::allocate(&s.store, &who.subject, member, phase, data).await?;
    Ok(s.committed(a))
}

/// Changes an allocation still at `version`.
#[tracing::instrument(
    level = "debug",
    name = "service::timesheet::update_allocation",
    skip_all
)]
pub async fn update_allocation(
    s: &Services,
    who: &Principal,
    id: AllocationId,
    version: i32,
    change: impl FnOnce(&Allocation) -> tandem_domain::DomainResult<AllocationData>,
) -> ApiResult<Allocation> {
    who.authorize(Action::PlanCapacity)?;
    let a = timesheet::allocation::update_allocation(&s.store, &who.subject, id, version, |a| {
        change(a)?.validate()
    })
    .await?;
    Ok(s.committed(a))
}

/// Removes an allocation still at `version`.
#[tracing::instrument(
    level = "debug",
    name = "service::timesheet::remove_allocation",
    skip_all
)]
pub async fn remove_allocation(
    s: &Services,
    who: &Principal,
    id: AllocationId,
    version: i32,
) -> ApiResult<Allocation> {
    who.authorize(Action::PlanCapacity)?;
    let a = timesheet::allocation::remove_allocation(&s.store, &who.subject, id, version).await?;
    Ok(s.committed(a))
}

/// One allocation.
#[tracing::instrument(level = "debug", name = "service::timesheet::allocation", skip_all)]
pub async fn allocation(
    s: &Services,
    who: &Principal,
    id: AllocationId,
) -> ApiResult<Option<Allocation>> {
    who.authorize(Action::Read)?;
    Ok(timesheet::allocation::get_allocation(&s.store, id).await?)
}

/// People's time off and allocations overlapping `[from, to]`.
#[tracing::instrument(level = "debug", name = "service::timesheet::plans_of", skip_all)]
pub async fn plans_of(
    s: &Services,
    who: &Principal,
    members: &[TeamMemberId],
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<(Vec<TimeOff>, Vec<Allocation>)> {
    who.authorize(Action::Read)?;
    Ok((
        timesheet::time_off::time_off_of(&s.store, members, from, to).await?,
        timesheet::allocation::allocations_of_members(&s.store, members, from, to).await?,
    ))
}

/// Whom a utilisation query covers.
#[derive(Debug, Clone)]
pub enum People {
    /// These people (archived ones included, for history).
    Ids(Vec<TeamMemberId>),
    /// The active members of a team.
    Team(Team),
}

/// One person's weeks.
#[derive(Debug, Clone)]
pub struct PersonWeeks {
    /// Who.
    pub member: TeamMember,
    /// Their weeks, in order.
    pub weeks: Vec<rules::Week>,
}

/// Utilisation of a set of people: each person's weeks, and the team's per week.
#[derive(Debug, Clone)]
pub struct Utilisation {
    /// Each person, in name order.
    pub people: Vec<PersonWeeks>,
    /// The people summed, per week.
    pub team: Vec<rules::TeamWeek>,
}

/// The most weeks one utilisation query covers.
pub const MAX_WEEKS: u32 = 26;

/// Utilisation per person and week for `weeks` weeks from the week containing `from`:
/// capacity less time off, allocations pro rata, hours logged and approved (summed in SQL).
#[tracing::instrument(level = "debug", name = "service::timesheet::utilisation", skip_all)]
pub async fn utilisation(
    s: &Services,
    who: &Principal,
    people: People,
    from: NaiveDate,
    weeks: u32,
) -> ApiResult<Utilisation> {
    who.authorize(Action::ReadInsights)?;
    if !(1..=MAX_WEEKS).contains(&weeks) {
        return Err(ApiError::invalid(
            "weeks",
            format!("{weeks} is not in [1, {MAX_WEEKS}]"),
        ));
    }
    let members = match people {
        People::Ids(ids) => {
            let mut found = tandem_persistence::team_member::by_ids(&s.store, &ids).await?;
            found.sort_by(|a, b| a.data.name.cmp(&b.data.name).then(a.id.cmp(&b.id)));
            found
        }
        People::Team(team) => {
            tandem_persistence::team_member::list(&s.store, Some(team), false).await?
        }
    };
    let first = rules::week_start(from);
    let last = first + Days::new(u64::from(weeks - 1) * 7);
    let end = last + Days::new(6);
    let ids: Vec<TeamMemberId> = members.iter().map(|m| m.id).collect();
    let time_off = timesheet::time_off::time_off_of(&s.store, &ids, first, end).await?;
    let allocations =
        timesheet::allocation::allocations_of_members(&s.store, &ids, first, end).await?;
    let logged = timesheet::logged_by_week(&s.store, &ids, first, last).await?;
    let mut off_by: HashMap<TeamMemberId, Vec<&TimeOff>> = HashMap::new();
    for t in &time_off {
        off_by.entry(t.team_member_id).or_default().push(t);
    }
    let mut alloc_by: HashMap<TeamMemberId, Vec<&Allocation>> = HashMap::new();
    for a in &allocations {
        alloc_by.entry(a.team_member_id).or_default().push(a);
    }
    let mondays: Vec<NaiveDate> = (0..weeks)
        .map(|w| first + Days::new(u64::from(w) * 7))
        .collect();
    let people: Vec<PersonWeeks> = members
        .into_iter()
        .map(|member| {
            let plans = Plans {
                weekly_capacity: member.data.weekly_capacity,
                time_off: off_by.remove(&member.id).unwrap_or_default(),
                allocations: alloc_by.remove(&member.id).unwrap_or_default(),
            };
            let weeks = mondays
                .iter()
                .map(|&monday| {
                    let (l, a) = logged
                        .get(&(member.id, monday))
                        .copied()
                        .unwrap_or((Hours(0), Hours(0)));
                    rules::week(&plans, monday, l, a)
                })
                .collect();
            PersonWeeks { member, weeks }
        })
        .collect();
    let team = mondays
        .iter()
        .enumerate()
        .map(|(i, &monday)| {
            let of_week: Vec<rules::Week> = people.iter().map(|p| p.weeks[i]).collect();
            rules::TeamWeek::of(monday, &of_week)
        })
        .collect();
    Ok(Utilisation { people, team })
}
