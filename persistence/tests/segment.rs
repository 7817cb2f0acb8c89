//! Segments and the membership their filters decide, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, Utc};
use tandem_domain::account::{LifecycleStage, Needs, NewAccount, TouchTier};
use tandem_domain::event::EventKind;
use tandem_domain::health::{Component, HealthModelDef, HealthStatus, Weight};
use tandem_domain::ids::SegmentId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::playbook::{Action, Condition, PlaybookData, Trigger};
use tandem_domain::segment::SegmentFilter;
use tandem_domain::signals::NewRevenueMovement;
use tandem_domain::signals::UsageEvent;
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_persistence::{
    PersistenceError, Store, account, health, playbook, revenue, segment, success, usage,
};
use tandem_tests::db_test;

mod common;
use common::account::{customer, customer_from};
use common::open;

fn filter(f: SegmentFilter) -> SegmentFilter {
    f.validate().unwrap()
}

async fn create(store: &Store, name: &str, f: SegmentFilter) -> SegmentId {
    segment::create(store, name.into(), Some("Who we watch".into()), filter(f))
        .await
        .unwrap()
        .id
}

/// The live accounts in a segment with `f` today, by name: what a playbook conditioned on the
/// segment would act on.
async fn members(store: &Store, f: SegmentFilter) -> Vec<String> {
    let name = format!("Seg {}", uuid::Uuid::new_v4().simple());
    let seg = create(store, &name, f).await;
    let data = PlaybookData::validate(
        &name,
        None,
        Trigger::Event {
            kind: EventKind::AccountUpdated,
        },
        Condition {
            segment_id: Some(seg),
            ..Default::default()
        },
        vec![Action::AddTag { tag: "x".into() }],
    )
    .unwrap();
    let p = playbook::create(store, "t", data, false).await.unwrap();
    let (ids, total) = playbook::dry_run(store, &p, 1000).await.unwrap();
    assert_eq!(ids.len() as u64, total);
    let accounts = account::by_ids(store, &ids).await.unwrap();
    ids.iter()
        .map(|id| {
            accounts
                .iter()
                .find(|a| a.id == *id)
                .unwrap()
                .data
                .name
                .clone()
        })
        .collect()
}

async fn names(store: &Store) -> Vec<String> {
    segment::list(store)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Segments

db_test! {
    async fn a_created_segment_reads_back_with_its_filter(db) {
        let store = open(&db).await;
        let f = SegmentFilter { touch_tiers: vec![TouchTier::High], min_mrr_minor: Some(10_000), tags: vec!["vip".into()], ..Default::default() };
        let id = create(&store, "Big", f.clone()).await;
        let read = segment::get_one(&store, id).await.unwrap().unwrap();
        assert_eq!((read.name.as_str(), read.description.as_deref(), &read.filter, read.version, read.archived_at), ("Big", Some("Who we watch"), &filter(f), 1, None));
        assert!(segment::get_one(&store, SegmentId::new()).await.unwrap().is_none());
    }
}

db_test! {
    async fn names_are_unique_among_live_segments_whatever_their_case(db) {
        let store = open(&db).await;
        let id = create(&store, "Big", SegmentFilter::default()).await;
        let err = segment::create(&store, "BIG".into(), None, SegmentFilter::default()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("already exists")), "{err:?}");
        let other = create(&store, "Small", SegmentFilter::default()).await;
        let err = segment::update(&store, other, 1, |s| { let mut n = s.clone(); n.name = "big".into(); Ok(n) }).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        segment::update(&store, id, 1, |s| { let mut n = s.clone(); n.archived_at = Some(Utc::now()); Ok(n) }).await.unwrap();
        create(&store, "Big", SegmentFilter::default()).await;
    }
}

db_test! {
    async fn live_segments_list_by_name_whatever_its_case(db) {
        let store = open(&db).await;
        create(&store, "Charlie", SegmentFilter::default()).await;
        create(&store, "alpha", SegmentFilter::default()).await;
        let gone = create(&store, "bravo", SegmentFilter::default()).await;
        create(&store, "Bravo two", SegmentFilter::default()).await;
        segment::update(&store, gone, 1, |s| { let mut n = s.clone(); n.archived_at = Some(Utc::now()); Ok(n) }).await.unwrap();
        assert_eq!(names(&store).await, ["alpha", "Bravo two", "Charlie"]);
    }
}

