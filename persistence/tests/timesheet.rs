//! Timesheets, time off and allocations on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{NaiveDate, SubsecRound, Utc};
use tandem_domain::DomainError;
use tandem_domain::auth::{Principal, Role};
use tandem_domain::engagement::{EngagementStatus, PhaseStatus};
use tandem_domain::event::{EventKind, NewEvent, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{
    AccountId, AllocationId, PhaseId, SowId, TeamMemberId, TimeEntryId, TimesheetId,
};
use tandem_domain::sow::{NewSow, Rate, TimeEntry, WorkKind};
use tandem_domain::team_member::TeamMember;
use tandem_domain::timesheet::{
    Allocation, AllocationData, Decision, NewTimeOff, Timesheet, TimesheetStatus,
};
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::timesheet::SheetFilter;
use tandem_persistence::{PersistenceError, Store, sow, team_member, timesheet};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::day;
use common::engagement::{phase_on, replatforming};
use common::event::events_of;
use common::open;
use common::sow::{sign, time_entry};
use common::team_member::{admin, developer};

/// Each sheet's entries' ids, in day order: what the API's `Timesheet.entries` reads.
async fn entry_ids(
    store: &Store,
    sheets: &[tandem_domain::ids::TimesheetId],
) -> Result<
    std::collections::HashMap<
        tandem_domain::ids::TimesheetId,
        Vec<tandem_domain::ids::TimeEntryId>,
    >,
    PersistenceError,
> {
    let mut out: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    for e in sow::entries_of_timesheets(store, sheets).await? {
        if let Some(sheet) = e.timesheet_id {
            out.entry(sheet).or_default().push(e.id);
        }
    }
    Ok(out)
}

/// The day every entry is logged on: every day these tests log time on is in its past.
fn today() -> NaiveDate {
    day(12, 1)
}

/// An account with an engagement, one phase and a signed SOW to log time against.
struct Books {
    account: AccountId,
    sow: SowId,
    phase: PhaseId,
    engagement: tandem_domain::ids::EngagementId,
}

async fn books(store: &Store, name: &str) -> Books {
    let a = customer(store, name).await;
    let e = replatforming(store, a).await;
    let p = phase_on(store, e.id, "Catalog").await;
    let s = sow::create(
        store,
        "t",
        a,
        Some(e.id),
        NewSow {
            title: "Phase 1".into(),
            currency: Some("USD".into()),
            fixed_price: 1_000_000,
            rate_card: vec![Rate {
                role: "Developer".into(),
                hourly_rate: 15_000,
            }],
            scope: vec![],
            tm_hours_cap: None,
            tm_amount_cap: None,
        },
    )
    .await
    .unwrap();
    sign(store, s.id, day(1, 1), day(1, 2)).await;
    Books {
        account: a,
        sow: s.id,
        phase: p.id,
        engagement: e.id,
    }
}

/// Logs `hours` hundredths of an hour of `who`'s time on `on` against `sow`.
async fn log(
    store: &Store,
    sow_id: SowId,
    who: TeamMemberId,
    on: NaiveDate,
    hours: i64,
) -> Result<TimeEntry, PersistenceError> {
    sow::log_time(
        store,
        "t",
        sow_id,
        time_entry(who, on, hours, WorkKind::TimeAndMaterials),
        today(),
    )
    .await
}

async fn sheet_of(store: &Store, entry: &TimeEntry) -> Timesheet {
    timesheet::get_sheet(store, entry.timesheet_id.unwrap())
        .await
        .unwrap()
        .unwrap()
}

fn as_member(m: &TeamMember) -> Principal {
    Principal::vendor(m.id.to_string(), Role::Services)
}

/// A sheet of `who`'s with 8 h on Monday 5 January, submitted.
async fn submitted_sheet(store: &Store, b: &Books, who: TeamMemberId) -> Timesheet {
    let entry = log(store, b.sow, who, day(1, 5), 800).await.unwrap();
    let draft = sheet_of(store, &entry).await;
    timesheet::submit(store, "t", draft.id, draft.version)
        .await
        .unwrap()
}

fn change<'a>(e: &'a NewEvent, field: &str) -> &'a tandem_domain::event::FieldChange {
    e.changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("no change to {field} in {e:?}"))
}

/// A sheet as storage keeps it: PostgreSQL keeps timestamps to the microsecond.
fn stored(s: &Timesheet) -> Timesheet {
    Timesheet {
        submitted_at: s.submitted_at.map(|t| t.trunc_subsecs(6)),
        decided_at: s.decided_at.map(|t| t.trunc_subsecs(6)),
        created_at: s.created_at.trunc_subsecs(6),
        updated_at: s.updated_at.trunc_subsecs(6),
        ..s.clone()
    }
}

/// An allocation as storage keeps it.
fn stored_allocation(a: &Allocation) -> Allocation {
    Allocation {
        created_at: a.created_at.trunc_subsecs(6),
        updated_at: a.updated_at.trunc_subsecs(6),
        ..a.clone()
    }
}

fn is_conflict(err: &PersistenceError) -> bool {
    matches!(err, PersistenceError::Domain(DomainError::Conflict(_)))
}

