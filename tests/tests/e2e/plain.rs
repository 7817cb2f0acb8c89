//! Plain fields (`api/src/graphql/plain.rs`) are answered without async-graphql's per-field
//! resolvers; these tests hold them to what those resolvers answer. A selection wrapped in an
//! inline fragment always takes async-graphql's own path, so every query is asked twice, once
//! as written and once with each selection set inside `... on Type { }`, and the answers must
//! be the same, errors included, for every role.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

/// Every plain field of each type (and some that are not plain, to mix the two paths).
const ACCOUNT: &str = "__typename id version name domain industry companySize region plan touchTier \
    lifecycleStage renewalDate currency tags createdAt updatedAt archivedAt alias: name owner { name }";
const MONEY: &str = "amountMinor currency formatted";
const HEALTH: &str = "__typename id score status modelId modelVersion computedAt change30d";
const ENGAGEMENT: &str = "__typename id version name kind sourcePlatform targetPlatform description \
    plannedStart status templateVersion createdAt updatedAt progress { totalPhases }";
const PHASE: &str = "__typename id version position name focusKind focus objective expectedValue \
    realisedValue status plannedStart plannedEnd actualStart actualEnd acceptedOn at: position \
    plannedHours";

/// What a phase's outline answers (`PHASE_OUTLINE` in `api/src/graphql/engagement/node.rs`).
const OUTLINE: &str = "__typename id version position name focusKind focus status plannedStart \
    plannedEnd actualStart actualEnd acceptedOn";

/// What a phase's heads answer (`PHASE_HEAD` in `api/src/graphql/engagement/node.rs`).
const HEAD: &str = "__typename id version position name status";

/// The query, its selection sets either as they are or each inside an inline fragment.
fn query(fragments: bool) -> String {
    let on = |ty: &str, set: String| {
        if fragments {
            format!("{{ ... on {ty} {{ {set} }} }}")
        } else {
            format!("{{ {set} }}")
        }
    };
    let phases = on("Phase", PHASE.to_owned());
    let engagement = on("Engagement", format!("{ENGAGEMENT} phases {phases}"));
    let account = on(
        "Account",
        format!(
            "{ACCOUNT} mrr {money} arr {money} health {health} engagements {engagement}",
            money = on("Money", MONEY.to_owned()),
            health = on("HealthScore", HEALTH.to_owned()),
        ),
    );
    format!(
        "query($id: ID!) {{ account(id: $id) {account} accounts(first: 10) {{ totalCount nodes {account} }} }}"
    )
}

