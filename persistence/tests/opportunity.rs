//! Opportunities and their stages on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, NaiveDate};
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, OpportunityStageId};
use tandem_domain::opportunity::{
    Closing, OpportunityData, OpportunityKind, OpportunityStatus, Stage,
};
use tandem_domain::signals::RevenueKind;
use tandem_domain::sow::SowStatus;
use tandem_domain::success::GoalStatus;
use tandem_persistence::opportunity::{self, OpportunityFilter};
use tandem_persistence::page::Window;
use tandem_persistence::{PersistenceError, Store, revenue, sow};
use tandem_tests::db_test;

mod common;
use common::account::{customer_in, usd};
use common::dates::today;
use common::event::events_of;
use common::revenue::movements;
use common::success::goal;
use common::{invalid, open};

fn in_days(n: u64) -> NaiveDate {
    today() + Days::new(n)
}

fn deal(kind: OpportunityKind, mrr: i64, services: i64, closes: NaiveDate) -> OpportunityData {
    OpportunityData {
        kind,
        title: format!("{kind} deal"),
        mrr_delta_minor: mrr,
        services_value_minor: services,
        probability: None,
        expected_close_on: closes,
        owner_id: None,
        goal_id: None,
        phase_id: None,
    }
    .validate()
    .unwrap()
}

async fn paying(store: &Store, name: &str, mrr: i64) -> AccountId {
    let a = customer_in(store, name, "USD").await;
    movements(store, a, &[("NEW", mrr, today() - Days::new(90))]).await;
    a
}

fn window(limit: u64) -> Window<(NaiveDate, uuid::Uuid)> {
    Window {
        limit,
        after: None,
        before: None,
        from_end: false,
    }
}

db_test! {
    async fn the_pipeline_starts_with_four_stages_in_order(db) {
        let store = open(&db).await;
        let stages = opportunity::stages(&store).await.unwrap();
        let got: Vec<(&str, f64)> = stages.iter().map(|s| (s.name.as_str(), s.default_probability)).collect();
        assert_eq!(got, [("Qualify", 0.10), ("Discover", 0.25), ("Propose", 0.50), ("Commit", 0.80)]);
    }
}

db_test! {
    async fn an_opportunity_opens_in_the_first_stage_and_records_its_event(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let o = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Upsell, 2_000, 0, in_days(30))).await.unwrap();
        let read = opportunity::by_id(&store, o.id).await.unwrap().unwrap();
        assert_eq!((read.id, &read.data, read.account_id), (o.id, &o.data, a));
        let first = &opportunity::stages(&store).await.unwrap()[0];
        assert_eq!((read.stage_id, read.status, read.version), (first.id, OpportunityStatus::Open, 1));
        let created = events_of(&store, &[EventKind::OpportunityCreated]).await;
        assert_eq!((created[0].subject_kind, created[0].subject_id, created[0].account_id), (SubjectKind::Opportunity, o.id.0, Some(a)));
        assert!(created[0].changes.iter().any(|c| c.field == "stage" && c.after == "Qualify"));
    }
}

db_test! {
    async fn a_goal_of_another_account_is_refused(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let b = paying(&store, "Globex", 10_000).await;
        let theirs = goal(&store, b, GoalStatus::OnTrack).await;
        let mut d = deal(OpportunityKind::Upsell, 1, 0, in_days(3));
        d.goal_id = Some(theirs);
        let err = opportunity::create(&store, "ann", a, None, d.clone()).await.unwrap_err();
        assert!(invalid(&err, "goalId"), "{err:?}");
        d.goal_id = Some(goal(&store, a, GoalStatus::OnTrack).await);
        assert!(opportunity::create(&store, "ann", a, None, d).await.is_ok());
    }
}

db_test! {
    async fn a_stale_version_is_refused_and_changes_nothing(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let o = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Upsell, 2_000, 0, in_days(30))).await.unwrap();
        let stages = opportunity::stages(&store).await.unwrap();
        let moved = opportunity::move_stage(&store, "ann", o.id, 1, stages[2].id).await.unwrap();
        assert_eq!((moved.version, moved.stage_id), (2, stages[2].id));
        let err = opportunity::update(&store, "ann", o.id, 1, |c| Ok(OpportunityData { title: "x".into(), ..c.data.clone() })).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { read: 1, current: 2, .. }), "{err:?}");
        assert_eq!(events_of(&store, &[EventKind::OpportunityUpdated]).await.len(), 0);
        let changed = events_of(&store, &[EventKind::OpportunityStageChanged]).await;
        assert!(changed[0].changes.iter().any(|c| c.field == "probability" && c.before == 0.1 && c.after == 0.5));
    }
}

db_test! {
    async fn a_won_upsell_records_its_expansion_in_the_same_write(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let o = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Upsell, 2_500, 0, in_days(30))).await.unwrap();
        let won = opportunity::close(&store, "ann", o.id, 1, Closing::won(Some("Exec sponsor"), today()).unwrap()).await.unwrap();
        assert_eq!((won.status, won.closed_on), (OpportunityStatus::Won, Some(today())));
        let moves = revenue::movements(&store, a, None, 10).await.unwrap();
        assert_eq!((moves[0].kind, moves[0].amount.minor, Some(moves[0].id)), (RevenueKind::Expansion, 2_500, won.revenue_event_id));
        let err = opportunity::close(&store, "ann", o.id, 2, Closing::lost("x", today()).unwrap()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(tandem_domain::DomainError::Conflict(_))), "{err:?}");
    }
}

