//! Outcomes of phases, through GraphQL: the goals a phase serves (goals of its own account
//! only), the value it realised on acceptance, and what followed on its account — health at
//! acceptance and 30/60/90 days later, goal statuses, MRR movements in the 90 days after —
//! against a hand-computed fixture placed at dates relative to today.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_domain::health::{HealthStatus, ImportedScore, Score};
use tandem_domain::ids::{AccountId, HealthModelId};
use tandem_persistence::health::score::import_scores;
use tandem_tests::db_test;

use crate::support::{Server, create_account, decode_id};

const PHASE_STATUS: &str = "mutation($input: ChangePhaseStatusInput!) { changePhaseStatus(input: $input) { phase { version status acceptedOn realisedValue } } }";
const LINK_GOALS: &str = "mutation($input: LinkPhaseGoalsInput!) { linkPhaseGoals(input: $input) { phase { version goals { title } goal { title } } } }";
const REVENUE: &str =
    "mutation($input: RecordRevenueInput!) { recordRevenue(input: $input) { id } }";
const OUTCOME: &str = "query($id: ID!) { phase(id: $id) { realisedValue expectedValue outcome {
  acceptedOn
  healthAtAcceptance { score status } health30 { score status } health60 { score status } health90 { score status }
  goals { goal { title } status }
  revenueThrough revenueWindowComplete
  expansion { amountMinor currency } contraction { amountMinor currency } churn { amountMinor currency } netMrrMovement { amountMinor currency }
} } }";

pub(crate) fn days_ago(n: i64) -> NaiveDate {
    Utc::now().date_naive() - Duration::days(n)
}

pub(crate) fn day(n: i64) -> String {
    days_ago(n).to_string()
}

pub(crate) async fn engagement(server: &Server, account: &str) -> String {
    let e = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"Replatforming\"}) { engagement { id } } }", json!({"a": account})).await;
    let id = e["createEngagement"]["engagement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    server.ok(Role::Services, "mutation($id: ID!) { changeEngagementStatus(input: {id: $id, version: 1, status: ACTIVE}) { engagement { status } } }", json!({"id": id})).await;
    id
}

pub(crate) async fn phase(server: &Server, engagement: &str, name: &str) -> String {
    let p = server.ok(Role::Services, "mutation($e: ID!, $n: String!) { addPhase(input: {engagementId: $e, name: $n, focus: $n, expectedValue: \"Faster checkout\"}) { phase { id } } }",
        json!({"e": engagement, "n": name})).await;
    p["addPhase"]["phase"]["id"].as_str().unwrap().to_owned()
}

pub(crate) async fn goal(server: &Server, account: &str, title: &str, status: &str) -> String {
    let g = server.ok(Role::CsManager, "mutation($a: ID!, $t: String!, $s: GoalStatus) { createGoal(input: {accountId: $a, title: $t, status: $s}) { goal { id } } }",
        json!({"a": account, "t": title, "s": status})).await;
    g["createGoal"]["goal"]["id"].as_str().unwrap().to_owned()
}

/// Starts, delivers and accepts a phase at version `version`, accepted `accepted` days ago;
/// returns the acceptance's `phase`.
pub(crate) async fn accept(
    server: &Server,
    phase: &str,
    version: i32,
    accepted: i64,
    realised: Option<&str>,
) -> Value {
    let mut v = version;
    for (status, ago) in [("IN_PROGRESS", accepted + 30), ("DELIVERED", accepted + 5)] {
        server
            .ok(
                Role::Services,
                PHASE_STATUS,
                json!({"input": {"id": phase, "version": v, "status": status, "on": day(ago)}}),
            )
            .await;
        v += 1;
    }
    server.ok(Role::Services, PHASE_STATUS, json!({"input": {"id": phase, "version": v, "status": "ACCEPTED", "on": day(accepted), "realisedValue": realised}}))
        .await["changePhaseStatus"]["phase"].clone()
}

pub(crate) async fn revenue(
    server: &Server,
    account: &str,
    kind: &str,
    amount: Option<i64>,
    ago: i64,
) {
    server.ok(Role::Admin, REVENUE, json!({"input": {"accountId": account, "kind": kind, "amountMinor": amount, "effectiveOn": day(ago)}})).await;
}

