//! Health models and scores on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, Duration, Utc};
use tandem_domain::account::{LifecycleStage, NewAccount, TouchTier};
use tandem_domain::event::{EventKind, NewEvent, SubjectKind};
use tandem_domain::health::ImportedScore;
use tandem_domain::health::{Component, HealthModelDef, HealthStatus, Score, Weight};
use tandem_domain::ids::{AccountId, HealthModelId, SegmentId};
use tandem_domain::segment::SegmentFilter;
use tandem_domain::success::GoalStatus;
use tandem_persistence::health::compute::Scope;
use tandem_persistence::{PersistenceError, Store, account, health, segment, success};
use tandem_tests::db_test;

mod common;
use common::account::customer_from;
use common::event::events_of;
use common::success::goal;
use common::{invalid, open};

/// A model weighing one component: HEALTHY from 70, AT_RISK from 40.
fn def(name: &str, component: Component) -> HealthModelDef {
    HealthModelDef {
        name: name.into(),
        weights: vec![Weight {
            component,
            basis_points: 10_000,
        }],
        healthy_from: 70,
        at_risk_from: 40,
    }
    .validate()
    .unwrap()
}

/// Scores by goals: an account's goals on track score 100, at risk 50, missed 0, and an
/// account without goals has nothing this model weighs.
fn by_goals() -> HealthModelDef {
    def("By goals", Component::GoalAttainment)
}

/// Scores by open tickets: 100 for an account without any.
fn by_tickets() -> HealthModelDef {
    def("By tickets", Component::SupportLoad)
}

async fn customer(store: &Store, name: &str, tier: TouchTier, industry: &str) -> AccountId {
    customer_from(
        store,
        NewAccount {
            name: name.into(),
            touch_tier: tier,
            industry: Some(industry.into()),
            ..Default::default()
        },
    )
    .await
}

async fn acme(store: &Store) -> AccountId {
    customer(store, "Acme", TouchTier::Medium, "Retail").await
}

/// The default model every new installation scores with ("Standard").
async fn standard(store: &Store) -> HealthModelId {
    let live = health::model::models(store, false).await.unwrap();
    let standard = live
        .iter()
        .find(|m| m.touch_tier.is_none() && m.segment_id.is_none())
        .unwrap();
    assert_eq!(standard.def.name, "Standard");
    standard.id
}

/// Archives the standard model, leaving no model live.
async fn archive_standard(store: &Store) {
    let id = standard(store).await;
    health::model::update_model(store, "admin", id, 1, None, true)
        .await
        .unwrap();
}

/// Replaces the standard model with `d` as the default model.
async fn default_model(store: &Store, d: HealthModelDef) -> HealthModelId {
    archive_standard(store).await;
    health::model::create_model(store, "admin", d, None, None)
        .await
        .unwrap()
        .id
}

async fn status_events(store: &Store) -> Vec<NewEvent> {
    events_of(store, &[EventKind::HealthStatusChanged]).await
}

fn imported(
    account: AccountId,
    model: HealthModelId,
    value: f64,
    at: DateTime<Utc>,
) -> ImportedScore {
    ImportedScore {
        account_id: account,
        model_id: model,
        model_version: 1,
        score: Score {
            value,
            status: if value >= 70.0 {
                HealthStatus::Healthy
            } else {
                HealthStatus::Critical
            },
            breakdown: vec![],
        },
        computed_at: at,
    }
}

// ---------------------------------------------------------------------------------------------
// Models

/// The models with these ids, archived ones included, in `models`' order: what the removed
/// `health::models_by_ids` returned, read through `health::model::models`.
async fn models_by_ids(
    store: &Store,
    ids: &[HealthModelId],
) -> Vec<tandem_domain::health::HealthModel> {
    health::model::models(store, true)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| ids.contains(&m.id))
        .collect()
}

db_test! {
    async fn a_new_installation_scores_with_the_standard_model(db) {
        let store = open(&db).await;
        let live = health::model::models(&store, false).await.unwrap();
        assert_eq!(live.len(), 1);
        let id = standard(&store).await;
        assert_eq!(live[0].version, 1);
        assert_eq!(health::model::model_version(&store, id, 1).await.unwrap().as_ref(), Some(&live[0].def));
        let a = acme(&store).await;
        let report = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!(report.scored, 1);
        assert_eq!(health::score::current(&store, &[a]).await.unwrap()[&a].model_id, id);
    }
}

