//! Engagements and phases over GraphQL: scoping, running phase by phase, and the figures.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const ADD_PHASE: &str = "mutation($input: AddPhaseInput!) { addPhase(input: $input) { phase { id version position status } } }";
const PHASE_STATUS: &str = "mutation($input: ChangePhaseStatusInput!) { changePhaseStatus(input: $input) { phase { id version status actualStart actualEnd acceptedOn } } }";
const ENGAGEMENT_STATUS: &str = "mutation($input: ChangeEngagementStatusInput!) { changeEngagementStatus(input: $input) { engagement { version status } } }";

async fn scope(server: &Server, account: &str) -> (String, Vec<String>) {
    let created = server.ok(Role::Services, "mutation($input: CreateEngagementInput!) { createEngagement(input: $input) { engagement { id status version } } }",
        json!({"input": {"accountId": account, "name": "Replatforming to Tandem Commerce", "kind": "REPLATFORMING",
            "sourcePlatform": "Legacy Commerce 6", "targetPlatform": "Tandem Commerce", "plannedStart": "2026-01-05"}})).await;
    let engagement = created["createEngagement"]["engagement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        created["createEngagement"]["engagement"]["status"],
        "PLANNED"
    );
    let mut phases: Vec<String> = Vec::new();
    for (name, focus_kind, focus, deps) in [
        ("Catalog model", "PROBLEM", "Clean catalog model", vec![]),
        ("Apparel", "PRODUCT_LINE", "Apparel", vec![0usize]),
        ("Footwear", "PRODUCT_LINE", "Footwear", vec![0usize]),
    ] {
        let depends_on: Vec<&String> = deps.iter().map(|i| &phases[*i]).collect();
        let added = server.ok(Role::Services, ADD_PHASE, json!({"input": {
            "engagementId": engagement, "name": name, "focusKind": focus_kind, "focus": focus,
            "plannedStart": "2026-01-05", "plannedEnd": "2026-02-15",
            "milestones": [{"name": "Kick-off", "due": "2026-01-05"}], "dependsOn": depends_on,
        }})).await;
        phases.push(
            added["addPhase"]["phase"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (engagement, phases)
}

async fn move_phase(server: &Server, id: &str, status: &str, on: &str) -> Value {
    let version = server
        .ok(
            Role::Services,
            "query($id: ID!) { phase(id: $id) { version } }",
            json!({"id": id}),
        )
        .await["phase"]["version"]
        .clone();
    server
        .ok(
            Role::Services,
            PHASE_STATUS,
            json!({"input": {"id": id, "version": version, "status": status, "on": on}}),
        )
        .await["changePhaseStatus"]["phase"]
        .clone()
}

db_test! {
    async fn a_services_lead_runs_a_phased_engagement_end_to_end(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Acme Outdoor").await;
        let (engagement, phases) = scope(&server, &account).await;

        // Nothing starts before the engagement is active.
        let (code, message) = server.error(Role::Services, PHASE_STATUS, json!({"input": {"id": phases[0], "version": 1, "status": "IN_PROGRESS"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("activate the engagement"), "{message}");
        server.ok(Role::Services, ENGAGEMENT_STATUS, json!({"input": {"id": engagement, "version": 1, "status": "ACTIVE"}})).await;

        let (code, message) = server.error(Role::Services, PHASE_STATUS, json!({"input": {"id": phases[1], "version": 1, "status": "IN_PROGRESS"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("depends on 'Catalog model', which is not delivered yet"), "{message}");

        let view = "query($id: ID!) { engagement(id: $id) { status progress { acceptedPhases totalPhases byCount }
            nextStartablePhases { name } phases { name position status blockedBy { name } dependsOn { name } milestones { name due } } } }";
        let before = server.ok(Role::Viewer, view, json!({"id": engagement})).await;
        assert_eq!(before["engagement"]["nextStartablePhases"], json!([{"name": "Catalog model"}]));
        assert_eq!(before["engagement"]["phases"][1]["blockedBy"], json!([{"name": "Catalog model"}]));
        assert_eq!(before["engagement"]["phases"][2]["dependsOn"], json!([{"name": "Catalog model"}]));

        let started = move_phase(&server, &phases[0], "IN_PROGRESS", "2026-01-06").await;
        assert_eq!(started["actualStart"], "2026-01-06");
        move_phase(&server, &phases[0], "DELIVERED", "2026-02-01").await;
        let after_delivery = server.ok(Role::Viewer, view, json!({"id": engagement})).await;
        assert_eq!(after_delivery["engagement"]["nextStartablePhases"], json!([{"name": "Apparel"}, {"name": "Footwear"}]));
        let accepted = move_phase(&server, &phases[0], "ACCEPTED", "2026-02-03").await;
        assert_eq!(accepted["acceptedOn"], "2026-02-03");
        move_phase(&server, &phases[1], "IN_PROGRESS", "2026-02-04").await;

        let figures = server.ok(Role::CsManager, view, json!({"id": engagement})).await;
        assert_eq!(figures["engagement"]["progress"], json!({"acceptedPhases": 1, "totalPhases": 3, "byCount": 1.0 / 3.0}));

        let (code, message) = server.error(Role::Services, ENGAGEMENT_STATUS, json!({"input": {"id": engagement, "version": 2, "status": "COMPLETED"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("Apparel") && message.contains("Footwear"), "{message}");
        let (code, message) = server.error(Role::Services, ENGAGEMENT_STATUS, json!({"input": {"id": engagement, "version": 2, "status": "PLANNED"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("from ACTIVE to PLANNED"), "{message}");

        // The account shows its engagements; events record each status change.
        let nested = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { engagements { name status phases { name status } } } }", json!({"id": account})).await;
        assert_eq!(nested["account"]["engagements"][0]["phases"][0], json!({"name": "Catalog model", "status": "ACCEPTED"}));
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [PHASE_STATUS_CHANGED, ENGAGEMENT_STATUS_CHANGED], first: 50) { edges { node { kind changes { field before after } } } } }", json!({"id": account})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 5);
        assert_eq!(edges[0]["node"]["changes"][0], json!({"field": "status", "before": "PLANNED", "after": "ACTIVE"}));
        server.stop().await;
    }
}

db_test! {
    async fn dependencies_and_order_are_kept_consistent(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Globex").await;
        let (engagement, phases) = scope(&server, &account).await;
        let (code, message) = server.error(Role::Services, "mutation($input: SetPhaseDependenciesInput!) { setPhaseDependencies(input: $input) { phase { id } } }",
            json!({"input": {"id": phases[0], "version": 1, "dependsOn": [phases[1]]}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("cycle: Catalog model → Apparel → Catalog model"), "{message}");

        let moved = server.ok(Role::Services, "mutation($input: MovePhaseInput!) { movePhase(input: $input) { phases { name position } } }",
            json!({"input": {"id": phases[2], "version": 1, "position": 1}})).await;
        assert_eq!(moved["movePhase"]["phases"], json!([
            {"name": "Footwear", "position": 1}, {"name": "Catalog model", "position": 2}, {"name": "Apparel", "position": 3}
        ]));
        let list = server.ok(Role::Viewer, "query($filter: EngagementFilter) { engagements(filter: $filter) { totalCount nodes { name account { name } lead { name } } } }",
            json!({"filter": {"statuses": ["PLANNED"], "accountIds": [account]}})).await;
        assert_eq!(list["engagements"]["totalCount"], 1);
        assert_eq!(list["engagements"]["nodes"][0]["account"]["name"], "Globex");
        let node = server.ok(Role::Viewer, "query($id: ID!) { node(id: $id) { __typename ... on Engagement { name } } }", json!({"id": engagement})).await;
        assert_eq!(node["node"]["__typename"], "Engagement");
        server.stop().await;
    }
}

db_test! {
    async fn only_services_and_admins_run_engagements(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Initech").await;
        for (role, allowed) in [(Role::Admin, true), (Role::Services, true), (Role::CsManager, false), (Role::Product, false), (Role::Viewer, false), (Role::Integration, false)] {
            let (_, body) = server.post(&server.token(role), "mutation($id: ID!) { createEngagement(input: {accountId: $id, name: \"E\"}) { engagement { id } } }", json!({"id": account})).await;
            if allowed {
                assert!(body.get("errors").is_none(), "{role}: {body}");
            } else {
                assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{role}: {body}");
            }
        }
        let (code, _) = server.error(Role::Services, "mutation { createEngagement(input: {accountId: \"bogus\", name: \"E\"}) { engagement { id } } }", json!({})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, message) = server.error(Role::Services, ADD_PHASE, json!({"input": {"engagementId": "RW5nYWdlbWVudDowMTlhMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA", "name": "P", "focus": "F"}})).await;
        assert_eq!(code, "NOT_FOUND", "{message}");
        server.stop().await;
    }
}