fn is_not_allowed(err: &PersistenceError) -> bool {
    matches!(err, PersistenceError::Domain(DomainError::NotAllowed(_)))
}

/// `real` hidden among unknown ids so that some of it lies past the first 500 keys.
fn padded<T: Copy>(real: &[T], unknown: impl Fn() -> T) -> Vec<T> {
    let mut keys: Vec<T> = (0..620).map(|_| unknown()).collect();
    for (i, k) in real.iter().enumerate() {
        // One near the front, the others past the first chunk.
        let at = if i == 0 { 3 } else { 500 + 7 * i };
        keys.insert(at, *k);
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// Sheets gather the week's time

db_test! {
    async fn time_logged_monday_to_sunday_gathers_into_one_draft_sheet_from_monday(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let wednesday = log(&store, b.sow, dee.id, day(1, 7), 100).await.unwrap();
        let sunday = log(&store, b.sow, dee.id, day(1, 11), 100).await.unwrap();
        let next_monday = log(&store, b.sow, dee.id, day(1, 12), 100).await.unwrap();
        assert_eq!(wednesday.timesheet_id, sunday.timesheet_id);
        assert_ne!(sunday.timesheet_id, next_monday.timesheet_id);
        let sheet = sheet_of(&store, &wednesday).await;
        assert_eq!(sheet.week_start, day(1, 5));
        assert_eq!(sheet.team_member_id, dee.id);
        assert_eq!(sheet.status, TimesheetStatus::Draft);
        assert_eq!(sheet_of(&store, &next_monday).await.week_start, day(1, 12));
    }
}

db_test! {
    async fn each_person_has_a_sheet_of_their_own_for_the_same_week(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let a = log(&store, b.sow, dee.id, day(1, 6), 100).await.unwrap();
        let c = log(&store, b.sow, eve.id, day(1, 6), 100).await.unwrap();
        assert_ne!(a.timesheet_id, c.timesheet_id);
        assert_eq!(sheet_of(&store, &c).await.team_member_id, eve.id);
    }
}

db_test! {
    async fn every_hour_logged_bumps_the_open_sheets_version(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let first = log(&store, b.sow, dee.id, day(1, 5), 100).await.unwrap();
        assert_eq!(sheet_of(&store, &first).await.version, 1);
        log(&store, b.sow, dee.id, day(1, 6), 100).await.unwrap();
        log(&store, b.sow, dee.id, day(1, 7), 100).await.unwrap();
        assert_eq!(sheet_of(&store, &first).await.version, 3);
    }
}

db_test! {
    async fn hours_of_a_sheet_sum_its_entries(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let other = books(&store, "Globex").await;
        let dee = developer(&store, "Dee", false).await;
        let e = log(&store, b.sow, dee.id, day(1, 5), 750).await.unwrap();
        log(&store, other.sow, dee.id, day(1, 6), 125).await.unwrap();
        let next = log(&store, b.sow, dee.id, day(1, 12), 300).await.unwrap();
        let (s1, s2) = (e.timesheet_id.unwrap(), next.timesheet_id.unwrap());
        let hours = timesheet::hours(&store, &[s1, s2]).await.unwrap();
        assert_eq!(hours.len(), 2);
        assert_eq!(hours[&s1], Hours(875));
        assert_eq!(hours[&s2], Hours(300));
    }
}

db_test! {
    async fn a_sheets_entries_are_listed_in_day_order(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let friday = log(&store, b.sow, dee.id, day(1, 9), 100).await.unwrap();
        let monday = log(&store, b.sow, dee.id, day(1, 5), 100).await.unwrap();
        let wednesday = log(&store, b.sow, dee.id, day(1, 7), 100).await.unwrap();
        let sheet = monday.timesheet_id.unwrap();
        let ids = entry_ids(&store, &[sheet]).await.unwrap();
        assert_eq!(ids[&sheet], vec![monday.id, wednesday.id, friday.id]);
    }
}

db_test! {
    async fn reads_by_many_sheets_answer_for_keys_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let mut sheets = Vec::new();
        for (week, hours) in [(5, 100), (12, 200), (19, 300)] {
            let e = log(&store, b.sow, dee.id, day(1, week), hours).await.unwrap();
            sheets.push(e.timesheet_id.unwrap());
        }
        let keys = padded(&sheets, TimesheetId::new);
        assert!(keys.iter().position(|k| *k == sheets[2]).unwrap() >= 500);

        let mut read: Vec<TimesheetId> = timesheet::by_ids(&store, &keys).await.unwrap().into_iter().map(|s| s.id).collect();
        read.sort();
        let mut expected = sheets.clone();
        expected.sort();
        assert_eq!(read, expected);

        let hours = timesheet::hours(&store, &keys).await.unwrap();
        assert_eq!(hours.len(), 3);
        assert_eq!(hours[&sheets[2]], Hours(300));

        let ids = entry_ids(&store, &keys).await.unwrap();
        assert_eq!(ids.len(), 3);
        assert!(ids.values().all(|v| v.len() == 1));
    }
}

db_test! {
    async fn an_unknown_sheet_reads_as_none(db) {
        let store = open(&db).await;
        assert!(timesheet::get_sheet(&store, TimesheetId::new()).await.unwrap().is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// Submission

db_test! {
    async fn submitting_a_sheet_freezes_it_and_records_one_event_per_account(db) {
        let store = open(&db).await;
        let acme = books(&store, "Acme").await;
        let globex = books(&store, "Globex").await;
        let dee = developer(&store, "Dee", false).await;
        let e = log(&store, acme.sow, dee.id, day(1, 5), 800).await.unwrap();
        log(&store, acme.sow, dee.id, day(1, 6), 150).await.unwrap();
        log(&store, globex.sow, dee.id, day(1, 7), 400).await.unwrap();
        let draft = sheet_of(&store, &e).await;

        let submitted = timesheet::submit(&store, "dee", draft.id, draft.version).await.unwrap();
        assert_eq!(submitted.status, TimesheetStatus::Submitted);
        assert_eq!(submitted.version, draft.version + 1);
        assert!(submitted.submitted_at.is_some());
        assert_eq!(stored(&timesheet::get_sheet(&store, draft.id).await.unwrap().unwrap()), stored(&submitted));

        let mut recorded = events_of(&store, &[EventKind::TimesheetSubmitted]).await;
        assert_eq!(recorded.len(), 2);
        recorded.sort_by_key(|e| e.account_id.map(|a| a == globex.account));
        let (on_acme, on_globex) = (&recorded[0], &recorded[1]);
        assert_eq!(on_acme.account_id, Some(acme.account));
        assert_eq!(on_globex.account_id, Some(globex.account));
        for ev in &recorded {
            assert_eq!((ev.subject_kind, ev.subject_id, ev.actor.as_str()), (SubjectKind::Timesheet, draft.id.0, "dee"));
            assert_eq!(change(ev, "status").before, "DRAFT");
            assert_eq!(change(ev, "status").after, "SUBMITTED");
            assert_eq!(change(ev, "weekStart").after, "2026-01-05");
            assert_eq!(change(ev, "teamMemberId").after, dee.id.to_string().as_str());
        }
        assert_eq!(change(on_acme, "hours").after, 9.5);
        assert_eq!(change(on_globex, "hours").after, 4.0);
    }
}

db_test! {
    async fn a_timesheet_submitted_twice_conflicts(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let err = timesheet::submit(&store, "t", s.id, s.version).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert_eq!(timesheet::get_sheet(&store, s.id).await.unwrap().unwrap().version, s.version);
        assert_eq!(events_of(&store, &[EventKind::TimesheetSubmitted]).await.len(), 1);
    }
}

db_test! {
    async fn a_submission_from_a_stale_read_loses_to_time_logged_meanwhile(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let e = log(&store, b.sow, dee.id, day(1, 5), 800).await.unwrap();
        let read = sheet_of(&store, &e).await;
        log(&store, b.sow, dee.id, day(1, 6), 100).await.unwrap();
        let err = timesheet::submit(&store, "t", read.id, read.version).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert_eq!(sheet_of(&store, &e).await.status, TimesheetStatus::Draft);
        assert!(events_of(&store, &[EventKind::TimesheetSubmitted]).await.is_empty());
    }
}

db_test! {
    async fn a_sheet_without_hours_cannot_be_submitted(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let e = log(&store, b.sow, dee.id, day(1, 5), 800).await.unwrap();
        let emptied = timesheet::remove_entry(&store, "t", e.id).await.unwrap();
        let err = timesheet::submit(&store, "t", emptied.id, emptied.version).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert!(err.to_string().contains("holds no hours"), "{err}");
    }
}

db_test! {
    async fn submitting_an_unknown_sheet_is_not_found(db) {
        let store = open(&db).await;
        let err = timesheet::submit(&store, "t", TimesheetId::new(), 1).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "timesheet", .. }), "{err:?}");
    }
}

db_test! {
    async fn a_submitted_week_takes_no_more_time(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let err = log(&store, b.sow, dee.id, day(1, 9), 100).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert!(err.to_string().contains("until it is returned"), "{err}");
        assert_eq!(timesheet::hours(&store, &[s.id]).await.unwrap()[&s.id], Hours(800));
        // The next week is open all the same.
        log(&store, b.sow, dee.id, day(1, 12), 100).await.unwrap();
    }
}

db_test! {
    async fn an_entry_on_a_submitted_sheet_cannot_be_removed(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let entry = entry_ids(&store, &[s.id]).await.unwrap()[&s.id][0];
        let err = timesheet::remove_entry(&store, "t", entry).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert_eq!(timesheet::hours(&store, &[s.id]).await.unwrap()[&s.id], Hours(800));
        assert!(events_of(&store, &[EventKind::TimeEntryRemoved]).await.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Decisions

db_test! {
    async fn an_admin_approves_a_submitted_sheet_and_each_account_hears_of_it(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let approved = timesheet::decide(&store, &admin(), s.id, s.version, Decision::Approve).await.unwrap();
        assert_eq!(approved.status, TimesheetStatus::Approved);
        assert_eq!(approved.decided_by.as_deref(), Some("admin"));
        assert!(approved.decided_at.is_some());
        assert_eq!(approved.version, s.version + 1);
        assert_eq!(stored(&timesheet::get_sheet(&store, s.id).await.unwrap().unwrap()), stored(&approved));
        let recorded = events_of(&store, &[EventKind::TimesheetApproved]).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].account_id, Some(b.account));
        assert_eq!(recorded[0].actor, "admin");
        assert_eq!(change(&recorded[0], "status").before, "SUBMITTED");
        assert_eq!(change(&recorded[0], "status").after, "APPROVED");
        assert_eq!(change(&recorded[0], "hours").after, 8.0);
    }
}

db_test! {
    async fn a_services_lead_may_decide_and_a_plain_services_member_may_not(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let lee = developer(&store, "Lee", true).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let err = timesheet::decide(&store, &as_member(&eve), s.id, s.version, Decision::Approve).await.unwrap_err();
        assert!(is_not_allowed(&err), "{err:?}");
        let approved = timesheet::decide(&store, &as_member(&lee), s.id, s.version, Decision::Approve).await.unwrap();
        assert_eq!(approved.decided_by, Some(lee.id.to_string()));
    }
}

db_test! {
    async fn an_archived_lead_may_no_longer_decide(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let lee = developer(&store, "Lee", true).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        team_member::archive(&store, "t", lee.id, lee.version).await.unwrap();
        let err = timesheet::decide(&store, &as_member(&lee), s.id, s.version, Decision::Approve).await.unwrap_err();
        assert!(is_not_allowed(&err), "{err:?}");
        assert_eq!(timesheet::get_sheet(&store, s.id).await.unwrap().unwrap().status, TimesheetStatus::Submitted);
    }
}

db_test! {
    async fn nobody_approves_their_own_sheet(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let lee = developer(&store, "Lee", true).await;
        let s = submitted_sheet(&store, &b, lee.id).await;
        let err = timesheet::decide(&store, &as_member(&lee), s.id, s.version, Decision::Approve).await.unwrap_err();
        assert!(is_not_allowed(&err), "{err:?}");
        assert!(events_of(&store, &[EventKind::TimesheetApproved]).await.is_empty());
    }
}

db_test! {
    async fn only_a_submitted_sheet_can_be_decided(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let e = log(&store, b.sow, dee.id, day(1, 5), 800).await.unwrap();
        let draft = sheet_of(&store, &e).await;
        let err = timesheet::decide(&store, &admin(), draft.id, draft.version, Decision::Approve).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert!(err.to_string().contains("only a SUBMITTED timesheet"), "{err}");
    }
}

db_test! {
    async fn a_decision_on_a_stale_version_is_refused(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let err = timesheet::decide(&store, &admin(), s.id, s.version - 1, Decision::Approve).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { entity: "timesheet", .. }), "{err:?}");
        assert_eq!(timesheet::get_sheet(&store, s.id).await.unwrap().unwrap().status, TimesheetStatus::Submitted);
    }
}