db_test! {
    async fn a_created_model_reads_back_with_its_first_version(db) {
        let store = open(&db).await;
        let m = health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::High), None).await.unwrap();
        assert_eq!((m.version, m.touch_tier, m.segment_id), (1, Some(TouchTier::High), None));
        let listed = health::model::models(&store, false).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!((listed[1].id, &listed[1].def, listed[1].touch_tier), (m.id, &by_goals(), Some(TouchTier::High)));
        let by_id = models_by_ids(&store, &[m.id, HealthModelId::new()]).await;
        assert_eq!(by_id.iter().map(|m| m.id).collect::<Vec<_>>(), [m.id]);
        assert_eq!(health::model::model_version(&store, m.id, 1).await.unwrap(), Some(by_goals()));
        assert_eq!(health::model::model_version(&store, m.id, 2).await.unwrap(), None);
    }
}

db_test! {
    async fn one_live_model_scores_each_scope(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let err = health::model::create_model(&store, "admin", by_tickets(), None, None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("the default model")), "{err:?}");
        health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::High), None).await.unwrap();
        health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::Low), None).await.unwrap();
        let err = health::model::create_model(&store, "admin", by_tickets(), Some(TouchTier::High), None).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("HIGH")), "{err:?}");
        let seg = segment::create(&store, "Retail".into(), None, SegmentFilter { industries: vec!["Retail".into()], ..Default::default() }).await.unwrap();
        health::model::create_model(&store, "admin", by_goals(), None, Some(seg.id)).await.unwrap();
        let err = health::model::create_model(&store, "admin", by_tickets(), None, Some(seg.id)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("that segment")), "{err:?}");
        assert_eq!(health::model::models(&store, false).await.unwrap().len(), 4);
    }
}

db_test! {
    async fn a_model_scoped_to_a_tier_and_a_segment_at_once_is_refused(db) {
        let store = open(&db).await;
        let seg = segment::create(&store, "Retail".into(), None, SegmentFilter::default()).await.unwrap();
        let err = health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::High), Some(seg.id)).await.unwrap_err();
        assert!(invalid(&err, "segmentId"), "{err:?}");
        assert_eq!(health::model::models(&store, true).await.unwrap().len(), 1, "the standard model alone");
    }
}

db_test! {
    async fn a_model_for_an_unknown_segment_is_not_found(db) {
        let store = open(&db).await;
        let err = health::model::create_model(&store, "admin", by_goals(), None, Some(SegmentId::new())).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "segment", .. }), "{err:?}");
        assert_eq!(health::model::models(&store, true).await.unwrap().len(), 1, "the standard model alone");
    }
}

db_test! {
    async fn archiving_a_model_frees_its_scope_and_lists_it_last(db) {
        let store = open(&db).await;
        let old = standard(&store).await;
        let archived = health::model::update_model(&store, "admin", old, 1, None, true).await.unwrap();
        assert!(archived.archived_at.is_some());
        assert_eq!(archived.version, 1, "archiving is no new definition");
        let new = health::model::create_model(&store, "admin", by_tickets(), None, None).await.unwrap().id;
        assert_eq!(health::model::models(&store, false).await.unwrap().iter().map(|m| m.id).collect::<Vec<_>>(), [new]);
        assert_eq!(health::model::models(&store, true).await.unwrap().iter().map(|m| m.id).collect::<Vec<_>>(), [new, old]);
    }
}

db_test! {
    async fn live_models_list_oldest_first(db) {
        let store = open(&db).await;
        let a = default_model(&store, by_goals()).await;
        let b = health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::High), None).await.unwrap().id;
        let c = health::model::create_model(&store, "admin", by_goals(), Some(TouchTier::Low), None).await.unwrap().id;
        assert_eq!(health::model::models(&store, false).await.unwrap().iter().map(|m| m.id).collect::<Vec<_>>(), [a, b, c]);
    }
}

db_test! {
    async fn a_new_definition_is_the_models_next_version_and_the_old_one_is_kept(db) {
        let store = open(&db).await;
        let id = default_model(&store, by_goals()).await;
        let renamed = HealthModelDef { name: "Goals, renamed".into(), ..by_goals() };
        let updated = health::model::update_model(&store, "admin", id, 1, Some(renamed.clone()), false).await.unwrap();
        assert_eq!((updated.version, &updated.def), (2, &renamed));
        let read = &models_by_ids(&store, &[id]).await[0];
        assert_eq!((read.version, &read.def), (2, &renamed));
        assert_eq!(health::model::model_version(&store, id, 1).await.unwrap(), Some(by_goals()));
        assert_eq!(health::model::model_version(&store, id, 2).await.unwrap(), Some(renamed));
    }
}

