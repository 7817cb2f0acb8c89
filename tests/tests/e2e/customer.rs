//! The customer at the table, first slice: a CUSTOMER token is default deny. Every root field of
//! the schema (read from an ADMIN's introspection, so that a new one cannot be forgotten) is
//! called with a CUSTOMER token and ids of another account, and every `node(id:)` type with ids
//! of another account and of the customer's own: nothing of the other account comes back, nor
//! anything of its own that is not shared (its engagements and their phases are, by default), and
//! what is denied answers exactly as a field that does not exist. The same over the WebSocket.
//!
//! [`ALLOWED`] and [`DENIED`] are the decision for CUSTOMER, written out here rather than read
//! from the server's list (`api/src/graphql/audience.rs`), so that a change to either shows up
//! as a failing test: a root field in neither list fails it, and so does a name in a list that
//! is not a root field any more.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Value, json};
use tandem_api::auth::Issuer;
use tandem_domain::auth::{CustomerScope, Principal, Role};
use tandem_domain::ids::{AccountId, ContactId};
use tandem_tests::db_test;

use crate::support::{Server, WsClient, create_account, decode_id};

/// The kinds of node shared with a customer by default, of its own accounts only.
const SHARED: &[&str] = &["Engagement", "Phase"];

/// Root fields a CUSTOMER may call, as `Root.field`.
const ALLOWED: &[&str] = &["Query.viewer", "Query.node", "Query.nodes"];

