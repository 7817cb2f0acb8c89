//! Engagement templates and baselines over GraphQL: a template makes a dated engagement in one
//! step; a baseline freezes its plan, and the engagement shows its slip and hours against it.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const CREATE_TEMPLATE: &str = "mutation($input: CreateEngagementTemplateInput!) { createEngagementTemplate(input: $input) { id version name kind plannedHours durationDays
    phases { index name startOffsetDays durationDays dependsOn plannedHours milestones { name offsetDays } scope { deliverable estimatedHours } } } }";
const UPDATE_TEMPLATE: &str = "mutation($input: UpdateEngagementTemplateInput!) { updateEngagementTemplate(input: $input) { id version name description phases { name } } }";
const FROM_TEMPLATE: &str = "mutation($input: CreateEngagementFromTemplateInput!) { createEngagementFromTemplate(input: $input) { engagement { id status kind name plannedStart templateVersion template { id name }
    phases { id version name plannedStart plannedEnd plannedHours dependsOn { name } milestones { name due } scope { deliverable estimatedHours } } } } }";
const TAKE_BASELINE: &str = "mutation($input: TakeBaselineInput!) { takeBaseline(input: $input) { id name takenBy endSlipDays hoursVariance baselineHours currentHours } }";
const BASELINES: &str = "query($id: ID!) { engagement(id: $id) { baselines { name endSlipDays hoursVariance baselineHours currentHours
    phases { phase { id name } name baselineStart baselineEnd baselineHours currentStart currentEnd currentHours startSlipDays endSlipDays hoursVariance added removed } } } }";

/// "Phased replatforming, 4 phases": the catalog model first, two product lines that depend on
/// it side by side, then checkout once both have moved. 225.75 hours in all.
fn replatforming() -> Value {
    json!({
        "name": "Phased replatforming, 4 phases",
        "kind": "REPLATFORMING",
        "description": "Catalog model first, then one product line at a time.",
        "phases": [
            {"name": "Catalog model", "focusKind": "PROBLEM", "focus": "A clean, agreed catalog model", "startOffsetDays": 0, "durationDays": 28,
             "milestones": [{"name": "Kick-off", "offsetDays": 0}, {"name": "Model signed off", "offsetDays": 27}],
             "scope": [{"deliverable": "Catalog workshops", "estimatedHours": 24}, {"deliverable": "Model documented", "estimatedHours": 16.5}]},
            {"name": "Apparel", "focus": "Apparel", "startOffsetDays": 28, "durationDays": 30, "dependsOn": [0],
             "scope": [{"deliverable": "Apparel migrated", "estimatedHours": 80}]},
            {"name": "Footwear", "focus": "Footwear", "startOffsetDays": 28, "durationDays": 30, "dependsOn": [0],
             "scope": [{"deliverable": "Footwear migrated", "estimatedHours": 60}]},
            {"name": "Checkout", "focusKind": "PROBLEM", "focus": "Slow checkout on mobile", "startOffsetDays": 58, "durationDays": 21, "dependsOn": [1, 2],
             "milestones": [{"name": "Go-live", "offsetDays": 20}],
             "scope": [{"deliverable": "Checkout rebuilt", "estimatedHours": 45.25}]},
        ],
    })
}

async fn create_template(server: &Server) -> Value {
    server
        .ok(
            Role::Services,
            CREATE_TEMPLATE,
            json!({"input": replatforming()}),
        )
        .await["createEngagementTemplate"]
        .clone()
}

async fn from_template(server: &Server, template: &Value, account: &str) -> Value {
    server.ok(Role::Services, FROM_TEMPLATE, json!({"input": {"templateId": template["id"], "accountId": account, "startOn": "2027-03-01",
        "sourcePlatform": "Legacy Commerce 6", "targetPlatform": "Tandem Commerce"}})).await["createEngagementFromTemplate"]["engagement"].clone()
}

