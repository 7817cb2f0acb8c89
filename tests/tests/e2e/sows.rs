//! The services lead's day, through GraphQL alone: scope a three-phase replatforming with a
//! SOW, sign it, log time, raise and approve a change request, deliver and accept phases, and
//! watch the burn and progress figures move.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const FIGURES: &str = "query($sow: ID!, $e: ID!) {
  sow(id: $sow) { version status tmHoursCap tmAmountCap { amountMinor } original { tmHoursCap tmAmountCap { amountMinor } estimatedHours }
    budget { estimatedHours inScopeHours tmHours tmAmount { amountMinor } burnPercent tmSharePercent forecastInScopeHours }
    phaseBudgets { phase { name } budget { inScopeHours tmHours estimatedHours } }
    changeRequests { status hours amount { amountMinor } decidedBy }
    timeEntries(first: 20) { edges { node { hours kind role amount { amountMinor } phase { name } teamMember { name } } } } }
  engagement(id: $e) { progress { acceptedPhases totalPhases byBudgetWeight } } }";

async fn version_of(server: &Server, query: &str, id: &str) -> Value {
    let data = server.ok(Role::Services, query, json!({"id": id})).await;
    data.as_object().unwrap().values().next().unwrap()["version"].clone()
}

db_test! {
    async fn a_services_lead_scopes_signs_logs_changes_and_delivers(db) {
        let server = Server::start(&db).await;
        let lead = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Lee Park\", email: \"lee@vendor.io\", team: SERVICES, role: SERVICES}) { teamMember { id subject } } }", json!({})).await;
        let lead_subject = lead["createTeamMember"]["teamMember"]["subject"].as_str().unwrap().to_owned();
        let lead_token = server.token_for(&lead_subject, Role::Services);
        let account = create_account(&server, "Acme Outdoor").await;

        let engagement = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"Replatforming\", sourcePlatform: \"Legacy 6\", targetPlatform: \"Tandem Commerce\"}) { engagement { id } } }", json!({"a": account})).await;
        let e = engagement["createEngagement"]["engagement"]["id"].as_str().unwrap().to_owned();
        let mut phases = Vec::new();
        for (name, deps) in [("Catalog model", vec![]), ("Apparel", vec![0usize]), ("Footwear", vec![1usize])] {
            let depends_on: Vec<&String> = deps.iter().map(|i| &phases[*i]).collect();
            let p = server.ok(Role::Services, "mutation($input: AddPhaseInput!) { addPhase(input: $input) { phase { id } } }",
                json!({"input": {"engagementId": e, "name": name, "focus": name, "dependsOn": depends_on}})).await;
            phases.push(p["addPhase"]["phase"]["id"].as_str().unwrap().to_owned());
        }

        let created = server.ok(Role::Services, "mutation($input: CreateSowInput!) { createSow(input: $input) { sow { id status } } }", json!({"input": {
            "accountId": account, "engagementId": e,
            "fields": {"title": "Replatforming, three phases", "currency": "USD", "fixedPriceMinor": 7200000,
                "rateCard": [{"role": "Solutions Architect", "hourlyRateMinor": 20000}, {"role": "Developer", "hourlyRateMinor": 15000}],
                "scope": [
                    {"deliverable": "Agreed catalog model", "estimatedHours": 120, "phaseId": phases[0]},
                    {"deliverable": "Apparel live", "estimatedHours": 200, "phaseId": phases[1]},
                    {"deliverable": "Footwear live", "estimatedHours": 160, "phaseId": phases[2]}],
                "tmHoursCap": 40, "tmAmountCapMinor": 600000}}})).await;
        let sow = created["createSow"]["sow"]["id"].as_str().unwrap().to_owned();
        assert_eq!(created["createSow"]["sow"]["status"], "DRAFT");

        // Time cannot be logged before signing, and the machine refuses skipping a step.
        let log = "mutation($input: LogTimeInput!) { logTime(input: $input) { timeEntry { amount { amountMinor } } sow { budget { burnPercent } } } }";
        let (code, message) = server.error(Role::Services, log, json!({"input": {"sowId": sow, "teamMemberId": lead["createTeamMember"]["teamMember"]["id"], "role": "Developer", "hours": 1, "kind": "IN_SCOPE"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("DRAFT"), "{message}");
        let status = "mutation($input: ChangeSowStatusInput!) { changeSowStatus(input: $input) { sow { version status signedOn } } }";
        let (code, message) = server.error(Role::Services, status, json!({"input": {"id": sow, "version": 1, "status": "SIGNED"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("from DRAFT to SIGNED"), "{message}");
        server.ok(Role::Services, status, json!({"input": {"id": sow, "version": 1, "status": "PROPOSED"}})).await;
        let signed = server.ok(Role::Services, status, json!({"input": {"id": sow, "version": 2, "status": "SIGNED"}})).await;
        assert!(signed["changeSowStatus"]["sow"]["signedOn"].is_string());

        // Signed: the scope is frozen.
        let (code, message) = server.error(Role::Services, "mutation($id: ID!) { updateSow(input: {id: $id, version: 3, fields: {title: \"X\", fixedPriceMinor: 1}}) { sow { id } } }", json!({"id": sow})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("change requests"), "{message}");

        server.ok(Role::Services, "mutation($e: ID!) { changeEngagementStatus(input: {id: $e, version: 1, status: ACTIVE}) { engagement { status } } }", json!({"e": e})).await;
        let phase_status = "mutation($input: ChangePhaseStatusInput!) { changePhaseStatus(input: $input) { phase { version status } } }";
        server.ok(Role::Services, phase_status, json!({"input": {"id": phases[0], "version": 1, "status": "IN_PROGRESS"}})).await;

        // The lead logs their own time (no teamMemberId: the token names them).
        for days_ago in 0..10 {
            let day = (chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago)).to_string();
            let (status_code, body) = server.post(&lead_token, log, json!({"input": {"sowId": sow, "role": "developer", "phaseId": phases[0], "hours": 10, "kind": "IN_SCOPE", "workedOn": day}})).await;
            assert_eq!(status_code, 200, "{body}");
            assert!(body.get("errors").is_none(), "{body}");
        }
        let (_, body) = server.post(&lead_token, log, json!({"input": {"sowId": sow, "role": "Solutions Architect", "phaseId": phases[0], "hours": 20, "kind": "TIME_AND_MATERIALS", "note": "Extra B2B attributes"}})).await;
        assert_eq!(body["data"]["logTime"]["timeEntry"]["amount"]["amountMinor"], 400000, "{body}");
        // Logged is not burnt: only approved timesheets count.
        assert_eq!(body["data"]["logTime"]["sow"]["budget"]["burnPercent"], 0.0, "{body}");
        let lead_id = lead["createTeamMember"]["teamMember"]["id"].clone();
        let sheets = server.ok(Role::Viewer, "query($m: [ID!]) { timesheets(teamMemberIds: $m, statuses: [DRAFT]) { id version hours } }", json!({"m": [lead_id]})).await;
        let sheets = sheets["timesheets"].as_array().unwrap().clone();
        assert!(sheets.len() >= 2, "ten days span two weeks: {sheets:?}");
        let total: f64 = sheets.iter().map(|s| s["hours"].as_f64().unwrap()).sum();
        assert_eq!(total, 120.0);
        for sheet in &sheets {
            let (_, body) = server.post(&lead_token, "mutation($id: ID!, $v: Int!) { submitTimesheet(input: {id: $id, version: $v}) { version status } }", json!({"id": sheet["id"], "v": sheet["version"]})).await;
            assert_eq!(body["data"]["submitTimesheet"]["status"], "SUBMITTED", "{body}");
            let v = body["data"]["submitTimesheet"]["version"].clone();
            server.ok(Role::Admin, "mutation($id: ID!, $v: Int!) { approveTimesheet(input: {id: $id, version: $v}) { status } }", json!({"id": sheet["id"], "v": v})).await;
        }
        let burnt = server.ok(Role::Services, "query($id: ID!) { sow(id: $id) { budget { burnPercent } } }", json!({"id": sow})).await;
        assert_eq!(burnt["sow"]["budget"]["burnPercent"], 66.67);
        let (code, _) = server.error(Role::Services, log, json!({"input": {"sowId": sow, "teamMemberId": lead["createTeamMember"]["teamMember"]["id"], "role": "Designer", "hours": 1, "kind": "IN_SCOPE"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = server.error(Role::Services, log, json!({"input": {"sowId": sow, "teamMemberId": lead["createTeamMember"]["teamMember"]["id"], "role": "Developer", "hours": 25, "kind": "IN_SCOPE"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");

        let before = server.ok(Role::CsManager, FIGURES, json!({"sow": sow, "e": e})).await;
        let budget = &before["sow"]["budget"];
        assert_eq!(budget["inScopeHours"], 100.0);
        assert_eq!(budget["tmHours"], 20.0);
        assert_eq!(budget["tmSharePercent"], 16.67);
        assert_eq!(budget["estimatedHours"], 480.0);
        assert_eq!(budget["forecastInScopeHours"], 580.0);
        assert_eq!(before["sow"]["phaseBudgets"][0], json!({"phase": {"name": "Catalog model"}, "budget": {"inScopeHours": 100.0, "tmHours": 20.0, "estimatedHours": 120.0}}));
        assert_eq!(before["sow"]["timeEntries"]["edges"][0]["node"]["teamMember"]["name"], "Lee Park");

        // A change request raises the T&M budget once approved; the original stays visible.
        let raised = server.ok(Role::Services, "mutation($s: ID!) { raiseChangeRequest(input: {sowId: $s, hours: 20, amountMinor: 400000, reason: \"B2B price lists were not in scope\"}) { changeRequest { id version status } } }", json!({"s": sow})).await;
        let cr = raised["raiseChangeRequest"]["changeRequest"]["id"].as_str().unwrap().to_owned();
        let decided = server.ok(Role::Admin, "mutation($id: ID!) { decideChangeRequest(input: {id: $id, version: 1, decision: APPROVED}) { changeRequest { status decidedBy } sow { tmHoursCap tmAmountCap { amountMinor } } } }", json!({"id": cr})).await;
        assert_eq!(decided["decideChangeRequest"]["changeRequest"]["status"], "APPROVED");
        assert_eq!(decided["decideChangeRequest"]["sow"]["tmHoursCap"], 60.0);
        assert_eq!(decided["decideChangeRequest"]["sow"]["tmAmountCap"]["amountMinor"], 1000000);
        let (code, message) = server.error(Role::Admin, "mutation($id: ID!) { decideChangeRequest(input: {id: $id, version: 2, decision: REJECTED}) { changeRequest { id } } }", json!({"id": cr})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("from APPROVED to REJECTED"), "{message}");

        // Deliver and accept the first phase: progress and the forecast move.
        let v = version_of(&server, "query($id: ID!) { phase(id: $id) { version } }", &phases[0]).await;
        server.ok(Role::Services, phase_status, json!({"input": {"id": phases[0], "version": v, "status": "DELIVERED"}})).await;
        server.ok(Role::Services, phase_status, json!({"input": {"id": phases[0], "version": v.as_i64().unwrap() + 1, "status": "ACCEPTED"}})).await;
        let after = server.ok(Role::CsManager, FIGURES, json!({"sow": sow, "e": e})).await;
        assert_eq!(after["engagement"]["progress"], json!({"acceptedPhases": 1, "totalPhases": 3, "byBudgetWeight": 0.25}));
        assert_eq!(after["sow"]["budget"]["burnPercent"], 40.0);
        assert_eq!(after["sow"]["budget"]["forecastInScopeHours"], 460.0);
        assert_eq!(after["sow"]["original"], json!({"tmHoursCap": 40.0, "tmAmountCap": {"amountMinor": 600000}, "estimatedHours": 480.0}));
        assert_eq!(after["sow"]["changeRequests"][0]["decidedBy"], "tester");

        // The same SOW, read by PRODUCT: figures without money.
        let (_, product) = server.post(&server.token(Role::Product), FIGURES, json!({"sow": sow, "e": e})).await;
        assert_eq!(product["data"]["sow"]["budget"]["tmHours"], 20.0);
        assert_eq!(product["data"]["sow"]["budget"]["tmAmount"], Value::Null);
        assert_eq!(product["data"]["sow"]["tmAmountCap"], Value::Null);
        assert!(product["errors"].as_array().unwrap().iter().all(|e| e["extensions"]["code"] == "FORBIDDEN"), "{product}");

        // Every step is on the account's event stream.
        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [SOW_STATUS_CHANGED, CHANGE_REQUEST_DECIDED, TIME_LOGGED], first: 50) { edges { node { kind } } } }", json!({"a": account})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        let mut expected = vec!["SOW_STATUS_CHANGED"; 2];
        expected.extend(["TIME_LOGGED"; 11]);
        expected.push("CHANGE_REQUEST_DECIDED");
        assert_eq!(kinds, expected);
        let nested = server.ok(Role::Viewer, "query($a: ID!) { account(id: $a) { sows { title status engagement { name } } } }", json!({"a": account})).await;
        assert_eq!(nested["account"]["sows"][0], json!({"title": "Replatforming, three phases", "status": "SIGNED", "engagement": {"name": "Replatforming"}}));
        let list = server.ok(Role::Viewer, "{ sows(filter: {statuses: [SIGNED]}) { totalCount } }", json!({})).await;
        assert_eq!(list["sows"]["totalCount"], 1);
        server.stop().await;
    }
}

db_test! {
    async fn sow_inputs_are_validated_with_named_fields(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Globex").await;
        let create = "mutation($input: CreateSowInput!) { createSow(input: $input) { sow { id } } }";
        let (_, body) = server.post(&server.token(Role::Services), create, json!({"input": {"accountId": account, "fields": {
            "title": "T", "fixedPriceMinor": 100, "rateCard": [{"role": "Dev", "hourlyRateMinor": 1}, {"role": "dev", "hourlyRateMinor": 2}]}}})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.fields.rateCard[1].role", "{body}");
        let (code, _) = server.error(Role::Services, create, json!({"input": {"accountId": account, "fields": {"title": "T", "fixedPriceMinor": 100, "scope": [{"deliverable": "D", "estimatedHours": 1.234}]}}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = server.error(Role::CsManager, create, json!({"input": {"accountId": account, "fields": {"title": "T", "fixedPriceMinor": 100}}})).await;
        assert_eq!(code, "FORBIDDEN");
        server.stop().await;
    }
}
