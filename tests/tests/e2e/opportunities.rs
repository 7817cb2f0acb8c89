//! Opportunities through GraphQL: opened, moved through the stages, won (an upsell records its
//! revenue movement, a services follow-on drafts its SOW) and lost with a reason; a stale
//! version is a CONFLICT; money stays hidden from VIEWER; every change is an account event.

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const CREATE: &str = "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id version status kind title probability stage { name } mrrDelta { amountMinor currency } } }";
const MOVE: &str = "mutation($id: ID!, $v: Int!, $s: ID!) { moveOpportunityStage(input: {id: $id, version: $v, stageId: $s}) { version probability stage { name } } }";
const WIN: &str = "mutation($id: ID!, $v: Int!) { winOpportunity(input: {id: $id, version: $v, reason: \"Exec sponsor\"}) { status version closedOn closeReason revenueMovementId sow { title status fixedPrice { amountMinor } } } }";
const LOSE: &str = "mutation($id: ID!, $v: Int!, $r: String!) { loseOpportunity(input: {id: $id, version: $v, reason: $r}) { status closeReason closedOn } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $t: String) { updateOpportunity(input: {id: $id, version: $v, title: $t, probability: 0.4}) { version title probability probabilityOverride } }";

/// An account paying `mrr` since 90 days ago.
async fn paying(server: &Server, name: &str, mrr: i64) -> String {
    let a = create_account(server, name).await;
    let start = (Utc::now().date_naive() - Days::new(90)).to_string();
    server.ok(Role::Admin, "mutation($a: ID!, $m: Long!, $d: Date!) { recordRevenue(input: {accountId: $a, kind: NEW, amountMinor: $m, effectiveOn: $d}) { id } }",
        json!({"a": a, "m": mrr, "d": start})).await;
    a
}

fn closes_in(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days)).to_string()
}

async fn stage_ids(server: &Server) -> Vec<(String, String)> {
    let data = server
        .ok(
            Role::Viewer,
            "{ opportunityStages { id name defaultProbability } }",
            json!({}),
        )
        .await;
    data["opportunityStages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn open(server: &Server, role: Role, input: Value) -> Value {
    server.ok(role, CREATE, json!({"input": input})).await["createOpportunity"].clone()
}

db_test! {
    async fn an_upsell_moves_through_the_stages_and_its_win_records_an_expansion(db) {
        let server = Server::start(&db).await;
        let a = paying(&server, "Acme", 10_000).await;
        let stages = stage_ids(&server).await;
        let names: Vec<&str> = stages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Qualify", "Discover", "Propose", "Commit"]);

        let o = open(&server, Role::CsManager, json!({"accountId": a, "kind": "UPSELL", "title": "Add the EU store", "mrrDeltaMinor": 2_500, "expectedCloseOn": closes_in(30)})).await;
        assert_eq!((&o["status"], &o["stage"]["name"], &o["probability"]), (&json!("OPEN"), &json!("Qualify"), &json!(0.1)));
        assert_eq!(o["mrrDelta"], json!({"amountMinor": 2_500, "currency": "USD"}));
        let id = o["id"].clone();
        let node = server.ok(Role::Viewer, "query($id: ID!) { node(id: $id) { id ... on Opportunity { title account { name } } } }", json!({"id": id})).await;
        assert_eq!(node["node"]["account"]["name"], "Acme");

        let moved = server.ok(Role::CsManager, MOVE, json!({"id": id, "v": 1, "s": stages[2].1})).await;
        assert_eq!(moved["moveOpportunityStage"], json!({"version": 2, "probability": 0.5, "stage": {"name": "Propose"}}));
        let (code, message) = server.error(Role::CsManager, MOVE, json!({"id": id, "v": 2, "s": stages[2].1})).await;
        assert_eq!(code, "CONFLICT", "{message}");

        let won = server.ok(Role::CsManager, WIN, json!({"id": id, "v": 2})).await["winOpportunity"].clone();
        assert_eq!((&won["status"], &won["closeReason"], &won["sow"]), (&json!("WON"), &json!("Exec sponsor"), &json!(null)));
        assert_eq!(won["closedOn"], json!(Utc::now().date_naive().to_string()));
        let movements = server.ok(Role::Admin, "query($id: ID!) { account(id: $id) { mrr { amountMinor } revenueMovements { id kind amount { amountMinor } } } }", json!({"id": a})).await;
        assert_eq!(movements["account"]["mrr"]["amountMinor"], 12_500);
        let latest = &movements["account"]["revenueMovements"][0];
        assert_eq!((&latest["kind"], &latest["amount"]["amountMinor"], &latest["id"]), (&json!("EXPANSION"), &json!(2_500), &won["revenueMovementId"]));

        let (code, message) = server.error(Role::CsManager, LOSE, json!({"id": id, "v": 3, "r": "Too late"})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        assert!(message.contains("WON"), "{message}");

        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [OPPORTUNITY_CREATED, OPPORTUNITY_STAGE_CHANGED, OPPORTUNITY_WON, REVENUE_RECORDED]) { edges { node { kind subjectId } } } }", json!({"id": a})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["REVENUE_RECORDED", "OPPORTUNITY_CREATED", "OPPORTUNITY_STAGE_CHANGED", "REVENUE_RECORDED", "OPPORTUNITY_WON"]);
        assert_eq!(events["accountEvents"]["edges"][4]["node"]["subjectId"], id);
        let timeline = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { timeline(first: 3) { edges { node { ... on AccountEvent { kind } } } } } }", json!({"id": a})).await;
        assert_eq!(timeline["account"]["timeline"]["edges"][0]["node"]["kind"], "OPPORTUNITY_WON");
    }
}