db_test! {
    async fn an_approved_sheet_is_final(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let approved = timesheet::decide(&store, &admin(), s.id, s.version, Decision::Approve).await.unwrap();
        let err = timesheet::decide(&store, &admin(), s.id, approved.version, Decision::Return("late".into())).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        let err = log(&store, b.sow, dee.id, day(1, 6), 100).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        let err = timesheet::submit(&store, "t", s.id, approved.version).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
    }
}

db_test! {
    async fn returning_a_sheet_keeps_the_reason_and_tells_each_account(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let returned = timesheet::decide(&store, &admin(), s.id, s.version, Decision::Return("Wrong SOW on Monday".into())).await.unwrap();
        assert_eq!(returned.status, TimesheetStatus::Returned);
        let read = timesheet::get_sheet(&store, s.id).await.unwrap().unwrap();
        assert_eq!(read.return_reason.as_deref(), Some("Wrong SOW on Monday"));
        let recorded = events_of(&store, &[EventKind::TimesheetReturned]).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(change(&recorded[0], "returnReason").after, "Wrong SOW on Monday");
        assert_eq!(change(&recorded[0], "status").after, "RETURNED");
    }
}

db_test! {
    async fn a_return_without_a_reason_is_refused(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let err = timesheet::decide(&store, &admin(), s.id, s.version, Decision::Return("  ".into())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "reason"), "{err:?}");
        assert_eq!(timesheet::get_sheet(&store, s.id).await.unwrap().unwrap().status, TimesheetStatus::Submitted);
    }
}

