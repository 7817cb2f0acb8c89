//! Playbooks, the accounts they match and their firings on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, NaiveDate, Utc};
use tandem_domain::DomainError;
use tandem_domain::Patch;
use tandem_domain::account::{AccountPatch, LifecycleStage, NewAccount, TouchTier};
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, PlaybookId};
use tandem_domain::playbook::PlaybookChange;
use tandem_domain::playbook::{Action, Condition, PlaybookData, Trigger};
use tandem_domain::segment::SegmentFilter;
use tandem_persistence::event::EventQuery;
use tandem_persistence::{PersistenceError, Store, account, automation, event, playbook, segment};
use tandem_tests::db_test;

mod common;
use common::account::customer_from;
use common::automation::run_worker;
use common::dates::today;
use common::open;
use common::sow::{sign, time_entry};
use common::team_member::admin;

fn definition(name: &str, trigger: Trigger, condition: Condition) -> PlaybookData {
    PlaybookData::validate(
        name,
        Some("What the team does"),
        trigger,
        condition,
        vec![Action::AddTag {
            tag: "watch".into(),
        }],
    )
    .unwrap()
}

/// Fires on every new account.
fn on_created(name: &str) -> PlaybookData {
    definition(
        name,
        Trigger::Event {
            kind: EventKind::AccountCreated,
        },
        Condition::default(),
    )
}

/// Matches accounts renewing within 30 days.
fn renewing(name: &str) -> PlaybookData {
    definition(
        name,
        Trigger::RenewalWithinDays { days: 30 },
        Condition::default(),
    )
}

async fn create(store: &Store, data: PlaybookData, enabled: bool) -> PlaybookId {
    playbook::create(store, "ops", data, enabled)
        .await
        .unwrap()
        .id
}

async fn customer(
    store: &Store,
    name: &str,
    tier: TouchTier,
    stage: LifecycleStage,
    renews_in: Option<u64>,
) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            touch_tier: tier,
            lifecycle_stage: stage,
            renewal_date: renews_in.map(|d| today() + Days::new(d)),
            industry: Some("Retail".into()),
            ..Default::default()
        },
    )
    .await
}

async fn renewing_in(store: &Store, name: &str, days: u64) -> AccountId {
    customer(
        store,
        name,
        TouchTier::Medium,
        LifecycleStage::Adoption,
        Some(days),
    )
    .await
}

/// Moves `a`'s renewal date (the account is at `version`).
async fn renew_in(store: &Store, a: AccountId, version: i32, days: u64) {
    account::update(store, "t", a, version, |acc| {
        acc.patched(AccountPatch {
            renewal_date: Patch::Set(today() + Days::new(days)),
            ..AccountPatch::default()
        })
    })
    .await
    .unwrap();
}

/// Changes a playbook as it is: `enabled`, `archive`, and its definition through `data`.
async fn change(
    store: &Store,
    id: PlaybookId,
    version: i32,
    enabled: bool,
    archive: bool,
    data: Option<PlaybookData>,
) -> Result<i32, PersistenceError> {
    playbook::update(store, id, version, |p| {
        Ok(PlaybookChange {
            data: data.unwrap_or_else(|| p.data.clone()),
            enabled,
            archive,
        })
    })
    .await
    .map(|p| p.version)
}

async fn names(store: &Store) -> Vec<String> {
    playbook::list(store)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.data.name)
        .collect()
}

async fn dry_run(store: &Store, id: PlaybookId, limit: u64) -> (Vec<AccountId>, u64) {
    let p = playbook::get_one(store, id).await.unwrap().unwrap();
    playbook::dry_run(store, &p, limit).await.unwrap()
}

/// Runs the automation worker over every event so far; returns the playbooks it fired.
async fn drain(store: &Store) -> usize {
    run_worker(store).await.fired
}