db_test! {
    async fn a_won_services_follow_on_drafts_a_sow_and_a_loss_keeps_its_reason(db) {
        let server = Server::start(&db).await;
        let a = paying(&server, "Acme", 10_000).await;
        let follow_on = open(&server, Role::Services, json!({"accountId": a, "kind": "SERVICES_FOLLOW_ON", "title": "Apparel phase two", "servicesValueMinor": 4_000_000, "expectedCloseOn": closes_in(20)})).await;
        let won = server.ok(Role::Services, WIN, json!({"id": follow_on["id"], "v": 1})).await["winOpportunity"].clone();
        assert_eq!(won["sow"], json!({"title": "Apparel phase two", "status": "DRAFT", "fixedPrice": {"amountMinor": 4_000_000}}));
        assert_eq!(won["revenueMovementId"], json!(null));
        let sows = server.ok(Role::Admin, "query($id: ID!) { account(id: $id) { sows { title status } } }", json!({"id": a})).await;
        assert_eq!(sows["account"]["sows"], json!([{"title": "Apparel phase two", "status": "DRAFT"}]));

        let downsell = open(&server, Role::Admin, json!({"accountId": a, "kind": "DOWNSELL", "title": "Drop the B2B seats", "mrrDeltaMinor": -3_000, "expectedCloseOn": closes_in(40)})).await;
        let (_, body) = server.post(&server.token(Role::CsManager), LOSE, json!({"id": downsell["id"], "v": 1, "r": "  "})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.reason", "{body}");
        let lost = server.ok(Role::CsManager, LOSE, json!({"id": downsell["id"], "v": 1, "r": "Champion kept the seats"})).await;
        assert_eq!(lost["loseOpportunity"]["status"], "LOST");
        assert_eq!(lost["loseOpportunity"]["closeReason"], "Champion kept the seats");

        let renewal = open(&server, Role::CsManager, json!({"accountId": a, "kind": "RENEWAL", "title": "2027 renewal", "expectedCloseOn": closes_in(90)})).await;
        let listed = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { open: opportunities(statuses: [OPEN]) { nodes { title } } all: opportunities(first: 2) { edges { node { title status } } pageInfo { hasNextPage endCursor } } } }", json!({"id": a})).await;
        assert_eq!(listed["account"]["open"]["nodes"], json!([{"title": "2027 renewal"}]));
        assert_eq!(listed["account"]["all"]["edges"].as_array().unwrap().len(), 2);
        assert_eq!(listed["account"]["all"]["pageInfo"]["hasNextPage"], true);
        let after = listed["account"]["all"]["pageInfo"]["endCursor"].clone();
        let rest = server.ok(Role::Viewer, "query($id: ID!, $after: String) { account(id: $id) { opportunities(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage } } } }", json!({"id": a, "after": after})).await;
        assert_eq!(rest["account"]["opportunities"]["nodes"], json!([{"id": renewal["id"]}]));

        let root = server.ok(Role::CsManager, "query($b: Date!) { opportunities(filter: {statuses: [OPEN, LOST], kinds: [DOWNSELL, RENEWAL], closingBefore: $b}) { nodes { title status } } }", json!({"b": closes_in(60)})).await;
        assert_eq!(root["opportunities"]["nodes"], json!([{"title": "Drop the B2B seats", "status": "LOST"}]));

        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [SOW_CREATED, OPPORTUNITY_WON, OPPORTUNITY_LOST]) { edges { node { kind } } } }", json!({"id": a})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["SOW_CREATED", "OPPORTUNITY_WON", "OPPORTUNITY_LOST"]);
    }
}

