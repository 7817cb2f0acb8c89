//! Customer health and the figures, through GraphQL alone: signals in (usage, revenue, surveys,
//! tickets, billing, goals), health scores with their breakdown and trend, segments, the
//! figures against a hand-computed fixture, the portfolio, and who may see what.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const REVENUE: &str = "mutation($input: RecordRevenueInput!) { recordRevenue(input: $input) { id kind amount { amountMinor } effectiveOn recordedBy } }";
const USAGE: &str =
    "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { accepted duplicate } }";
const FIGURES: &str = "query($p: PeriodInput!, $s: SliceInput) { figures(period: $p, slice: $s) { total {
  accountsAtStart startMrr { amountMinor } mrr { amountMinor } arr { amountMinor } payingAccounts grr nrr logoChurn churnedAccounts
  expansionRevenue { amountMinor } contraction { amountMinor } churn { amountMinor } arpa { amountMinor } ltv { amountMinor }
  nps npsResponses startedAccounts activationRate reachedValue averageTimeToValueDays } } }";

async fn revenue(
    server: &Server,
    account: &str,
    kind: &str,
    amount: Option<i64>,
    on: &str,
) -> Value {
    server
        .ok(
            Role::Admin,
            REVENUE,
            json!({"input": {"accountId": account, "kind": kind, "amountMinor": amount, "effectiveOn": on}}),
        )
        .await["recordRevenue"]
        .clone()
}

async fn tagged_account(server: &Server, name: &str, tags: &[&str]) -> String {
    server
        .ok(
            Role::Admin,
            "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
            json!({"input": {"name": name, "tags": tags}}),
        )
        .await["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {actual}"));
    assert!((a - expected).abs() < 1e-9, "expected {expected}, got {a}");
}