db_test! {
    async fn a_returned_sheet_takes_corrections_and_can_be_submitted_again(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await;
        let returned = timesheet::decide(&store, &admin(), s.id, s.version, Decision::Return("Add Tuesday".into())).await.unwrap();
        let tuesday = log(&store, b.sow, dee.id, day(1, 6), 200).await.unwrap();
        assert_eq!(tuesday.timesheet_id, Some(s.id));
        let corrected = timesheet::get_sheet(&store, s.id).await.unwrap().unwrap();
        assert_eq!(corrected.version, returned.version + 1);
        assert_eq!(corrected.status, TimesheetStatus::Returned);
        let again = timesheet::submit(&store, "dee", s.id, corrected.version).await.unwrap();
        assert_eq!(again.status, TimesheetStatus::Submitted);
        let submissions = events_of(&store, &[EventKind::TimesheetSubmitted]).await;
        assert_eq!(submissions.len(), 2);
        assert_eq!(change(&submissions[1], "status").before, "RETURNED");
        assert_eq!(change(&submissions[1], "hours").after, 10.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Removing an entry

db_test! {
    async fn removing_an_entry_records_its_hours_and_bumps_the_sheet(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let keep = log(&store, b.sow, dee.id, day(1, 5), 800).await.unwrap();
        let gone = log(&store, b.sow, dee.id, day(1, 6), 250).await.unwrap();
        let before = sheet_of(&store, &keep).await;
        let after = timesheet::remove_entry(&store, "dee", gone.id).await.unwrap();
        assert_eq!(after.id, before.id);
        assert_eq!(after.version, before.version + 1);
        assert_eq!(timesheet::hours(&store, &[after.id]).await.unwrap()[&after.id], Hours(800));
        assert_eq!(entry_ids(&store, &[after.id]).await.unwrap()[&after.id], vec![keep.id]);
        let recorded = events_of(&store, &[EventKind::TimeEntryRemoved]).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!((recorded[0].subject_kind, recorded[0].subject_id), (SubjectKind::TimeEntry, gone.id.0));
        assert_eq!(recorded[0].account_id, Some(b.account));
        assert_eq!(change(&recorded[0], "hours").before, 2.5);
        assert!(change(&recorded[0], "hours").after.is_null());
    }
}

db_test! {
    async fn removing_an_unknown_entry_is_not_found(db) {
        let store = open(&db).await;
        let err = timesheet::remove_entry(&store, "t", TimeEntryId::new()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "time entry", .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Lists and sums

db_test! {
    async fn sheets_list_newest_week_first_then_by_person(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        for on in [day(1, 5), day(1, 19), day(1, 12)] {
            log(&store, b.sow, dee.id, on, 100).await.unwrap();
            log(&store, b.sow, eve.id, on, 100).await.unwrap();
        }
        let (first, second) = if dee.id < eve.id { (dee.id, eve.id) } else { (eve.id, dee.id) };
        let sheets = timesheet::list(&store, &SheetFilter::default(), 100).await.unwrap();
        let got: Vec<(NaiveDate, TeamMemberId)> = sheets.iter().map(|s| (s.week_start, s.team_member_id)).collect();
        assert_eq!(got, [
            (day(1, 19), first), (day(1, 19), second),
            (day(1, 12), first), (day(1, 12), second),
            (day(1, 5), first), (day(1, 5), second),
        ]);
        let limited = timesheet::list(&store, &SheetFilter::default(), 3).await.unwrap();
        assert_eq!(limited, sheets[..3]);
    }
}

db_test! {
    async fn sheets_filter_by_person_and_status(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let submitted = submitted_sheet(&store, &b, dee.id).await;
        log(&store, b.sow, dee.id, day(1, 12), 100).await.unwrap();
        log(&store, b.sow, eve.id, day(1, 12), 100).await.unwrap();
        let weeks = |filter: SheetFilter| {
            let store = store.clone();
            async move {
                timesheet::list(&store, &filter, 100).await.unwrap().into_iter().map(|s| (s.team_member_id, s.week_start)).collect::<Vec<_>>()
            }
        };
        assert_eq!(weeks(SheetFilter { team_member_ids: Some(vec![eve.id]), ..Default::default() }).await, [(eve.id, day(1, 12))]);
        assert_eq!(weeks(SheetFilter { statuses: Some(vec![TimesheetStatus::Submitted]), ..Default::default() }).await, [(dee.id, submitted.week_start)]);
        assert_eq!(
            weeks(SheetFilter { team_member_ids: Some(vec![dee.id]), statuses: Some(vec![TimesheetStatus::Draft, TimesheetStatus::Approved]), ..Default::default() }).await,
            [(dee.id, day(1, 12))]
        );
    }
}

db_test! {
    async fn an_empty_list_of_people_or_statuses_matches_no_sheet(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        log(&store, b.sow, dee.id, day(1, 5), 100).await.unwrap();
        assert_eq!(timesheet::list(&store, &SheetFilter::default(), 10).await.unwrap().len(), 1);
        let nobody = SheetFilter { team_member_ids: Some(vec![]), ..Default::default() };
        assert!(timesheet::list(&store, &nobody, 10).await.unwrap().is_empty());
        let no_status = SheetFilter { statuses: Some(vec![]), ..Default::default() };
        assert!(timesheet::list(&store, &no_status, 10).await.unwrap().is_empty());
    }
}

db_test! {
    async fn a_week_range_keeps_the_weeks_its_days_fall_in(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        for monday in [day(1, 5), day(1, 12), day(1, 19), day(1, 26)] {
            log(&store, b.sow, dee.id, monday, 100).await.unwrap();
        }
        // From a Wednesday to a Thursday: the weeks of 12 and 19 January.
        let filter = SheetFilter { from: Some(day(1, 14)), to: Some(day(1, 22)), ..Default::default() };
        let weeks: Vec<NaiveDate> = timesheet::list(&store, &filter, 10).await.unwrap().iter().map(|s| s.week_start).collect();
        assert_eq!(weeks, [day(1, 19), day(1, 12)]);
        // Mondays exactly: both bounds included.
        let filter = SheetFilter { from: Some(day(1, 5)), to: Some(day(1, 12)), ..Default::default() };
        let weeks: Vec<NaiveDate> = timesheet::list(&store, &filter, 10).await.unwrap().iter().map(|s| s.week_start).collect();
        assert_eq!(weeks, [day(1, 12), day(1, 5)]);
    }
}

db_test! {
    async fn logged_by_week_sums_all_and_approved_hours_per_person_and_week(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let s = submitted_sheet(&store, &b, dee.id).await; // 8 h in the week of 5 January
        timesheet::decide(&store, &admin(), s.id, s.version, Decision::Approve).await.unwrap();
        log(&store, b.sow, dee.id, day(1, 13), 300).await.unwrap();
        log(&store, b.sow, dee.id, day(1, 14), 150).await.unwrap();
        log(&store, b.sow, eve.id, day(1, 13), 700).await.unwrap();
        let sums = timesheet::logged_by_week(&store, &[dee.id, eve.id], day(1, 5), day(1, 12)).await.unwrap();
        assert_eq!(sums.len(), 3);
        assert_eq!(sums[&(dee.id, day(1, 5))], (Hours(800), Hours(800)));
        assert_eq!(sums[&(dee.id, day(1, 12))], (Hours(450), Hours(0)));
        assert_eq!(sums[&(eve.id, day(1, 12))], (Hours(700), Hours(0)));
    }
}

db_test! {
    async fn logged_by_week_keeps_weeks_starting_within_the_range(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        for monday in [day(1, 5), day(1, 12), day(1, 19)] {
            log(&store, b.sow, dee.id, monday, 100).await.unwrap();
        }
        let sums = timesheet::logged_by_week(&store, &[dee.id], day(1, 12), day(1, 12)).await.unwrap();
        assert_eq!(sums.keys().map(|k| k.1).collect::<Vec<_>>(), [day(1, 12)]);
    }
}

db_test! {
    async fn logged_by_week_answers_for_people_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        log(&store, b.sow, dee.id, day(1, 5), 100).await.unwrap();
        log(&store, b.sow, eve.id, day(1, 5), 200).await.unwrap();
        let people = padded(&[dee.id, eve.id], TeamMemberId::new);
        let sums = timesheet::logged_by_week(&store, &people, day(1, 1), day(1, 31)).await.unwrap();
        assert_eq!(sums.len(), 2);
        assert_eq!(sums[&(eve.id, day(1, 5))].0, Hours(200));
    }
}

// ---------------------------------------------------------------------------------------------
// Time off

fn time_off(
    who: TeamMemberId,
    from: NaiveDate,
    to: NaiveDate,
) -> tandem_domain::timesheet::TimeOff {
    NewTimeOff {
        team_member_id: who,
        starts_on: from,
        ends_on: to,
        reason: Some("Holiday".into()),
    }
    .validate(Utc::now())
    .unwrap()
}

db_test! {
    async fn time_off_reads_back_where_it_overlaps_the_range_in_date_order(db) {
        let store = open(&db).await;
        let dee = developer(&store, "Dee", false).await;
        let late = timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(3, 2), day(3, 6))).await.unwrap();
        let early = timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(2, 2), day(2, 4))).await.unwrap();
        timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(5, 1), day(5, 1))).await.unwrap();
        // The range touches the first on its last day and the second on its first.
        let read = timesheet::time_off::time_off_of(&store, &[dee.id], day(2, 4), day(3, 2)).await.unwrap();
        assert_eq!(read.iter().map(|t| t.id).collect::<Vec<_>>(), [early.id, late.id]);
        assert_eq!(read[0].reason.as_deref(), Some("Holiday"));
        assert_eq!((read[1].starts_on, read[1].ends_on), (day(3, 2), day(3, 6)));
        assert!(timesheet::time_off::time_off_of(&store, &[dee.id], day(2, 5), day(3, 1)).await.unwrap().is_empty());
    }
}