db_test! {
    async fn a_change_from_a_stale_version_is_a_conflict(db) {
        let server = Server::start(&db).await;
        let a = paying(&server, "Acme", 10_000).await;
        let o = open(&server, Role::CsManager, json!({"accountId": a, "kind": "CROSS_SELL", "title": "Analytics add-on", "mrrDeltaMinor": 900, "expectedCloseOn": closes_in(15)})).await;
        let first = server.ok(Role::CsManager, UPDATE, json!({"id": o["id"], "v": 1, "t": "Analytics and search add-on"})).await;
        assert_eq!(first["updateOpportunity"], json!({"version": 2, "title": "Analytics and search add-on", "probability": 0.4, "probabilityOverride": 0.4}));
        let (code, message) = server.error(Role::CsManager, UPDATE, json!({"id": o["id"], "v": 1, "t": "Mine"})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("version 1") && message.contains("version 2"), "{message}");
        let (_, body) = server.post(&server.token(Role::CsManager), "mutation($id: ID!) { updateOpportunity(input: {id: $id, version: 2, mrrDeltaMinor: -5}) { version } }", json!({"id": o["id"]})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.mrrDeltaMinor", "{body}");
    }
}

db_test! {
    async fn a_viewer_sees_no_money_and_only_the_allowed_roles_write(db) {
        let server = Server::start(&db).await;
        let a = paying(&server, "Acme", 10_000).await;
        let o = open(&server, Role::CsManager, json!({"accountId": a, "kind": "UPSELL", "title": "More seats", "mrrDeltaMinor": 1_000, "expectedCloseOn": closes_in(10)})).await;
        let (_, body) = server.post(&server.token(Role::Viewer), "query($id: ID!) { opportunity(id: $id) { title probability mrrDelta { amountMinor } } }", json!({"id": o["id"]})).await;
        assert_eq!(body["data"]["opportunity"]["title"], "More seats", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        assert_eq!(body["errors"][0]["path"], json!(["opportunity", "mrrDelta"]), "{body}");

        let upsell = json!({"accountId": a, "kind": "UPSELL", "title": "x", "mrrDeltaMinor": 1, "expectedCloseOn": closes_in(10)});
        for role in [Role::Services, Role::Viewer, Role::Product] {
            let (code, _) = server.error(role, CREATE, json!({"input": upsell})).await;
            assert_eq!(code, "FORBIDDEN", "{role}");
        }
        let (code, _) = server.error(Role::Services, WIN, json!({"id": o["id"], "v": 1})).await;
        assert_eq!(code, "FORBIDDEN");

        let stage = "mutation($input: SetOpportunityStageInput!) { setOpportunityStage(input: $input) { id name position defaultProbability version } }";
        let (code, _) = server.error(Role::CsManager, stage, json!({"input": {"name": "Negotiate", "position": 35, "defaultProbability": 0.65}})).await;
        assert_eq!(code, "FORBIDDEN");
        let added = server.ok(Role::Admin, stage, json!({"input": {"name": "Negotiate", "position": 35, "defaultProbability": 0.65}})).await;
        assert_eq!(added["setOpportunityStage"]["version"], 1);
        let (_, body) = server.post(&server.token(Role::Admin), stage, json!({"input": {"name": "Sure thing", "position": 50, "defaultProbability": 1.5}})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.defaultProbability", "{body}");
        let names: Vec<String> = stage_ids(&server).await.into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Qualify", "Discover", "Propose", "Negotiate", "Commit"]);
    }
}