/// Root fields that do not exist for a CUSTOMER, as `Root.field`. The next slices move some of
/// them to [`ALLOWED`] as they are shared: engagements and phases, the SOW's scope and change
/// requests, goals and reviews, tasks assigned to the customer, its survey responses, and
/// `accountChanges` filtered to what is shared.
const DENIED: &[&str] = &[
    // Queries.
    "Query.account",
    "Query.accounts",
    "Query.contact",
    "Query.teamMember",
    "Query.teamMembers",
    "Query.engagement",
    "Query.phase",
    "Query.engagements",
    "Query.sow",
    "Query.sows",
    "Query.catalogDraft",
    "Query.catalogVersions",
    "Query.catalogVersion",
    "Query.catalogDiff",
    "Query.previewCatalogProducts",
    "Query.catalogSessions",
    "Query.accountEvents",
    "Query.healthModels",
    "Query.segments",
    "Query.segment",
    "Query.goal",
    "Query.figures",
    "Query.cohorts",
    "Query.portfolio",
    "Query.analyticsSettings",
    "Query.playbooks",
    "Query.playbook",
    "Query.myTasks",
    "Query.tasks",
    "Query.task",
    "Query.webhookEndpoints",
    "Query.webhookEndpoint",
    "Query.renewalPipeline",
    "Query.churnReasons",
    "Query.risk",
    "Query.opportunity",
    "Query.opportunities",
    "Query.opportunityStages",
    "Query.revenueOutlook",
    "Query.outlookModel",
    "Query.outlookModels",
    "Query.timesheet",
    "Query.timesheets",
    "Query.allocations",
    "Query.timeOff",
    "Query.utilisation",
    "Query.engagementTemplates",
    "Query.engagementTemplate",
    "Query.outcomeComparison",
    // Mutations.
    "Mutation.refitOutlookModel",
    "Mutation.createAccount",
    "Mutation.updateAccount",
    "Mutation.archiveAccount",
    "Mutation.createContact",
    "Mutation.updateContact",
    "Mutation.archiveContact",
    "Mutation.createTeamMember",
    "Mutation.updateTeamMember",
    "Mutation.archiveTeamMember",
    "Mutation.createEngagement",
    "Mutation.updateEngagement",
    "Mutation.changeEngagementStatus",
    "Mutation.addPhase",
    "Mutation.linkPhaseGoals",
    "Mutation.recordRealisedValue",
    "Mutation.linkPhaseGoal",
    "Mutation.updatePhase",
    "Mutation.changePhaseStatus",
    "Mutation.setPhaseDependencies",
    "Mutation.movePhase",
    "Mutation.createSow",
    "Mutation.updateSow",
    "Mutation.changeSowStatus",
    "Mutation.raiseChangeRequest",
    "Mutation.decideChangeRequest",
    "Mutation.logTime",
    "Mutation.putCatalogProductType",
    "Mutation.removeCatalogProductType",
    "Mutation.putCatalogAxis",
    "Mutation.removeCatalogAxis",
    "Mutation.putCatalogProducts",
    "Mutation.removeCatalogProducts",
    "Mutation.importCatalogProductsCsv",
    "Mutation.renameCatalogAxisValue",
    "Mutation.setCatalogLimits",
    "Mutation.publishCatalogModel",
    "Mutation.scheduleCatalogSession",
    "Mutation.updateCatalogSession",
    "Mutation.setPhaseCatalogScope",
    "Mutation.movePhaseCatalogScope",
    "Mutation.clearPhaseCatalogScope",
    "Mutation.markProductsMigrated",
    "Mutation.recordUsage",
    "Mutation.recordRevenue",
    "Mutation.recordSurveyResponse",
    "Mutation.recordTicket",
    "Mutation.setBillingStatus",
    "Mutation.createHealthModel",
    "Mutation.updateHealthModel",
    "Mutation.archiveHealthModel",
    "Mutation.computeHealth",
    "Mutation.recomputeHealth",
    "Mutation.createGoal",
    "Mutation.updateGoal",
    "Mutation.recordBusinessReview",
    "Mutation.createSegment",
    "Mutation.updateSegment",
    "Mutation.archiveSegment",
    "Mutation.configureAnalytics",
    "Mutation.createPlaybook",
    "Mutation.updatePlaybook",
    "Mutation.archivePlaybook",
    "Mutation.createTask",
    "Mutation.updateTask",
    "Mutation.registerWebhookEndpoint",
    "Mutation.updateWebhookEndpoint",
    "Mutation.rotateWebhookSecret",
    "Mutation.resendWebhookDelivery",
    "Mutation.recoverWebhookDeliveries",
    "Mutation.deleteWebhookEndpoint",
    "Mutation.logActivity",
    "Mutation.updateActivity",
    "Mutation.deleteActivity",
    "Mutation.raiseRisk",
    "Mutation.updateRisk",
    "Mutation.setRenewalForecast",
    "Mutation.decideRenewal",
    "Mutation.createOpportunity",
    "Mutation.updateOpportunity",
    "Mutation.moveOpportunityStage",
    "Mutation.winOpportunity",
    "Mutation.loseOpportunity",
    "Mutation.setOpportunityStage",
    "Mutation.upsertAccounts",
    "Mutation.upsertContacts",
    "Mutation.setExternalId",
    "Mutation.submitTimesheet",
    "Mutation.approveTimesheet",
    "Mutation.returnTimesheet",
    "Mutation.removeTimeEntry",
    "Mutation.addTimeOff",
    "Mutation.removeTimeOff",
    "Mutation.allocate",
    "Mutation.updateAllocation",
    "Mutation.removeAllocation",
    "Mutation.createEngagementTemplate",
    "Mutation.updateEngagementTemplate",
    "Mutation.archiveEngagementTemplate",
    "Mutation.createEngagementFromTemplate",
    "Mutation.takeBaseline",
    // Subscriptions.
    "Subscription.accountChanges",
];

/// Introspection of every type, enough to build a call of any field.
const INTROSPECT: &str = r#"
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
{ __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { name kind isOneOf
      fields(includeDeprecated: true) { name type { ...Ref } args { name type { ...Ref } } }
      inputFields(includeDeprecated: true) { name type { ...Ref } }
      enumValues { name }
      possibleTypes { name }
    }
} }"#;