async fn fired_on(store: &Store, id: PlaybookId) -> Vec<AccountId> {
    playbook::runs(store, id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.account_id)
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Definitions

db_test! {
    async fn a_created_playbook_reads_back_with_its_definition(db) {
        let store = open(&db).await;
        let created = playbook::create(&store, "ops", on_created("Welcome"), true).await.unwrap();
        let read = playbook::get_one(&store, created.id).await.unwrap().unwrap();
        assert_eq!(read.data, on_created("Welcome"));
        assert_eq!((read.enabled, read.version, read.created_by.as_str(), read.archived_at), (true, 1, "ops", None));
        assert!(playbook::get_one(&store, PlaybookId::new()).await.unwrap().is_none());
    }
}

db_test! {
    async fn names_are_unique_among_live_playbooks_whatever_their_case(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        let err = playbook::create(&store, "ops", on_created("WELCOME"), false).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already exists")), "{err:?}");
        let other = create(&store, on_created("Other"), true).await;
        let err = change(&store, other, 1, true, false, Some(on_created("welcome"))).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        // Archiving frees the name.
        change(&store, id, 1, true, true, None).await.unwrap();
        create(&store, on_created("Welcome"), true).await;
    }
}

db_test! {
    async fn a_condition_on_a_segment_needs_a_live_segment(db) {
        let store = open(&db).await;
        let condition = Condition { segment_id: Some(tandem_domain::ids::SegmentId::new()), ..Default::default() };
        let err = playbook::create(&store, "ops", definition("Seg", Trigger::RenewalWithinDays { days: 30 }, condition), true).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { ref field, .. }) if field == "condition.segmentId"), "{err:?}");
        assert!(playbook::list(&store).await.unwrap().is_empty());
    }
}

db_test! {
    async fn live_playbooks_list_by_name_whatever_their_case(db) {
        let store = open(&db).await;
        create(&store, on_created("Charlie"), true).await;
        create(&store, on_created("alpha"), false).await;
        let gone = create(&store, on_created("Bravo"), true).await;
        create(&store, on_created("bravo two"), true).await;
        change(&store, gone, 1, true, true, None).await.unwrap();
        assert_eq!(names(&store).await, ["alpha", "bravo two", "Charlie"]);
    }
}

db_test! {
    async fn by_ids_reads_archived_playbooks_too_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = create(&store, on_created("A"), true).await;
        let b = create(&store, on_created("B"), true).await;
        change(&store, b, 1, true, true, None).await.unwrap();
        let mut keys: Vec<PlaybookId> = (0..600).map(|_| PlaybookId::new()).collect();
        keys.insert(4, a);
        keys.insert(570, b);
        let read = playbook::by_ids(&store, &keys).await.unwrap();
        assert_eq!(sorted(read.iter().map(|p| p.id).collect()), sorted(vec![a, b]));
        assert!(read.iter().any(|p| p.id == b && p.archived_at.is_some()));
    }
}

db_test! {
    async fn a_change_bumps_the_version_and_archiving_disables(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        let v = change(&store, id, 1, false, false, Some(on_created("Welcome back"))).await.unwrap();
        assert_eq!(v, 2);
        let read = playbook::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.data.name.as_str(), read.enabled), ("Welcome back", false));
        change(&store, id, 2, true, true, None).await.unwrap();
        let read = playbook::get_one(&store, id).await.unwrap().unwrap();
        assert!(read.archived_at.is_some());
        assert!(!read.enabled, "an archived playbook does not fire");
    }
}