db_test! {
    async fn usage_batches_roll_up_and_count_once(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let now = Utc::now();
        let t = |days: i64| (now - Duration::days(days)).to_rfc3339();
        let events = json!([
            {"accountId": a, "feature": "Catalog.Import", "actor": "u1", "occurredAt": t(1), "quantity": 3},
            {"accountId": a, "feature": "catalog.import", "actor": "u2", "occurredAt": t(1)},
            {"accountId": a, "feature": "orders.sync", "actor": "u1", "occurredAt": t(2)},
        ]);
        let done = server.ok(Role::Integration, USAGE, json!({"input": {"events": events, "idempotencyKey": "batch-1"}})).await;
        assert_eq!(done["recordUsage"], json!({"accepted": 3, "duplicate": false}));
        // A retry with the same key is not counted again.
        let again = server.ok(Role::Integration, USAGE, json!({"input": {"events": events, "idempotencyKey": "batch-1"}})).await;
        assert_eq!(again["recordUsage"], json!({"accepted": 3, "duplicate": true}));
        // The same key for other events is a conflict.
        let other = json!([{"accountId": a, "feature": "x", "actor": "u1", "occurredAt": t(1)}]);
        let (code, message) = server.error(Role::Integration, USAGE, json!({"input": {"events": other, "idempotencyKey": "batch-1"}})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        // One bad event refuses the batch, naming it; nothing is written.
        let bad = json!([
            {"accountId": a, "feature": "ok", "actor": "u1", "occurredAt": t(1)},
            {"accountId": a, "feature": "not ok!", "actor": "u1", "occurredAt": t(1)},
        ]);
        let (code, message) = server.error(Role::Integration, USAGE, json!({"input": {"events": bad}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("events[1].feature"), "{message}");
        let archived = create_account(&server, "Gone").await;
        server.ok(Role::Admin, "mutation($id: ID!) { archiveAccount(input: {id: $id, version: 1}) { account { id } } }", json!({"id": archived})).await;
        let mixed = json!([
            {"accountId": a, "feature": "ok", "actor": "u1", "occurredAt": t(1)},
            {"accountId": archived, "feature": "ok", "actor": "u1", "occurredAt": t(1)},
        ]);
        let (code, message) = server.error(Role::Integration, USAGE, json!({"input": {"events": mixed}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("events[1].accountId"), "{message}");
        // Reads come from the roll-ups: two days, two features, two users on day one.
        let from = (now - Duration::days(10)).date_naive().to_string();
        let to = now.date_naive().to_string();
        let data = server.ok(Role::CsManager, "query($id: ID!, $from: Date!, $to: Date!) { account(id: $id) {
            usage { activeDays30 events30 activeUsers30 lastActiveOn }
            usageByDay(from: $from, to: $to) { day events quantity activeUsers }
            featureUsage(from: $from, to: $to) { feature events quantity activeDays } } }",
            json!({"id": a, "from": from, "to": to})).await;
        let account = &data["account"];
        assert_eq!(account["usage"]["activeDays30"], 2);
        assert_eq!(account["usage"]["events30"], 3);
        assert_eq!(account["usage"]["activeUsers30"], 2);
        let days = account["usageByDay"].as_array().unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1]["events"], 2);
        assert_eq!(days[1]["quantity"], 4);
        assert_eq!(days[1]["activeUsers"], 2);
        assert_eq!(account["featureUsage"][0]["feature"], "catalog.import");
        assert_eq!(account["featureUsage"][0]["events"], 2);
        // Batches are bounded.
        let many: Vec<Value> = (0..10_001).map(|_| json!({"accountId": a, "feature": "f", "actor": "u", "occurredAt": t(1)})).collect();
        let (code, message) = server.error(Role::Integration, USAGE, json!({"input": {"events": many}})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        // Integrations write signals but do not read health or usage back.
        let (code, _) = server.error(Role::Integration, "query($id: ID!) { account(id: $id) { usage { events30 } } }", json!({"id": a})).await;
        assert_eq!(code, "FORBIDDEN");
        server.stop().await;
    }
}

db_test! {
    async fn revenue_movements_follow_the_rules_and_derive_mrr(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let (code, message) = server.error(Role::Admin, REVENUE, json!({"input": {"accountId": a, "kind": "EXPANSION", "amountMinor": 100, "effectiveOn": "2026-01-01"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("NEW"), "{message}");
        let new = revenue(&server, &a, "NEW", Some(10_000), "2026-01-01").await;
        assert_eq!(new["amount"]["amountMinor"], 10_000);
        let (code, message) = server.error(Role::Admin, REVENUE, json!({"input": {"accountId": a, "kind": "CONTRACTION", "amountMinor": 10_000, "effectiveOn": "2026-02-01"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("CHURN"), "{message}");
        let churn = revenue(&server, &a, "CHURN", None, "2026-02-01").await;
        assert_eq!(churn["amount"]["amountMinor"], -10_000);
        revenue(&server, &a, "REACTIVATION", Some(4_000), "2026-03-01").await;
        // Integrations record revenue; PRODUCT may not, and does not see money.
        let (code, _) = server.error(Role::Product, REVENUE, json!({"input": {"accountId": a, "kind": "EXPANSION", "amountMinor": 1, "effectiveOn": "2026-03-02"}})).await;
        assert_eq!(code, "FORBIDDEN");
        let by_integration = server.post(&server.token_for("billing-sync", Role::Integration), REVENUE,
            json!({"input": {"accountId": a, "kind": "EXPANSION", "amountMinor": 1_000, "effectiveOn": "2026-03-02"}})).await.1;
        assert_eq!(by_integration["data"]["recordRevenue"]["recordedBy"], "billing-sync");
        let data = server.ok(Role::Admin, "query($id: ID!) { account(id: $id) { mrr { amountMinor } revenueMovements { kind amount { amountMinor } } } }", json!({"id": a})).await;
        assert_eq!(data["account"]["mrr"]["amountMinor"], 5_000);
        assert_eq!(data["account"]["revenueMovements"].as_array().unwrap().len(), 4);
        // An integration reads back only what it wrote.
        let mine = server.post(&server.token_for("billing-sync", Role::Integration), "query($id: ID!) { account(id: $id) { revenueMovements { kind } } }", json!({"id": a})).await.1;
        assert_eq!(mine["data"]["account"]["revenueMovements"], json!([{"kind": "EXPANSION"}]));
        let events = server.ok(Role::Admin, "query($id: ID) { accountEvents(accountId: $id, kinds: [REVENUE_RECORDED]) { edges { node { changes { field after } } } } }", json!({"id": a})).await;
        assert_eq!(events["accountEvents"]["edges"].as_array().unwrap().len(), 4);
        server.stop().await;
    }
}

db_test! {
    async fn the_figures_match_the_hand_computed_fixture(db) {
        let server = Server::start(&db).await;
        // Four customers paying $1,000 in total on 2026-01-01, and one who starts in February.
        let a = tagged_account(&server, "A", &["solo"]).await;
        let b = tagged_account(&server, "B", &[]).await;
        let c = tagged_account(&server, "C", &[]).await;
        let d = tagged_account(&server, "D", &[]).await;
        let e = tagged_account(&server, "E", &[]).await;
        revenue(&server, &a, "NEW", Some(10_000), "2025-06-01").await;
        revenue(&server, &a, "EXPANSION", Some(5_000), "2026-02-01").await;
        revenue(&server, &b, "NEW", Some(20_000), "2025-07-01").await;
        revenue(&server, &b, "CONTRACTION", Some(2_000), "2026-03-01").await;
        revenue(&server, &c, "NEW", Some(30_000), "2025-08-01").await;
        revenue(&server, &c, "CHURN", None, "2026-01-15").await;
        revenue(&server, &c, "REACTIVATION", Some(10_000), "2026-03-10").await;
        revenue(&server, &d, "NEW", Some(40_000), "2025-09-01").await;
        revenue(&server, &d, "CHURN", None, "2026-02-20").await;
        revenue(&server, &e, "NEW", Some(5_000), "2026-02-01").await;
        for (account, score) in [(&a, 10), (&b, 9), (&c, 7), (&d, 3)] {
            server.ok(Role::Integration, "mutation($input: RecordSurveyResponseInput!) { recordSurveyResponse(input: $input) { id } }",
                json!({"input": {"accountId": account, "kind": "NPS", "score": score, "respondedAt": "2026-02-10T12:00:00Z"}})).await;
        }
        server.ok(Role::Admin, "mutation($input: AnalyticsSettingsInput!) { configureAnalytics(input: $input) { keyFeatures } }",
            json!({"input": {"keyFeatures": ["a", "b", "c"], "valueFeatures": ["c"], "activationMinFeatures": 2, "activationDays": 30, "grossMarginPercent": 80, "ltvCapMonths": 60}})).await;
        let usage = json!([
            {"accountId": e, "feature": "a", "actor": "u", "occurredAt": "2026-02-03T10:00:00Z"},
            {"accountId": e, "feature": "b", "actor": "u", "occurredAt": "2026-02-10T10:00:00Z"},
            {"accountId": e, "feature": "c", "actor": "u", "occurredAt": "2026-02-21T10:00:00Z"},
        ]);
        server.ok(Role::Integration, USAGE, json!({"input": {"events": usage}})).await;

        let q1 = json!({"from": "2026-01-01", "to": "2026-03-31"});
        let data = server.ok(Role::CsManager, FIGURES, json!({"p": q1})).await;
        let f = &data["figures"]["total"];
        // Cohort A, B, C, D: $1,000 at the start.
        assert_eq!(f["accountsAtStart"], 4);
        assert_eq!(f["startMrr"]["amountMinor"], 100_000);
        // GRR = (1000 − 20 − 300 − 400) / 1000; NRR adds the $50 expansion and C's $100 return.
        close(&f["grr"], 0.28);
        close(&f["nrr"], 0.43);
        // D churned and stayed out; C churned and came back within the period.
        close(&f["logoChurn"], 0.25);
        assert_eq!(f["churnedAccounts"], 1);
        assert_eq!(f["expansionRevenue"]["amountMinor"], 15_000);
        assert_eq!(f["contraction"]["amountMinor"], 2_000);
        assert_eq!(f["churn"]["amountMinor"], 70_000);
        // MRR at the end: A 150 + B 180 + C 100 + E 50.
        assert_eq!(f["mrr"]["amountMinor"], 48_000);
        assert_eq!(f["arr"]["amountMinor"], 576_000);
        assert_eq!(f["payingAccounts"], 4);
        // LTV: ARPA $250 × 80 % / ((720 / 1000) / (90 / 30.4375)) = $821.36.
        assert_eq!(f["arpa"]["amountMinor"], 25_000);
        assert_eq!(f["ltv"]["amountMinor"], 82_136);
        // NPS: 2 promoters, 1 passive, 1 detractor.
        close(&f["nps"], 25.0);
        assert_eq!(f["npsResponses"], 4);
        // E started in February, used a and b within 30 days, and c (its value event) after 20.
        assert_eq!(f["startedAccounts"], 1);
        close(&f["activationRate"], 1.0);
        assert_eq!(f["reachedValue"], 1);
        close(&f["averageTimeToValueDays"], 20.0);

        // Zero churn: A alone keeps everything, so LTV is the cap (60 months of $80 margin).
        let solo = server.ok(Role::CsManager, FIGURES, json!({"p": q1, "s": {"criteria": {"tags": ["solo"]}}})).await;
        let f = &solo["figures"]["total"];
        close(&f["grr"], 1.0);
        close(&f["nrr"], 1.5);
        close(&f["logoChurn"], 0.0);
        assert_eq!(f["ltv"]["amountMinor"], 480_000);

        // No accounts at the period's start: no retention figures, not a division by zero.
        let early = server.ok(Role::CsManager, FIGURES, json!({"p": {"from": "2025-01-01", "to": "2025-03-31"}})).await;
        let f = &early["figures"]["total"];
        assert_eq!(f["accountsAtStart"], 0);
        assert!(f["grr"].is_null() && f["nrr"].is_null() && f["logoChurn"].is_null() && f["ltv"].is_null(), "{f}");
        assert!(f["nps"].is_null());

        // Another currency is another slice.
        let eur = server.ok(Role::CsManager, FIGURES, json!({"p": q1, "s": {"currency": "EUR"}})).await;
        assert_eq!(eur["figures"]["total"]["accountsAtStart"], 0);

        // Cohorts: A's month, A at $100 then $150 from February.
        let cohorts = server.ok(Role::CsManager, "{ cohorts(from: \"2025-06-01\", to: \"2025-07-31\", months: 12) { month accounts months { monthsSinceStart payingAccounts mrr { amountMinor } revenueRetention logoRetention } } }", json!({})).await;
        let rows = cohorts["cohorts"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["month"], "2025-06-01");
        assert_eq!(rows[0]["months"][0]["mrr"]["amountMinor"], 10_000);
        close(&rows[0]["months"][8]["revenueRetention"], 1.5);
        // B (July): still $200 at February's end, $180 after March's contraction.
        close(&rows[1]["months"][7]["revenueRetention"], 1.0);
        close(&rows[1]["months"][8]["revenueRetention"], 0.9);
        assert_eq!(rows[0]["months"].as_array().unwrap().len(), 13);

        // Money is hidden from PRODUCT; NPS is not.
        let (_, body) = server.post(&server.token(Role::Product), "query($p: PeriodInput!) { figures(period: $p) { total { nps nrr } } }", json!({"p": q1})).await;
        close(&body["data"]["figures"]["total"]["nps"], 25.0);
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        assert_eq!(body["errors"][0]["path"], json!(["figures", "total", "nrr"]));
        // Integrations do not read figures.
        let (code, _) = server.error(Role::Integration, "query($p: PeriodInput!) { figures(period: $p) { total { nps } } }", json!({"p": q1})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, message) = server.error(Role::CsManager, FIGURES, json!({"p": {"from": "2026-02-01", "to": "2026-01-01"}})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        server.stop().await;
    }
}

db_test! {
    async fn health_is_scored_explained_and_its_changes_announced(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        server.ok(Role::Admin, "mutation($input: AnalyticsSettingsInput!) { configureAnalytics(input: $input) { keyFeatures } }",
            json!({"input": {"keyFeatures": ["a", "b", "c", "d"], "valueFeatures": [], "activationMinFeatures": 2, "activationDays": 30, "grossMarginPercent": 80, "ltvCapMonths": 60}})).await;
        // Active on 10 of the last 30 days, using a, b and c.
        let now = Utc::now();
        let events: Vec<Value> = (1..=10).map(|d| json!({"accountId": a, "feature": (["a", "b", "c"])[d % 3], "actor": "u1",
            "occurredAt": (now - Duration::days(d as i64)).to_rfc3339()})).collect();
        server.ok(Role::Integration, USAGE, json!({"input": {"events": events}})).await;
        server.ok(Role::Integration, "mutation($a: ID!) { recordSurveyResponse(input: {accountId: $a, kind: NPS, score: 10}) { id } }", json!({"a": a})).await;
        let ticket = "mutation($a: ID!, $id: String!, $p: TicketPriority!, $s: TicketStatus!, $at: DateTime!) { recordTicket(input: {accountId: $a, externalId: $id, subject: \"Sync\", priority: $p, status: $s, openedAt: $at}) { id status closedAt } }";
        let opened = (now - Duration::days(2)).to_rfc3339();
        server.ok(Role::Integration, ticket, json!({"a": a, "id": "T-1", "p": "HIGH", "s": "OPEN", "at": opened})).await;
        server.ok(Role::Integration, "mutation($a: ID!) { setBillingStatus(accountId: $a, status: CURRENT) }", json!({"a": a})).await;
        let held = (now - Duration::days(10)).date_naive().to_string();
        server.ok(Role::CsManager, "mutation($a: ID!, $d: Date!) { recordBusinessReview(input: {accountId: $a, heldOn: $d, attendees: [\"Ann\"], summary: \"QBR\"}) { id } }", json!({"a": a, "d": held})).await;
        let goal = "mutation($a: ID!, $t: String!, $s: GoalStatus) { createGoal(input: {accountId: $a, title: $t, status: $s}) { goal { id version status } } }";
        server.ok(Role::CsManager, goal, json!({"a": a, "t": "Launch", "s": "ON_TRACK"})).await;
        let missed = server.ok(Role::CsManager, goal, json!({"a": a, "t": "Grow", "s": "AT_RISK"})).await;
        let missed_id = missed["createGoal"]["goal"]["id"].clone();
        let update = server.ok(Role::Services, "mutation($id: ID!) { updateGoal(input: {id: $id, version: 1, status: MISSED}) { goal { status version } } }", json!({"id": missed_id})).await;
        assert_eq!(update["updateGoal"]["goal"], json!({"status": "MISSED", "version": 2}));

        let compute = "mutation($a: ID!) { computeHealth(accountId: $a) { score status modelVersion breakdown { component score weight contribution } change30d } }";
        let first = server.ok(Role::CsManager, compute, json!({"a": a})).await;
        let h = &first["computeHealth"];
        // Usage 50, adoption 75, NPS 100, support 60 (one HIGH ticket), billing 100, recency
        // 100, goals 50; CSAT has no data, so the other 90 % of weight is scaled to 100 %:
        // (50·25 + 75·15 + 100·15 + 60·10 + 100·10 + 100·5 + 50·10) / 90 = 71.9.
        close(&h["score"], 71.9);
        assert_eq!(h["status"], "HEALTHY");
        assert_eq!(h["modelVersion"], 1);
        let parts = h["breakdown"].as_array().unwrap();
        assert_eq!(parts.len(), 7);
        assert!(parts.iter().all(|p| p["component"] != "CSAT"));
        let usage = parts.iter().find(|p| p["component"] == "USAGE").unwrap();
        close(&usage["score"], 50.0);
        assert!(h["change30d"].is_null());

        // An urgent ticket takes support load to 0: (50·25 + 75·15 + 100·15 + 0 + 100·10 + 100·5 + 50·10) / 90 = 65.3.
        server.ok(Role::Integration, ticket, json!({"a": a, "id": "T-2", "p": "URGENT", "s": "OPEN", "at": opened})).await;
        let second = server.ok(Role::CsManager, compute, json!({"a": a})).await;
        close(&second["computeHealth"]["score"], 65.3);
        assert_eq!(second["computeHealth"]["status"], "AT_RISK");
        // Solving it is an update of the same ticket, not a new one.
        let solved = server.ok(Role::Integration, ticket, json!({"a": a, "id": "T-2", "p": "URGENT", "s": "SOLVED", "at": opened})).await;
        assert!(solved["recordTicket"]["closedAt"].is_string());
        let tickets = server.ok(Role::CsManager, "query($id: ID!) { account(id: $id) { tickets { externalId status } } }", json!({"id": a})).await;
        assert_eq!(tickets["account"]["tickets"].as_array().unwrap().len(), 2);

        // Both status changes are account-change events.
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [HEALTH_STATUS_CHANGED, GOAL_STATUS_CHANGED]) { edges { node { kind changes { field before after } } } } }", json!({"id": a})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["GOAL_STATUS_CHANGED", "HEALTH_STATUS_CHANGED", "HEALTH_STATUS_CHANGED"]);
        let last = &events["accountEvents"]["edges"][2]["node"]["changes"][0];
        assert_eq!((last["before"].as_str(), last["after"].as_str()), (Some("HEALTHY"), Some("AT_RISK")));

        // A score from 40 days ago gives the trend and the explanation.
        let store = server.store.clone();
        let id = tandem_domain::ids::AccountId(crate::support::decode_id(&a));
        tandem_persistence::health::compute::recompute(&store, "test", tandem_persistence::health::compute::Scope::Accounts(&[id]), now - Duration::days(40)).await.unwrap();
        server.ok(Role::CsManager, compute, json!({"a": a})).await;
        let read = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { health { score change30d change90d } healthHistory(days: 90) { score } healthExplanation(days: 30) { component points } } }", json!({"id": a})).await;
        let account = &read["account"];
        assert_eq!(account["healthHistory"].as_array().unwrap().len(), 4);
        let then = account["healthHistory"][3]["score"].as_f64().unwrap();
        let now_score = account["health"]["score"].as_f64().unwrap();
        close(&account["health"]["change30d"], ((now_score - then) * 10.0).round() / 10.0);
        assert!(account["health"]["change90d"].is_null());
        // 40 days ago none of the usage, the survey or the review had happened: the NPS answer
        // (0 → 16.7 points) moved the score most, then usage (0 → 13.9).
        let moves = account["healthExplanation"].as_array().unwrap();
        assert_eq!(moves[0]["component"], "NPS");
        close(&moves[0]["points"], 16.7);
        assert_eq!(moves[1]["component"], "USAGE");

        // Only ADMIN and CS_MANAGER run scoring.
        let (code, _) = server.error(Role::Services, compute, json!({"a": a})).await;
        assert_eq!(code, "FORBIDDEN");
        let batch = server.ok(Role::Admin, "mutation { recomputeHealth { accounts scored statusChanges skipped durationMs } }", json!({})).await;
        assert_eq!(batch["recomputeHealth"]["accounts"], 1);
        assert_eq!(batch["recomputeHealth"]["scored"], 1);
        server.stop().await;
    }
}

db_test! {
    async fn models_segments_and_the_portfolio(db) {
        let server = Server::start(&db).await;
        let models = server.ok(Role::Viewer, "{ healthModels { id name version weights { component percent } healthyFrom atRiskFrom touchTier } }", json!({})).await;
        let standard = &models["healthModels"][0];
        assert_eq!(standard["name"], "Standard");
        let total: f64 = standard["weights"].as_array().unwrap().iter().map(|w| w["percent"].as_f64().unwrap()).sum();
        close(&json!(total), 100.0);
        // Weights must add up to 100 %.
        let create = "mutation($input: CreateHealthModelInput!) { createHealthModel(input: $input) { model { id version touchTier } } }";
        let (code, message) = server.error(Role::CsManager, create, json!({"input": {"touchTier": "TECH", "definition": {"name": "Tech", "weights": [{"component": "USAGE", "percent": 60}, {"component": "BILLING_STATUS", "percent": 30}], "healthyFrom": 70, "atRiskFrom": 40}}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("90.00 %"), "{message}");
        // A tech-touch model that weighs only usage.
        let tech = server.ok(Role::CsManager, create, json!({"input": {"touchTier": "TECH", "definition": {"name": "Tech", "weights": [{"component": "USAGE", "percent": 100}], "healthyFrom": 70, "atRiskFrom": 40}}})).await;
        let tech_id = tech["createHealthModel"]["model"]["id"].clone();
        let (code, _) = server.error(Role::CsManager, create, json!({"input": {"touchTier": "TECH", "definition": {"name": "Tech 2", "weights": [{"component": "USAGE", "percent": 100}], "healthyFrom": 70, "atRiskFrom": 40}}})).await;
        assert_eq!(code, "CONFLICT");
        let v2 = server.ok(Role::CsManager, "mutation($id: ID!) { updateHealthModel(id: $id, version: 1, definition: {name: \"Tech\", weights: [{component: USAGE, percent: 100}], healthyFrom: 60, atRiskFrom: 30}) { model { version healthyFrom } } }", json!({"id": tech_id})).await;
        assert_eq!(v2["updateHealthModel"]["model"], json!({"version": 2, "healthyFrom": 60}));

        let acc = "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }";
        let mut ids = Vec::new();
        let renew = (Utc::now() + Duration::days(20)).date_naive().to_string();
        for (name, tier, days) in [("Busy", "TECH", 15), ("Quiet", "TECH", 2), ("Big", "HIGH", 20)] {
            let id = server.ok(Role::Admin, acc, json!({"input": {"name": name, "touchTier": tier, "renewalDate": renew}})).await["createAccount"]["account"]["id"].as_str().unwrap().to_owned();
            revenue(&server, &id, "NEW", Some(10_000), "2026-01-01").await;
            let now = Utc::now();
            let events: Vec<Value> = (0..days).map(|d| json!({"accountId": id, "feature": "f", "actor": "u", "occurredAt": (now - Duration::days(d)).to_rfc3339()})).collect();
            server.ok(Role::Integration, USAGE, json!({"input": {"events": events}})).await;
            ids.push(id);
        }
        let run = server.ok(Role::CsManager, "mutation { recomputeHealth { scored } }", json!({})).await;
        assert_eq!(run["recomputeHealth"]["scored"], 3);
        // Busy: 15 days → 75 ≥ 60 HEALTHY under Tech v2; Quiet: 2 days → 10 CRITICAL.
        let read = server.ok(Role::CsManager, "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { name health { score status modelVersion } } } }", json!({"ids": ids})).await;
        assert_eq!(read["nodes"][0]["health"], json!({"score": 75.0, "status": "HEALTHY", "modelVersion": 2}));
        assert_eq!(read["nodes"][1]["health"]["status"], "CRITICAL");

        // A segment over health, and its members and figures.
        let seg = server.ok(Role::CsManager, "mutation { createSegment(input: {name: \"Critical tech\", criteria: {touchTiers: [TECH], healthStatuses: [CRITICAL]}}) { segment { id name accountCount criteria { touchTiers healthStatuses } } } }", json!({})).await;
        let segment = &seg["createSegment"]["segment"];
        assert_eq!(segment["accountCount"], 1);
        let (code, _) = server.error(Role::CsManager, "mutation { createSegment(input: {name: \"critical TECH\", criteria: {}}) { segment { id } } }", json!({})).await;
        assert_eq!(code, "CONFLICT");
        let members = server.ok(Role::Viewer, "query($s: ID!) { accounts(filter: {segmentId: $s}) { totalCount nodes { name } } }", json!({"s": segment["id"]})).await;
        assert_eq!(members["accounts"]["nodes"], json!([{"name": "Quiet"}]));
        let adhoc = server.ok(Role::Viewer, "{ accounts(filter: {criteria: {minActiveDays30: 10}}) { nodes { name } } }", json!({})).await;
        assert_eq!(adhoc["accounts"]["nodes"], json!([{"name": "Big"}, {"name": "Busy"}]));
        let figures = server.ok(Role::CsManager, "query($s: ID!) { figures(period: {from: \"2026-02-01\", to: \"2026-02-28\"}, slice: {segmentId: $s}) { total { accountsAtStart nrr ltv { amountMinor } } } }", json!({"s": segment["id"]})).await;
        assert_eq!(figures["figures"]["total"]["accountsAtStart"], 1);
        close(&figures["figures"]["total"]["nrr"], 1.0);
        assert_eq!(figures["figures"]["total"]["ltv"]["amountMinor"], 480_000);
        let grouped = server.ok(Role::CsManager, "{ figures(period: {from: \"2026-02-01\", to: \"2026-02-28\"}, groupBy: TOUCH_TIER) { groups { key accountsAtStart } } }", json!({})).await;
        assert_eq!(grouped["figures"]["groups"], json!([{"key": "HIGH", "accountsAtStart": 1}, {"key": "TECH", "accountsAtStart": 2}]));

        let portfolio = server.ok(Role::CsManager, "{ portfolio { accounts statusCounts { status count } mrr { amountMinor } mrrAtRisk { amountMinor } topMovers { account { name } } renewals(days: 30) { count mrr { amountMinor } accounts(first: 2) { name } } } }", json!({})).await;
        let p = &portfolio["portfolio"];
        assert_eq!(p["accounts"], 3);
        assert_eq!(p["mrr"]["amountMinor"], 30_000);
        assert_eq!(p["mrrAtRisk"]["amountMinor"], 10_000);
        assert_eq!(p["renewals"]["count"], 3);
        assert_eq!(p["renewals"]["mrr"]["amountMinor"], 30_000);
        assert_eq!(p["renewals"]["accounts"].as_array().unwrap().len(), 2);
        // A VIEWER may not see money: `mrrAtRisk` is a non-null Money!, so its error nulls the
        // nearest nullable parent, and `portfolio` is non-null too: the whole `data` is null.
        let (_, body) = server.post(&server.token(Role::Viewer), "{ portfolio { accounts mrrAtRisk { amountMinor } } }", json!({})).await;
        assert_eq!(body["data"], Value::Null, "{body}");
        assert!(body.as_object().unwrap().contains_key("data"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        assert_eq!(body["errors"][0]["path"], json!(["portfolio", "mrrAtRisk"]));
        let viewer = server.ok(Role::Viewer, "{ portfolio { accounts } }", json!({})).await;
        assert_eq!(viewer["portfolio"]["accounts"], 3);
        let archived = server.ok(Role::CsManager, "mutation($id: ID!) { archiveSegment(id: $id, version: 1) { segment { archivedAt } } }", json!({"id": segment["id"]})).await;
        assert!(archived["archiveSegment"]["segment"]["archivedAt"].is_string());
        let (code, _) = server.error(Role::Viewer, "query($s: ID!) { accounts(filter: {segmentId: $s}) { totalCount } }", json!({"s": segment["id"]})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        server.stop().await;
    }
}

db_test! {
    async fn a_phase_links_to_a_goal_of_its_account(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let other = create_account(&server, "Other").await;
        let e = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"R\"}) { engagement { id } } }", json!({"a": a})).await;
        let p = server.ok(Role::Services, "mutation($e: ID!) { addPhase(input: {engagementId: $e, name: \"Checkout\", focus: \"Checkout\"}) { phase { id version } } }",
            json!({"e": e["createEngagement"]["engagement"]["id"]})).await;
        let phase = p["addPhase"]["phase"]["id"].clone();
        let goal = "mutation($a: ID!) { createGoal(input: {accountId: $a, title: \"Lift mobile conversion\"}) { goal { id } } }";
        let mine = server.ok(Role::CsManager, goal, json!({"a": a})).await["createGoal"]["goal"]["id"].clone();
        let theirs = server.ok(Role::CsManager, goal, json!({"a": other})).await["createGoal"]["goal"]["id"].clone();
        let link = "mutation($p: ID!, $v: Int!, $g: ID) { linkPhaseGoal(phaseId: $p, version: $v, goalId: $g) { phase { version goal { title } } } }";
        let (code, message) = server.error(Role::Services, link, json!({"p": phase, "v": 1, "g": theirs})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        let linked = server.ok(Role::Services, link, json!({"p": phase, "v": 1, "g": mine})).await;
        assert_eq!(linked["linkPhaseGoal"]["phase"], json!({"version": 2, "goal": {"title": "Lift mobile conversion"}}));
        let (code, _) = server.error(Role::Product, link, json!({"p": phase, "v": 2, "g": null})).await;
        assert_eq!(code, "FORBIDDEN");
        let unlinked = server.ok(Role::Services, link, json!({"p": phase, "v": 2, "g": null})).await;
        assert_eq!(unlinked["linkPhaseGoal"]["phase"], json!({"version": 3, "goal": null}));
        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [PHASE_UPDATED]) { edges { node { changes { field } } } } }", json!({"a": a})).await;
        assert_eq!(events["accountEvents"]["edges"].as_array().unwrap().len(), 2);
        assert_eq!(events["accountEvents"]["edges"][0]["node"]["changes"][0]["field"], "goalId");
        server.stop().await;
    }
}
