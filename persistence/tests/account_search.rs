//! The account list's text search (migration 28): on PostgreSQL, trigram indexes serve the
//! `LIKE '%text%'` over names and domains; on both databases, a search finds the names and the
//! domains that contain the text, in any case, and counts them.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tandem_domain::account::NewAccount;
use tandem_persistence::account::{self, AccountFilter, AccountKey, AccountOrder};
use tandem_persistence::page::Window;
use tandem_tests::db_test;

mod common;
use common::open;

db_test! {
    async fn a_search_finds_names_and_domains_containing_the_text(db) {
        let store = open(&db).await;
        for (name, domain) in [
            ("Globex Outdoor", "outdoor.example"),
            ("Acme Home", "globex-home.example"),
            ("Initech", "initech.example"),
            ("globexia", "g.example"),
        ] {
            let data = NewAccount {
                name: name.into(),
                domain: Some(domain.into()),
                ..NewAccount::default()
            };
            account::create(&store, "t", data.validate().unwrap()).await.unwrap();
        }
        let filter = AccountFilter { search: Some("GLOBEX".into()), ..AccountFilter::default() };
        let window = Window::<AccountKey> { limit: 10, after: None, before: None, from_end: false };
        let page = account::list(&store, &filter, AccountOrder::NameAsc, &window).await.unwrap();
        let names: Vec<&str> = page.items.iter().map(|a| a.data.name.as_str()).collect();
        assert_eq!(names, ["Acme Home", "Globex Outdoor", "globexia"]);
        assert_eq!(account::count(&store, &filter).await.unwrap(), 3);

        // On PostgreSQL the trigram indexes serve both halves of a search: among a few thousand
        // accounts, vacuumed (which moves GIN's pending entries into the index, as autovacuum
        // does), the planner reads them for a rare text rather than scanning the table.
        if db.pg_schema.is_some() {
            let raw = db.connect().await;
            raw.execute_unprepared(
                "INSERT INTO accounts (id, name, name_key, domain, touch_tier, lifecycle_stage, \
                 currency, traits, needs, version, created_at, updated_at) \
                 SELECT gen_random_uuid(), 'Filler ' || i, 'filler ' || i, 'filler' || i || '.example', \
                        'LOW', 'ADOPTION', 'USD', '{}', '{}', 1, now(), now() \
                 FROM generate_series(1, 5000) AS i",
            )
            .await
            .unwrap();
            raw.execute_unprepared("VACUUM ANALYZE accounts").await.unwrap();
            let rows = raw
                .query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "EXPLAIN SELECT COUNT(*) FROM accounts WHERE archived_at IS NULL \
                     AND (name_key LIKE '%globex%' ESCAPE '\\' OR domain LIKE '%globex%' ESCAPE '\\')",
                ))
                .await
                .unwrap();
            let plan: Vec<String> = rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect();
            let plan = plan.join("\n");
            assert!(plan.contains("accounts_name_trgm"), "{plan}");
            assert!(plan.contains("accounts_domain_trgm"), "{plan}");
        }
    }
}
