//! Timesheets and capacity through GraphQL: time gathers into weekly sheets, which are
//! submitted, returned with a reason, corrected and approved — only then does it burn the
//! budget; only a services lead or an ADMIN decides, never on their own sheet. Allocations and
//! time off give utilisation per person and team, with over-allocation flagged.

use chrono::{Datelike, Days, NaiveDate, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const MEMBER: &str = "mutation($input: CreateTeamMemberInput!) { createTeamMember(input: $input) { teamMember { id subject weeklyCapacityHours lead } } }";
const LOG: &str = "mutation($input: LogTimeInput!) { logTime(input: $input) { timeEntry { id timesheet { id status version } } } }";
const SHEETS: &str = "query($m: [ID!], $s: [TimesheetStatus!]) { timesheets(teamMemberIds: $m, statuses: $s) { id version status hours weekStart weekEnd returnReason decidedBy entries { hours kind } teamMember { name } } }";
const SUBMIT: &str = "mutation($id: ID!, $v: Int!) { submitTimesheet(input: {id: $id, version: $v}) { version status submittedAt } }";
const APPROVE: &str = "mutation($id: ID!, $v: Int!) { approveTimesheet(input: {id: $id, version: $v}) { version status decidedBy } }";
const RETURN: &str = "mutation($id: ID!, $v: Int!, $r: String!) { returnTimesheet(input: {id: $id, version: $v, reason: $r}) { version status returnReason } }";
const BUDGET: &str =
    "query($id: ID!) { sow(id: $id) { budget { inScopeHours tmHours burnPercent } } }";

pub(crate) fn monday_weeks_ago(weeks: u64) -> NaiveDate {
    let today = Utc::now().date_naive();
    today - Days::new(u64::from(today.weekday().num_days_from_monday())) - Days::new(7 * weeks)
}

pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) token: String,
}

pub(crate) async fn member(server: &Server, name: &str, extra: Value) -> Member {
    let mut input = json!({"name": name, "email": format!("{}@vendor.io", name.to_lowercase()), "team": "SERVICES", "role": "SERVICES"});
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let m = server
        .ok(Role::Admin, MEMBER, json!({"input": input}))
        .await;
    let m = &m["createTeamMember"]["teamMember"];
    Member {
        id: m["id"].as_str().unwrap().to_owned(),
        token: server.token_for(m["subject"].as_str().unwrap(), Role::Services),
    }
}