db_test! {
    async fn the_same_definition_again_changes_nothing(db) {
        let store = open(&db).await;
        let id = default_model(&store, by_goals()).await;
        let same = health::model::update_model(&store, "admin", id, 1, Some(by_goals()), false).await.unwrap();
        assert_eq!(same.version, 1);
        assert_eq!(models_by_ids(&store, &[id]).await[0].version, 1);
        assert_eq!(health::model::model_version(&store, id, 2).await.unwrap(), None);
    }
}

db_test! {
    async fn a_stale_model_version_is_refused(db) {
        let store = open(&db).await;
        let id = default_model(&store, by_goals()).await;
        health::model::update_model(&store, "admin", id, 1, Some(by_tickets()), false).await.unwrap();
        let err = health::model::update_model(&store, "admin", id, 1, Some(by_goals()), false).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        let err = health::model::update_model(&store, "admin", id, 1, None, true).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { .. }), "{err:?}");
        let read = &models_by_ids(&store, &[id]).await[0];
        assert_eq!((&read.def, read.archived_at), (&by_tickets(), None));
    }
}

db_test! {
    async fn an_archived_model_can_no_longer_change(db) {
        let store = open(&db).await;
        let id = default_model(&store, by_goals()).await;
        health::model::update_model(&store, "admin", id, 1, None, true).await.unwrap();
        let err = health::model::update_model(&store, "admin", id, 1, Some(by_tickets()), false).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(_)), "{err:?}");
        assert_eq!(health::model::model_version(&store, id, 2).await.unwrap(), None);
    }
}

