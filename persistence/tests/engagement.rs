//! Engagements and phases on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_domain::DomainError;
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, NewEngagement, NewPhase, PhaseStatus,
};
use tandem_domain::event::EventKind;
use tandem_domain::ids::EngagementId;
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::event::EventQuery;
use tandem_persistence::page::Window;
use tandem_persistence::{PersistenceError, Store, event};
use tandem_tests::db_test;

mod common;
use common::account::customer;
use common::dates::day;
use common::open;

async fn scoped(store: &Store) -> EngagementId {
    let a = customer(store, "Acme").await;
    let data = NewEngagement {
        name: "Replatforming".into(),
        kind: EngagementKind::Replatforming,
        source_platform: Some("Legacy Commerce".into()),
        target_platform: Some("Tandem Commerce".into()),
        lead_id: None,
        description: None,
        planned_start: Some(day(1, 5)),
    }
    .validate()
    .unwrap();
    engagement::create(store, "lead", a, data).await.unwrap().id
}

fn new_phase(name: &str) -> tandem_domain::engagement::PhaseData {
    NewPhase {
        name: name.into(),
        focus_kind: FocusKind::ProductLine,
        focus: name.into(),
        objective: Some(format!("Move {name}")),
        expected_value: None,
        planned_start: Some(day(1, 5)),
        planned_end: Some(day(2, 5)),
        milestones: vec![],
        scope: vec![],
    }
    .validate()
    .unwrap()
}

db_test! {
    async fn phases_run_in_dependency_order_and_record_their_dates(db) {
        let store = open(&db).await;
        let e = scoped(&store).await;
        let catalog = phase::create(&store, "lead", e, new_phase("Catalog model"), vec![]).await.unwrap();
        let apparel = phase::create(&store, "lead", e, new_phase("Apparel"), vec![catalog.id]).await.unwrap();
        assert_eq!((catalog.position, apparel.position), (1, 2));

        // Not before the engagement is active.
        let err = phase::transition(&store, "lead", catalog.id, 1, PhaseStatus::InProgress, day(1, 6)).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Domain(DomainError::Invalid { .. })), "{err:?}");
        engagement::transition(&store, "lead", e, 1, EngagementStatus::Active).await.unwrap();

        let err = phase::transition(&store, "lead", apparel.id, 1, PhaseStatus::InProgress, day(1, 6)).await.unwrap_err();
        assert!(err.to_string().contains("depends on 'Catalog model'"), "{err}");

        let c = phase::transition(&store, "lead", catalog.id, 1, PhaseStatus::InProgress, day(1, 6)).await.unwrap();
        let c = phase::transition(&store, "lead", c.id, c.version, PhaseStatus::Delivered, day(2, 1)).await.unwrap();
        let a = phase::transition(&store, "lead", apparel.id, 1, PhaseStatus::InProgress, day(2, 2)).await.unwrap();
        assert_eq!(a.actual_start, Some(day(2, 2)));
        let c = phase::transition(&store, "lead", c.id, c.version, PhaseStatus::Accepted, day(2, 3)).await.unwrap();
        assert_eq!((c.actual_start, c.actual_end, c.accepted_on), (Some(day(1, 6)), Some(day(2, 1)), Some(day(2, 3))));

        let err = engagement::transition(&store, "lead", e, 2, EngagementStatus::Completed).await.unwrap_err();
        assert!(err.to_string().contains("Apparel"), "{err}");

        let kinds: Vec<EventKind> = event::list(&store, &EventQuery { limit: 100, ..Default::default() })
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event.kind)
            .filter(|k| matches!(k, EventKind::PhaseStatusChanged | EventKind::EngagementStatusChanged))
            .collect();
        assert_eq!(kinds.len(), 5, "{kinds:?}");
    }
}

db_test! {
    async fn dependencies_refuse_cycles_and_other_engagements(db) {
        let store = open(&db).await;
        let e = scoped(&store).await;
        let a = phase::create(&store, "lead", e, new_phase("A"), vec![]).await.unwrap();
        let b = phase::create(&store, "lead", e, new_phase("B"), vec![a.id]).await.unwrap();
        let c = phase::create(&store, "lead", e, new_phase("C"), vec![b.id]).await.unwrap();
        let err = phase::set_dependencies(&store, "lead", a.id, 1, vec![c.id]).await.unwrap_err();
        assert!(err.to_string().contains("A → C → B → A"), "{err}");
        let other = scoped(&store).await;
        let x = phase::create(&store, "lead", other, new_phase("X"), vec![]).await.unwrap();
        let err = phase::set_dependencies(&store, "lead", x.id, 1, vec![a.id]).await.unwrap_err();
        assert!(err.to_string().contains("same engagement"), "{err}");
        let c2 = phase::set_dependencies(&store, "lead", c.id, 1, vec![a.id, b.id]).await.unwrap();
        assert_eq!(c2.depends_on.len(), 2);
        assert_eq!(c2.version, 2);
        let loaded = phase::of_engagements(&store, &[e]).await.unwrap();
        assert_eq!(loaded[&e][2].depends_on, c2.depends_on);
    }
}