db_test! {
    async fn time_off_is_read_for_people_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(2, 2), day(2, 4))).await.unwrap();
        timesheet::time_off::add_time_off(&store, "t", time_off(eve.id, day(2, 2), day(2, 4))).await.unwrap();
        let people = padded(&[dee.id, eve.id], TeamMemberId::new);
        let read = timesheet::time_off::time_off_of(&store, &people, day(1, 1), day(12, 31)).await.unwrap();
        let mut who: Vec<TeamMemberId> = read.iter().map(|t| t.team_member_id).collect();
        who.sort();
        let mut expected = vec![dee.id, eve.id];
        expected.sort();
        assert_eq!(who, expected);
    }
}

db_test! {
    async fn time_off_is_refused_for_an_archived_member(db) {
        let store = open(&db).await;
        let dee = developer(&store, "Dee", false).await;
        team_member::archive(&store, "t", dee.id, dee.version).await.unwrap();
        let err = timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(2, 2), day(2, 4))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "teamMemberId"), "{err:?}");
        assert!(timesheet::time_off::time_off_of(&store, &[dee.id], day(1, 1), day(12, 31)).await.unwrap().is_empty());
    }
}

db_test! {
    async fn removing_time_off_returns_it_and_forgets_it(db) {
        let store = open(&db).await;
        let dee = developer(&store, "Dee", false).await;
        let off = timesheet::time_off::add_time_off(&store, "t", time_off(dee.id, day(2, 2), day(2, 4))).await.unwrap();
        let removed = timesheet::time_off::remove_time_off(&store, off.id).await.unwrap();
        assert_eq!(removed.id, off.id);
        assert_eq!((removed.starts_on, removed.ends_on), (off.starts_on, off.ends_on));
        assert!(timesheet::time_off::time_off_of(&store, &[dee.id], day(1, 1), day(12, 31)).await.unwrap().is_empty());
        let err = timesheet::time_off::remove_time_off(&store, off.id).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "time off", .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Allocations

fn plan(from: NaiveDate, to: NaiveDate, hours: i64) -> AllocationData {
    AllocationData {
        starts_on: from,
        ends_on: to,
        hours_per_week: Hours(hours),
        note: Some("Catalog work".into()),
    }
    .validate()
    .unwrap()
}

db_test! {
    async fn an_allocation_reads_back_and_records_its_fields(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "lead", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        assert_eq!(a.version, 1);
        assert_eq!(a.created_by, "lead");
        let read = timesheet::allocation::get_allocation(&store, a.id).await.unwrap().unwrap();
        assert_eq!(read.data, a.data);
        assert_eq!((read.team_member_id, read.phase_id), (dee.id, b.phase));
        let recorded = events_of(&store, &[EventKind::AllocationChanged]).await;
        assert_eq!(recorded.len(), 1);
        let ev = &recorded[0];
        assert_eq!((ev.account_id, ev.subject_kind, ev.subject_id), (Some(b.account), SubjectKind::Allocation, a.id.0));
        assert_eq!(change(ev, "hoursPerWeek").after, 20.0);
        assert_eq!(change(ev, "startsOn").after, "2026-02-02");
        assert_eq!(change(ev, "teamMemberId").after, dee.id.to_string().as_str());
        assert_eq!(change(ev, "phaseId").after, b.phase.to_string().as_str());
        assert!(ev.changes.iter().all(|c| c.before.is_null()));
    }
}

db_test! {
    async fn an_allocation_to_an_unknown_phase_or_an_archived_member_is_refused(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let err = timesheet::allocation::allocate(&store, "t", dee.id, PhaseId::new(), plan(day(2, 2), day(2, 27), 1000)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "phaseId"), "{err:?}");
        team_member::archive(&store, "t", dee.id, dee.version).await.unwrap();
        let err = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(2, 27), 1000)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "teamMemberId"), "{err:?}");
        assert!(timesheet::allocation::allocations_of_phases(&store, &[b.phase]).await.unwrap().is_empty());
        assert!(events_of(&store, &[EventKind::AllocationChanged]).await.is_empty());
    }
}