db_test! {
    async fn a_template_makes_a_dated_engagement_in_one_step(db) {
        let server = Server::start(&db).await;
        let t = create_template(&server).await;
        assert_eq!(t["plannedHours"], 225.75);
        assert_eq!(t["durationDays"], 79);
        assert_eq!(t["phases"][3]["dependsOn"], json!([1, 2]));
        assert_eq!(t["phases"][0]["plannedHours"], 40.5);
        let listed = server.ok(Role::Viewer, "{ engagementTemplates { name phases { name } } }", json!({})).await;
        assert_eq!(listed["engagementTemplates"][0]["name"], "Phased replatforming, 4 phases");

        let account = create_account(&server, "Acme Outdoor").await;
        let e = from_template(&server, &t, &account).await;
        assert_eq!(e["status"], "PLANNED");
        assert_eq!(e["kind"], "REPLATFORMING");
        assert_eq!(e["name"], "Phased replatforming, 4 phases");
        assert_eq!(e["plannedStart"], "2027-03-01");
        assert_eq!(e["template"], json!({"id": t["id"], "name": "Phased replatforming, 4 phases"}));
        assert_eq!(e["templateVersion"], 1);
        let phases = e["phases"].as_array().unwrap();
        let dates: Vec<(&str, &str, &str)> = phases.iter().map(|p| (p["name"].as_str().unwrap(), p["plannedStart"].as_str().unwrap(), p["plannedEnd"].as_str().unwrap())).collect();
        assert_eq!(dates, [
            ("Catalog model", "2027-03-01", "2027-03-28"),
            ("Apparel", "2027-03-29", "2027-04-27"),
            ("Footwear", "2027-03-29", "2027-04-27"),
            ("Checkout", "2027-04-28", "2027-05-18"),
        ]);
        assert_eq!(phases[0]["milestones"], json!([{"name": "Kick-off", "due": "2027-03-01"}, {"name": "Model signed off", "due": "2027-03-28"}]));
        assert_eq!(phases[3]["milestones"], json!([{"name": "Go-live", "due": "2027-05-18"}]));
        assert_eq!(phases[1]["dependsOn"], json!([{"name": "Catalog model"}]));
        assert_eq!(phases[3]["dependsOn"], json!([{"name": "Apparel"}, {"name": "Footwear"}]));
        assert_eq!(phases[0]["plannedHours"], 40.5);
        assert_eq!(phases[3]["scope"], json!([{"deliverable": "Checkout rebuilt", "estimatedHours": 45.25}]));

        // The same events as scoping by hand: the engagement (naming its template), then each phase.
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, first: 20) { edges { node { kind changes { field after } } } } }", json!({"id": account})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["ACCOUNT_CREATED", "ENGAGEMENT_CREATED", "PHASE_CREATED", "PHASE_CREATED", "PHASE_CREATED", "PHASE_CREATED"]);
        let created = &events["accountEvents"]["edges"][1]["node"]["changes"];
        assert!(created.as_array().unwrap().iter().any(|c| c["field"] == "templateVersion" && c["after"] == 1), "{created}");

        // A later edit of the template leaves the engagement's plan alone; a new engagement gets
        // the new version.
        let edited = server.ok(Role::Services, UPDATE_TEMPLATE, json!({"input": {"id": t["id"], "version": 1, "description": null}})).await;
        assert_eq!(edited["updateEngagementTemplate"]["version"], 2);
        assert_eq!(edited["updateEngagementTemplate"]["description"], Value::Null);
        let again = from_template(&server, &t, &account).await;
        assert_eq!(again["templateVersion"], 2);
        let first = server.ok(Role::Viewer, "query($id: ID!) { engagement(id: $id) { templateVersion phases { name } } }", json!({"id": e["id"]})).await;
        assert_eq!(first["engagement"]["templateVersion"], 1);
        assert_eq!(first["engagement"]["phases"].as_array().unwrap().len(), 4);
        server.stop().await;
    }
}

