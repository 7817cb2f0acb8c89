//! Renewals and risks through GraphQL: risks raised, mitigated with linked tasks and resolved;
//! renewal forecasts, the pipeline by month and likelihood (sliced, money hidden from VIEWER),
//! decisions with their reasons, and churn reasons counted.

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

const CREATE: &str = "mutation($n: String!, $t: TouchTier!) { createAccount(input: {name: $n, touchTier: $t}) { account { id } } }";
const FORECAST: &str = "mutation($input: SetRenewalForecastInput!) { setRenewalForecast(input: $input) { id version renewsOn likelihood currentArr { amountMinor } forecastArr { amountMinor } outcome } }";
const DECIDE: &str = "mutation($input: DecideRenewalInput!) { decideRenewal(input: $input) { outcome reason newArr { amountMinor } arrAtDecision { amountMinor } decidedOn version } }";
const PIPELINE: &str = "query($w: PeriodInput!, $s: SliceInput) { renewalPipeline(window: $w, slice: $s) { month likelihood renewals currentArr { amountMinor } forecastArr { amountMinor } } }";

async fn account(server: &Server, name: &str, tier: &str, mrr: i64) -> String {
    let a = server
        .ok(Role::Admin, CREATE, json!({"n": name, "t": tier}))
        .await["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = (Utc::now().date_naive() - Days::new(200)).to_string();
    server.ok(Role::Admin, "mutation($a: ID!, $m: Long!, $d: Date!) { recordRevenue(input: {accountId: $a, kind: NEW, amountMinor: $m, effectiveOn: $d}) { id } }",
        json!({"a": a, "m": mrr, "d": start})).await;
    a
}

db_test! {
    async fn risks_renewals_the_pipeline_and_churn_reasons(db) {
        let server = Server::start(&db).await;
        let a = account(&server, "Acme", "HIGH", 100_000).await;
        let b = account(&server, "Globex", "LOW", 50_000).await;

        // A risk, mitigated by a task, then resolved.
        let raise = "mutation($input: RaiseRiskInput!) { raiseRisk(input: $input) { id version status category severity } }";
        let risk = server.ok(Role::Services, raise, json!({"input": {"accountId": a, "category": "COMPETITOR", "severity": "HIGH", "title": "Rival pitching a migration", "mitigationPlan": "Exec sponsor call"}})).await;
        let risk_id = risk["raiseRisk"]["id"].clone();
        assert_eq!(risk["raiseRisk"]["status"], "OPEN");
        server.ok(Role::CsManager, "mutation($a: ID!, $r: ID!) { createTask(input: {accountId: $a, title: \"Book the exec call\", riskId: $r}) { id risk { title } } }", json!({"a": a, "r": risk_id})).await;
        let (code, message) = server.error(Role::CsManager, "mutation($a: ID!, $r: ID!) { createTask(input: {accountId: $a, title: \"x\", riskId: $r}) { id } }", json!({"a": b, "r": risk_id})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        let update = "mutation($id: ID!, $v: Int!, $s: RiskStatus!) { updateRisk(input: {id: $id, version: $v, status: $s}) { status version resolvedAt tasks { title } } }";
        let m = server.ok(Role::CsManager, update, json!({"id": risk_id, "v": 1, "s": "MITIGATING"})).await;
        assert_eq!(m["updateRisk"]["tasks"], json!([{"title": "Book the exec call"}]));
        let open = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { risks { title status } } }", json!({"id": a})).await;
        assert_eq!(open["account"]["risks"], json!([{"title": "Rival pitching a migration", "status": "MITIGATING"}]));
        let r = server.ok(Role::CsManager, update, json!({"id": risk_id, "v": 2, "s": "RESOLVED"})).await;
        assert!(r["updateRisk"]["resolvedAt"].is_string());
        let (code, _) = server.error(Role::CsManager, update, json!({"id": risk_id, "v": 3, "s": "MITIGATING"})).await;
        assert_eq!(code, "CONFLICT");
        let (code, _) = server.error(Role::Viewer, raise, json!({"input": {"accountId": a, "category": "BUDGET", "severity": "LOW", "title": "x"}})).await;
        assert_eq!(code, "FORBIDDEN");
        let (_, body) = server.post(&server.token(Role::CsManager), raise, json!({"input": {"accountId": a, "category": "BUDGET", "severity": "LOW", "title": "  "}})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.title", "{body}");
        let none = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { risks { title } all: risks(statuses: []) { status } } }", json!({"id": a})).await;
        assert_eq!(none["account"]["risks"], json!([]));
        assert_eq!(none["account"]["all"], json!([{"status": "RESOLVED"}]));

        // Forecasts.
        let today = Utc::now().date_naive();
        let a_on = today + Days::new(40);
        let b_on = today + Days::new(70);
        let fa = server.ok(Role::CsManager, FORECAST, json!({"input": {"accountId": a, "renewsOn": a_on.to_string(), "forecastArrMinor": 1_300_000, "likelihood": "PROBABLE"}})).await;
        assert_eq!(fa["setRenewalForecast"]["currentArr"]["amountMinor"], json!(1_200_000));
        let (_, body) = server.post(&server.token(Role::CsManager), FORECAST, json!({"input": {"accountId": b, "renewsOn": a_on.to_string(), "forecastArrMinor": -1, "likelihood": "PROBABLE"}})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.forecastArrMinor", "{body}");
        let (code, message) = server.error(Role::CsManager, FORECAST, json!({"input": {"accountId": a, "renewsOn": a_on.to_string(), "forecastArrMinor": 1, "likelihood": "LOST"}})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let fa = server.ok(Role::CsManager, FORECAST, json!({"input": {"accountId": a, "version": 1, "renewsOn": a_on.to_string(), "forecastArrMinor": 1_300_000, "likelihood": "COMMITTED"}})).await;
        assert_eq!(fa["setRenewalForecast"]["version"], 2);
        let fb = server.ok(Role::Admin, FORECAST, json!({"input": {"accountId": b, "renewsOn": b_on.to_string(), "forecastArrMinor": 500_000, "likelihood": "AT_RISK"}})).await;
        let (code, _) = server.error(Role::Services, FORECAST, json!({"input": {"accountId": b, "version": 1, "renewsOn": b_on.to_string(), "forecastArrMinor": 1, "likelihood": "LOST"}})).await;
        assert_eq!(code, "FORBIDDEN");

        // The pipeline, by month and likelihood, sliced.
        let window = json!({"from": today.to_string(), "to": (today + Days::new(90)).to_string()});
        let rows = server.ok(Role::CsManager, PIPELINE, json!({"w": window})).await["renewalPipeline"].clone();
        let month = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
        let find = |rows: &Value, likelihood: &str| rows.as_array().unwrap().iter().find(|r| r["likelihood"] == likelihood).cloned().unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
        assert_eq!(find(&rows, "COMMITTED"), json!({"month": month(a_on), "likelihood": "COMMITTED", "renewals": 1, "currentArr": {"amountMinor": 1_200_000}, "forecastArr": {"amountMinor": 1_300_000}}));
        assert_eq!(find(&rows, "AT_RISK"), json!({"month": month(b_on), "likelihood": "AT_RISK", "renewals": 1, "currentArr": {"amountMinor": 600_000}, "forecastArr": {"amountMinor": 500_000}}));
        let high = server.ok(Role::CsManager, PIPELINE, json!({"w": window, "s": {"criteria": {"touchTiers": ["HIGH"]}}})).await;
        assert_eq!(high["renewalPipeline"].as_array().unwrap().len(), 1);
        let eur = server.ok(Role::CsManager, PIPELINE, json!({"w": window, "s": {"currency": "EUR"}})).await;
        assert_eq!(eur["renewalPipeline"], json!([]));
        let (_, hidden) = server.post(&server.token(Role::Viewer), PIPELINE, json!({"w": window})).await;
        assert_eq!(hidden["errors"][0]["extensions"]["code"], "FORBIDDEN", "{hidden}");

        // Decisions, with their reasons.
        let b_id = fb["setRenewalForecast"]["id"].clone();
        let down = server.ok(Role::CsManager, DECIDE, json!({"input": {"id": b_id, "version": 1, "outcome": "DOWNGRADED", "newArrMinor": 300_000, "reason": "BUDGET"}})).await;
        assert_eq!(down["decideRenewal"]["arrAtDecision"]["amountMinor"], json!(600_000));
        assert_eq!(down["decideRenewal"]["newArr"]["amountMinor"], json!(300_000));
        let (code, _) = server.error(Role::CsManager, DECIDE, json!({"input": {"id": b_id, "version": 2, "outcome": "RENEWED", "newArrMinor": 1}})).await;
        assert_eq!(code, "CONFLICT");
        let a_id = fa["setRenewalForecast"]["id"].clone();
        let (code, message) = server.error(Role::CsManager, DECIDE, json!({"input": {"id": a_id, "version": 2, "outcome": "CHURNED"}})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        let (code, _) = server.error(Role::CsManager, DECIDE, json!({"input": {"id": a_id, "version": 2, "outcome": "DOWNGRADED", "newArrMinor": 1_500_000, "reason": "BUDGET"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        server.ok(Role::CsManager, DECIDE, json!({"input": {"id": a_id, "version": 2, "outcome": "CHURNED", "reason": "COMPETITOR"}})).await;
        let after = server.ok(Role::CsManager, PIPELINE, json!({"w": window})).await;
        assert_eq!(after["renewalPipeline"], json!([]));
        // A new renewal can be forecast once the last one is decided.
        server.ok(Role::CsManager, FORECAST, json!({"input": {"accountId": b, "renewsOn": (today + Days::new(400)).to_string(), "forecastArrMinor": 300_000, "likelihood": "PROBABLE"}})).await;
        let history = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { renewals { outcome reason likelihood } } }", json!({"id": b})).await;
        assert_eq!(history["account"]["renewals"], json!([{"outcome": null, "reason": null, "likelihood": "PROBABLE"}, {"outcome": "DOWNGRADED", "reason": "BUDGET", "likelihood": "AT_RISK"}]));

        let reasons = server.ok(Role::CsManager, "query($p: PeriodInput!) { churnReasons(period: $p) { reason outcome renewals lostArr { amountMinor } } }",
            json!({"p": {"from": (today - Days::new(1)).to_string(), "to": (today + Days::new(1)).to_string()}})).await;
        let mut rows = reasons["churnReasons"].as_array().unwrap().clone();
        rows.sort_by_key(|r| r["reason"].as_str().unwrap().to_owned());
        assert_eq!(rows, vec![
            json!({"reason": "BUDGET", "outcome": "DOWNGRADED", "renewals": 1, "lostArr": {"amountMinor": 300_000}}),
            json!({"reason": "COMPETITOR", "outcome": "CHURNED", "renewals": 1, "lostArr": {"amountMinor": 1_200_000}}),
        ]);
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [RISK_RAISED, RISK_UPDATED, RENEWAL_FORECAST, RENEWAL_DECIDED]) { edges { node { kind } } } }", json!({"id": a})).await;
        let kinds: Vec<&str> = events["accountEvents"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["RISK_RAISED", "RISK_UPDATED", "RISK_UPDATED", "RENEWAL_FORECAST", "RENEWAL_FORECAST", "RENEWAL_DECIDED"]);
        server.stop().await;
    }
}