db_test! {
    async fn nobody_is_allocated_to_an_accepted_phase(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        engagement::transition(&store, "t", b.engagement, 1, EngagementStatus::Active).await.unwrap();
        let p = phase::transition(&store, "t", b.phase, 1, PhaseStatus::InProgress, day(1, 5)).await.unwrap();
        let p = phase::transition(&store, "t", p.id, p.version, PhaseStatus::Delivered, day(1, 20)).await.unwrap();
        phase::transition(&store, "t", p.id, p.version, PhaseStatus::Accepted, day(1, 21)).await.unwrap();
        let err = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(2, 27), 1000)).await.unwrap_err();
        assert!(is_conflict(&err), "{err:?}");
        assert!(err.to_string().contains("is accepted"), "{err}");
        assert!(timesheet::allocation::allocations_of_phases(&store, &[b.phase]).await.unwrap().is_empty());
    }
}

db_test! {
    async fn updating_an_allocation_bumps_its_version_and_records_what_changed(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        let updated = timesheet::allocation::update_allocation(&store, "lead", a.id, 1, |cur| {
            Ok(AllocationData { hours_per_week: Hours(3000), ..cur.data.clone() })
        })
        .await
        .unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(stored_allocation(&timesheet::allocation::get_allocation(&store, a.id).await.unwrap().unwrap()), stored_allocation(&updated));
        let recorded = events_of(&store, &[EventKind::AllocationChanged]).await;
        assert_eq!(recorded.len(), 2);
        let ev = &recorded[1];
        assert_eq!(ev.actor, "lead");
        assert_eq!(ev.changes.len(), 1, "{:?}", ev.changes);
        assert_eq!(ev.changes[0].field, "hoursPerWeek");
        assert_eq!((ev.changes[0].before.clone(), ev.changes[0].after.clone()), (20.0.into(), 30.0.into()));
    }
}