/// The schema as one caller introspected it: types by name, and the root types.
struct Types {
    types: BTreeMap<String, Value>,
    roots: Vec<(&'static str, String)>,
}

impl Types {
    async fn of(server: &Server, token: &str) -> Types {
        let (status, body) = server.post(token, INTROSPECT, json!({})).await;
        assert_eq!(status, 200, "{body}");
        let schema = &body["data"]["__schema"];
        let types = schema["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect();
        let roots = [
            ("query", "queryType"),
            ("mutation", "mutationType"),
            ("subscription", "subscriptionType"),
        ]
        .into_iter()
        .filter_map(|(op, key)| Some((op, schema[key]["name"].as_str()?.to_owned())))
        .collect();
        Types { types, roots }
    }

    fn fields(&self, ty: &str) -> &[Value] {
        self.types[ty]["fields"]
            .as_array()
            .map_or(&[], Vec::as_slice)
    }
}

/// The named type under any NON_NULL and LIST wrappers.
fn named(r: &Value) -> &Value {
    if r["ofType"].is_null() {
        r
    } else {
        named(&r["ofType"])
    }
}

/// The ids of the other account's objects, by the kind of object an argument names.
struct Ids(BTreeMap<&'static str, String>);

impl Ids {
    /// The id an argument called `name` most likely wants: the other account's object of the
    /// kind it names, or the other account itself.
    fn for_argument(&self, name: &str) -> &str {
        let lower = name.to_lowercase();
        for (kind, id) in &self.0 {
            if lower.contains(&kind.to_lowercase()) {
                return id;
            }
        }
        &self.0["Account"]
    }
}

/// A literal of the type `r` with only what is required, for an argument called `name`.
fn literal(types: &Types, r: &Value, name: &str, ids: &Ids, depth: usize) -> String {
    match r["kind"].as_str().unwrap() {
        "NON_NULL" => literal(types, &r["ofType"], name, ids, depth),
        "LIST" => format!("[{}]", literal(types, &r["ofType"], name, ids, depth)),
        "ENUM" => {
            let ty = &types.types[r["name"].as_str().unwrap()];
            ty["enumValues"][0]["name"].as_str().unwrap().to_owned()
        }
        "INPUT_OBJECT" => {
            let ty = &types.types[r["name"].as_str().unwrap()];
            let mut fields = ty["inputFields"].as_array().unwrap().iter().peekable();
            // A oneOf input takes exactly one of its fields; any other, the required ones.
            let one_of = ty["isOneOf"] == true;
            let first = fields.peek().map(|f| f["name"].clone());
            let required = fields.filter(|f| {
                depth < 5
                    && (f["type"]["kind"] == "NON_NULL"
                        || (one_of && Some(&f["name"]) == first.as_ref()))
            });
            let parts: Vec<String> = required
                .map(|f| {
                    let n = f["name"].as_str().unwrap();
                    format!("{n}: {}", literal(types, &f["type"], n, ids, depth + 1))
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        _ => match r["name"].as_str().unwrap() {
            "ID" => format!("\"{}\"", ids.for_argument(name)),
            "Int" | "Long" => "1".into(),
            "Float" => "1.0".into(),
            "Boolean" => "true".into(),
            "Date" => "\"2026-01-01\"".into(),
            "DateTime" => "\"2026-01-01T00:00:00Z\"".into(),
            "JSON" => "{}".into(),
            _ => "\"x\"".into(),
        },
    }
}

/// A selection of the leaf fields of the type `r` that take no required argument, with the
/// objects below them to `depth` levels; empty for a leaf type.
fn selection(types: &Types, r: &Value, depth: usize) -> String {
    let ty = named(r);
    let name = ty["name"].as_str().unwrap();
    if !matches!(ty["kind"].as_str(), Some("OBJECT" | "INTERFACE" | "UNION")) {
        return String::new();
    }
    let mut parts = vec!["__typename".to_owned()];
    for f in types.fields(name) {
        let free = f["args"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["type"]["kind"] != "NON_NULL");
        let kind = named(&f["type"])["kind"].as_str().unwrap();
        let leaf = matches!(kind, "SCALAR" | "ENUM");
        if free && leaf {
            parts.push(f["name"].as_str().unwrap().to_owned());
        } else if free && depth > 0 {
            let below = selection(types, &f["type"], depth - 1);
            parts.push(format!("{} {below}", f["name"].as_str().unwrap()));
        }
    }
    format!("{{ {} }}", parts.join(" "))
}

/// A document that calls `field` of the root `op` with minimal arguments.
fn call(types: &Types, op: &str, field: &Value, ids: &Ids) -> String {
    let name = field["name"].as_str().unwrap();
    let args: Vec<String> = field["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"]["kind"] == "NON_NULL")
        .map(|a| {
            let n = a["name"].as_str().unwrap();
            format!("{n}: {}", literal(types, &a["type"], n, ids, 0))
        })
        .collect();
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    format!(
        "{op} {{ {name}{args} {} }}",
        selection(types, &field["type"], 1)
    )
}

/// The world of the tests: the customer's own account and another, each with objects of every
/// kind `node(id:)` knows, and a CUSTOMER token for a contact of the own account.
struct World {
    own: Ids,
    other: Ids,
    /// What of the other account, and of the own (its account and its objects; the root fields
    /// are called with the other's ids), must never show.
    secrets: Vec<String>,
    token: String,
}

async fn objects(server: &Server, name: &str, n: usize) -> Ids {
    let account = create_account(server, name).await;
    let mut ids = BTreeMap::from([("Account", account.clone())]);
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let data = server.ok(Role::Admin, "mutation($a: ID!, $e: String!) { createContact(input: {accountId: $a, name: \"Pat Doe\", email: $e}) { contact { id } } }", json!({"a": account, "e": format!("pat{n}@customer.example")})).await;
    ids.insert("Contact", id(&data["createContact"]["contact"]));
    let data = server.ok(Role::Admin, "mutation($e: String!) { createTeamMember(input: {name: \"Sam Lee\", email: $e, team: SERVICES, role: SERVICES}) { teamMember { id } } }", json!({"e": format!("sam{n}@vendor.example")})).await;
    ids.insert("TeamMember", id(&data["createTeamMember"]["teamMember"]));
    let data = server.ok(Role::Admin, "mutation($a: ID!, $n: String!) { createEngagement(input: {accountId: $a, name: $n}) { engagement { id } } }", json!({"a": account, "n": format!("{name} replatforming")})).await;
    let engagement = id(&data["createEngagement"]["engagement"]);
    ids.insert("Engagement", engagement.clone());
    let data = server.ok(Role::Admin, "mutation($e: ID!, $n: String!) { addPhase(input: {engagementId: $e, name: $n, focusKind: PRODUCT_LINE, focus: $n}) { phase { id } } }", json!({"e": engagement, "n": format!("{name} apparel")})).await;
    ids.insert("Phase", id(&data["addPhase"]["phase"]));
    let data = server.ok(Role::Admin, "mutation($a: ID!, $e: ID!, $t: String!) { createSow(input: {accountId: $a, engagementId: $e, fields: {title: $t, fixedPriceMinor: 1}}) { sow { id } } }", json!({"a": account, "e": engagement, "t": format!("{name} SOW")})).await;
    ids.insert("Sow", id(&data["createSow"]["sow"]));
    let data = server.ok(Role::Admin, "mutation($a: ID!, $t: String!) { createOpportunity(input: {accountId: $a, kind: UPSELL, title: $t, mrrDeltaMinor: 100, expectedCloseOn: \"2027-03-31\"}) { id } }", json!({"a": account, "t": format!("{name} upsell")})).await;
    ids.insert("Opportunity", id(&data["createOpportunity"]));
    Ids(ids)
}

async fn world(server: &Server) -> World {
    let own = objects(server, "Ownco Retail", 1).await;
    let other = objects(server, "Rivalco Foods", 2).await;
    let scope = CustomerScope::new(
        vec![AccountId(decode_id(&own.0["Account"]))],
        ContactId(decode_id(&own.0["Contact"])),
    )
    .unwrap();
    let token = Issuer::new(&server.settings.auth)
        .unwrap()
        .issue_for(
            &Principal::customer("pat@ownco.example", scope),
            Duration::from_secs(600),
        )
        .unwrap();
    let mut secrets: Vec<String> = ["Rivalco", "Ownco"].map(String::from).to_vec();
    for id in own.0.values().chain(other.0.values()) {
        secrets.push(id.clone());
        secrets.push(decode_id(id).to_string());
    }
    World {
        own,
        other,
        secrets,
        token,
    }
}

/// `body` with validation messages cut before their suggestions ("Did you mean …"), which
/// differ by the name asked for (they name only fields the customer may see).
fn without_suggestions(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(errors) = body["errors"].as_array_mut() {
        for e in errors {
            if let Some(m) = e["message"].as_str() {
                e["message"] = m.split(" Did you mean").next().unwrap_or(m).into();
            }
        }
    }
    body
}

/// Fails when `body` shows any of `secrets`.
fn assert_hides(body: &Value, secrets: &[String], what: &str) {
    let text = body.to_string();
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows {secret}: {text}"
        );
    }
}

db_test! {
    async fn every_root_field_answers_a_customer_as_if_nothing_existed(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        let admin = Types::of(&server, &server.token(Role::Admin)).await;
        let mine = Types::of(&server, &world.token).await;

        let mut decided: BTreeSet<&str> = ALLOWED.iter().copied().collect();
        for d in DENIED {
            assert!(decided.insert(d), "{d} is both allowed and denied, or denied twice");
        }
        let mut fields = Vec::new();
        for (op, root) in &admin.roots {
            for field in admin.fields(root) {
                let name = format!("{root}.{}", field["name"].as_str().unwrap());
                assert!(
                    decided.remove(name.as_str()),
                    "{name} has no decision for CUSTOMER: add it to ALLOWED or DENIED in \
                     tests/tests/e2e/customer.rs (and to CUSTOMER_SEES in \
                     api/src/graphql/audience.rs if allowed)"
                );
                fields.push((*op, root.as_str(), name, field));
            }
        }
        assert!(decided.is_empty(), "decisions for fields that do not exist: {decided:?}");
        assert_eq!(fields.len(), ALLOWED.len() + DENIED.len());

        let mut calls = Vec::new();
        for (op, root, name, field) in fields {
            let allowed = ALLOWED.contains(&name.as_str());
            let field_name = field["name"].as_str().unwrap();
            let (status, body) = if allowed {
                let mine_field = mine
                    .fields(root)
                    .iter()
                    .find(|f| f["name"] == field_name)
                    .unwrap_or_else(|| panic!("{name} is allowed but the customer cannot see it"));
                server.post(&world.token, &call(&mine, op, mine_field, &world.other), json!({})).await
            } else {
                let document = call(&admin, op, field, &world.other);
                let answer = server.post(&world.token, &document, json!({})).await;
                if op != "subscription" {
                    // (HTTP carries no subscriptions; the WebSocket test below covers them.)
                    calls.push((name.clone(), document.clone()));
                }
                // Denied answers exactly as a field that does not exist, the same arguments and
                // selection given.
                let missing = document.replacen(&format!("{{ {field_name}"), "{ noSuchField", 1);
                let (s, mut baseline) = server.post(&world.token, &missing, json!({})).await;
                let text = baseline.to_string().replace("noSuchField", field_name);
                baseline = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    (answer.0, without_suggestions(&answer.1)),
                    (s, without_suggestions(&baseline)),
                    "{name} answers unlike a missing field"
                );
                assert!(answer.1["data"].is_null(), "{name}: {}", answer.1);
                answer
            };
            assert!(status == 200 || !allowed, "{name}: {status} {body}");
            assert_hides(&body, &world.secrets, &name);
        }
        // The calls are well formed: the vendor's schema validates each one (whatever its
        // resolver then makes of the placeholder arguments), so what the customer got was the
        // denial, not a typo. Run last: the mutations change the other account.
        let admin_token = server.token(Role::Admin);
        for (name, document) in calls {
            let (_, body) = server.post(&admin_token, &document, json!({})).await;
            let errors = body["errors"].as_array().map_or(&[][..], Vec::as_slice);
            assert!(
                errors.iter().all(|e| e["path"].is_array()),
                "{name}: the vendor's schema refuses {document}: {body}"
            );
        }
        server.stop().await;
    }
}

db_test! {
    async fn node_answers_a_customer_its_own_shared_objects_and_else_null_as_for_a_random_id(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        let admin = Types::of(&server, &server.token(Role::Admin)).await;
        let kinds: BTreeSet<String> = admin.types["Node"]["possibleTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        let seeded: BTreeSet<String> = world.other.0.keys().map(|k| (*k).to_owned()).collect();
        assert_eq!(kinds, seeded, "every node type needs an object of each account here");

        const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";
        let random = |kind: &str| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!("{kind}:{}", uuid::Uuid::new_v4()))
        };
        let (_, nothing) = server.post(&server.token(Role::Admin), NODE, json!({"id": random("Account")})).await;
        assert_eq!(nothing, json!({"data": {"node": null}}));
        let mut all = Vec::new();
        let mut expected = Vec::new();
        for kind in &kinds {
            let admin_sees = server.ok(Role::Admin, NODE, json!({"id": world.other.0[kind.as_str()]})).await;
            assert_eq!(admin_sees["node"]["__typename"], kind.as_str(), "the vendor finds it");
            let own = &world.own.0[kind.as_str()];
            for id in [&world.other.0[kind.as_str()], own, &random(kind)] {
                let (status, body) = server.post(&world.token, NODE, json!({"id": id})).await;
                let shown = id == own && SHARED.contains(&kind.as_str());
                let node = if shown { json!({"__typename": kind, "id": id}) } else { Value::Null };
                assert_eq!((status, &body), (200, &json!({"data": {"node": node}})), "{kind} {id}");
                all.push(id.clone());
                expected.push(if shown { json!({"id": id}) } else { Value::Null });
            }
        }
        all.push("not-an-id".into());
        expected.push(Value::Null);
        let (status, body) = server.post(&world.token, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({"ids": all})).await;
        assert_eq!(status, 200);
        assert_eq!(body, json!({"data": {"nodes": expected}}));
        server.stop().await;
    }
}

db_test! {
    async fn a_customer_reads_its_own_engagement_and_phases_and_nothing_beside_them(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        const PLAN: &str = "query($id: ID!) { node(id: $id) { ... on Engagement { name status phases { name status engagement { id } } } } }";
        let (status, body) = server.post(&world.token, PLAN, json!({"id": world.own.0["Engagement"]})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"data": {"node": {"name": "Ownco Retail replatforming", "status": "PLANNED", "phases": [
            {"name": "Ownco Retail apparel", "status": "PLANNED", "engagement": {"id": world.own.0["Engagement"]}},
        ]}}}));
        let (_, body) = server.post(&world.token, PLAN, json!({"id": world.other.0["Engagement"]})).await;
        assert_eq!(body, json!({"data": {"node": null}}));
        let (_, body) = server.post(&world.token, "query($id: ID!) { node(id: $id) { ... on Phase { name } } }", json!({"id": world.other.0["Phase"]})).await;
        assert_eq!(body, json!({"data": {"node": null}}));
        // What is not shared of an engagement does not exist for the customer.
        for (ty, field) in [("Engagement", "account { name }"), ("Engagement", "sows { id }"), ("Phase", "milestones { name }"), ("Phase", "goals { id }")] {
            let query = format!("query($id: ID!) {{ node(id: $id) {{ ... on {ty} {{ {field} }} }} }}");
            let (_, body) = server.post(&world.token, &query, json!({"id": world.own.0[ty]})).await;
            let name = field.split_whitespace().next().unwrap();
            assert_eq!(body["data"], Value::Null, "{body}");
            assert!(body["errors"][0]["message"].as_str().unwrap().starts_with(&format!("Unknown field \"{name}\" on type \"{ty}\"")), "{body}");
            assert_hides(&body, &world.secrets, field);
        }
        server.stop().await;
    }
}