db_test! {
    async fn a_stale_version_is_refused(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        change(&store, id, 1, false, false, None).await.unwrap();
        let err = change(&store, id, 1, true, false, None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert!(!playbook::get_one(&store, id).await.unwrap().unwrap().enabled);
    }
}

db_test! {
    async fn an_archived_playbook_can_no_longer_change(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        let v = change(&store, id, 1, true, true, None).await.unwrap();
        let err = change(&store, id, v, true, false, None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("archived")), "{err:?}");
        let err = change(&store, PlaybookId::new(), 1, true, false, None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "playbook", .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

db_test! {
    async fn a_dry_run_lists_the_live_accounts_matching_by_name_with_their_total(db) {
        let store = open(&db).await;
        let id = create(&store, renewing("Renewals"), false).await;
        let c = renewing_in(&store, "Charlie", 10).await;
        let a = renewing_in(&store, "alpha", 30).await;
        let b = renewing_in(&store, "bravo", 0).await;
        renewing_in(&store, "Late", 31).await;
        customer(&store, "No date", TouchTier::Medium, LifecycleStage::Adoption, None).await;
        let gone = renewing_in(&store, "Archived", 5).await;
        account::archive(&store, "t", gone, 1).await.unwrap();
        assert_eq!(dry_run(&store, id, 10).await, (vec![a, b, c], 3));
        assert_eq!(dry_run(&store, id, 2).await, (vec![a, b], 3));
    }
}

db_test! {
    async fn a_condition_narrows_by_touch_tier_and_lifecycle_stage(db) {
        let store = open(&db).await;
        let condition = Condition { touch_tiers: vec![TouchTier::High], lifecycle_stages: vec![LifecycleStage::Renewal, LifecycleStage::Adoption], segment_id: None };
        let id = create(&store, definition("Narrow", Trigger::RenewalWithinDays { days: 30 }, condition), false).await;
        let hit = customer(&store, "Hit", TouchTier::High, LifecycleStage::Renewal, Some(3)).await;
        customer(&store, "Low", TouchTier::Low, LifecycleStage::Renewal, Some(3)).await;
        customer(&store, "Onboarding", TouchTier::High, LifecycleStage::Onboarding, Some(3)).await;
        assert_eq!(dry_run(&store, id, 10).await, (vec![hit], 1));
    }
}

db_test! {
    async fn an_event_playbooks_dry_run_matches_on_its_condition_alone(db) {
        let store = open(&db).await;
        let condition = Condition { touch_tiers: vec![TouchTier::Tech], ..Default::default() };
        let id = create(&store, definition("Tech", Trigger::Event { kind: EventKind::AccountUpdated }, condition), false).await;
        let tech = customer(&store, "Tech", TouchTier::Tech, LifecycleStage::Adoption, None).await;
        customer(&store, "High", TouchTier::High, LifecycleStage::Adoption, None).await;
        assert_eq!(dry_run(&store, id, 10).await, (vec![tech], 1));
    }
}

db_test! {
    async fn a_segment_condition_matches_its_members_and_nothing_once_it_is_archived(db) {
        let store = open(&db).await;
        let seg = segment::create(&store, "Software".into(), None, SegmentFilter { industries: vec!["Software".into()], ..Default::default() }).await.unwrap();
        let condition = Condition { segment_id: Some(seg.id), ..Default::default() };
        let id = create(&store, definition("Seg", Trigger::RenewalWithinDays { days: 30 }, condition), false).await;
        let member = account::create(&store, "t", NewAccount { name: "Soft".into(), industry: Some("Software".into()), renewal_date: Some(today() + Days::new(3)), ..Default::default() }.validate().unwrap()).await.unwrap().id;
        renewing_in(&store, "Retailer", 3).await;
        assert_eq!(dry_run(&store, id, 10).await, (vec![member], 1));
        segment::update(&store, seg.id, 1, |s| {
            let mut archived = s.clone();
            archived.archived_at = Some(Utc::now());
            Ok(archived)
        }).await.unwrap();
        assert_eq!(dry_run(&store, id, 10).await, (vec![], 0));
    }
}

// ---------------------------------------------------------------------------------------------
// Firing

db_test! {
    async fn an_enabled_threshold_playbook_fires_only_for_accounts_crossing_after_it_was_saved(db) {
        let store = open(&db).await;
        let before = renewing_in(&store, "Before", 10).await;
        let later = renewing_in(&store, "Later", 90).await;
        let id = create(&store, renewing("Renewals"), true).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 0, "accounts matching already are its baseline");
        renew_in(&store, later, 1, 20).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 1);
        assert_eq!(fired_on(&store, id).await, [later]);
        assert!(!fired_on(&store, id).await.contains(&before));
        let runs = playbook::runs(&store, id, 10).await.unwrap();
        assert_eq!(runs[0].event_cursor, None, "a threshold crossing has no event");
        assert!(runs[0].outcomes[0].ok, "{:?}", runs[0].outcomes);
    }
}

db_test! {
    async fn a_threshold_playbook_fires_again_only_after_the_account_left_and_came_back(db) {
        let store = open(&db).await;
        let id = create(&store, renewing("Renewals"), true).await;
        let a = renewing_in(&store, "Acme", 10).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 1);
        assert_eq!(automation::sweep(&store).await.unwrap(), 0, "still matching: no second firing");
        // The tag action bumped the account to version 2.
        renew_in(&store, a, 2, 200).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 0);
        renew_in(&store, a, 3, 5).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 1);
        assert_eq!(fired_on(&store, id).await, [a, a]);
    }
}

