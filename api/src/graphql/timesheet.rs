//! Timesheets, time off, allocations and utilisation in the API.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{
    AllocationId, PhaseId, TeamMemberId, TimeEntryId, TimeOffId, TimesheetId,
};
use tandem_domain::timesheet::{self as rules, AllocationData, Decision, NewTimeOff};
use tandem_persistence::timesheet::SheetFilter;

use super::common::context::{loaders, parts};
use super::engagement::PhaseNode;
use super::enums::Team;
use super::ids::{self, Kind};
use super::scalars::Date;
use super::sow::TimeEntryNode;
use super::team_member::TeamMemberNode;
use crate::error::ApiError;
use crate::service::timesheet::{self as svc, People};

/// Where a timesheet stands: DRAFT → SUBMITTED → APPROVED, or → RETURNED → SUBMITTED again.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::timesheet::TimesheetStatus")]
pub enum TimesheetStatus {
    /// Being filled in; time can be logged and removed.
    Draft,
    /// Handed in for approval; its hours are frozen.
    Submitted,
    /// Approved: its hours count as budget burn. Final.
    Approved,
    /// Sent back with a reason; time can be corrected and the sheet submitted again.
    Returned,
}

fn hours(field: &str, value: f64) -> async_graphql::Result<Hours> {
    Hours::from_decimal(field, value).map_err(|e| ApiError::from(e).under("input").into())
}

async fn member_node(
    ctx: &Context<'_>,
    id: TeamMemberId,
) -> async_graphql::Result<Option<TeamMemberNode>> {
    Ok(loaders(ctx)?
        .team_members()
        .load_one(id)
        .await?
        .map(TeamMemberNode))
}

fn member_ids(list: &[ID]) -> Result<Vec<TeamMemberId>, ApiError> {
    list.iter()
        .map(|id| ids::decode(Kind::TeamMember, id, "teamMemberIds").map(TeamMemberId))
        .collect()
}

fn under(e: ApiError) -> ApiError {
    e.under("input")
}

/// A team member's week of logged time. Time entries gather into it as they are logged; only
/// the hours of APPROVED timesheets count as budget burn.
pub struct TimesheetNode(pub rules::Timesheet);

#[Object(name = "Timesheet")]
impl TimesheetNode {
    /// The timesheet's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Timesheet, self.0.id.0)
    }
    /// Bumped on every change, including every hour logged into it; pass it back to submit,
    /// approve or return.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whose week it is.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        member_node(ctx, self.0.team_member_id).await
    }
    /// The Monday the week starts on.
    async fn week_start(&self) -> Date {
        Date(self.0.week_start)
    }
    /// The Sunday it ends on.
    async fn week_end(&self) -> Date {
        Date(self.0.week_end())
    }
    /// Where it stands.
    async fn status(&self) -> TimesheetStatus {
        self.0.status.into()
    }
    /// The hours on it, in scope and T&M.
    async fn hours(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(loaders(ctx)?
            .timesheet_hours()
            .load_one(self.0.id)
            .await?
            .unwrap_or(Hours(0))
            .as_decimal())
    }
    /// Its time entries, by day.
    async fn entries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TimeEntryNode>> {
        let l = loaders(ctx)?;
        let entries = l
            .timesheet_entries()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let sows = l.sows().load_many(entries.iter().map(|e| e.sow_id)).await?;
        Ok(entries
            .into_iter()
            .filter_map(|e| {
                let sow = sows.get(&e.sow_id)?;
                Some(TimeEntryNode(e, sow.data.currency, sow.engagement_id))
            })
            .collect())
    }
    /// When it was last submitted.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// Who approved or returned it last (a token subject).
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
    /// When it was approved or returned last.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Why it was returned, while it is RETURNED.
    async fn return_reason(&self) -> Option<&str> {
        self.0.return_reason.as_deref()
    }
    /// When its first hour was logged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Days a team member is away; their capacity drops by a fifth of a week per workday.
pub struct TimeOffNode(pub rules::TimeOff);