db_test! {
    async fn updating_an_unknown_model_is_not_found(db) {
        let store = open(&db).await;
        let err = health::model::update_model(&store, "admin", HealthModelId::new(), 1, None, true).await.unwrap_err();
        assert!(matches!(err, PersistenceError::NotFound { entity: "health model", .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Recomputing

db_test! {
    async fn recomputing_without_a_live_model_is_a_conflict(db) {
        let store = open(&db).await;
        acme(&store).await;
        let id = default_model(&store, by_goals()).await;
        health::model::update_model(&store, "admin", id, 1, None, true).await.unwrap();
        let err = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Conflict(ref m) if m.contains("no live health model")), "{err:?}");
    }
}

db_test! {
    async fn recomputing_scores_live_customers_and_skips_those_without_signals(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let healthy = acme(&store).await;
        goal(&store, healthy, GoalStatus::OnTrack).await;
        let at_risk = customer(&store, "Globex", TouchTier::Low, "Software").await;
        goal(&store, at_risk, GoalStatus::OnTrack).await;
        goal(&store, at_risk, GoalStatus::Missed).await;
        goal(&store, at_risk, GoalStatus::NotStarted).await;
        let no_goals = customer(&store, "Initech", TouchTier::Low, "Software").await;
        let churned = customer(&store, "Gone", TouchTier::Low, "Software").await;
        goal(&store, churned, GoalStatus::OnTrack).await;
        account::update(&store, "t", churned, 1, |a| {
            a.patched(tandem_domain::account::AccountPatch { lifecycle_stage: Some(LifecycleStage::Churned), ..Default::default() })
        }).await.unwrap();
        let archived = customer(&store, "Archived", TouchTier::Low, "Software").await;
        goal(&store, archived, GoalStatus::OnTrack).await;
        account::archive(&store, "t", archived, 1).await.unwrap();

        let report = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!((report.accounts, report.scored, report.status_changes, report.skipped), (3, 2, 2, 1));
        let current = health::score::current(&store, &[healthy, at_risk, no_goals, churned, archived]).await.unwrap();
        assert_eq!(current.len(), 2);
        assert_eq!((current[&healthy].score.value, current[&healthy].score.status), (100.0, HealthStatus::Healthy));
        assert_eq!((current[&at_risk].score.value, current[&at_risk].score.status), (50.0, HealthStatus::AtRisk));
    }
}

db_test! {
    async fn a_first_score_records_its_status_from_nothing(db) {
        let store = open(&db).await;
        let model = default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        goal(&store, a, GoalStatus::AtRisk).await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let current = &health::score::current(&store, &[a]).await.unwrap()[&a];
        assert_eq!((current.model_id, current.model_version), (model, 1));
        let events = status_events(&store).await;
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!((e.account_id, e.subject_kind, e.subject_id, e.actor.as_str()), (Some(a), SubjectKind::HealthScore, current.id.0, "job"));
        assert_eq!(e.changes[0].field, "status");
        assert!(e.changes[0].before.is_null());
        assert_eq!(e.changes[0].after, "AT_RISK");
        assert_eq!(e.changes[1].field, "score");
        assert!(e.changes[1].before.is_null());
        assert_eq!(e.changes[1].after, 50.0);
    }
}

db_test! {
    async fn a_score_that_keeps_its_status_adds_history_but_no_event(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        goal(&store, a, GoalStatus::OnTrack).await;
        let first = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let second = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!((first.status_changes, second.status_changes, second.scored), (1, 0, 1));
        assert_eq!(status_events(&store).await.len(), 1);
        let history = health::score::history(&store, a, None, 10).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(health::score::current(&store, &[a]).await.unwrap()[&a].id, history[0].id);
    }
}

db_test! {
    async fn a_status_change_records_where_the_score_came_from(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        let g = goal(&store, a, GoalStatus::OnTrack).await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        success::update_goal(&store, "cs", g, 1, |cur| Ok((cur.data.clone(), GoalStatus::Missed))).await.unwrap();
        let report = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!(report.status_changes, 1);
        let events = status_events(&store).await;
        assert_eq!(events.len(), 2);
        let e = &events[1];
        assert_eq!((e.changes[0].before.clone(), e.changes[0].after.clone()), ("HEALTHY".into(), "CRITICAL".into()));
        assert_eq!((e.changes[1].before.clone(), e.changes[1].after.clone()), (100.0.into(), 0.0.into()));
        assert_eq!(health::score::current(&store, &[a]).await.unwrap()[&a].score.status, HealthStatus::Critical);
    }
}

db_test! {
    async fn a_scoped_recompute_touches_only_its_accounts(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        let b = customer(&store, "Globex", TouchTier::Low, "Software").await;
        goal(&store, a, GoalStatus::OnTrack).await;
        goal(&store, b, GoalStatus::OnTrack).await;
        let report = health::compute::recompute(&store, "job", Scope::Accounts(&[b]), Utc::now()).await.unwrap();
        assert_eq!((report.accounts, report.scored), (1, 1));
        let current = health::score::current(&store, &[a, b]).await.unwrap();
        assert_eq!(current.keys().copied().collect::<Vec<_>>(), [b]);
    }
}

db_test! {
    async fn scores_name_the_model_version_they_came_from(db) {
        let store = open(&db).await;
        let model = default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        goal(&store, a, GoalStatus::OnTrack).await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let renamed = HealthModelDef { name: "Goals v2".into(), ..by_goals() };
        health::model::update_model(&store, "admin", model, 1, Some(renamed), false).await.unwrap();
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let versions: Vec<i32> = health::score::history(&store, a, None, 10).await.unwrap().iter().map(|s| s.model_version).collect();
        assert_eq!(versions, [2, 1]);
    }
}

db_test! {
    async fn a_tier_model_beats_the_default_and_a_segment_model_beats_the_tier(db) {
        let store = open(&db).await;
        let default = default_model(&store, by_tickets()).await;
        let high = health::model::create_model(&store, "admin", by_tickets(), Some(TouchTier::High), None).await.unwrap().id;
        let retail = segment::create(&store, "Retail".into(), None, SegmentFilter { industries: vec!["Retail".into()], ..Default::default() }).await.unwrap();
        let by_segment = health::model::create_model(&store, "admin", by_tickets(), None, Some(retail.id)).await.unwrap().id;
        let plain = customer(&store, "Plain", TouchTier::Low, "Software").await;
        let tiered = customer(&store, "Tiered", TouchTier::High, "Software").await;
        let both = customer(&store, "Both", TouchTier::High, "Retail").await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let current = health::score::current(&store, &[plain, tiered, both]).await.unwrap();
        assert_eq!(current[&plain].model_id, default);
        assert_eq!(current[&tiered].model_id, high);
        assert_eq!(current[&both].model_id, by_segment);
    }
}

db_test! {
    async fn a_model_of_an_archived_segment_scores_nobody(db) {
        let store = open(&db).await;
        let default = default_model(&store, by_tickets()).await;
        let retail = segment::create(&store, "Retail".into(), None, SegmentFilter { industries: vec!["Retail".into()], ..Default::default() }).await.unwrap();
        health::model::create_model(&store, "admin", by_tickets(), None, Some(retail.id)).await.unwrap();
        segment::update(&store, retail.id, 1, |s| {
            let mut archived = s.clone();
            archived.archived_at = Some(Utc::now());
            Ok(archived)
        }).await.unwrap();
        let a = acme(&store).await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!(health::score::current(&store, &[a]).await.unwrap()[&a].model_id, default);
    }
}

db_test! {
    async fn an_account_no_model_applies_to_is_skipped(db) {
        let store = open(&db).await;
        archive_standard(&store).await;
        health::model::create_model(&store, "admin", by_tickets(), Some(TouchTier::High), None).await.unwrap();
        let low = customer(&store, "Low", TouchTier::Low, "Software").await;
        let report = health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        assert_eq!((report.accounts, report.scored, report.skipped), (1, 0, 1));
        assert!(health::score::current(&store, &[low]).await.unwrap().is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Reading scores

db_test! {
    async fn the_current_score_carries_its_breakdown_and_its_outline_none(db) {
        let store = open(&db).await;
        default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        goal(&store, a, GoalStatus::OnTrack).await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let full = &health::score::current(&store, &[a]).await.unwrap()[&a];
        assert_eq!(full.score.breakdown.len(), 1);
        assert_eq!(full.score.breakdown[0].component, Component::GoalAttainment);
        assert_eq!(full.score.breakdown[0].weight, 1.0);
        let outline = &health::score::current_outlines(&store, &[a]).await.unwrap()[&a];
        // A ScoreOutline has no breakdown field at all: the type now says what this asserted.
        assert_eq!((outline.id, outline.value, outline.status), (full.id, full.score.value, full.score.status));
    }
}

db_test! {
    async fn current_scores_answer_for_accounts_past_the_first_five_hundred(db) {
        let store = open(&db).await;
        default_model(&store, by_tickets()).await;
        let a = acme(&store).await;
        let b = customer(&store, "Globex", TouchTier::Low, "Software").await;
        health::compute::recompute(&store, "job", Scope::All, Utc::now()).await.unwrap();
        let mut keys: Vec<AccountId> = (0..600).map(|_| AccountId::new()).collect();
        keys.insert(2, a);
        keys.insert(550, b);
        assert_eq!(health::score::current(&store, &keys).await.unwrap().len(), 2);
        assert_eq!(health::score::current_outlines(&store, &keys).await.unwrap().len(), 2);
        let past = health::score::as_of(&store, &keys, Utc::now()).await.unwrap();
        assert_eq!(past.len(), 2);
        assert_eq!(past[&b], 100.0);
    }
}

db_test! {
    async fn history_runs_newest_first_from_since_up_to_the_limit(db) {
        let store = open(&db).await;
        let model = default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        let b = customer(&store, "Globex", TouchTier::Low, "Software").await;
        let now = Utc::now();
        let day = |n: i64| now - Duration::days(n);
        health::score::import_scores(&store, &[
            imported(a, model, 10.0, day(40)),
            imported(a, model, 20.0, day(30)),
            imported(a, model, 30.0, day(20)),
            imported(a, model, 40.0, day(10)),
            imported(b, model, 99.0, day(5)),
        ]).await.unwrap();
        let values = |since, limit| {
            let store = store.clone();
            async move {
                health::score::history(&store, a, since, limit).await.unwrap().iter().map(|s| s.score.value).collect::<Vec<f64>>()
            }
        };
        assert_eq!(values(None, 10).await, [40.0, 30.0, 20.0, 10.0]);
        assert_eq!(values(Some(day(30)), 10).await, [40.0, 30.0, 20.0]);
        assert_eq!(values(None, 2).await, [40.0, 30.0]);
    }
}

db_test! {
    async fn as_of_gives_each_accounts_latest_score_at_that_moment(db) {
        let store = open(&db).await;
        let model = default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        let b = customer(&store, "Globex", TouchTier::Low, "Software").await;
        let now = Utc::now();
        let day = |n: i64| now - Duration::days(n);
        health::score::import_scores(&store, &[
            imported(a, model, 10.0, day(40)),
            imported(a, model, 20.0, day(30)),
            imported(a, model, 30.0, day(20)),
            imported(b, model, 99.0, day(5)),
        ]).await.unwrap();
        let then = health::score::as_of(&store, &[a, b], day(25)).await.unwrap();
        assert_eq!(then.len(), 1, "b had no score yet");
        assert_eq!(then[&a], 20.0);
        // A score computed exactly at the moment counts.
        assert_eq!(health::score::as_of(&store, &[a], day(20)).await.unwrap()[&a], 30.0);
        assert!(health::score::as_of(&store, &[a], day(41)).await.unwrap().is_empty());
    }
}

db_test! {
    async fn imported_scores_are_history_only(db) {
        let store = open(&db).await;
        let model = default_model(&store, by_goals()).await;
        let a = acme(&store).await;
        health::score::import_scores(&store, &[imported(a, model, 80.0, Utc::now() - Duration::days(3))]).await.unwrap();
        assert_eq!(health::score::history(&store, a, None, 10).await.unwrap().len(), 1);
        assert!(health::score::current(&store, &[a]).await.unwrap().is_empty());
        assert!(status_events(&store).await.is_empty());
    }
}
