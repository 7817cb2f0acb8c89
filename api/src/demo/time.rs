//! Demo timesheets and capacity: the weeks of logged time submitted and mostly approved by the
//! services lead (one returned with a reason, one waiting in the approval queue, this week's
//! still in draft), time off, and allocations of the services team to the phases they lead —
//! with one person over-allocated in one week.

use chrono::{Days, NaiveDate};
use tandem_domain::auth::{Principal, Role};
use tandem_domain::engagement::{EngagementStatus, PhaseStatus};
use tandem_domain::hours::Hours;
use tandem_domain::team_member::{Team, TeamMember};
use tandem_domain::timesheet::{AllocationData, Decision, NewTimeOff, TimesheetStatus, week_start};
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::page::Window;
use tandem_persistence::timesheet::{self, SheetFilter};
use tandem_persistence::{PersistenceResult, Store};

/// Submits and decides the demo's timesheets and plans the services team's next weeks around
/// `today`. `admin` approves the lead's own sheets: nobody approves their own.
pub(super) async fn load(
    store: &Store,
    team: &[TeamMember],
    admin: &TeamMember,
    today: NaiveDate,
) -> PersistenceResult<()> {
    let Some(lead) = team.iter().find(|m| m.data.lead) else {
        return Ok(());
    };
    let as_lead = Principal::vendor(lead.id.to_string(), Role::Services);
    let as_admin = Principal::vendor(admin.id.to_string(), Role::Admin);
    let this_week = week_start(today);
    let filter = SheetFilter {
        statuses: Some(vec![TimesheetStatus::Draft]),
        ..Default::default()
    };
    // Newest week first.
    let sheets = timesheet::list(store, &filter, 10_000).await?;
    let mut returned = false;
    let mut waiting = false;
    for sheet in sheets.into_iter().filter(|s| s.week_start < this_week) {
        let owner = sheet.team_member_id.to_string();
        let submitted = timesheet::submit(store, &owner, sheet.id, sheet.version).await?;
        let approver = if sheet.team_member_id == lead.id {
            &as_admin
        } else {
            &as_lead
        };
        let decision = if !returned {
            returned = true;
            Some(Decision::Return(
                "Thursday's hours are booked to the catalog phase but were spent on the apparel \
                 cut-over; please move them and resubmit."
                    .into(),
            ))
        } else if !waiting {
            waiting = true;
            None
        } else {
            Some(Decision::Approve)
        };
        if let Some(decision) = decision {
            timesheet::decide(store, approver, sheet.id, submitted.version, decision).await?;
        }
    }

    // Plans: each services member on the open phases of the engagements they lead, 16 h a
    // week from two weeks ago for six weeks; the busiest also covers a cut-over next week.
    let from = this_week - Days::new(14);
    let to = this_week + Days::new(6 * 7 - 3);
    let mut busiest: Option<(usize, TeamMember, tandem_domain::ids::PhaseId)> = None;
    for member in team.iter().filter(|m| m.data.team == Team::Services) {
        let filter = EngagementFilter {
            lead_ids: vec![member.id],
            statuses: vec![EngagementStatus::Active, EngagementStatus::Planned],
            ..Default::default()
        };
        let window = Window {
            limit: 20,
            after: None,
            before: None,
            from_end: false,
        };
        let led = engagement::list(store, &filter, &window).await?.items;
        let ids: Vec<_> = led.iter().map(|e| e.id).collect();
        let phases = phase::of_engagements(store, &ids).await?;
        let open: Vec<_> =
            ids.iter()
                .filter_map(|e| {
                    phases.get(e)?.iter().find(|p| {
                        matches!(p.status, PhaseStatus::Planned | PhaseStatus::InProgress)
                    })
                })
                .take(2)
                .collect();
        for p in &open {
            let data = AllocationData {
                starts_on: from,
                ends_on: to,
                hours_per_week: Hours(1600),
                note: None,
            }
            .validate()?;
            timesheet::allocation::allocate(store, super::seed::ACTOR, member.id, p.id, data)
                .await?;
        }
        if let Some(first) = open.first()
            && busiest.as_ref().is_none_or(|(n, _, _)| open.len() > *n)
        {
            busiest = Some((open.len(), member.clone(), first.id));
        }
    }
    if let Some((_, member, phase)) = busiest {
        let next_week = this_week + Days::new(7);
        let data = AllocationData {
            starts_on: next_week,
            ends_on: next_week + Days::new(4),
            hours_per_week: Hours(2400),
            note: Some("Cut-over weekend support".into()),
        }
        .validate()?;
        timesheet::allocation::allocate(store, super::seed::ACTOR, member.id, phase, data).await?;
        // And a day off that week.
        let off = NewTimeOff {
            team_member_id: member.id,
            starts_on: next_week + Days::new(4),
            ends_on: next_week + Days::new(4),
            reason: Some("Public holiday".into()),
        }
        .validate(chrono::Utc::now())?;
        timesheet::time_off::add_time_off(store, super::seed::ACTOR, off).await?;
    }
    Ok(())
}