db_test! {
    async fn enabling_a_playbook_starts_it_from_the_accounts_matching_then(db) {
        let store = open(&db).await;
        let id = create(&store, renewing("Renewals"), false).await;
        renewing_in(&store, "Meanwhile", 10).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 0, "a disabled playbook does not fire");
        change(&store, id, 1, true, false, None).await.unwrap();
        assert_eq!(automation::sweep(&store).await.unwrap(), 0, "what matched when it was enabled is its baseline");
        let fresh = renewing_in(&store, "Fresh", 10).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 1);
        assert_eq!(fired_on(&store, id).await, [fresh]);
    }
}

db_test! {
    async fn a_new_trigger_starts_the_playbook_afresh(db) {
        let store = open(&db).await;
        let id = create(&store, renewing("Renewals"), true).await;
        renewing_in(&store, "Acme", 50).await;
        assert_eq!(automation::sweep(&store).await.unwrap(), 0);
        let wider = definition("Renewals", Trigger::RenewalWithinDays { days: 60 }, Condition::default());
        change(&store, id, 1, true, false, Some(wider)).await.unwrap();
        assert_eq!(automation::sweep(&store).await.unwrap(), 0, "Acme matched when the trigger changed");
        assert!(fired_on(&store, id).await.is_empty());
    }
}

db_test! {
    async fn an_event_playbook_fires_on_its_event_and_records_the_run(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        let a = renewing_in(&store, "Acme", 10).await;
        assert_eq!(drain(&store).await, 1);
        let runs = playbook::runs(&store, id, 10).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].playbook_id, runs[0].account_id), (id, a));
        let created = event::list(&store, &EventQuery { limit: 100, kinds: vec![EventKind::AccountCreated], ..Default::default() }).await.unwrap();
        assert_eq!(runs[0].event_cursor, Some(created[0].cursor));
        assert_eq!(runs[0].outcomes.len(), 1);
        assert_eq!((runs[0].outcomes[0].ok, runs[0].outcomes[0].detail.as_str()), (true, "tagged 'watch'"));
        assert_eq!(account::get(&store, a).await.unwrap().unwrap().data.tags, ["watch"]);
        let fired = event::list(&store, &EventQuery { limit: 100, kinds: vec![EventKind::PlaybookFired], ..Default::default() }).await.unwrap();
        assert_eq!(fired.len(), 1);
        assert_eq!((fired[0].event.subject_kind, fired[0].event.subject_id, fired[0].event.account_id), (SubjectKind::Playbook, id.0, Some(a)));
        assert_eq!(fired[0].event.actor, tandem_domain::playbook::actor(id));
    }
}

db_test! {
    async fn runs_list_newest_first_up_to_the_limit(db) {
        let store = open(&db).await;
        let id = create(&store, on_created("Welcome"), true).await;
        let mut accounts = Vec::new();
        for name in ["A", "B", "C"] {
            accounts.push(renewing_in(&store, name, 10).await);
            drain(&store).await;
        }
        assert_eq!(fired_on(&store, id).await, [accounts[2], accounts[1], accounts[0]]);
        let two = playbook::runs(&store, id, 2).await.unwrap();
        assert_eq!(two.iter().map(|r| r.account_id).collect::<Vec<_>>(), [accounts[2], accounts[1]]);
    }
}

// ---------------------------------------------------------------------------------------------
// Burn of time-and-materials budgets