db_test! {
    async fn moving_a_phase_keeps_positions_dense_and_unique(db) {
        let store = open(&db).await;
        let e = scoped(&store).await;
        let mut ids = Vec::new();
        for name in ["A", "B", "C", "D"] {
            ids.push(phase::create(&store, "lead", e, new_phase(name), vec![]).await.unwrap().id);
        }
        let order = phase::reposition(&store, "lead", ids[3], 1, 2).await.unwrap();
        let names: Vec<(&str, i32)> = order.iter().map(|p| (p.data.name.as_str(), p.position)).collect();
        assert_eq!(names, [("A", 1), ("D", 2), ("B", 3), ("C", 4)]);
        let loaded = phase::of_engagements(&store, &[e]).await.unwrap();
        let names: Vec<&str> = loaded[&e].iter().map(|p| p.data.name.as_str()).collect();
        assert_eq!(names, ["A", "D", "B", "C"]);
        let err = phase::reposition(&store, "lead", ids[3], 1, 4).await.unwrap_err();
        assert!(matches!(err, PersistenceError::Stale { .. }), "{err:?}");
    }
}

db_test! {
    async fn engagements_list_by_status_and_account(db) {
        let store = open(&db).await;
        let e1 = scoped(&store).await;
        let _e2 = scoped(&store).await;
        engagement::transition(&store, "lead", e1, 1, EngagementStatus::Active).await.unwrap();
        let window = Window { limit: 10, after: None, before: None, from_end: false };
        let active = EngagementFilter { statuses: vec![EngagementStatus::Active], ..Default::default() };
        let page = engagement::list(&store, &active, &window).await.unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, e1);
        assert_eq!(engagement::count(&store, &EngagementFilter::default()).await.unwrap(), 2);
        let by = engagement::by_accounts(&store, &[page.items[0].account_id]).await.unwrap();
        assert_eq!(by[&page.items[0].account_id].len(), 1);
        let err = engagement::transition(&store, "lead", e1, 2, EngagementStatus::Planned).await.unwrap_err();
        assert!(err.to_string().contains("from ACTIVE to PLANNED"), "{err}");
    }
}

db_test! {
    async fn the_outcomes_migration_carries_single_goal_links_over(db) {
        use sea_orm::{ConnectionTrait, Statement};
        use tandem_migrations::{Migrator, MigratorTrait};
        let store = open(&db).await;
        let e = scoped(&store).await;
        let account = engagement::by_ids(&store, &[e]).await.unwrap()[0].account_id;
        let p = phase::create(&store, "lead", e, new_phase("Checkout"), vec![]).await.unwrap();
        let goal = tandem_persistence::success::create_goal(&store, "cs", account,
            tandem_domain::success::GoalData { title: "Lift conversion".into(), target: None, due_on: None },
            tandem_domain::success::GoalStatus::OnTrack).await.unwrap();
        // Back to the schema before outcomes, where a phase had one goal in `phases.goal_id`.
        // Outcomes is the 13th migration: roll back it and every one after it.
        let conn = db.connect().await;
        let steps = Migrator::migrations().len() as u32 - 12;
        Migrator::down(&conn, Some(steps)).await.unwrap();
        let backend = conn.get_database_backend();
        let sql = match backend {
            sea_orm::DbBackend::Postgres => "UPDATE phases SET goal_id = $1",
            _ => "UPDATE phases SET goal_id = ?",
        };
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [goal.id.0.into()])).await.unwrap();
        Migrator::up(&conn, None).await.unwrap();
        let linked = tandem_persistence::outcome::goals_of_phases(&store, &[p.id]).await.unwrap();
        assert_eq!(linked[&p.id].iter().map(|g| g.id).collect::<Vec<_>>(), vec![goal.id]);
        let read = phase::by_ids(&store, &[p.id]).await.unwrap();
        assert_eq!((read[0].goal_id, read[0].realised_value.clone()), (Some(goal.id), None));
    }
}