db_test! {
    async fn a_customer_subscription_receives_nothing_of_another_account(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        let (mut ws, ack) = WsClient::connect(&server, "graphql-transport-ws", json!({"Authorization": format!("Bearer {}", world.token)})).await;
        assert_eq!(ack["type"], "connection_ack", "a customer's token opens the connection");
        ws.subscribe("1", "subscription { accountChanges { cursor kind account { id name } } }", json!({})).await;
        // The operation fails validation, as any over a root the schema lacks, and ends.
        let refused = ws.next_message().await.unwrap();
        assert_eq!((&refused["type"], &refused["id"]), (&json!("next"), &json!("1")), "{refused}");
        assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
        let errors = refused["payload"]["errors"].as_array().unwrap();
        assert!(errors.iter().all(|e| e["message"] == "Schema is not configured for subscriptions."), "{refused}");
        let complete = ws.next_message().await.unwrap();
        assert_eq!(complete, json!({"id": "1", "type": "complete"}));
        // Changes to both accounts afterwards: none reaches the customer.
        for (ids, plan) in [(&world.other, "Enterprise"), (&world.own, "Growth")] {
            server.ok(Role::Admin, "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }", json!({"input": {"id": ids.0["Account"], "version": 1, "plan": plan}})).await;
        }
        let quiet = tokio::time::timeout(Duration::from_millis(1500), ws.next_message()).await;
        assert!(quiet.is_err(), "the customer received {quiet:?}");
        server.stop().await;
    }
}