/// Health scores of `account`, each (days ago, hour UTC, score), stored as history.
pub(crate) async fn scores(server: &Server, account: &str, points: &[(i64, u32, f64)]) {
    let id = AccountId(decode_id(account));
    let scores: Vec<ImportedScore> = points
        .iter()
        .map(|(ago, hour, value)| ImportedScore {
            account_id: id,
            model_id: HealthModelId(tandem_migrations::DEFAULT_MODEL_ID.parse().unwrap()),
            model_version: 1,
            score: Score {
                value: *value,
                status: if *value >= 70.0 {
                    HealthStatus::Healthy
                } else if *value >= 40.0 {
                    HealthStatus::AtRisk
                } else {
                    HealthStatus::Critical
                },
                breakdown: Vec::new(),
            },
            computed_at: days_ago(*ago)
                .and_time(NaiveTime::from_hms_opt(*hour, 30, 0).unwrap())
                .and_utc(),
        })
        .collect();
    import_scores(&server.store, &scores).await.unwrap();
}

pub(crate) fn usd(minor: i64) -> Value {
    json!({"amountMinor": minor, "currency": "USD"})
}

db_test! {
    async fn a_phase_serves_goals_of_its_own_account_only(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let b = create_account(&server, "Other").await;
        let e = engagement(&server, &a).await;
        let p = phase(&server, &e, "Checkout").await;
        let conversion = goal(&server, &a, "Lift conversion", "ON_TRACK").await;
        let returns = goal(&server, &a, "Cut returns", "NOT_STARTED").await;
        let foreign = goal(&server, &b, "Someone else's", "ON_TRACK").await;

        // A goal of another account is refused, naming it by its place in the list.
        let (_, body) = server.post(&server.token(Role::Services), LINK_GOALS,
            json!({"input": {"phaseId": p, "version": 1, "goalIds": [conversion, foreign]}})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.goalIds[1]", "{body}");

        // Two goals (repeats ignored); the deprecated single goal is the first of them by id.
        let linked = server.ok(Role::Services, LINK_GOALS,
            json!({"input": {"phaseId": p, "version": 1, "goalIds": [returns, conversion, returns]}})).await;
        let phase = &linked["linkPhaseGoals"]["phase"];
        assert_eq!(phase["version"], 2);
        let mut titles: Vec<&str> = phase["goals"].as_array().unwrap().iter().map(|g| g["title"].as_str().unwrap()).collect();
        titles.sort();
        assert_eq!(titles, ["Cut returns", "Lift conversion"]);
        assert_eq!(phase["goal"], phase["goals"][0]);
        // The same set again changes nothing.
        let same = server.ok(Role::Services, LINK_GOALS, json!({"input": {"phaseId": p, "version": 2, "goalIds": [conversion, returns]}})).await;
        assert_eq!(same["linkPhaseGoals"]["phase"]["version"], 2);

        // The empty list clears; the deprecated linkPhaseGoal adds one to the set.
        let cleared = server.ok(Role::Services, LINK_GOALS, json!({"input": {"phaseId": p, "version": 2, "goalIds": []}})).await;
        assert_eq!(cleared["linkPhaseGoals"]["phase"], json!({"version": 3, "goals": [], "goal": null}));
        let add = "mutation($p: ID!, $v: Int!, $g: ID) { linkPhaseGoal(phaseId: $p, version: $v, goalId: $g) { phase { version goals { title } } } }";
        server.ok(Role::Services, add, json!({"p": p, "v": 3, "g": returns})).await;
        let added = server.ok(Role::Services, add, json!({"p": p, "v": 4, "g": conversion})).await;
        assert_eq!(added["linkPhaseGoal"]["phase"]["goals"].as_array().unwrap().len(), 2);
        let (code, _) = server.error(Role::Product, LINK_GOALS, json!({"input": {"phaseId": p, "version": 5, "goalIds": []}})).await;
        assert_eq!(code, "FORBIDDEN");

        // Each change is a PHASE_UPDATED event with the old and new sets.
        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [PHASE_UPDATED]) { edges { node { changes { field before after } } } } }", json!({"a": a})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 4);
        let first = edges[0]["node"]["changes"].as_array().unwrap();
        assert_eq!(first.iter().map(|c| c["field"].as_str().unwrap()).collect::<Vec<_>>(), ["goalId", "goalIds"]);
        assert_eq!(first[1]["before"], json!([]));
        assert_eq!(first[1]["after"].as_array().unwrap().len(), 2);
        server.stop().await;
    }
}