db_test! {
    async fn an_allocation_update_that_changes_nothing_writes_nothing(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        let same = timesheet::allocation::update_allocation(&store, "t", a.id, 1, |cur| Ok(cur.data.clone())).await.unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(timesheet::allocation::get_allocation(&store, a.id).await.unwrap().unwrap().version, 1);
        assert_eq!(events_of(&store, &[EventKind::AllocationChanged]).await.len(), 1);
    }
}

db_test! {
    async fn a_stale_allocation_version_is_refused(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        timesheet::allocation::update_allocation(&store, "t", a.id, 1, |cur| Ok(AllocationData { note: None, ..cur.data.clone() })).await.unwrap();
        let err = timesheet::allocation::update_allocation(&store, "t", a.id, 1, |cur| Ok(AllocationData { hours_per_week: Hours(100), ..cur.data.clone() }))
            .await
            .unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let err = timesheet::allocation::remove_allocation(&store, "t", a.id, 1).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let read = timesheet::allocation::get_allocation(&store, a.id).await.unwrap().unwrap();
        assert_eq!((read.version, read.data.hours_per_week), (2, Hours(2000)));
    }
}

db_test! {
    async fn a_refused_allocation_change_writes_nothing(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        let err = timesheet::allocation::update_allocation(&store, "t", a.id, 1, |cur| {
            AllocationData { hours_per_week: Hours(0), ..cur.data.clone() }.validate()
        })
        .await
        .unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "hoursPerWeek"), "{err:?}");
        assert_eq!(stored_allocation(&timesheet::allocation::get_allocation(&store, a.id).await.unwrap().unwrap()), stored_allocation(&a));
        assert_eq!(events_of(&store, &[EventKind::AllocationChanged]).await.len(), 1);
    }
}

