//! Engagement outcomes and accounts' value timelines, through GraphQL, against one
//! hand-computed fixture placed at dates relative to today ("d70" is 70 days ago):
//!
//! Acme, engagement "Replatforming":
//! - Checkout (serves goal "Lift conversion"): started d130, delivered d105, accepted d100 with
//!   a realised value; its revenue window is (d100, d10].
//! - Search (no goal): started d80, delivered d65, accepted d60; window (d60, today], partial.
//!   The two windows overlap on (d60, d10]; their union is (d100, today]: 100 days.
//! - Apparel: never started.
//! - SOW hours: 30 h in scope and 10 h T&M on an approved timesheet; 7 h in scope on a draft
//!   timesheet, which is not spent yet.
//!
//! Acme, engagement "Optimization": one phase started d20, nothing accepted.
//!
//! Acme's revenue: NEW 100,000 d200; EXPANSION 20,000 d100 (acceptance day: before the
//! window); EXPANSION 15,000 d70 (Checkout's window); CONTRACTION 5,000 d30 (both windows);
//! EXPANSION 2,000 d10 (both: Checkout's last day); EXPANSION 8,000 d5 (Search's window).
//! Acme's health (12:00 UTC): 50 d110 (first: AT_RISK), 60 d90, 75 d50 (HEALTHY), 80 d45,
//! 35 d15 (CRITICAL). Goals: "Lift conversion" ACHIEVED today, "Cut returns" MISSED today,
//! "Grow AOV" ON_TRACK. Catalog version 1 published today.
//!
//! Churner, engagement "Catalog": phase started d140, delivered d125, accepted d120; revenue
//! NEW 50,000 d300, CONTRACTION 10,000 d90, CHURN (the other 40,000) d40: it churns after
//! acceptance.

use chrono::{Datelike, Days, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const PHASE_STATUS: &str = "mutation($input: ChangePhaseStatusInput!) { changePhaseStatus(input: $input) { phase { version } } }";
const OUTCOME: &str = "query($id: ID!) { engagement(id: $id) { outcome {
  startedOn firstAcceptedOn timeToFirstValueDays acceptedPhases hoursSpent tmHours tmSharePercent
  revenueWindowComplete revenueDays
  expansion { amountMinor currency } contraction { amountMinor currency } churn { amountMinor currency } netMrrMovement { amountMinor currency }
} } }";
const TIMELINE: &str = "query($a: ID!, $from: Date, $to: Date, $first: Int, $kinds: [ValueEventKind!]) {
  account(id: $a) { valueTimeline(from: $from, to: $to, first: $first, kinds: $kinds) { on kind summary detail {
    __typename
    ... on PhaseValueDetail { phaseName engagementName realisedValue phase { name status } engagement { name } }
    ... on GoalValueDetail { title goal { title status } }
    ... on HealthValueDetail { from to score }
    ... on RevenueValueDetail { kind amount { amountMinor currency } }
    ... on CatalogValueDetail { number }
  } } } }";

