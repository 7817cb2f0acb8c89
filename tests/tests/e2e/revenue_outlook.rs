//! The revenue outlook through GraphQL: renewals in play weighed by the manager's calls, open
//! opportunities by their probability, GRR and NRR with their bands, the accounts that move the
//! number most, and money kept from VIEWER.

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_domain::ids::AccountId;
use tandem_tests::db_test;

use crate::support::{Server, create_account, decode_id};

const OUTLOOK: &str = "query($p: PeriodInput!) { revenueOutlook(period: $p) { from to asOf startingMrr { amountMinor currency } managersCall { expectedChurn { amountMinor } expectedContraction { amountMinor } expectedExpansion { amountMinor } expectedServices { amountMinor } retainedMrr { expected { amountMinor } low { amountMinor } high { amountMinor } } endingMrr { expected { amountMinor } low { amountMinor } high { amountMinor } } grr { expected low high } nrr { expected low high } renewals opportunities movers(first: 5) { account { name } expectedChange { amountMinor } atStake { amountMinor } renewalProbability spread { amountMinor } } } } }";

fn day(days_from_now: u64) -> String {
    (Utc::now().date_naive() + Days::new(days_from_now)).to_string()
}

/// An account paying `mrr` since 90 days ago.
async fn paying(server: &Server, name: &str, mrr: i64) -> String {
    let a = create_account(server, name).await;
    let start = (Utc::now().date_naive() - Days::new(90)).to_string();
    server.ok(Role::Admin, "mutation($a: ID!, $m: Long!, $d: Date!) { recordRevenue(input: {accountId: $a, kind: NEW, amountMinor: $m, effectiveOn: $d}) { id } }",
        json!({"a": a, "m": mrr, "d": start})).await;
    a
}

async fn renewal(server: &Server, account: &str, in_days: u64, call: &str) {
    server.ok(Role::CsManager, "mutation($input: SetRenewalForecastInput!) { setRenewalForecast(input: $input) { id } }",
        json!({"input": {"accountId": account, "renewsOn": day(in_days), "forecastArrMinor": 100_000, "likelihood": call}})).await;
}

async fn opportunity(server: &Server, input: Value) {
    server
        .ok(
            Role::CsManager,
            "mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id } }",
            json!({"input": input}),
        )
        .await;
}

fn minor(v: &Value) -> i64 {
    v["amountMinor"].as_i64().unwrap()
}