db_test! {
    async fn a_baseline_shows_how_far_the_plan_has_slipped(db) {
        let server = Server::start(&db).await;
        let t = create_template(&server).await;
        let account = create_account(&server, "Globex").await;
        let e = from_template(&server, &t, &account).await;
        let engagement = e["id"].clone();
        let taken = server.ok(Role::Services, TAKE_BASELINE, json!({"input": {"engagementId": engagement, "name": "Signed plan"}})).await;
        assert_eq!(taken["takeBaseline"], json!({"id": taken["takeBaseline"]["id"], "name": "Signed plan", "takenBy": "tester",
            "endSlipDays": 0, "hoursVariance": 0.0, "baselineHours": 225.75, "currentHours": 225.75}));

        // Apparel slips ten days and grows by 12.5 hours; its dependants stay where they were.
        let apparel = &e["phases"][1];
        let moved = server.ok(Role::Services, "mutation($input: UpdatePhaseInput!) { updatePhase(input: $input) { phase { plannedHours scope { deliverable estimatedHours } } } }",
            json!({"input": {"id": apparel["id"], "version": apparel["version"], "plannedStart": "2027-04-08", "plannedEnd": "2027-05-07",
                "scope": [{"deliverable": "Apparel migrated", "estimatedHours": 80}, {"deliverable": "Size-chart rework", "estimatedHours": 12.5}]}})).await;
        assert_eq!(moved["updatePhase"]["phase"]["plannedHours"], 92.5);
        // A phase added after the baseline has no baseline figures.
        server.ok(Role::Services, "mutation($e: ID!) { addPhase(input: {engagementId: $e, name: \"Returns\", focus: \"Returns\", plannedStart: \"2027-05-19\", plannedEnd: \"2027-05-31\",
            scope: [{deliverable: \"Returns portal\", estimatedHours: 20}]}) { phase { id } } }", json!({"e": engagement})).await;

        let view = server.ok(Role::Viewer, BASELINES, json!({"id": engagement})).await;
        let b = &view["engagement"]["baselines"][0];
        assert_eq!(b["name"], "Signed plan");
        assert_eq!(b["endSlipDays"], 13, "the latest end moved from 05-18 to 05-31: {b}");
        assert_eq!(b["hoursVariance"], 32.5);
        assert_eq!(b["currentHours"], 258.25);
        let ap = &b["phases"][1];
        assert_eq!(ap["phase"]["name"], "Apparel");
        assert_eq!((ap["baselineStart"].as_str(), ap["baselineEnd"].as_str(), ap["currentStart"].as_str(), ap["currentEnd"].as_str()),
            (Some("2027-03-29"), Some("2027-04-27"), Some("2027-04-08"), Some("2027-05-07")));
        assert_eq!((ap["startSlipDays"].as_i64(), ap["endSlipDays"].as_i64()), (Some(10), Some(10)));
        assert_eq!((ap["baselineHours"].as_f64(), ap["currentHours"].as_f64(), ap["hoursVariance"].as_f64()), (Some(80.0), Some(92.5), Some(12.5)));
        assert_eq!(ap["added"], false);
        assert_eq!(b["phases"][0]["endSlipDays"], 0);
        let returns = &b["phases"][4];
        assert_eq!((returns["name"].as_str(), returns["added"].as_bool(), returns["removed"].as_bool()), (Some("Returns"), Some(true), Some(false)));
        assert_eq!((returns["baselineStart"].clone(), returns["baselineHours"].clone(), returns["endSlipDays"].clone()), (Value::Null, Value::Null, Value::Null));
        assert_eq!(returns["currentHours"], 20.0);

        // A second baseline is newest first and agrees with the plan now; names are not reused.
        server.ok(Role::Services, TAKE_BASELINE, json!({"input": {"engagementId": engagement, "name": "Re-plan"}})).await;
        let (code, message) = server.error(Role::Services, TAKE_BASELINE, json!({"input": {"engagementId": engagement, "name": "signed plan"}})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let view = server.ok(Role::Viewer, BASELINES, json!({"id": engagement})).await;
        let names: Vec<&str> = view["engagement"]["baselines"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Re-plan", "Signed plan"]);
        assert_eq!(view["engagement"]["baselines"][0]["endSlipDays"], 0);
        assert_eq!(view["engagement"]["baselines"][0]["hoursVariance"], 0.0);

        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [BASELINE_TAKEN]) { edges { node { kind subjectId changes { field after } } } } }", json!({"id": account})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2);
        assert_eq!(edges[0]["node"]["subjectId"], taken["takeBaseline"]["id"]);
        assert!(edges[0]["node"]["changes"].as_array().unwrap().contains(&json!({"field": "plannedHours", "after": 22575})));
        server.stop().await;
    }
}

db_test! {
    async fn templates_refuse_bad_input_stale_versions_and_other_roles(db) {
        let server = Server::start(&db).await;
        let broken = |path: &str, value: Value| {
            let mut input = replatforming();
            let (parent, key) = path.rsplit_once('/').unwrap();
            match input.pointer_mut(parent).unwrap() {
                Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
                other => {
                    other[key] = value;
                }
            }
            input
        };
        for (input, field) in [
            (broken("/phases/1/dependsOn", json!([2])), "input.phases[1].dependsOn[0]"),
            (broken("/phases/0/dependsOn", json!([0])), "input.phases[0].dependsOn[0]"),
            (broken("/phases/3/dependsOn", json!([-1])), "input.phases[3].dependsOn[0]"),
            (broken("/name", json!("  ")), "input.name"),
            (broken("/phases/2/durationDays", json!(0)), "input.phases[2].durationDays"),
            (broken("/phases/0/milestones/1/offsetDays", json!(28)), "input.phases[0].milestones[1].offsetDays"),
            (broken("/phases/1/scope/0/estimatedHours", json!(0.125)), "input.phases[1].scope[0].estimatedHours"),
        ] {
            let (_, body) = server.post(&server.token(Role::Services), CREATE_TEMPLATE, json!({"input": input})).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{field}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
        let (code, _) = server.error(Role::Viewer, CREATE_TEMPLATE, json!({"input": replatforming()})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, _) = server.error(Role::CsManager, CREATE_TEMPLATE, json!({"input": replatforming()})).await;
        assert_eq!(code, "FORBIDDEN");
        assert_eq!(server.ok(Role::Admin, "{ engagementTemplates { id } }", json!({})).await["engagementTemplates"], json!([]));

        let t = create_template(&server).await;
        let (code, message) = server.error(Role::Services, CREATE_TEMPLATE, json!({"input": replatforming()})).await;
        assert_eq!(code, "CONFLICT", "a second template of the same name: {message}");
        server.ok(Role::Services, UPDATE_TEMPLATE, json!({"input": {"id": t["id"], "version": 1, "name": "Replatforming in four"}})).await;
        let (code, message) = server.error(Role::Services, UPDATE_TEMPLATE, json!({"input": {"id": t["id"], "version": 1, "name": "Stale"}})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("version 1"), "{message}");
        let (_, body) = server.post(&server.token(Role::Services), UPDATE_TEMPLATE,
            json!({"input": {"id": t["id"], "version": 2, "phases": [{"name": "Only", "focus": "F", "durationDays": 5, "dependsOn": [0]}]}})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.phases[0].dependsOn[0]", "{body}");
        let (code, _) = server.error(Role::Viewer, UPDATE_TEMPLATE, json!({"input": {"id": t["id"], "version": 2, "name": "X"}})).await;
        assert_eq!(code, "FORBIDDEN");

        let account = create_account(&server, "Initech").await;
        let unknown = "RW5nYWdlbWVudFRlbXBsYXRlOjAxOWEwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA";
        let (code, message) = server.error(Role::Services, FROM_TEMPLATE, json!({"input": {"templateId": unknown, "accountId": account, "startOn": "2027-03-01"}})).await;
        assert_eq!(code, "NOT_FOUND", "{message}");
        let (code, _) = server.error(Role::Viewer, FROM_TEMPLATE, json!({"input": {"templateId": t["id"], "accountId": account, "startOn": "2027-03-01"}})).await;
        assert_eq!(code, "FORBIDDEN");
        // A refusal leaves nothing behind: no engagement, no event.
        let stranger = "VGVhbU1lbWJlcjowMTlhMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA";
        let (_, body) = server.post(&server.token(Role::Services), FROM_TEMPLATE,
            json!({"input": {"templateId": t["id"], "accountId": account, "startOn": "2027-03-01", "leadId": stranger}})).await;
        assert!(body["errors"][0]["extensions"]["code"].is_string(), "{body}");
        let after = server.ok(Role::Viewer, "query($a: ID!) { account(id: $a) { engagements { id } } accountEvents(accountId: $a, kinds: [ENGAGEMENT_CREATED, PHASE_CREATED]) { edges { cursor } } }", json!({"a": account})).await;
        assert_eq!(after["account"]["engagements"], json!([]));
        assert_eq!(after["accountEvents"]["edges"], json!([]));

        // Baselines need an engagement runner too.
        let e = from_template(&server, &t, &account).await;
        let (code, _) = server.error(Role::Viewer, TAKE_BASELINE, json!({"input": {"engagementId": e["id"], "name": "Signed plan"}})).await;
        assert_eq!(code, "FORBIDDEN");
        let (_, body) = server.post(&server.token(Role::Services), TAKE_BASELINE, json!({"input": {"engagementId": e["id"], "name": " "}})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.name", "{body}");

        // An archived template makes no more engagements, frees its name and still shows on the
        // engagements it made.
        let archive = "mutation($input: ArchiveEngagementTemplateInput!) { archiveEngagementTemplate(input: $input) { archivedAt version } }";
        let archived = server.ok(Role::Services, archive, json!({"input": {"id": t["id"], "version": 2}})).await;
        assert!(archived["archiveEngagementTemplate"]["archivedAt"].is_string());
        let (code, message) = server.error(Role::Services, FROM_TEMPLATE, json!({"input": {"templateId": t["id"], "accountId": account, "startOn": "2027-03-01"}})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        assert_eq!(server.ok(Role::Viewer, "{ engagementTemplates { id } }", json!({})).await["engagementTemplates"], json!([]));
        let all = server.ok(Role::Viewer, "{ engagementTemplates(includeArchived: true) { name } }", json!({})).await;
        assert_eq!(all["engagementTemplates"], json!([{"name": "Replatforming in four"}]));
        let shown = server.ok(Role::Viewer, "query($id: ID!) { engagement(id: $id) { template { name archivedAt } } }", json!({"id": e["id"]})).await;
        assert!(shown["engagement"]["template"]["archivedAt"].is_string());
        let mut same_name = replatforming();
        same_name["name"] = json!("Replatforming in four");
        server.ok(Role::Services, CREATE_TEMPLATE, json!({"input": same_name})).await;
        server.stop().await;
    }
}

db_test! {
    async fn templates_and_baselines_load_without_a_query_per_engagement(db) {
        let server = Server::start_with(&db, &[("TANDEM_EVENT_POLL_INTERVAL", "1h")]).await;
        let t = create_template(&server).await;
        let account = create_account(&server, "Umbrella").await;
        for _ in 0..6 {
            let e = from_template(&server, &t, &account).await;
            server.ok(Role::Services, TAKE_BASELINE, json!({"input": {"engagementId": e["id"], "name": "Signed plan"}})).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let query = "query($n: Int) { engagements(first: $n) { nodes { template { name } templateVersion baselines { endSlipDays hoursVariance phases { phase { name } endSlipDays } } } } }";
        let mut costs = Vec::new();
        for n in [1, 6] {
            let before = server.store.statements();
            let data = server.ok(Role::Viewer, query, json!({"n": n})).await;
            costs.push(server.store.statements() - before);
            assert_eq!(data["engagements"]["nodes"].as_array().unwrap().len(), n);
            assert_eq!(data["engagements"]["nodes"][n - 1]["baselines"][0]["phases"][3]["phase"]["name"], "Checkout");
        }
        // engagements, template, baselines, phases: one each, whatever the page (with slack for a
        // level a slow machine splits across two batches).
        assert!(costs[1] < costs[0] + 3, "statements for 1 and 6 engagements: {costs:?}");
        server.stop().await;
    }
}