db_test! {
    async fn acceptance_records_the_realised_value_as_an_event(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let e = engagement(&server, &a).await;
        let p = phase(&server, &e, "Checkout").await;
        // A realised value belongs to acceptance, not to any other move.
        let (_, body) = server.post(&server.token(Role::Services), PHASE_STATUS,
            json!({"input": {"id": p, "version": 1, "status": "IN_PROGRESS", "on": day(20), "realisedValue": "early"}})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.realisedValue", "{body}");
        let record = "mutation($p: ID!, $v: Int!, $r: String!) { recordRealisedValue(input: {phaseId: $p, version: $v, realisedValue: $r}) { phase { version realisedValue } } }";
        let (code, _) = server.error(Role::Services, record, json!({"p": p, "v": 1, "r": "too soon"})).await;
        assert_eq!(code, "CONFLICT");

        let accepted = accept(&server, &p, 1, 10, Some("Conversion 2.1 % → 2.6 %")).await;
        assert_eq!(accepted, json!({"version": 4, "status": "ACCEPTED", "acceptedOn": day(10), "realisedValue": "Conversion 2.1 % → 2.6 %"}));
        let corrected = server.ok(Role::Services, record, json!({"p": p, "v": 4, "r": "Conversion 2.1 % → 2.7 %"})).await;
        assert_eq!(corrected["recordRealisedValue"]["phase"], json!({"version": 5, "realisedValue": "Conversion 2.1 % → 2.7 %"}));

        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [PHASE_STATUS_CHANGED, PHASE_UPDATED]) { edges { node { kind changes { field before after } } } } }", json!({"a": a})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        let acceptance = &edges[edges.len() - 2]["node"];
        assert_eq!(acceptance["kind"], "PHASE_STATUS_CHANGED");
        assert_eq!(acceptance["changes"][1], json!({"field": "realisedValue", "before": null, "after": "Conversion 2.1 % → 2.6 %"}));
        let correction = &edges[edges.len() - 1]["node"];
        assert_eq!(correction["kind"], "PHASE_UPDATED");
        assert_eq!(correction["changes"][0]["after"], "Conversion 2.1 % → 2.7 %");
        server.stop().await;
    }
}