db_test! {
    async fn the_outlook_weighs_renewals_by_the_managers_call_and_opportunities_by_their_probability(db) {
        let server = Server::start(&db).await;
        // Acme renews within the period, PROBABLE (0.7): 10,000 · 0.3 = 3,000 expected churn.
        let acme = paying(&server, "Acme", 10_000).await;
        renewal(&server, &acme, 30, "PROBABLE").await;
        // Globex renews AT_RISK (0.4): 5,000 · 0.6 = 3,000; its cross-sell of 1,000 at 0.5 counts
        // only if it stays: 1,000 · 0.5 · 0.4 = 200.
        let globex = paying(&server, "Globex", 5_000).await;
        renewal(&server, &globex, 60, "AT_RISK").await;
        opportunity(&server, json!({"accountId": globex, "kind": "CROSS_SELL", "title": "Marketplace", "mrrDeltaMinor": 1_000, "probability": 0.5, "expectedCloseOn": day(45)})).await;
        // Initech renews after the period; a downsell of 2,000 at 0.25 (500) and a services
        // follow-on of 40,000 at 0.8 (32,000 one-off) close within it.
        let initech = paying(&server, "Initech", 20_000).await;
        renewal(&server, &initech, 200, "COMMITTED").await;
        opportunity(&server, json!({"accountId": initech, "kind": "DOWNSELL", "title": "Fewer seats", "mrrDeltaMinor": -2_000, "probability": 0.25, "expectedCloseOn": day(20)})).await;
        opportunity(&server, json!({"accountId": initech, "kind": "SERVICES_FOLLOW_ON", "title": "Phase two", "servicesValueMinor": 40_000, "probability": 0.8, "expectedCloseOn": day(20)})).await;
        // An upsell expected after the period weighs nothing.
        opportunity(&server, json!({"accountId": acme, "kind": "UPSELL", "title": "Later", "mrrDeltaMinor": 9_000, "expectedCloseOn": day(120)})).await;

        let period = json!({"p": {"from": day(0), "to": day(90)}});
        let o = server.ok(Role::CsManager, OUTLOOK, period.clone()).await["revenueOutlook"].clone();
        assert_eq!(o["startingMrr"], json!({"amountMinor": 35_000, "currency": "USD"}));
        assert_eq!(o["asOf"], json!(day(0)));
        let m = &o["managersCall"];
        assert_eq!((m["renewals"].as_i64(), m["opportunities"].as_i64()), (Some(2), Some(3)));
        assert_eq!(minor(&m["expectedChurn"]), 6_000);
        assert_eq!(minor(&m["expectedContraction"]), 500);
        assert_eq!(minor(&m["expectedExpansion"]), 200);
        assert_eq!(minor(&m["expectedServices"]), 32_000);
        assert_eq!(minor(&m["retainedMrr"]["expected"]), 28_500);
        assert_eq!(minor(&m["endingMrr"]["expected"]), 28_700);
        let grr = m["grr"]["expected"].as_f64().unwrap();
        assert!((grr - 28_500.0 / 35_000.0).abs() < 1e-9, "{grr}");
        let nrr = m["nrr"]["expected"].as_f64().unwrap();
        assert!((nrr - 28_700.0 / 35_000.0).abs() < 1e-9, "{nrr}");
        for band in [&m["grr"], &m["nrr"]] {
            let (low, mid, high) = (band["low"].as_f64().unwrap(), band["expected"].as_f64().unwrap(), band["high"].as_f64().unwrap());
            assert!(low < mid && mid < high, "{band}");
        }
        assert!(m["grr"]["high"].as_f64().unwrap() <= 1.0);
        assert!(minor(&m["retainedMrr"]["low"]) < 28_500 && minor(&m["endingMrr"]["high"]) > 28_700);

        let movers: Vec<(&str, i64)> = m["movers"].as_array().unwrap().iter().map(|x| (x["account"]["name"].as_str().unwrap(), minor(&x["expectedChange"]))).collect();
        assert_eq!(movers, [("Acme", -3_000), ("Globex", -2_800), ("Initech", -500)]);
        assert_eq!(m["movers"][0]["atStake"]["amountMinor"], 10_000);
        assert_eq!(m["movers"][0]["renewalProbability"], 0.7);
        assert_eq!(m["movers"][2]["atStake"], json!(null));
        assert_eq!(m["movers"][2]["renewalProbability"], json!(null));

        // No renewal has been decided yet: the model's side says so rather than guess.
        let by_model = server.ok(Role::CsManager, "query($p: PeriodInput!) { revenueOutlook(period: $p) { model { status modelVersion closedRenewals closedRenewalsNeeded outlook { expectedChurn { amountMinor } } } } }", period.clone()).await;
        assert_eq!(by_model["revenueOutlook"]["model"], json!({"status": "NOT_ENOUGH_HISTORY", "modelVersion": null, "closedRenewals": 0, "closedRenewalsNeeded": 50, "outlook": null}));

        let (code, message) = server.error(Role::Viewer, OUTLOOK, period).await;
        assert_eq!(code, "FORBIDDEN", "{message}");
        let (_, body) = server.post(&server.token(Role::Admin), OUTLOOK, json!({"p": {"from": day(10), "to": day(0)}})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(body["data"], json!(null), "{body}");
    }
}

db_test! {
    async fn once_a_model_is_fitted_it_weighs_the_same_renewals_beside_the_managers_calls(db) {
        let server = Server::start_with(&db, &[("TANDEM_OUTLOOK_REFIT_EVERY", "off"), ("TANDEM_OUTLOOK_MIN_CLOSED", "60")]).await;
        let mut history = Vec::new();
        for i in 0..6 {
            history.push(AccountId(decode_id(&create_account(&server, &format!("History {i}")).await)));
        }
        tandem_api::demo::outlook::closed_renewals(&server.store, &history, 80, 7).await.unwrap();
        let acme = paying(&server, "Acme", 10_000).await;
        renewal(&server, &acme, 30, "PROBABLE").await;
        let query = "query($p: PeriodInput!) { revenueOutlook(period: $p) { managersCall { expectedChurn { amountMinor } } model { status modelVersion closedRenewals closedRenewalsNeeded outlook { renewals renewalsWithoutScore expectedChurn { amountMinor } movers(first: 1) { account { name } renewalProbability } } } } }";
        let period = json!({"p": {"from": day(0), "to": day(90)}});

        // Enough history, no model yet: the model's side says to fit one.
        let o = server.ok(Role::CsManager, query, period.clone()).await["revenueOutlook"].clone();
        assert_eq!(o["model"], json!({"status": "NOT_FITTED", "modelVersion": null, "closedRenewals": 80, "closedRenewalsNeeded": null, "outlook": null}));
        assert_eq!(minor(&o["managersCall"]["expectedChurn"]), 3_000);

        let fitted = server.ok(Role::CsManager, "mutation { refitOutlookModel { ... on OutlookModel { version } } }", json!({})).await;
        assert_eq!(fitted["refitOutlookModel"]["version"], 1);
        let score = server.ok(Role::CsManager, "query($a: ID!) { account(id: $a) { renewals { likelihoodToRenew { ... on LikelihoodScore { probability modelVersion } } } } }", json!({"a": acme})).await;
        let p = score["account"]["renewals"][0]["likelihoodToRenew"]["probability"].as_f64().unwrap();

        // The same renewal weighed by the model's probability instead of PROBABLE's 0.7.
        let o = server.ok(Role::CsManager, query, period).await["revenueOutlook"].clone();
        let m = &o["model"];
        assert_eq!((m["status"].as_str(), m["modelVersion"].as_i64(), m["closedRenewals"].as_i64()), (Some("SCORED"), Some(1), Some(80)), "{m}");
        assert_eq!((m["outlook"]["renewals"].as_i64(), m["outlook"]["renewalsWithoutScore"].as_i64()), (Some(1), Some(0)), "{m}");
        assert_eq!(minor(&m["outlook"]["expectedChurn"]), (10_000.0 * (1.0 - p)).round() as i64, "{m}");
        assert_eq!(m["outlook"]["movers"][0]["account"]["name"], "Acme");
        assert!((m["outlook"]["movers"][0]["renewalProbability"].as_f64().unwrap() - p).abs() < 1e-12, "{m}");
        assert_eq!(minor(&o["managersCall"]["expectedChurn"]), 3_000);
    }
}