db_test! {
    async fn a_downsell_to_nothing_is_refused_as_a_churn_and_records_nothing(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 1_000).await;
        let o = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Downsell, -1_000, 0, in_days(3))).await.unwrap();
        let err = opportunity::close(&store, "ann", o.id, 1, Closing::won(None, today()).unwrap()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(tandem_domain::DomainError::Conflict(ref m)) if m.contains("CONTRACTION")), "{err:?}");
        assert_eq!(revenue::movements(&store, a, None, 10).await.unwrap().len(), 1);
        assert_eq!(opportunity::by_id(&store, o.id).await.unwrap().unwrap().status, OpportunityStatus::Open);
    }
}

db_test! {
    async fn a_won_services_follow_on_drafts_its_sow(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let o = opportunity::create(&store, "sam", a, None, deal(OpportunityKind::ServicesFollowOn, 0, 40_000, in_days(10))).await.unwrap();
        let won = opportunity::close(&store, "sam", o.id, 1, Closing::won(None, today()).unwrap()).await.unwrap();
        let drafted = sow::get(&store, won.sow_id.unwrap()).await.unwrap().unwrap();
        assert_eq!((drafted.status, drafted.data.title.as_str(), drafted.data.fixed_price, drafted.account_id), (SowStatus::Draft, "SERVICES_FOLLOW_ON deal", 40_000, a));
        let kinds: Vec<EventKind> = events_of(&store, &[EventKind::SowCreated, EventKind::OpportunityWon]).await.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventKind::SowCreated, EventKind::OpportunityWon]);
    }
}

db_test! {
    async fn the_list_filters_and_pages_soonest_first_and_the_outlook_reads_open_ones(db) {
        let store = open(&db).await;
        let a = paying(&store, "Acme", 10_000).await;
        let late = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Upsell, 1, 0, in_days(60))).await.unwrap();
        let mut sure = deal(OpportunityKind::CrossSell, 2, 0, in_days(20));
        sure.probability = Some(0.9);
        let soon = opportunity::create(&store, "ann", a, None, sure).await.unwrap();
        let lost = opportunity::create(&store, "ann", a, None, deal(OpportunityKind::Renewal, 0, 0, in_days(5))).await.unwrap();
        opportunity::close(&store, "ann", lost.id, 1, Closing::lost("Went elsewhere", today()).unwrap()).await.unwrap();

        let all = opportunity::list(&store, &OpportunityFilter::default(), &window(2)).await.unwrap();
        assert_eq!(all.items.iter().map(|o| o.id).collect::<Vec<_>>(), [lost.id, soon.id]);
        assert!(all.has_next);
        let next = Window { after: Some((soon.data.expected_close_on, soon.id.0)), ..window(2) };
        let rest = opportunity::list(&store, &OpportunityFilter::default(), &next).await.unwrap();
        assert_eq!((rest.items.len(), rest.items[0].id, rest.has_next), (1, late.id, false));
        let open_before = OpportunityFilter { statuses: vec![OpportunityStatus::Open], closing_to: Some(in_days(30)), ..Default::default() };
        let page = opportunity::list(&store, &open_before, &window(10)).await.unwrap();
        assert_eq!(page.items.iter().map(|o| o.id).collect::<Vec<_>>(), [soon.id]);

        let outlook = opportunity::open_in(&store, &usd(), today(), today(), in_days(90)).await.unwrap();
        let got: Vec<_> = outlook.iter().map(|o| (o.id, o.probability, o.mrr_delta_minor)).collect();
        assert_eq!(got, [(soon.id, 0.9, 2), (late.id, 0.10, 1)]);
    }
}

db_test! {
    async fn an_admin_adds_and_changes_a_stage_at_its_version(db) {
        let store = open(&db).await;
        let added = opportunity::set_stage(&store, "root", None, Stage::validate(OpportunityStageId::new(), "Negotiate", 35, 0.65, 0).unwrap()).await.unwrap();
        assert_eq!(added.version, 1);
        let changed = opportunity::set_stage(&store, "root", Some(1), Stage { default_probability: 0.7, ..added.clone() }).await.unwrap();
        assert_eq!((changed.version, changed.default_probability), (2, 0.7));
        let err = opportunity::set_stage(&store, "root", Some(1), added.clone()).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { .. }), "{err:?}");
        let names: Vec<String> = opportunity::stages(&store).await.unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["Qualify", "Discover", "Propose", "Negotiate", "Commit"]);
        let configured = events_of(&store, &[EventKind::OpportunityStageConfigured]).await;
        assert_eq!((configured.len(), configured[0].account_id, configured[0].subject_kind), (2, None, SubjectKind::OpportunityStage));
        let dup = opportunity::set_stage(&store, "root", None, Stage::validate(OpportunityStageId::new(), "Commit", 50, 0.9, 0).unwrap()).await.unwrap_err();
        assert!(matches!(dup, PersistenceError::Conflict(_)), "{dup:?}");
    }
}