db_test! {
    async fn outcomes_match_the_hand_computed_fixture(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let b = create_account(&server, "Churner").await;
        let ea = engagement(&server, &a).await;
        let eb = engagement(&server, &b).await;
        let checkout = phase(&server, &ea, "Checkout").await; // two goals, accepted 100 days ago
        let search = phase(&server, &ea, "Search").await; // no goal, accepted 45 days ago
        let catalog = phase(&server, &eb, "Catalog").await; // its account churns after acceptance
        let planned = phase(&server, &ea, "Apparel").await; // never accepted
        let conversion = goal(&server, &a, "Lift conversion", "ON_TRACK").await;
        let returns = goal(&server, &a, "Cut returns", "ACHIEVED").await;
        server.ok(Role::Services, LINK_GOALS, json!({"input": {"phaseId": checkout, "version": 1, "goalIds": [conversion, returns]}})).await;
        accept(&server, &checkout, 2, 100, Some("Conversion 2.1 % → 2.6 %")).await;
        accept(&server, &search, 1, 45, None).await;
        accept(&server, &catalog, 1, 100, None).await;

        // Acme's health: (days ago, hour, score).
        scores(&server, &a, &[(120, 12, 50.0), (100, 9, 55.0), (99, 0, 58.0), (75, 12, 62.0), (50, 12, 66.0),
            (45, 12, 68.0), (20, 12, 72.0), (12, 12, 75.0), (5, 12, 80.0)]).await;
        // The churner has no score before acceptance, one after.
        scores(&server, &b, &[(90, 12, 40.0)]).await;

        // Acme's revenue.
        revenue(&server, &a, "NEW", Some(100_000), 200).await;
        revenue(&server, &a, "EXPANSION", Some(20_000), 100).await; // on Checkout's acceptance day: before its window
        revenue(&server, &a, "EXPANSION", Some(15_000), 60).await;
        revenue(&server, &a, "CONTRACTION", Some(5_000), 30).await;
        revenue(&server, &a, "EXPANSION", Some(2_000), 10).await; // the last day of Checkout's window
        revenue(&server, &a, "EXPANSION", Some(8_000), 5).await;
        // The churner contracts, then leaves.
        revenue(&server, &b, "NEW", Some(50_000), 300).await;
        revenue(&server, &b, "CONTRACTION", Some(10_000), 80).await;
        revenue(&server, &b, "CHURN", None, 40).await;

        // Checkout, accepted 100 days ago: health on that day is 55 (58 came after midnight);
        // +30 (70 days ago) the latest is 62 (75 days ago); +60 (40 days ago) 68 (45 days ago);
        // +90 (10 days ago) 75 (12 days ago). Revenue over (100, 10] days ago: expansion
        // 15,000 + 2,000, contraction 5,000; net 12,000. The window is complete.
        let read = server.ok(Role::CsManager, OUTCOME, json!({"id": checkout})).await;
        assert_eq!(read["phase"]["realisedValue"], "Conversion 2.1 % → 2.6 %");
        assert_eq!(read["phase"]["expectedValue"], "Faster checkout");
        let o = &read["phase"]["outcome"];
        assert_eq!(o["acceptedOn"], day(100));
        assert_eq!(o["healthAtAcceptance"], json!({"score": 55.0, "status": "AT_RISK"}));
        assert_eq!(o["health30"], json!({"score": 62.0, "status": "AT_RISK"}));
        assert_eq!(o["health60"], json!({"score": 68.0, "status": "AT_RISK"}));
        assert_eq!(o["health90"], json!({"score": 75.0, "status": "HEALTHY"}));
        let mut goals: Vec<(String, String)> = o["goals"].as_array().unwrap().iter()
            .map(|g| (g["goal"]["title"].as_str().unwrap().to_owned(), g["status"].as_str().unwrap().to_owned())).collect();
        goals.sort();
        assert_eq!(goals, [("Cut returns".to_owned(), "ACHIEVED".to_owned()), ("Lift conversion".to_owned(), "ON_TRACK".to_owned())]);
        assert_eq!((o["revenueThrough"].as_str(), o["revenueWindowComplete"].as_bool()), (Some(day(10).as_str()), Some(true)));
        assert_eq!((&o["expansion"], &o["contraction"], &o["churn"], &o["netMrrMovement"]),
            (&usd(17_000), &usd(5_000), &usd(0), &usd(12_000)));

        // Search, accepted 45 days ago, no goal: health 68 then, 72 at +30 (15 days ago; the
        // latest is 20 days ago); 60 and 90 days have not passed. Revenue over (45, 0] days
        // ago, a partial window: expansion 2,000 + 8,000, contraction 5,000; net 5,000.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": search})).await["phase"]["outcome"].clone();
        assert_eq!(o["healthAtAcceptance"]["score"], 68.0);
        assert_eq!(o["health30"]["score"], 72.0);
        assert_eq!((&o["health60"], &o["health90"]), (&Value::Null, &Value::Null));
        assert_eq!(o["goals"], json!([]));
        assert_eq!((o["revenueThrough"].as_str(), o["revenueWindowComplete"].as_bool()), (Some(day(0).as_str()), Some(false)));
        assert_eq!((&o["expansion"], &o["contraction"], &o["churn"], &o["netMrrMovement"]),
            (&usd(10_000), &usd(5_000), &usd(0), &usd(5_000)));

        // Catalog, accepted 100 days ago on the churner: no score by then; 40 at every
        // checkpoint. Over (100, 10] days ago it contracted by 10,000 and churned the other
        // 40,000: net −50,000.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": catalog})).await["phase"]["outcome"].clone();
        assert_eq!(o["healthAtAcceptance"], Value::Null);
        assert_eq!([&o["health30"]["score"], &o["health60"]["score"], &o["health90"]["score"]], [&json!(40.0), &json!(40.0), &json!(40.0)]);
        assert_eq!((&o["expansion"], &o["contraction"], &o["churn"], &o["netMrrMovement"]),
            (&usd(0), &usd(10_000), &usd(40_000), &usd(-50_000)));

        // No outcome before acceptance.
        let o = server.ok(Role::CsManager, OUTCOME, json!({"id": planned})).await;
        assert_eq!(o["phase"]["outcome"], Value::Null);

        // VIEWER sees health and goals, not money: each money field is null with FORBIDDEN.
        let (_, body) = server.post(&server.token(Role::Viewer), OUTCOME, json!({"id": checkout})).await;
        let o = &body["data"]["phase"]["outcome"];
        assert_eq!(o["health90"]["score"], 75.0);
        for field in ["expansion", "contraction", "churn", "netMrrMovement"] {
            assert_eq!(o[field], Value::Null, "{field}");
        }
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 4, "{body}");
        assert!(errors.iter().all(|e| e["extensions"]["code"] == "FORBIDDEN"), "{body}");

        // A page of phases costs one statement per figure kind, not one per phase.
        let page = "query { engagements(first: 10) { nodes { phases { outcome { healthAtAcceptance { score } health30 { score } health90 { score } goals { status } netMrrMovement { amountMinor } churn { amountMinor } } } } } }";
        let (data, cost) = server.ok_with_cost(Role::Admin, page, json!({})).await;
        eprintln!("outcomes of a page of phases: {cost} statements");
        let phases: Vec<&Value> = data["engagements"]["nodes"].as_array().unwrap().iter().flat_map(|e| e["phases"].as_array().unwrap()).collect();
        assert_eq!(phases.len(), 4);
        assert_eq!(phases[2]["outcome"], Value::Null);
        assert_eq!(phases[3]["outcome"]["churn"]["amountMinor"], 40_000);
        // Page, phases, engagements (for the account), health, goals, revenue: 6 (seen: 6),
        // with room for a level split across two batches on a loaded machine. Per phase, the
        // three figure kinds of the three accepted phases would cost 9 more.
        assert!(cost <= 9, "outcomes of a page of phases ran {cost} statements");
        server.stop().await;
    }
}