#[Object(name = "TimeOff")]
impl TimeOffNode {
    /// Its opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::TimeOff, self.0.id.0)
    }
    /// Who is away.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        member_node(ctx, self.0.team_member_id).await
    }
    /// The first day away.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// The last day away.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// Why.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

/// A team member planned onto a phase for some hours a week over a date range.
pub struct AllocationNode(pub rules::Allocation);

#[Object(name = "Allocation")]
impl AllocationNode {
    /// Its opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Allocation, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Who.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        member_node(ctx, self.0.team_member_id).await
    }
    /// On which phase.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        Ok(loaders(ctx)?
            .phase_by_id()
            .load_one(self.0.phase_id)
            .await?
            .map(PhaseNode::from))
    }
    /// The first day.
    async fn starts_on(&self) -> Date {
        Date(self.0.data.starts_on)
    }
    /// The last day.
    async fn ends_on(&self) -> Date {
        Date(self.0.data.ends_on)
    }
    /// Hours per full (five-day) week; a partial week counts pro rata to its workdays.
    async fn hours_per_week(&self) -> f64 {
        self.0.data.hours_per_week.as_decimal()
    }
    /// A note.
    async fn note(&self) -> Option<&str> {
        self.0.data.note.as_deref()
    }
    /// Who made it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One week of capacity, plans and logged time (a person's, or a team's summed).
pub struct WeekFigures(rules::Week, Option<i32>);

#[Object(name = "UtilisationWeek")]
impl WeekFigures {
    /// The Monday the week starts on.
    async fn week_start(&self) -> Date {
        Date(self.0.week_start)
    }
    /// Weekly capacity less the workdays off.
    async fn capacity_hours(&self) -> f64 {
        self.0.capacity.as_decimal()
    }
    /// Hours allocated to phases, pro rata to the workdays each allocation covers.
    async fn allocated_hours(&self) -> f64 {
        self.0.allocated.as_decimal()
    }
    /// Hours logged in the week, whatever their timesheet's status.
    async fn logged_hours(&self) -> f64 {
        self.0.logged.as_decimal()
    }
    /// Hours logged in the week on approved timesheets.
    async fn approved_hours(&self) -> f64 {
        self.0.approved.as_decimal()
    }
    /// Logged hours against capacity, in percent; null without capacity.
    async fn utilisation_percent(&self) -> Option<f64> {
        self.0.utilisation_percent()
    }
    /// Allocated hours against capacity, in percent; null without capacity.
    async fn allocation_percent(&self) -> Option<f64> {
        self.0.allocation_percent()
    }
    /// More hours allocated than capacity. For a team: whether anyone in it is.
    async fn over_allocated(&self) -> bool {
        match self.1 {
            Some(people) => people > 0,
            None => self.0.over_allocated(),
        }
    }
    /// For a team: how many people are over-allocated this week; null for a person.
    async fn over_allocated_people(&self) -> Option<i32> {
        self.1
    }
}

/// A person's utilisation over the weeks asked for.
#[derive(SimpleObject)]
pub struct PersonUtilisation {
    /// Who.
    pub team_member: TeamMemberNode,
    /// Their weekly capacity.
    pub weekly_capacity_hours: f64,
    /// Their weeks, in order.
    pub weeks: Vec<WeekFigures>,
    /// How many of those weeks they are over-allocated.
    pub over_allocated_weeks: i32,
}

/// Utilisation of a set of people, each and summed per week.
#[derive(SimpleObject)]
pub struct Utilisation {
    /// Each person, by name.
    pub people: Vec<PersonUtilisation>,
    /// The people summed, per week.
    pub team: Vec<WeekFigures>,
}

#[derive(Default)]
pub struct TimesheetQuery;