fn day(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

fn monday_weeks_ago(weeks: u64) -> NaiveDate {
    let today = Utc::now().date_naive();
    today - Days::new(u64::from(today.weekday().num_days_from_monday())) - Days::new(7 * weeks)
}

fn usd(minor: i64) -> Value {
    json!({"amountMinor": minor, "currency": "USD"})
}

fn id_of(data: &Value, path: &[&str]) -> String {
    let mut v = data;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap().to_owned()
}

async fn engagement(server: &Server, account: &str, name: &str) -> String {
    let e = server.ok(Role::Services, "mutation($a: ID!, $n: String!) { createEngagement(input: {accountId: $a, name: $n}) { engagement { id } } }", json!({"a": account, "n": name})).await;
    let id = id_of(&e, &["createEngagement", "engagement", "id"]);
    server.ok(Role::Services, "mutation($id: ID!) { changeEngagementStatus(input: {id: $id, version: 1, status: ACTIVE}) { engagement { status } } }", json!({"id": id})).await;
    id
}

async fn phase(server: &Server, engagement: &str, name: &str) -> String {
    let p = server.ok(Role::Services, "mutation($e: ID!, $n: String!) { addPhase(input: {engagementId: $e, name: $n, focus: $n}) { phase { id } } }",
        json!({"e": engagement, "n": name})).await;
    id_of(&p, &["addPhase", "phase", "id"])
}

/// Moves a phase at `version` through `steps` (status, days ago); returns its version after.
async fn move_phase(
    server: &Server,
    phase: &str,
    version: i64,
    steps: &[(&str, i64)],
    realised: Option<&str>,
) -> i64 {
    let mut v = version;
    for (status, ago) in steps {
        let realised = if *status == "ACCEPTED" {
            realised
        } else {
            None
        };
        let moved = server.ok(Role::Services, PHASE_STATUS, json!({"input": {"id": phase, "version": v, "status": status, "on": day(*ago), "realisedValue": realised}})).await;
        v = moved["changePhaseStatus"]["phase"]["version"]
            .as_i64()
            .unwrap();
    }
    v
}

async fn goal(server: &Server, account: &str, title: &str, status: &str) -> String {
    let g = server.ok(Role::CsManager, "mutation($a: ID!, $t: String!, $s: GoalStatus) { createGoal(input: {accountId: $a, title: $t, status: $s}) { goal { id } } }",
        json!({"a": account, "t": title, "s": status})).await;
    id_of(&g, &["createGoal", "goal", "id"])
}

async fn revenue(server: &Server, account: &str, kind: &str, amount: Option<i64>, ago: i64) {
    server.ok(Role::Admin, "mutation($input: RecordRevenueInput!) { recordRevenue(input: $input) { id } }",
        json!({"input": {"accountId": account, "kind": kind, "amountMinor": amount, "effectiveOn": day(ago)}})).await;
}

/// A signed SOW on `engagement` with 30 h in scope and 10 h T&M approved, and 7 h in scope
/// logged today on a timesheet nobody approved.
async fn hours(server: &Server, account: &str, engagement: &str, phases: &[&str]) {
    let member = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Lee Park\", email: \"lee@vendor.io\", team: SERVICES, role: SERVICES}) { teamMember { id subject } } }", json!({})).await;
    let member = &member["createTeamMember"]["teamMember"];
    let token = server.token_for(member["subject"].as_str().unwrap(), Role::Services);
    let sow = server
        .ok(
            Role::Services,
            "mutation($input: CreateSowInput!) { createSow(input: $input) { sow { id } } }",
            json!({"input": {
        "accountId": account, "engagementId": engagement,
        "fields": {"title": "Replatforming", "currency": "USD", "fixedPriceMinor": 5000000,
            "rateCard": [{"role": "Developer", "hourlyRateMinor": 15000}],
            "scope": [{"deliverable": "Checkout live", "estimatedHours": 60, "phaseId": phases[0]},
                      {"deliverable": "Search live", "estimatedHours": 40, "phaseId": phases[1]}],
            "tmHoursCap": 20}}}),
        )
        .await;
    let sow = id_of(&sow, &["createSow", "sow", "id"]);
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
    let log = "mutation($input: LogTimeInput!) { logTime(input: $input) { timeEntry { id } } }";
    let monday = monday_weeks_ago(2);
    for (offset, hours, kind) in [
        (0, 8, "IN_SCOPE"),
        (1, 8, "IN_SCOPE"),
        (2, 8, "IN_SCOPE"),
        (3, 6, "IN_SCOPE"),
        (4, 10, "TIME_AND_MATERIALS"),
    ] {
        let (_, body) = server
            .post(
                &token,
                log,
                json!({"input": {"sowId": sow, "role": "Developer", "hours": hours, "kind": kind,
            "workedOn": (monday + Days::new(offset)).to_string()}}),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let sheets = server.ok(Role::Viewer, "query($m: [ID!]) { timesheets(teamMemberIds: $m, statuses: [DRAFT]) { id version hours } }", json!({"m": [member["id"]]})).await;
    let sheets = sheets["timesheets"].as_array().unwrap().clone();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    assert_eq!(sheets[0]["hours"], 40.0);
    let (_, body) = server.post(&token, "mutation($id: ID!, $v: Int!) { submitTimesheet(input: {id: $id, version: $v}) { version } }", json!({"id": sheets[0]["id"], "v": sheets[0]["version"]})).await;
    let v = body["data"]["submitTimesheet"]["version"].clone();
    server.ok(Role::Admin, "mutation($id: ID!, $v: Int!) { approveTimesheet(input: {id: $id, version: $v}) { status } }", json!({"id": sheets[0]["id"], "v": v})).await;
    // Logged, not approved: not spent.
    let (_, body) = server.post(&token, log, json!({"input": {"sowId": sow, "role": "Developer", "hours": 7, "kind": "IN_SCOPE", "workedOn": day(0)}})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

struct Fixture {
    acme: String,
    churner: String,
    replatforming: String,
    optimization: String,
    catalog: String,
}

async fn fixture(server: &Server) -> Fixture {
    let acme = create_account(server, "Acme").await;
    let churner = create_account(server, "Churner").await;

    let replatforming = engagement(server, &acme, "Replatforming").await;
    let checkout = phase(server, &replatforming, "Checkout").await;
    let search = phase(server, &replatforming, "Search").await;
    phase(server, &replatforming, "Apparel").await;
    let conversion = goal(server, &acme, "Lift conversion", "ACHIEVED").await;
    let returns = goal(server, &acme, "Cut returns", "ON_TRACK").await;
    goal(server, &acme, "Grow AOV", "ON_TRACK").await;
    server.ok(Role::Services, "mutation($input: LinkPhaseGoalsInput!) { linkPhaseGoals(input: $input) { phase { version } } }",
        json!({"input": {"phaseId": checkout, "version": 1, "goalIds": [conversion]}})).await;
    move_phase(
        server,
        &checkout,
        2,
        &[("IN_PROGRESS", 130), ("DELIVERED", 105), ("ACCEPTED", 100)],
        Some("Conversion 2.1 % → 2.6 %"),
    )
    .await;
    move_phase(
        server,
        &search,
        1,
        &[("IN_PROGRESS", 80), ("DELIVERED", 65), ("ACCEPTED", 60)],
        None,
    )
    .await;
    server.ok(Role::CsManager, "mutation($id: ID!) { updateGoal(input: {id: $id, version: 1, status: MISSED}) { goal { status } } }", json!({"id": returns})).await;
    hours(server, &acme, &replatforming, &[&checkout, &search]).await;

    let optimization = engagement(server, &acme, "Optimization").await;
    let audit = phase(server, &optimization, "Audit").await;
    move_phase(server, &audit, 1, &[("IN_PROGRESS", 20)], None).await;

    let catalog = engagement(server, &churner, "Catalog").await;
    let model = phase(server, &catalog, "Catalog model").await;
    move_phase(
        server,
        &model,
        1,
        &[("IN_PROGRESS", 140), ("DELIVERED", 125), ("ACCEPTED", 120)],
        None,
    )
    .await;

    revenue(server, &acme, "NEW", Some(100_000), 200).await;
    revenue(server, &acme, "EXPANSION", Some(20_000), 100).await;
    revenue(server, &acme, "EXPANSION", Some(15_000), 70).await;
    revenue(server, &acme, "CONTRACTION", Some(5_000), 30).await;
    revenue(server, &acme, "EXPANSION", Some(2_000), 10).await;
    revenue(server, &acme, "EXPANSION", Some(8_000), 5).await;
    revenue(server, &churner, "NEW", Some(50_000), 300).await;
    revenue(server, &churner, "CONTRACTION", Some(10_000), 90).await;
    revenue(server, &churner, "CHURN", None, 40).await;

    crate::outcomes::scores(
        server,
        &acme,
        &[
            (110, 12, 50.0),
            (90, 12, 60.0),
            (50, 12, 75.0),
            (45, 12, 80.0),
            (15, 12, 35.0),
        ],
    )
    .await;

    let draft = server.ok(Role::Services, "mutation($a: ID!, $t: CatalogProductTypeInput!) { putCatalogProductType(draft: {accountId: $a, version: 0}, productType: $t) { draft { version } } }",
        json!({"a": acme, "t": {"key": "tee", "name": "T-shirt", "attributes": []}})).await;
    let v = draft["putCatalogProductType"]["draft"]["version"].clone();
    server.ok(Role::Services, "mutation($a: ID!, $v: Int!) { publishCatalogModel(draft: {accountId: $a, version: $v}) { number } }", json!({"a": acme, "v": v})).await;

    Fixture {
        acme,
        churner,
        replatforming,
        optimization,
        catalog,
    }
}

db_test! {
    async fn engagement_outcomes_match_the_hand_computed_fixture(db) {
        let server = Server::start(&db).await;
        let f = fixture(&server).await;

        // Replatforming: started d130 (Checkout), first value d100: 30 days. Approved hours
        // 30 + 10 = 40, T&M 10 (25 %); the 7 unapproved hours do not count. MRR over the union
        // (d100, today], each movement once: expansion 15,000 + 2,000 + 8,000, contraction
        // 5,000 (in both windows, counted once), net 20,000. Search's window still runs.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": f.replatforming})).await["engagement"]["outcome"].clone();
        assert_eq!(o, json!({
            "startedOn": day(130), "firstAcceptedOn": day(100), "timeToFirstValueDays": 30,
            "acceptedPhases": 2, "hoursSpent": 40.0, "tmHours": 10.0, "tmSharePercent": 25.0,
            "revenueWindowComplete": false, "revenueDays": 100,
            "expansion": usd(25_000), "contraction": usd(5_000), "churn": usd(0), "netMrrMovement": usd(20_000)}));

        // Optimization: started, nothing accepted — every figure that needs an acceptance is
        // null, and no hours are spent.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": f.optimization})).await["engagement"]["outcome"].clone();
        assert_eq!(o, json!({
            "startedOn": day(20), "firstAcceptedOn": null, "timeToFirstValueDays": null,
            "acceptedPhases": 0, "hoursSpent": 0.0, "tmHours": 0.0, "tmSharePercent": null,
            "revenueWindowComplete": null, "revenueDays": null,
            "expansion": null, "contraction": null, "churn": null, "netMrrMovement": null}));

        // Catalog, on the churner: started d140, accepted d120 (20 days). Over (d120, d30] it
        // contracted by 10,000 and churned the other 40,000: net −50,000; the window is complete.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": f.catalog})).await["engagement"]["outcome"].clone();
        assert_eq!(o, json!({
            "startedOn": day(140), "firstAcceptedOn": day(120), "timeToFirstValueDays": 20,
            "acceptedPhases": 1, "hoursSpent": 0.0, "tmHours": 0.0, "tmSharePercent": null,
            "revenueWindowComplete": true, "revenueDays": 90,
            "expansion": usd(0), "contraction": usd(10_000), "churn": usd(40_000), "netMrrMovement": usd(-50_000)}));

        // PRODUCT and VIEWER see the delivery figures, not money: each money field is null with
        // FORBIDDEN at its path.
        for role in [Role::Product, Role::Viewer] {
            let (_, body) = server.post(&server.token(role), OUTCOME, json!({"id": f.replatforming})).await;
            let o = &body["data"]["engagement"]["outcome"];
            assert_eq!(o["timeToFirstValueDays"], 30, "{role}: {body}");
            assert_eq!(o["tmSharePercent"], 25.0, "{role}");
            for field in ["expansion", "contraction", "churn", "netMrrMovement"] {
                assert_eq!(o[field], Value::Null, "{role} {field}");
            }
            let errors = body["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 4, "{body}");
            assert!(errors.iter().all(|e| e["extensions"]["code"] == "FORBIDDEN"), "{body}");
        }
        // INTEGRATION reads no outcome at all.
        let (_, body) = server.post(&server.token(Role::Integration), OUTCOME, json!({"id": f.catalog})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");

        // A page of engagements costs a fixed number of statements, not some per engagement.
        let page = "query { engagements(first: 10) { nodes { name outcome { startedOn timeToFirstValueDays hoursSpent tmSharePercent revenueDays netMrrMovement { amountMinor } churn { amountMinor } } } } }";
        let (data, cost) = server.ok_with_cost(Role::Admin, page, json!({})).await;
        eprintln!("outcomes of a page of engagements: {cost} statements");
        let nodes = data["engagements"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3);
        let churn: Vec<&Value> = nodes.iter().map(|n| &n["outcome"]["churn"]).collect();
        assert!(churn.contains(&&json!({"amountMinor": 40_000})), "{data}");
        // The page and the three outcome statements (phases, hours, revenue), with room for a
        // batch split in two on a loaded machine; per engagement it would be 3 × 3 more.
        assert!(cost <= 7, "outcomes of a page of engagements ran {cost} statements");
        server.stop().await;
    }
}

/// An entry as (on, kind, summary).
fn line(e: &Value) -> (String, String, String) {
    (
        e["on"].as_str().unwrap().to_owned(),
        e["kind"].as_str().unwrap().to_owned(),
        e["summary"].as_str().unwrap().to_owned(),
    )
}

fn lines(data: &Value) -> Vec<(String, String, String)> {
    data["account"]["valueTimeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(line)
        .collect()
}

fn l(ago: i64, kind: &str, summary: &str) -> (String, String, String) {
    (day(ago), kind.to_owned(), summary.to_owned())
}

db_test! {
    async fn the_value_timeline_matches_the_hand_computed_fixture(db) {
        let server = Server::start(&db).await;
        let f = fixture(&server).await;

        // Newest first; on one day, the reverse of the kinds' order.
        let all = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme})).await;
        let expected = vec![
            l(0, "CATALOG_VERSION_PUBLISHED", "Catalog model version 1 published"),
            l(0, "GOAL_MISSED", "Goal 'Cut returns' missed"),
            l(0, "GOAL_ACHIEVED", "Goal 'Lift conversion' achieved"),
            l(5, "REVENUE_MOVEMENT", "MRR expansion"),
            l(10, "REVENUE_MOVEMENT", "MRR expansion"),
            l(15, "HEALTH_STATUS_CHANGED", "Health HEALTHY → CRITICAL (score 35)"),
            l(30, "REVENUE_MOVEMENT", "MRR contraction"),
            l(50, "HEALTH_STATUS_CHANGED", "Health AT_RISK → HEALTHY (score 75)"),
            l(60, "PHASE_ACCEPTED", "Phase 'Search' of 'Replatforming' accepted"),
            l(65, "PHASE_DELIVERED", "Phase 'Search' of 'Replatforming' delivered"),
            l(70, "REVENUE_MOVEMENT", "MRR expansion"),
            l(100, "REVENUE_MOVEMENT", "MRR expansion"),
            l(100, "PHASE_ACCEPTED", "Phase 'Checkout' of 'Replatforming' accepted; realised: Conversion 2.1 % → 2.6 %"),
            l(105, "PHASE_DELIVERED", "Phase 'Checkout' of 'Replatforming' delivered"),
            l(110, "HEALTH_STATUS_CHANGED", "First health score: AT_RISK (score 50)"),
            l(200, "REVENUE_MOVEMENT", "New MRR"),
        ];
        assert_eq!(lines(&all), expected);
        let entries = all["account"]["valueTimeline"].as_array().unwrap();
        // Typed details.
        assert_eq!(entries[0]["detail"], json!({"__typename": "CatalogValueDetail", "number": 1}));
        assert_eq!(entries[1]["detail"], json!({"__typename": "GoalValueDetail", "title": "Cut returns", "goal": {"title": "Cut returns", "status": "MISSED"}}));
        assert_eq!(entries[5]["detail"], json!({"__typename": "HealthValueDetail", "from": "HEALTHY", "to": "CRITICAL", "score": 35.0}));
        assert_eq!(entries[14]["detail"], json!({"__typename": "HealthValueDetail", "from": null, "to": "AT_RISK", "score": 50.0}));
        assert_eq!(entries[6]["detail"], json!({"__typename": "RevenueValueDetail", "kind": "CONTRACTION", "amount": usd(-5_000)}));
        assert_eq!(entries[11]["detail"]["amount"], usd(20_000));
        assert_eq!(entries[12]["detail"], json!({"__typename": "PhaseValueDetail", "phaseName": "Checkout", "engagementName": "Replatforming",
            "realisedValue": "Conversion 2.1 % → 2.6 %", "phase": {"name": "Checkout", "status": "ACCEPTED"}, "engagement": {"name": "Replatforming"}}));
        assert_eq!(entries[13]["detail"]["realisedValue"], Value::Null, "a delivery realises nothing yet");

        // Kinds narrow it; a range keeps both of its ends; `first` keeps the newest.
        let accepted = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "kinds": ["PHASE_ACCEPTED", "GOAL_ACHIEVED"]})).await;
        assert_eq!(lines(&accepted), vec![expected[2].clone(), expected[8].clone(), expected[12].clone()]);
        let range = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "from": day(70), "to": day(10)})).await;
        assert_eq!(lines(&range), expected[4..=10].to_vec());
        let one_day = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "from": day(100), "to": day(100)})).await;
        assert_eq!(lines(&one_day), expected[11..=12].to_vec());
        let open_end = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "from": day(15)})).await;
        assert_eq!(lines(&open_end), expected[..=5].to_vec());
        let newest = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "first": 3, "to": day(1)})).await;
        assert_eq!(lines(&newest), expected[3..6].to_vec());
        let none = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "first": 0})).await;
        assert_eq!(lines(&none), vec![]);
        let most = server.ok(Role::CsManager, TIMELINE, json!({"a": f.acme, "first": 500})).await;
        assert_eq!(lines(&most).len(), 16);

        // The churner: delivered and accepted, then contracted and churned.
        let churner = server.ok(Role::CsManager, TIMELINE, json!({"a": f.churner})).await;
        assert_eq!(lines(&churner), vec![
            l(40, "REVENUE_MOVEMENT", "Churn: MRR to zero"),
            l(90, "REVENUE_MOVEMENT", "MRR contraction"),
            l(120, "PHASE_ACCEPTED", "Phase 'Catalog model' of 'Catalog' accepted"),
            l(125, "PHASE_DELIVERED", "Phase 'Catalog model' of 'Catalog' delivered"),
            l(300, "REVENUE_MOVEMENT", "New MRR"),
        ]);
        assert_eq!(churner["account"]["valueTimeline"][0]["detail"]["amount"], usd(-40_000));

        // PRODUCT and VIEWER read the same entries; amounts are null, without an error.
        for role in [Role::Product, Role::Viewer] {
            let (_, body) = server.post(&server.token(role), TIMELINE, json!({"a": f.acme})).await;
            assert!(body.get("errors").is_none(), "{role}: {body}");
            assert_eq!(lines(&body["data"]), expected, "{role}");
            let entries = body["data"]["account"]["valueTimeline"].as_array().unwrap();
            for e in entries.iter().filter(|e| e["kind"] == "REVENUE_MOVEMENT") {
                assert_eq!(e["detail"]["amount"], Value::Null, "{role}");
                assert!(e["detail"]["kind"].is_string(), "{role}");
            }
        }

        // Bad reads are the caller's to fix; INTEGRATION reads no timeline.
        for (vars, field) in [
            (json!({"a": f.acme, "first": 501}), "first"),
            (json!({"a": f.acme, "first": -1}), "first"),
            (json!({"a": f.acme, "from": day(10), "to": day(70)}), "from"),
        ] {
            let (_, body) = server.post(&server.token(Role::CsManager), TIMELINE, vars).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        }
        let (code, _) = server.error(Role::Integration, TIMELINE, json!({"a": f.acme})).await;
        assert_eq!(code, "FORBIDDEN");

        // One statement for the list, whatever its length, on top of reading the account; the
        // details' phases, engagements and goals through one loader batch each (the fewest
        // statements of three runs: see `ok_with_cost`).
        let cost = |query: &'static str| {
            let server = &server;
            let a = f.acme.clone();
            async move { server.ok_with_cost(Role::CsManager, query, json!({"a": a})).await.1 }
        };
        let account = cost("query($a: ID!) { account(id: $a) { name } }").await;
        let bare = cost("query($a: ID!) { account(id: $a) { valueTimeline { on kind summary } } }").await;
        let detailed = cost(TIMELINE).await;
        eprintln!("value timeline: account {account}, bare {bare}, with details {detailed} statements");
        assert_eq!(bare, account + 1, "the bare timeline ran {bare} statements");
        // Phases, engagements and goals: 3, with room for a batch split on a loaded machine.
        assert!(detailed <= bare + 3 + 2, "the detailed timeline ran {detailed} statements");
        server.stop().await;
    }
}