db_test! {
    async fn a_change_bumps_the_version_and_stale_or_archived_segments_are_refused(db) {
        let store = open(&db).await;
        let id = create(&store, "Big", SegmentFilter::default()).await;
        let changed = segment::update(&store, id, 1, |s| { let mut n = s.clone(); n.filter = filter(SegmentFilter { industries: vec!["Retail".into()], ..Default::default() }); Ok(n) }).await.unwrap();
        assert_eq!(changed.version, 2);
        assert_eq!(segment::get_one(&store, id).await.unwrap().unwrap().filter.industries, ["Retail"]);
        let err = segment::update(&store, id, 1, |s| Ok(s.clone())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        segment::update(&store, id, 2, |s| { let mut n = s.clone(); n.archived_at = Some(Utc::now()); Ok(n) }).await.unwrap();
        let err = segment::update(&store, id, 3, |s| Ok(s.clone())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("archived")), "{err:?}");
        let err = segment::update(&store, SegmentId::new(), 1, |s| Ok(s.clone())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "segment", .. }), "{err:?}");
    }
}

db_test! {
    async fn segments_are_read_by_id_archived_or_not_past_the_first_five_hundred_keys(db) {
        let store = open(&db).await;
        let a = create(&store, "A", SegmentFilter::default()).await;
        let b = create(&store, "B", SegmentFilter::default()).await;
        segment::update(&store, b, 1, |s| { let mut n = s.clone(); n.archived_at = Some(Utc::now()); Ok(n) }).await.unwrap();
        let mut keys: Vec<SegmentId> = (0..600).map(|_| SegmentId::new()).collect();
        keys.insert(0, a);
        keys.insert(505, b);
        let mut got: Vec<SegmentId> = segment::by_ids(&store, &keys).await.unwrap().iter().map(|s| s.id).collect();
        got.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Membership

db_test! {
    async fn an_empty_filter_selects_every_live_account(db) {
        let store = open(&db).await;
        customer(&store, "Acme").await;
        customer(&store, "Globex").await;
        let gone = customer(&store, "Gone").await;
        account::archive(&store, "t", gone, 1).await.unwrap();
        assert_eq!(members(&store, SegmentFilter::default()).await, ["Acme", "Globex"]);
    }
}

db_test! {
    async fn criteria_narrow_each_other_and_a_list_matches_any_of_its_values(db) {
        let store = open(&db).await;
        let mk = |name: &str, tier, stage, industry: &str| NewAccount { name: name.into(), touch_tier: tier, lifecycle_stage: stage, industry: Some(industry.into()), ..Default::default() };
        customer_from(&store, mk("High retail", TouchTier::High, LifecycleStage::Adoption, "Retail")).await;
        customer_from(&store, mk("Low retail", TouchTier::Low, LifecycleStage::Adoption, "Retail")).await;
        customer_from(&store, mk("High software", TouchTier::High, LifecycleStage::Adoption, "Software")).await;
        customer_from(&store, mk("Tech travel", TouchTier::Tech, LifecycleStage::Renewal, "Travel")).await;
        assert_eq!(members(&store, SegmentFilter { touch_tiers: vec![TouchTier::High, TouchTier::Tech], ..Default::default() }).await, ["High retail", "High software", "Tech travel"]);
        assert_eq!(members(&store, SegmentFilter { touch_tiers: vec![TouchTier::High], industries: vec!["Retail".into()], ..Default::default() }).await, ["High retail"]);
        assert_eq!(members(&store, SegmentFilter { lifecycle_stages: vec![LifecycleStage::Renewal], ..Default::default() }).await, ["Tech travel"]);
    }
}

db_test! {
    async fn a_tag_filter_needs_every_tag(db) {
        let store = open(&db).await;
        let tagged = |name: &str, tags: &[&str]| NewAccount { name: name.into(), tags: tags.iter().map(|t| t.to_string()).collect(), ..Default::default() };
        customer_from(&store, tagged("Both", &["vip", "beta"])).await;
        customer_from(&store, tagged("Vip", &["vip"])).await;
        customer_from(&store, tagged("None", &[])).await;
        assert_eq!(members(&store, SegmentFilter { tags: vec!["vip".into(), "beta".into()], ..Default::default() }).await, ["Both"]);
        assert_eq!(members(&store, SegmentFilter { tags: vec!["VIP".into()], ..Default::default() }).await, ["Both", "Vip"]);
    }
}

db_test! {
    async fn mrr_bounds_use_the_movements_up_to_today(db) {
        let store = open(&db).await;
        let today = Utc::now().date_naive();
        let small = customer(&store, "Small").await;
        let big = customer(&store, "Big").await;
        let later = customer(&store, "Later").await;
        customer(&store, "None").await;
        let mv = |account_id, minor, effective_on| NewRevenueMovement { account_id, kind: "NEW", amount: Money::new(minor, Currency::USD), effective_on };
        revenue::import(&store, &[mv(small, 1_000, today), mv(big, 50_000, today - Days::new(10)), mv(later, 90_000, today + Days::new(5))]).await.unwrap();
        assert_eq!(members(&store, SegmentFilter { min_mrr_minor: Some(1_000), ..Default::default() }).await, ["Big", "Small"]);
        assert_eq!(members(&store, SegmentFilter { max_mrr_minor: Some(1_000), ..Default::default() }).await, ["Later", "None", "Small"]);
        assert_eq!(members(&store, SegmentFilter { min_mrr_minor: Some(1_001), max_mrr_minor: Some(60_000), ..Default::default() }).await, ["Big"]);
    }
}

db_test! {
    async fn active_day_bounds_count_the_last_thirty_days(db) {
        let store = open(&db).await;
        let today = Utc::now().date_naive();
        let busy = customer(&store, "Busy").await;
        let once = customer(&store, "Once").await;
        customer(&store, "Idle").await;
        let at = |a, days_ago: u64| {
            let when = (today - Days::new(days_ago)).and_hms_opt(12, 0, 0).unwrap().and_utc();
            UsageEvent::check(0, a, "search", "u", when, Some(1), Utc::now()).unwrap()
        };
        // Thirty days ago is outside the window; twenty-nine is inside.
        usage::ingest(&store, "t", None, &[at(busy, 0), at(busy, 1), at(busy, 29), at(once, 30), at(once, 2)]).await.unwrap();
        assert_eq!(members(&store, SegmentFilter { min_active_days_30: Some(2), ..Default::default() }).await, ["Busy"]);
        assert_eq!(members(&store, SegmentFilter { max_active_days_30: Some(1), ..Default::default() }).await, ["Idle", "Once"]);
        assert_eq!(members(&store, SegmentFilter { min_active_days_30: Some(1), max_active_days_30: Some(1), ..Default::default() }).await, ["Once"]);
    }
}

db_test! {
    async fn health_criteria_use_each_accounts_current_score(db) {
        let store = open(&db).await;
        let standard = health::model::models(&store, false).await.unwrap()[0].id;
        health::model::update_model(&store, "t", standard, 1, None, true).await.unwrap();
        let def = HealthModelDef { name: "Goals".into(), weights: vec![Weight { component: Component::GoalAttainment, basis_points: 10_000 }], healthy_from: 70, at_risk_from: 40 }.validate().unwrap();
        health::model::create_model(&store, "t", def, None, None).await.unwrap();
        for (name, status) in [("Thriving", GoalStatus::OnTrack), ("Wobbly", GoalStatus::AtRisk), ("Sinking", GoalStatus::Missed)] {
            let a = customer(&store, name).await;
            success::create_goal(&store, "t", a, GoalData { title: "Grow".into(), target: None, due_on: None }, status).await.unwrap();
        }
        customer(&store, "Unscored").await;
        health::compute::recompute(&store, "t", health::compute::Scope::All, Utc::now()).await.unwrap();
        assert_eq!(members(&store, SegmentFilter { health_statuses: vec![HealthStatus::AtRisk, HealthStatus::Critical], ..Default::default() }).await, ["Sinking", "Wobbly"]);
        assert_eq!(members(&store, SegmentFilter { min_health_score: Some(50.0), ..Default::default() }).await, ["Thriving", "Wobbly"]);
        assert_eq!(members(&store, SegmentFilter { max_health_score: Some(50.0), ..Default::default() }).await, ["Sinking", "Wobbly"]);
    }
}

db_test! {
    async fn a_needs_search_matches_text_in_any_statement_literally(db) {
        let store = open(&db).await;
        let needy = |name: &str, pain: &str| NewAccount { name: name.into(), needs: Needs { pain_points: vec![pain.into()], ..Default::default() }, ..Default::default() };
        customer_from(&store, needy("Slow", "Checkout is SLOW on mobile")).await;
        customer_from(&store, needy("Discount", "Needs 50% off_season pricing")).await;
        customer_from(&store, needy("Plain", "Wants an offXseason sale")).await;
        assert_eq!(members(&store, SegmentFilter { needs_text: Some("slow".into()), ..Default::default() }).await, ["Slow"]);
        assert_eq!(members(&store, SegmentFilter { needs_text: Some("50%".into()), ..Default::default() }).await, ["Discount"]);
        assert_eq!(members(&store, SegmentFilter { needs_text: Some("off_season".into()), ..Default::default() }).await, ["Discount"]);
        assert_eq!(members(&store, SegmentFilter { needs_text: Some("%".into()), ..Default::default() }).await, ["Discount"]);
    }
}