#[Object]
impl TimesheetQuery {
    /// One timesheet.
    async fn timesheet(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<TimesheetNode>> {
        let (s, who) = parts(ctx)?;
        let id = TimesheetId(ids::decode(Kind::Timesheet, &id, "id")?);
        Ok(svc::get(s, who, id).await?.map(TimesheetNode))
    }

    /// Timesheets, newest week first: for example the approval queue,
    /// `timesheets(statuses: [SUBMITTED])`. `from` and `to` bound the weeks' Mondays; `first`
    /// is at most 500.
    async fn timesheets(
        &self,
        ctx: &Context<'_>,
        team_member_ids: Option<Vec<ID>>,
        statuses: Option<Vec<TimesheetStatus>>,
        from: Option<Date>,
        to: Option<Date>,
        #[graphql(default = 100, validator(minimum = 1, maximum = 500))] first: i32,
    ) -> async_graphql::Result<Vec<TimesheetNode>> {
        let (s, who) = parts(ctx)?;
        let team_member_ids = team_member_ids.as_deref().map(member_ids).transpose()?;
        let filter = SheetFilter {
            team_member_ids,
            statuses: statuses.map(|v| v.into_iter().map(Into::into).collect()),
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
        };
        Ok(svc::list(s, who, &filter, first as u64)
            .await?
            .into_iter()
            .map(TimesheetNode)
            .collect())
    }

    /// The allocations of `teamMemberIds` that overlap `[from, to]`, by start date.
    async fn allocations(
        &self,
        ctx: &Context<'_>,
        team_member_ids: Vec<ID>,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<Vec<AllocationNode>> {
        let (s, who) = parts(ctx)?;
        let members = member_ids(&team_member_ids)?;
        let (_, alloc) = svc::plans_of(s, who, &members, from.0, to.0).await?;
        Ok(alloc.into_iter().map(AllocationNode).collect())
    }

    /// The time off of `teamMemberIds` that overlaps `[from, to]`, by start date.
    async fn time_off(
        &self,
        ctx: &Context<'_>,
        team_member_ids: Vec<ID>,
        from: Date,
        to: Date,
    ) -> async_graphql::Result<Vec<TimeOffNode>> {
        let (s, who) = parts(ctx)?;
        let members = member_ids(&team_member_ids)?;
        let (off, _) = svc::plans_of(s, who, &members, from.0, to.0).await?;
        Ok(off.into_iter().map(TimeOffNode).collect())
    }

    /// Utilisation per person and per week for `weeks` weeks (1–26) from the week containing
    /// `from`: capacity (weekly hours less time off), hours allocated to phases, hours logged
    /// and approved, with over-allocation flagged. Covers `teamMemberIds`, else the active
    /// members of `team`, else the active members of the SERVICES team.
    async fn utilisation(
        &self,
        ctx: &Context<'_>,
        from: Date,
        #[graphql(default = 4)] weeks: i32,
        team: Option<Team>,
        team_member_ids: Option<Vec<ID>>,
    ) -> async_graphql::Result<Utilisation> {
        let (s, who) = parts(ctx)?;
        let people = match team_member_ids {
            Some(list) => People::Ids(member_ids(&list)?),
            None => People::Team(
                team.map(Into::into)
                    .unwrap_or(tandem_domain::team_member::Team::Services),
            ),
        };
        let weeks = u32::try_from(weeks).unwrap_or(0);
        let rows = svc::utilisation(s, who, people, from.0, weeks).await?;
        let team = rows
            .team
            .into_iter()
            .map(|t| WeekFigures(t.total, Some(t.over_allocated_people as i32)))
            .collect();
        let people = rows
            .people
            .into_iter()
            .map(|p| PersonUtilisation {
                weekly_capacity_hours: p.member.data.weekly_capacity.as_decimal(),
                over_allocated_weeks: p.weeks.iter().filter(|w| w.over_allocated()).count() as i32,
                weeks: p.weeks.into_iter().map(|w| WeekFigures(w, None)).collect(),
                team_member: TeamMemberNode(p.member),
            })
            .collect();
        Ok(Utilisation { people, team })
    }
}

/// Which timesheet, at which version.
#[derive(InputObject)]
pub struct SubmitTimesheetInput {
    /// The timesheet.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// Which timesheet to approve, at which version.
#[derive(InputObject)]
pub struct ApproveTimesheetInput {
    /// The timesheet.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// Which timesheet to return, at which version, and why.
#[derive(InputObject)]
pub struct ReturnTimesheetInput {
    /// The timesheet.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// What to correct; shown to the person.
    pub reason: String,
}

/// Time off to record.
#[derive(InputObject)]
pub struct AddTimeOffInput {
    /// Who is away.
    pub team_member_id: ID,
    /// The first day away.
    pub starts_on: Date,
    /// The last day away.
    pub ends_on: Date,
    /// Why.
    pub reason: Option<String>,
}

/// An allocation to make.
#[derive(InputObject)]
pub struct AllocateInput {
    /// Who.
    pub team_member_id: ID,
    /// On which phase (not an accepted one).
    pub phase_id: ID,
    /// The first day.
    pub starts_on: Date,
    /// The last day.
    pub ends_on: Date,
    /// Hours per full week, in (0, 80].
    pub hours_per_week: f64,
    /// A note.
    pub note: Option<String>,
}

/// A change to an allocation; omitted fields stay.
#[derive(InputObject)]
pub struct UpdateAllocationInput {
    /// The allocation.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The first day.
    pub starts_on: Option<Date>,
    /// The last day.
    pub ends_on: Option<Date>,
    /// Hours per full week.
    pub hours_per_week: Option<f64>,
    /// A note.
    pub note: Option<String>,
}

/// Which allocation to remove, at which version.
#[derive(InputObject)]
pub struct RemoveAllocationInput {
    /// The allocation.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

#[derive(Default)]
pub struct TimesheetMutation;

#[Object]
impl TimesheetMutation {
    /// Submits a DRAFT or RETURNED timesheet for approval (ADMIN, SERVICES); its hours freeze.
    /// `TIMESHEET_SUBMITTED` on each account it has hours on.
    async fn submit_timesheet(
        &self,
        ctx: &Context<'_>,
        input: SubmitTimesheetInput,
    ) -> async_graphql::Result<TimesheetNode> {
        let (s, who) = parts(ctx)?;
        let id = TimesheetId(ids::decode(Kind::Timesheet, &input.id, "id").map_err(under)?);
        Ok(TimesheetNode(svc::submit(s, who, id, input.version).await?))
    }

    /// Approves a SUBMITTED timesheet: its hours now count as burn. Needs an ADMIN, or a
    /// SERVICES member marked as a lead; nobody approves their own. `TIMESHEET_APPROVED` on
    /// each account it has hours on.
    async fn approve_timesheet(
        &self,
        ctx: &Context<'_>,
        input: ApproveTimesheetInput,
    ) -> async_graphql::Result<TimesheetNode> {
        let (s, who) = parts(ctx)?;
        let id = TimesheetId(ids::decode(Kind::Timesheet, &input.id, "id").map_err(under)?);
        Ok(TimesheetNode(
            svc::decide(s, who, id, input.version, Decision::Approve).await?,
        ))
    }

    /// Returns a SUBMITTED timesheet for correction, with the reason; same rights as approval.
    /// `TIMESHEET_RETURNED` on each account it has hours on.
    async fn return_timesheet(
        &self,
        ctx: &Context<'_>,
        input: ReturnTimesheetInput,
    ) -> async_graphql::Result<TimesheetNode> {
        let (s, who) = parts(ctx)?;
        let id = TimesheetId(ids::decode(Kind::Timesheet, &input.id, "id").map_err(under)?);
        Ok(TimesheetNode(
            svc::decide(s, who, id, input.version, Decision::Return(input.reason))
                .await
                .map_err(under)?,
        ))
    }

    /// Removes a time entry from a DRAFT or RETURNED timesheet (ADMIN, SERVICES);
    /// `TIME_ENTRY_REMOVED`. Returns the timesheet.
    async fn remove_time_entry(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TimesheetNode> {
        let (s, who) = parts(ctx)?;
        let id = TimeEntryId(ids::decode(Kind::TimeEntry, &id, "id")?);
        Ok(TimesheetNode(svc::remove_entry(s, who, id).await?))
    }

    /// Records time off (ADMIN, SERVICES).
    async fn add_time_off(
        &self,
        ctx: &Context<'_>,
        input: AddTimeOffInput,
    ) -> async_graphql::Result<TimeOffNode> {
        let (s, who) = parts(ctx)?;
        let member = TeamMemberId(
            ids::decode(Kind::TeamMember, &input.team_member_id, "teamMemberId").map_err(under)?,
        );
        let new = NewTimeOff {
            team_member_id: member,
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.0,
            reason: input.reason,
        };
        Ok(TimeOffNode(
            svc::add_time_off(s, who, new).await.map_err(under)?,
        ))
    }

    /// Removes time off (ADMIN, SERVICES). Returns what was removed.
    async fn remove_time_off(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TimeOffNode> {
        let (s, who) = parts(ctx)?;
        let id = TimeOffId(ids::decode(Kind::TimeOff, &id, "id")?);
        Ok(TimeOffNode(svc::remove_time_off(s, who, id).await?))
    }

    /// Allocates a person to a phase that is not accepted (ADMIN, SERVICES). Over-allocation
    /// is allowed and flagged by `utilisation`. `ALLOCATION_CHANGED`.
    async fn allocate(
        &self,
        ctx: &Context<'_>,
        input: AllocateInput,
    ) -> async_graphql::Result<AllocationNode> {
        let (s, who) = parts(ctx)?;
        let member = TeamMemberId(
            ids::decode(Kind::TeamMember, &input.team_member_id, "teamMemberId").map_err(under)?,
        );
        let phase = PhaseId(ids::decode(Kind::Phase, &input.phase_id, "phaseId").map_err(under)?);
        let data = AllocationData {
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.0,
            hours_per_week: hours("hoursPerWeek", input.hours_per_week)?,
            note: input.note,
        };
        Ok(AllocationNode(
            svc::allocate(s, who, member, phase, data)
                .await
                .map_err(under)?,
        ))
    }

    /// Changes an allocation still at `input.version` (ADMIN, SERVICES); `ALLOCATION_CHANGED`.
    async fn update_allocation(
        &self,
        ctx: &Context<'_>,
        input: UpdateAllocationInput,
    ) -> async_graphql::Result<AllocationNode> {
        let (s, who) = parts(ctx)?;
        let id = AllocationId(ids::decode(Kind::Allocation, &input.id, "id").map_err(under)?);
        let per_week = input
            .hours_per_week
            .map(|h| hours("hoursPerWeek", h))
            .transpose()?;
        let a = svc::update_allocation(s, who, id, input.version, |current| {
            let d = current.data.clone();
            Ok(AllocationData {
                starts_on: input.starts_on.map_or(d.starts_on, |x| x.0),
                ends_on: input.ends_on.map_or(d.ends_on, |x| x.0),
                hours_per_week: per_week.unwrap_or(d.hours_per_week),
                note: input.note.or(d.note),
            })
        })
        .await
        .map_err(under)?;
        Ok(AllocationNode(a))
    }

    /// Removes an allocation still at `input.version` (ADMIN, SERVICES); `ALLOCATION_CHANGED`.
    /// Returns what was removed.
    async fn remove_allocation(
        &self,
        ctx: &Context<'_>,
        input: RemoveAllocationInput,
    ) -> async_graphql::Result<AllocationNode> {
        let (s, who) = parts(ctx)?;
        let id = AllocationId(ids::decode(Kind::Allocation, &input.id, "id").map_err(under)?);
        Ok(AllocationNode(
            svc::remove_allocation(s, who, id, input.version).await?,
        ))
    }
}

impl AllocationNode {
    /// A phase's allocations, for `Phase.allocations`.
    pub(crate) async fn of_phase(
        ctx: &Context<'_>,
        phase: PhaseId,
    ) -> async_graphql::Result<Vec<AllocationNode>> {
        Ok(loaders(ctx)?
            .phase_allocations()
            .load_one(phase)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AllocationNode)
            .collect())
    }
}