db_test! {
    async fn removing_an_allocation_records_every_field_going_to_null(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let a = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(3, 27), 2000)).await.unwrap();
        let removed = timesheet::allocation::remove_allocation(&store, "lead", a.id, 1).await.unwrap();
        assert_eq!(stored_allocation(&removed), stored_allocation(&a));
        assert!(timesheet::allocation::get_allocation(&store, a.id).await.unwrap().is_none());
        let recorded = events_of(&store, &[EventKind::AllocationChanged]).await;
        assert_eq!(recorded.len(), 2);
        let ev = &recorded[1];
        assert_eq!((ev.account_id, ev.actor.as_str()), (Some(b.account), "lead"));
        assert!(ev.changes.iter().all(|c| c.after.is_null()), "{:?}", ev.changes);
        assert_eq!(change(ev, "hoursPerWeek").before, 20.0);
        assert_eq!(change(ev, "note").before, "Catalog work");
        let err = timesheet::allocation::remove_allocation(&store, "t", a.id, 1).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "allocation", .. }), "{err:?}");
    }
}

db_test! {
    async fn allocations_of_phases_run_by_start_date(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let other = books(&store, "Globex").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let late = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(4, 1), day(4, 30), 1000)).await.unwrap();
        let early = timesheet::allocation::allocate(&store, "t", eve.id, b.phase, plan(day(2, 2), day(2, 27), 1000)).await.unwrap();
        let elsewhere = timesheet::allocation::allocate(&store, "t", dee.id, other.phase, plan(day(3, 2), day(3, 27), 1000)).await.unwrap();
        let read = timesheet::allocation::allocations_of_phases(&store, &[b.phase]).await.unwrap();
        assert_eq!(read.iter().map(|a| a.id).collect::<Vec<AllocationId>>(), [early.id, late.id]);
        let keys = padded(&[b.phase, other.phase], PhaseId::new);
        let read = timesheet::allocation::allocations_of_phases(&store, &keys).await.unwrap();
        let mut ids: Vec<AllocationId> = read.iter().map(|a| a.id).collect();
        ids.sort();
        let mut expected = vec![early.id, late.id, elsewhere.id];
        expected.sort();
        assert_eq!(ids, expected);
    }
}

db_test! {
    async fn allocations_of_members_keep_those_overlapping_the_range(db) {
        let store = open(&db).await;
        let b = books(&store, "Acme").await;
        let dee = developer(&store, "Dee", false).await;
        let eve = developer(&store, "Eve", false).await;
        let feb = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(2, 2), day(2, 27), 1000)).await.unwrap();
        let apr = timesheet::allocation::allocate(&store, "t", dee.id, b.phase, plan(day(4, 1), day(4, 30), 1000)).await.unwrap();
        let eves = timesheet::allocation::allocate(&store, "t", eve.id, b.phase, plan(day(2, 2), day(2, 27), 1000)).await.unwrap();
        // Touching February's last day and April's first.
        let read = timesheet::allocation::allocations_of_members(&store, &[dee.id], day(2, 27), day(4, 1)).await.unwrap();
        assert_eq!(read.iter().map(|a| a.id).collect::<Vec<_>>(), [feb.id, apr.id]);
        assert!(timesheet::allocation::allocations_of_members(&store, &[dee.id], day(2, 28), day(3, 31)).await.unwrap().is_empty());
        let people = padded(&[eve.id, dee.id], TeamMemberId::new);
        let read = timesheet::allocation::allocations_of_members(&store, &people, day(2, 1), day(2, 28)).await.unwrap();
        let mut ids: Vec<AllocationId> = read.iter().map(|a| a.id).collect();
        ids.sort();
        let mut expected = vec![feb.id, eves.id];
        expected.sort();
        assert_eq!(ids, expected);
    }
}
