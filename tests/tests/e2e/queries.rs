//! No N+1: nested fields load through DataLoaders, so the statements a page costs do not grow
//! with the page.

use serde_json::json;
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

const DASHBOARD: &str = "query($n: Int) { accounts(first: $n) { totalCount nodes { name tags mrr { formatted }
  owner { name } contacts { name } health { score status change30d } usage { activeDays30 } goals { title }
  engagements { name status progress { acceptedPhases byBudgetWeight } phases { name status dependsOn { name } } sows { title budget { burnPercent } } } } } }";

const BENCH_DASHBOARD: &str = include_str!("../../../bench/queries/dashboard.graphql");

db_test! {
    async fn the_dashboard_costs_the_same_statements_for_5_or_50_accounts(db) {
        // A long poll interval keeps the event relay out of the count.
        let server = Server::start_with(&db, &[("TANDEM_EVENT_POLL_INTERVAL", "1h")]).await;
        let owner = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Sam\", email: \"sam@v.io\", team: CUSTOMER_SUCCESS, role: CS_MANAGER}) { teamMember { id } } }", json!({})).await;
        let owner = owner["createTeamMember"]["teamMember"]["id"].clone();
        for i in 0..60 {
            let a = server.ok(Role::Admin, "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
                json!({"input": {"name": format!("Account {i:02}"), "ownerId": owner, "tags": ["vip"]}})).await;
            let id = a["createAccount"]["account"]["id"].clone();
            server.ok(Role::Admin, "mutation($a: ID!) { createContact(input: {accountId: $a, name: \"Ann\", email: \"ann@x.com\"}) { contact { id } } }", json!({"a": id})).await;
            let e = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"R\"}) { engagement { id } } }", json!({"a": id})).await;
            let e = e["createEngagement"]["engagement"]["id"].clone();
            let p = server.ok(Role::Services, "mutation($e: ID!) { addPhase(input: {engagementId: $e, name: \"A\", focus: \"A\"}) { phase { id } } }", json!({"e": e})).await;
            server.ok(Role::Services, "mutation($e: ID!, $p: ID!) { addPhase(input: {engagementId: $e, name: \"B\", focus: \"B\", dependsOn: [$p]}) { phase { id } } }",
                json!({"e": e, "p": p["addPhase"]["phase"]["id"]})).await;
            server.ok(Role::Services, "mutation($a: ID!, $e: ID!) { createSow(input: {accountId: $a, engagementId: $e, fields: {title: \"S\", fixedPriceMinor: 1}}) { sow { id } } }", json!({"a": id, "e": e})).await;
        }
        server.ok(Role::Admin, "mutation { recomputeHealth { scored } }", json!({})).await;
        // Let the relay drain the events the setup wrote.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut costs = Vec::new();
        for n in [5, 50] {
            let before = server.store.statements();
            let data = server.ok(Role::Admin, DASHBOARD, json!({"n": n})).await;
            costs.push(server.store.statements() - before);
            assert_eq!(data["accounts"]["nodes"].as_array().unwrap().len(), n);
            assert_eq!(data["accounts"]["nodes"][0]["engagements"][0]["phases"][1]["dependsOn"][0]["name"], "A");
        }
        eprintln!("dashboard statements for 5 and 50 accounts: {costs:?}");
        // One query per level whatever the page size: 18 when every level batches whole (the
        // usage summary is three grouped queries). A slow
        // (debug, loaded) machine can split a level across two batches when resolving it takes
        // longer than the loaders' 1 ms window (a run beside a cold build once saw more than
        // 28), so up to twice the whole-batch count is tolerated; an N+1 would add 45 or more
        // for the 45 extra accounts, which both bounds still catch.
        assert!(costs[1] < costs[0] + 20, "statements for 5 and 50 accounts: {costs:?}");
        assert!(costs[1] <= 36, "the dashboard ran {} statements: {costs:?}", costs[1]);
        // Without tags and phase dependencies (bench/queries/dashboard.graphql), neither is
        // read: accounts, count, MRR, engagements, phases, health: 6 (seen: 6 on a quiet
        // machine), with the same slack as above for levels split across batches.
        let before = server.store.statements();
        let data = server.ok(Role::Admin, BENCH_DASHBOARD, json!({})).await;
        let cost = server.store.statements() - before;
        eprintln!("bench dashboard statements: {cost}");
        assert_eq!(data["accounts"]["nodes"].as_array().unwrap().len(), 50);
        assert_eq!(data["accounts"]["nodes"][0]["engagements"][0]["phases"][1]["name"], "B");
        assert!(cost < 6 + 10, "the bench dashboard ran {cost} statements");
        server.stop().await;
    }
}