/// A signed SOW (T&M cap 10 h) on an active engagement with one phase in progress.
pub(crate) async fn signed_sow(server: &Server, account: &str) -> (String, String) {
    let e = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"Replatforming\"}) { engagement { id } } }", json!({"a": account})).await;
    let e = e["createEngagement"]["engagement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let p = server.ok(Role::Services, "mutation($e: ID!) { addPhase(input: {engagementId: $e, name: \"Catalog\", focus: \"Catalog\"}) { phase { id } } }", json!({"e": e})).await;
    let phase = p["addPhase"]["phase"]["id"].as_str().unwrap().to_owned();
    let s = server.ok(Role::Services, "mutation($input: CreateSowInput!) { createSow(input: $input) { sow { id } } }", json!({"input": {
        "accountId": account, "engagementId": e,
        "fields": {"title": "Catalog", "currency": "USD", "fixedPriceMinor": 1000000,
            "rateCard": [{"role": "Developer", "hourlyRateMinor": 10000}],
            "scope": [{"deliverable": "Model", "estimatedHours": 40, "phaseId": phase}], "tmHoursCap": 10}}})).await;
    let sow = s["createSow"]["sow"]["id"].as_str().unwrap().to_owned();
    let status = "mutation($id: ID!, $v: Int!, $s: SowStatus!) { changeSowStatus(input: {id: $id, version: $v, status: $s}) { sow { version } } }";
    server
        .ok(
            Role::Services,
            status,
            json!({"id": sow, "v": 1, "s": "PROPOSED"}),
        )
        .await;
    server
        .ok(
            Role::Services,
            status,
            json!({"id": sow, "v": 2, "s": "SIGNED"}),
        )
        .await;
    (sow, phase)
}

pub(crate) async fn log(
    server: &Server,
    who: &Member,
    sow: &str,
    day: NaiveDate,
    hours: f64,
    kind: &str,
) -> (u16, Value) {
    server.post(&who.token, LOG, json!({"input": {"sowId": sow, "role": "Developer", "hours": hours, "kind": kind, "workedOn": day.to_string()}})).await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

db_test! {
    async fn timesheets_are_submitted_returned_corrected_and_approved_before_they_burn(db) {
        let server = Server::start(&db).await;
        let dee = member(&server, "Dee", json!({})).await;
        let lee = member(&server, "Lee", json!({"lead": true})).await;
        let sam = member(&server, "Sam", json!({})).await;
        let account = create_account(&server, "Acme").await;
        let (sow, _) = signed_sow(&server, &account).await;
        let monday = monday_weeks_ago(1);

        let (_, first) = log(&server, &dee, &sow, monday, 4.0, "TIME_AND_MATERIALS").await;
        let (_, second) = log(&server, &dee, &sow, monday + Days::new(1), 2.0, "IN_SCOPE").await;
        let sheet = first["data"]["logTime"]["timeEntry"]["timesheet"]["id"].clone();
        assert_eq!(second["data"]["logTime"]["timeEntry"]["timesheet"]["id"], sheet, "one sheet a week: {second}");
        let sheets = server.ok(Role::Viewer, SHEETS, json!({"m": [dee.id]})).await["timesheets"].clone();
        assert_eq!(sheets.as_array().unwrap().len(), 1);
        let s = &sheets[0];
        assert_eq!((s["status"].as_str(), s["hours"].as_f64()), (Some("DRAFT"), Some(6.0)));
        assert_eq!(s["weekStart"], monday.to_string());
        assert_eq!(s["weekEnd"], (monday + Days::new(6)).to_string());
        assert_eq!(s["entries"].as_array().unwrap().len(), 2);
        let version = s["version"].as_i64().unwrap();
        assert_eq!(version, 2, "each hour logged bumps the sheet");

        // Logged is not burnt.
        let b = server.ok(Role::Services, BUDGET, json!({"id": sow})).await;
        assert_eq!(b["sow"]["budget"], json!({"inScopeHours": 0.0, "tmHours": 0.0, "burnPercent": 0.0}));

        // Submitted: frozen.
        let (_, body) = server.post(&dee.token, SUBMIT, json!({"id": sheet, "v": version})).await;
        assert_eq!(body["data"]["submitTimesheet"]["status"], "SUBMITTED", "{body}");
        let v = body["data"]["submitTimesheet"]["version"].as_i64().unwrap();
        let (_, body) = log(&server, &dee, &sow, monday + Days::new(2), 1.0, "IN_SCOPE").await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("SUBMITTED"), "{body}");
        let entry = second["data"]["logTime"]["timeEntry"]["id"].clone();
        let (code_, _) = server.error(Role::Services, "mutation($id: ID!) { removeTimeEntry(id: $id) { id } }", json!({"id": entry})).await;
        assert_eq!(code_, "CONFLICT");

        // Only another lead or an ADMIN decides.
        for token in [&sam.token, &dee.token] {
            let (_, body) = server.post(token, APPROVE, json!({"id": sheet, "v": v})).await;
            assert_eq!(code(&body), "FORBIDDEN", "{body}");
        }
        let (code_, _) = server.error(Role::CsManager, APPROVE, json!({"id": sheet, "v": v})).await;
        assert_eq!(code_, "FORBIDDEN");
        let (_, body) = server.post(&lee.token, RETURN, json!({"id": sheet, "v": v, "r": "  "})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.reason", "{body}");
        let (_, body) = server.post(&lee.token, RETURN, json!({"id": sheet, "v": v, "r": "Tuesday belongs to phase 2"})).await;
        let returned = &body["data"]["returnTimesheet"];
        assert_eq!(returned["status"], "RETURNED", "{body}");
        assert_eq!(returned["returnReason"], "Tuesday belongs to phase 2");

        // Corrected and resubmitted; a stale approval is refused, the fresh one lands.
        let (_, body) = server.post(&dee.token, "mutation($id: ID!) { removeTimeEntry(id: $id) { hours version status } }", json!({"id": entry})).await;
        let after = &body["data"]["removeTimeEntry"];
        assert_eq!((after["hours"].as_f64(), after["status"].as_str()), (Some(4.0), Some("RETURNED")), "{body}");
        let (_, body) = server.post(&dee.token, SUBMIT, json!({"id": sheet, "v": after["version"]})).await;
        let v2 = body["data"]["submitTimesheet"]["version"].as_i64().unwrap();
        let (_, body) = server.post(&lee.token, APPROVE, json!({"id": sheet, "v": v2 - 1})).await;
        assert_eq!(code(&body), "CONFLICT", "{body}");
        let (_, body) = server.post(&lee.token, APPROVE, json!({"id": sheet, "v": v2})).await;
        assert_eq!(body["data"]["approveTimesheet"]["status"], "APPROVED", "{body}");
        let (_, body) = server.post(&lee.token, APPROVE, json!({"id": sheet, "v": v2 + 1})).await;
        assert_eq!(code(&body), "CONFLICT", "approved is final: {body}");

        let b = server.ok(Role::Services, BUDGET, json!({"id": sow})).await;
        assert_eq!(b["sow"]["budget"], json!({"inScopeHours": 0.0, "tmHours": 4.0, "burnPercent": 40.0}));
        let queue = server.ok(Role::Viewer, SHEETS, json!({"s": ["SUBMITTED"]})).await;
        assert_eq!(queue["timesheets"], json!([]));

        // The lead's own week: an ADMIN approves it, the lead cannot.
        let (_, own) = log(&server, &lee, &sow, monday, 1.0, "TIME_AND_MATERIALS").await;
        let own_sheet = own["data"]["logTime"]["timeEntry"]["timesheet"].clone();
        let (_, body) = server.post(&lee.token, SUBMIT, json!({"id": own_sheet["id"], "v": own_sheet["version"]})).await;
        let v = body["data"]["submitTimesheet"]["version"].clone();
        let (_, body) = server.post(&lee.token, APPROVE, json!({"id": own_sheet["id"], "v": v})).await;
        assert_eq!(code(&body), "FORBIDDEN", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("own"), "{body}");
        server.ok(Role::Admin, APPROVE, json!({"id": own_sheet["id"], "v": v})).await;
        let b = server.ok(Role::Services, BUDGET, json!({"id": sow})).await;
        assert_eq!(b["sow"]["budget"]["burnPercent"], 50.0);

        // Integrations learn of it.
        let events = server.ok(Role::Admin, "query($a: ID) { accountEvents(accountId: $a, kinds: [TIMESHEET_SUBMITTED, TIMESHEET_RETURNED, TIMESHEET_APPROVED, TIME_ENTRY_REMOVED], first: 20) { edges { node { kind } } } }", json!({"a": account})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["TIMESHEET_SUBMITTED", "TIMESHEET_RETURNED", "TIME_ENTRY_REMOVED", "TIMESHEET_SUBMITTED", "TIMESHEET_APPROVED", "TIMESHEET_SUBMITTED", "TIMESHEET_APPROVED"]);
    }
}

db_test! {
    async fn allocations_and_time_off_give_utilisation_with_over_allocation_flagged(db) {
        let server = Server::start(&db).await;
        let ana = member(&server, "Ana", json!({})).await;
        let ben = member(&server, "Ben", json!({"weeklyCapacityHours": 32})).await;
        let (_, body) = server.post(&server.token(Role::Admin), MEMBER, json!({"input": {"name": "Max", "email": "max@vendor.io", "team": "SERVICES", "role": "SERVICES", "weeklyCapacityHours": 100}})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.weeklyCapacityHours", "{body}");
        let account = create_account(&server, "Acme").await;
        let (sow, phase) = signed_sow(&server, &account).await;
        let w = monday_weeks_ago(3);
        let allocate = "mutation($input: AllocateInput!) { allocate(input: $input) { id version hoursPerWeek } }";
        let a1 = server.ok(Role::Services, allocate, json!({"input": {"teamMemberId": ana.id, "phaseId": phase, "startsOn": w.to_string(), "endsOn": (w + Days::new(11)).to_string(), "hoursPerWeek": 30}})).await;
        // From Wednesday: three of five workdays, 12 h.
        let a2 = server.ok(Role::Services, allocate, json!({"input": {"teamMemberId": ana.id, "phaseId": phase, "startsOn": (w + Days::new(2)).to_string(), "endsOn": (w + Days::new(4)).to_string(), "hoursPerWeek": 20, "note": "Workshop"}})).await;
        server.ok(Role::Services, "mutation($input: AddTimeOffInput!) { addTimeOff(input: $input) { id } }", json!({"input": {"teamMemberId": ana.id, "startsOn": (w + Days::new(10)).to_string(), "endsOn": (w + Days::new(11)).to_string(), "reason": "Holiday"}})).await;
        let (_, logged) = log(&server, &ana, &sow, w, 8.0, "IN_SCOPE").await;
        assert!(logged.get("errors").is_none(), "{logged}");

        let util = "query($from: Date!, $m: [ID!]) { utilisation(from: $from, weeks: 3, teamMemberIds: $m) {
            people { teamMember { name } weeklyCapacityHours overAllocatedWeeks weeks { weekStart capacityHours allocatedHours loggedHours approvedHours utilisationPercent allocationPercent overAllocated } }
            team { weekStart capacityHours allocatedHours overAllocated overAllocatedPeople } } }";
        let u = server.ok(Role::Viewer, util, json!({"from": (w + Days::new(3)).to_string(), "m": [ben.id, ana.id]})).await["utilisation"].clone();
        let people = u["people"].as_array().unwrap();
        assert_eq!(people[0]["teamMember"]["name"], "Ana");
        assert_eq!(people[0]["overAllocatedWeeks"], 2);
        let weeks = &people[0]["weeks"];
        assert_eq!(weeks[0], json!({"weekStart": w.to_string(), "capacityHours": 40.0, "allocatedHours": 42.0, "loggedHours": 8.0, "approvedHours": 0.0, "utilisationPercent": 20.0, "allocationPercent": 105.0, "overAllocated": true}));
        // Thursday and Friday off: 24 h of capacity against 30 allocated.
        assert_eq!((weeks[1]["capacityHours"].as_f64(), weeks[1]["allocatedHours"].as_f64(), weeks[1]["overAllocated"].as_bool()), (Some(24.0), Some(30.0), Some(true)));
        assert_eq!((weeks[2]["allocatedHours"].as_f64(), weeks[2]["overAllocated"].as_bool()), (Some(0.0), Some(false)));
        assert_eq!(people[1]["weeklyCapacityHours"], 32.0);
        assert_eq!(people[1]["weeks"][0]["allocatedHours"], 0.0);
        assert_eq!(u["team"][0], json!({"weekStart": w.to_string(), "capacityHours": 72.0, "allocatedHours": 42.0, "overAllocated": true, "overAllocatedPeople": 1}));
        assert_eq!(u["team"][2]["overAllocatedPeople"], 0);

        // Re-planned: the workshop moves out, Ana is no longer over-allocated that week.
        let update = "mutation($input: UpdateAllocationInput!) { updateAllocation(input: $input) { version hoursPerWeek } }";
        let (code_, _) = server.error(Role::Services, update, json!({"input": {"id": a2["allocate"]["id"], "version": 9, "hoursPerWeek": 5}})).await;
        assert_eq!(code_, "CONFLICT");
        server.ok(Role::Services, update, json!({"input": {"id": a2["allocate"]["id"], "version": 1, "hoursPerWeek": 10}})).await;
        let u = server.ok(Role::Viewer, util, json!({"from": w.to_string(), "m": [ana.id]})).await["utilisation"].clone();
        assert_eq!(u["people"][0]["weeks"][0]["allocatedHours"], 36.0);
        assert_eq!(u["people"][0]["weeks"][0]["overAllocated"], false);
        let on_phase = server.ok(Role::Viewer, "query($id: ID!) { node(id: $id) { ... on Phase { allocations { teamMember { name } hoursPerWeek note } } } }", json!({"id": phase})).await;
        assert_eq!(on_phase["node"]["allocations"], json!([{"teamMember": {"name": "Ana"}, "hoursPerWeek": 30.0, "note": null}, {"teamMember": {"name": "Ana"}, "hoursPerWeek": 10.0, "note": "Workshop"}]));
        server.ok(Role::Services, "mutation($id: ID!) { removeAllocation(input: {id: $id, version: 1}) { id } }", json!({"id": a1["allocate"]["id"]})).await;
        let listed = server.ok(Role::Viewer, "query($m: [ID!]!, $f: Date!, $t: Date!) { allocations(teamMemberIds: $m, from: $f, to: $t) { hoursPerWeek } timeOff(teamMemberIds: $m, from: $f, to: $t) { reason } }", json!({"m": [ana.id], "f": w.to_string(), "t": (w + Days::new(20)).to_string()})).await;
        assert_eq!(listed, json!({"allocations": [{"hoursPerWeek": 10.0}], "timeOff": [{"reason": "Holiday"}]}));

        // Bad input and roles.
        let bad = |input: Value| json!({"input": input});
        let (_, body) = server.post(&server.token(Role::Services), allocate, bad(json!({"teamMemberId": ana.id, "phaseId": phase, "startsOn": w.to_string(), "endsOn": w.to_string(), "hoursPerWeek": 0}))).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.hoursPerWeek", "{body}");
        let (_, body) = server.post(&server.token(Role::Services), allocate, bad(json!({"teamMemberId": ana.id, "phaseId": phase, "startsOn": w.to_string(), "endsOn": (w - Days::new(1)).to_string(), "hoursPerWeek": 8}))).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.endsOn", "{body}");
        let (_, body) = server.post(&server.token(Role::Services), "mutation($input: AddTimeOffInput!) { addTimeOff(input: $input) { id } }", bad(json!({"teamMemberId": ana.id, "startsOn": w.to_string(), "endsOn": (w - Days::new(1)).to_string()}))).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.endsOn", "{body}");
        let (code_, _) = server.error(Role::Viewer, allocate, bad(json!({"teamMemberId": ana.id, "phaseId": phase, "startsOn": w.to_string(), "endsOn": w.to_string(), "hoursPerWeek": 8}))).await;
        assert_eq!(code_, "FORBIDDEN");
        let (_, body) = server.post(&server.token(Role::Viewer), "query($f: Date!) { utilisation(from: $f, weeks: 30) { team { weekStart } } }", json!({"f": w.to_string()})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        // With no one named, the SERVICES team: Ana and Ben (and nobody else).
        let all = server.ok(Role::Viewer, "query($f: Date!) { utilisation(from: $f, weeks: 1) { people { teamMember { name } } } }", json!({"f": w.to_string()})).await;
        assert_eq!(all["utilisation"]["people"], json!([{"teamMember": {"name": "Ana"}}, {"teamMember": {"name": "Ben"}}]));
    }
}