/// Errors by path, so that the order in which fields failed does not matter.
fn errors(body: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = body["errors"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["path"].to_string(),
                e["extensions"]["code"].to_string(),
                e["message"].to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

db_test! {
    async fn plain_fields_answer_as_their_resolvers_do(db) {
        let server = Server::start(&db).await;
        let owner = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Sam\", email: \"sam@v.io\", team: CUSTOMER_SUCCESS, role: CS_MANAGER}) { teamMember { id } } }", json!({})).await;
        let owner = owner["createTeamMember"]["teamMember"]["id"].clone();
        let full = server.ok(Role::Admin, "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
            json!({"input": {"name": "Acme Outdoor", "domain": "acme.example", "industry": "Apparel", "companySize": "SIZE_51_200",
                "region": "EMEA", "plan": "Plus", "touchTier": "HIGH", "lifecycleStage": "ADOPTION", "ownerId": owner,
                "renewalDate": "2027-03-01", "tags": ["vip", "eu"]}})).await;
        let account = full["createAccount"]["account"]["id"].as_str().unwrap().to_owned();
        // A second account with every optional field left empty.
        server.ok(Role::Admin, "mutation { createAccount(input: {name: \"Bare\"}) { account { id } } }", json!({})).await;
        server.ok(Role::Admin, "mutation($a: ID!) { recordRevenue(input: {accountId: $a, kind: NEW, amountMinor: 123456, effectiveOn: \"2026-01-01\"}) { id } }",
            json!({"a": account})).await;
        let e = server.ok(Role::Services, "mutation($input: CreateEngagementInput!) { createEngagement(input: $input) { engagement { id } } }",
            json!({"input": {"accountId": account, "name": "Replatforming", "sourcePlatform": "Legacy 6", "targetPlatform": "Tandem Commerce",
                "description": "Move the catalog", "plannedStart": "2026-01-05"}})).await;
        let engagement = e["createEngagement"]["engagement"]["id"].clone();
        server.ok(Role::Services, "mutation($e: ID!) { createEngagement(input: {accountId: $e, name: \"Bare\"}) { engagement { id } } }",
            json!({"e": account})).await;
        let mut phases = Vec::new();
        for (name, objective) in [("Catalog", Some("A clean catalog")), ("Checkout", None)] {
            let p = server.ok(Role::Services, "mutation($input: AddPhaseInput!) { addPhase(input: $input) { phase { id } } }",
                json!({"input": {"engagementId": engagement, "name": name, "focusKind": "PROBLEM", "focus": name, "objective": objective,
                    "expectedValue": objective.map(|_| "Fewer returns"), "plannedStart": "2026-01-05", "plannedEnd": "2026-02-15",
                    "scope": [{"deliverable": "Model", "estimatedHours": 12.5}]}})).await;
            phases.push(p["addPhase"]["phase"]["id"].clone());
        }
        server.ok(Role::Services, "mutation($id: ID!) { changeEngagementStatus(input: {id: $id, version: 1, status: ACTIVE}) { engagement { id } } }",
            json!({"id": engagement})).await;
        for (version, status) in [(1, "IN_PROGRESS"), (2, "DELIVERED"), (3, "ACCEPTED")] {
            let realised = (status == "ACCEPTED").then_some("Returns down 8%");
            server.ok(Role::Services, "mutation($id: ID!, $v: Int!, $s: PhaseStatus!, $r: String) { changePhaseStatus(input: {id: $id, version: $v, status: $s, realisedValue: $r}) { phase { id } } }",
                json!({"id": phases[0], "v": version, "s": status, "r": realised})).await;
        }
        server.ok(Role::Admin, "mutation { recomputeHealth { scored } }", json!({})).await;

        let vars = json!({"id": account});
        let mut checked = 0;
        for role in [Role::Admin, Role::Product, Role::Integration] {
            let token = server.token(role);
            let (status, fast) = server.post(&token, &query(false), vars.clone()).await;
            let (_, slow) = server.post(&token, &query(true), vars.clone()).await;
            assert_eq!(status, 200, "{fast}");
            assert_eq!(fast["data"], slow["data"], "{role:?}: plain fields differ from their resolvers");
            assert_eq!(errors(&fast), errors(&slow), "{role:?}: errors differ");
            checked += errors(&fast).len();
            if role == Role::Admin {
                assert!(fast.get("errors").is_none(), "{fast}");
                let a = &fast["data"]["account"];
                // The data set reaches every kind of value: set and unset, each scalar type.
                assert_eq!(a["tags"], json!(["eu", "vip"]));
                assert_eq!(a["renewalDate"], "2027-03-01");
                assert_eq!(a["alias"], "Acme Outdoor");
                assert_eq!(a["arr"]["amountMinor"], json!(123456 * 12));
                assert!(a["health"]["score"].is_number(), "{a}");
                let p = &a["engagements"][0]["phases"][0];
                assert_eq!((p["status"].as_str(), p["realisedValue"].as_str(), p["at"].as_i64()), (Some("ACCEPTED"), Some("Returns down 8%"), Some(1)));
                assert!(p["acceptedOn"].is_string() && a["engagements"][0]["phases"][1]["objective"].is_null());
                let bare = fast["data"]["accounts"]["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "Bare").unwrap();
                assert!(bare["domain"].is_null() && bare["owner"].is_null() && bare["engagements"] == json!([]), "{bare}");
            }
        }
        // A list of phases that asks for nothing but their outline reads only its columns
        // (`outlines_of_engagements`); it answers as the full read does.
        let phases_of = |set: &str| format!("query($id: ID!) {{ account(id: $id) {{ engagements {{ phases {{ {set} }} }} }} }}");
        let phases = |extra: &str| phases_of(&format!("{OUTLINE} {extra}"));
        let outline = server.ok(Role::Admin, &phases(""), vars.clone()).await;
        let mut full = server.ok(Role::Admin, &phases("objective"), vars.clone()).await;
        for e in full["account"]["engagements"].as_array_mut().unwrap() {
            for p in e["phases"].as_array_mut().unwrap() {
                p.as_object_mut().unwrap().remove("objective");
            }
        }
        assert_eq!(outline, full);
        assert_eq!(outline["account"]["engagements"][0]["phases"][0]["status"], "ACCEPTED", "{outline}");
        // So does one that asks for nothing but their heads (`heads_of_engagements`); and such
        // a list, all plain, is written in one pass (`FastList`) as async-graphql would write it.
        let heads = server.ok(Role::Admin, &phases_of(HEAD), vars.clone()).await;
        let slow = server.ok(Role::Admin, &phases_of(&format!("... on Phase {{ {HEAD} }}")), vars.clone()).await;
        let mut full = server.ok(Role::Admin, &phases_of(&format!("{HEAD} objective")), vars.clone()).await;
        for e in full["account"]["engagements"].as_array_mut().unwrap() {
            for p in e["phases"].as_array_mut().unwrap() {
                p.as_object_mut().unwrap().remove("objective");
            }
        }
        assert_eq!(heads, full);
        assert_eq!(heads, slow);
        let first = &heads["account"]["engagements"][0]["phases"][0];
        assert_eq!((first["status"].as_str(), first["position"].as_i64(), first["__typename"].as_str()), (Some("ACCEPTED"), Some(1), Some("Phase")), "{heads}");
        // So does a score that asks for nothing but what answers without its breakdown
        // (`current_outlines`).
        let health = |extra: &str| format!("query($id: ID!) {{ account(id: $id) {{ health {{ id score status modelId modelVersion computedAt change30d {extra} }} }} }}");
        let outline = server.ok(Role::Admin, &health(""), vars.clone()).await;
        let mut full = server.ok(Role::Admin, &health("breakdown { component }"), vars.clone()).await;
        assert!(!full["account"]["health"]["breakdown"].as_array().unwrap().is_empty(), "{full}");
        full["account"]["health"].as_object_mut().unwrap().remove("breakdown");
        assert_eq!(outline, full);
        assert!(outline["account"]["health"]["score"].is_number(), "{outline}");
        // PRODUCT sees no money and INTEGRATION no health: the comparison covered refusals too.
        assert!(checked >= 4, "{checked} errors compared");
        server.stop().await;
    }
}