/// A signed SOW on a new account with the T&M caps given; a member to log time; and a way to
/// log `hours` (in hundredths) of `kind` and approve the week.
async fn burning(
    store: &Store,
    name: &str,
    hours_cap: Option<i64>,
    amount_cap: Option<i64>,
) -> (AccountId, tandem_domain::ids::SowId) {
    use tandem_domain::hours::Hours;
    use tandem_domain::sow::{NewSow, Rate};
    let a = customer(
        store,
        name,
        TouchTier::Medium,
        LifecycleStage::Adoption,
        None,
    )
    .await;
    let s = tandem_persistence::sow::create(
        store,
        "t",
        a,
        None,
        NewSow {
            title: "T&M".into(),
            currency: Some("USD".into()),
            fixed_price: 0,
            rate_card: vec![Rate {
                role: "Developer".into(),
                hourly_rate: 15_000,
            }],
            scope: vec![],
            tm_hours_cap: hours_cap.map(Hours),
            tm_amount_cap: amount_cap,
        },
    )
    .await
    .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    sign(store, s.id, day, day).await;
    (a, s.id)
}

async fn log_and_approve(
    store: &Store,
    sow: tandem_domain::ids::SowId,
    hours: i64,
    kind: tandem_domain::sow::WorkKind,
    approve: bool,
) {
    use tandem_domain::auth::Role;
    use tandem_domain::team_member::{NewTeamMember, Team};
    let who = tandem_persistence::team_member::create(
        store,
        "t",
        NewTeamMember {
            name: "Dev".into(),
            email: format!("dev-{}@vendor.io", uuid::Uuid::new_v4().simple()),
            title: None,
            team: Team::Services,
            role: Role::Services,
            weekly_capacity: None,
            lead: false,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let entry = tandem_persistence::sow::log_time(
        store,
        "t",
        sow,
        time_entry(
            who.id,
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            hours,
            kind,
        ),
        today(),
    )
    .await
    .unwrap();
    let sheet = entry.timesheet_id.unwrap();
    let submitted = tandem_persistence::timesheet::submit(store, "t", sheet, 1)
        .await
        .unwrap();
    if approve {
        tandem_persistence::timesheet::decide(
            store,
            &admin(),
            sheet,
            submitted.version,
            tandem_domain::timesheet::Decision::Approve,
        )
        .await
        .unwrap();
    }
}

db_test! {
    async fn t_and_m_burn_counts_approved_time_against_the_amount_cap(db) {
        use tandem_domain::sow::WorkKind;
        let store = open(&db).await;
        let id = create(&store, definition("Burn", Trigger::TmBurnAbove { percent: 50.0 }, Condition::default()), false).await;
        // 4 h at 150.00 = 600.00 of a 1,000.00 cap: 60 %.
        let (over, s1) = burning(&store, "Over", None, Some(100_000)).await;
        log_and_approve(&store, s1, 400, WorkKind::TimeAndMaterials, true).await;
        // The same, not approved yet.
        let (_, s2) = burning(&store, "Unapproved", None, Some(100_000)).await;
        log_and_approve(&store, s2, 400, WorkKind::TimeAndMaterials, false).await;
        // In-scope time burns no T&M budget.
        let (_, s3) = burning(&store, "In scope", None, Some(100_000)).await;
        log_and_approve(&store, s3, 400, WorkKind::InScope, true).await;
        // 3 h = 450.00: 45 %.
        let (_, s4) = burning(&store, "Under", None, Some(100_000)).await;
        log_and_approve(&store, s4, 300, WorkKind::TimeAndMaterials, true).await;
        assert_eq!(dry_run(&store, id, 10).await, (vec![over], 1));
    }
}

db_test! {
    async fn t_and_m_burn_falls_back_to_the_hours_cap_without_an_amount_cap(db) {
        use tandem_domain::sow::WorkKind;
        let store = open(&db).await;
        let id = create(&store, definition("Burn", Trigger::TmBurnAbove { percent: 50.0 }, Condition::default()), false).await;
        // 6 h of a 10 h cap.
        let (over, s1) = burning(&store, "Over", Some(1_000), None).await;
        log_and_approve(&store, s1, 600, WorkKind::TimeAndMaterials, true).await;
        // 5 h of 10: not above.
        let (_, s2) = burning(&store, "Exactly half", Some(1_000), None).await;
        log_and_approve(&store, s2, 500, WorkKind::TimeAndMaterials, true).await;
        // No cap at all: nothing to burn.
        let (_, s3) = burning(&store, "Uncapped", None, None).await;
        log_and_approve(&store, s3, 600, WorkKind::TimeAndMaterials, true).await;
        assert_eq!(dry_run(&store, id, 10).await, (vec![over], 1));
    }
}