db_test! {
    async fn a_customer_token_must_name_its_accounts_and_contact(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        let (_, body) = server.post(&world.token, "{ viewer { subject role } }", json!({})).await;
        assert_eq!(body, json!({"data": {"viewer": {"subject": "pat@ownco.example", "role": "CUSTOMER"}}}));
        // The same role without the customer's claims is refused, saying what is missing.
        let bare = server.token_for("pat@ownco.example", Role::Customer);
        let (status, body) = server.post(&bare, "{ viewer { role } }", json!({})).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("'accounts' claim"), "{body}");
        server.stop().await;
    }
}

db_test! {
    async fn a_customer_is_never_replayed_a_vendors_answer_under_the_same_subject(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        // A vendor token whose `sub` happens to be the customer's.
        let vendor = server.token_for("pat@ownco.example", Role::Admin);
        let body = json!({"query": "{ accounts(first: 5) { nodes { name } } }"}).to_string();
        let send = |token: String| {
            server
                .http
                .post(&server.url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .header("idempotency-key", "same-key")
                .body(body.clone())
                .send()
        };
        let first = send(vendor).await.unwrap();
        assert!(first.text().await.unwrap().contains("Rivalco"), "the vendor reads the accounts");
        let replay = send(world.token.clone()).await.unwrap();
        assert!(replay.headers().get("idempotent-replayed").is_none());
        let answer: Value = replay.json().await.unwrap();
        assert_hides(&answer, &world.secrets, "the customer's answer");
        assert!(answer["errors"][0]["message"].as_str().unwrap().starts_with("Unknown field \"accounts\""), "{answer}");
        server.stop().await;
    }
}

db_test! {
    async fn over_server_sent_events_a_customer_is_served_its_own_schema(db) {
        let server = Server::start(&db).await;
        let world = world(&server).await;
        let sse = |query: &'static str| {
            server
                .http
                .post(&server.url)
                .bearer_auth(&world.token)
                .header("accept", "text/event-stream")
                .json(&json!({"query": query}))
                .send()
        };
        // Messages as they read inside each event's JSON.
        for (query, message) in [
            ("subscription { accountChanges { cursor account { name } } }", "Schema is not configured for subscriptions."),
            ("{ accounts(first: 5) { nodes { name } } }", r#"Unknown field \"accounts\" on type \"Query\"."#),
        ] {
            let response = sse(query).await.unwrap();
            let text = tokio::time::timeout(Duration::from_secs(10), response.text()).await.unwrap().unwrap();
            assert!(text.contains(message), "{query}: {text}");
            assert!(!text.contains("Rivalco") && !text.contains("Ownco"), "{query}: {text}");
        }
        let response = sse("{ viewer { role } }").await.unwrap();
        let text = tokio::time::timeout(Duration::from_secs(10), response.text()).await.unwrap().unwrap();
        assert!(text.contains(r#"{"data":{"viewer":{"role":"CUSTOMER"}}}"#), "{text}");
        server.stop().await;
    }
}
