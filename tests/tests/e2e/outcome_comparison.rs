//! The portfolio outcome comparison through GraphQL, against a hand-computed fixture: accounts
//! with a phase accepted in the period beside those without (NRR, GRR, logo churn, counts,
//! starting MRR, approved services hours and T&M share), goals served by phases beside the rest,
//! a slice, a period with no accepted phase, and money hidden from PRODUCT.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::outcomes::{accept, day, engagement, phase, revenue};
use crate::support::{CREATE_ACCOUNT, Server};
use crate::timesheets::{log, member, monday_weeks_ago, signed_sow};

const COMPARE: &str = "query($from: Date!, $to: Date!, $slice: SliceInput) {
  outcomeComparison(period: {from: $from, to: $to}, slice: $slice) {
    from to
    withAcceptedPhases { ...side }
    withoutAcceptedPhases { ...side }
    linkedGoals { ...goals }
    unlinkedGoals { ...goals }
  }
}
fragment side on OutcomeCohort {
  accounts acceptedPhases accountsAtStart startMrr { amountMinor } nrr grr logoChurn churnedAccounts
  expansionRevenue { amountMinor } contraction { amountMinor } churn { amountMinor }
  servicesHours tmHours tmSharePercent
}
fragment goals on GoalAttainment { goals achieved missed open attainment }";

const NO_MONEY: &str = "query($from: Date!, $to: Date!) {
  outcomeComparison(period: {from: $from, to: $to}) {
    withAcceptedPhases { accounts accountsAtStart logoChurn churnedAccounts servicesHours tmSharePercent }
    linkedGoals { attainment }
  }
}";

async fn account(server: &Server, name: &str, industry: &str) -> String {
    let data = server
        .ok(
            Role::Admin,
            CREATE_ACCOUNT,
            json!({"input": {"name": name, "industry": industry}}),
        )
        .await;
    data["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn goal_due(server: &Server, account: &str, title: &str, status: &str, due: i64) -> String {
    let g = server.ok(Role::CsManager, "mutation($a: ID!, $t: String!, $s: GoalStatus, $d: Date) { createGoal(input: {accountId: $a, title: $t, status: $s, dueOn: $d}) { goal { id } } }",
        json!({"a": account, "t": title, "s": status, "d": day(due)})).await;
    g["createGoal"]["goal"]["id"].as_str().unwrap().to_owned()
}

async fn link(server: &Server, phase: &str, goals: &[&str]) {
    server.ok(Role::Services, "mutation($p: ID!, $g: [ID!]!) { linkPhaseGoals(input: {phaseId: $p, version: 1, goalIds: $g}) { phase { id } } }",
        json!({"p": phase, "g": goals})).await;
}

fn approx(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

db_test! {
    async fn accounts_with_accepted_phases_are_compared_with_those_without(db) {
        let server = Server::start(&db).await;
        // The period: from 100 days ago to 10 days ago.
        let (from, to) = (day(100), day(10));

        // Acme: $1,000 at the start; a phase (serving an achieved goal) accepted 50 days ago,
        // then +$200 expansion 40 days ago; 10 h in scope and 5 h T&M approved in the period,
        // 3 h T&M never submitted.
        let acme = account(&server, "Acme", "Apparel").await;
        revenue(&server, &acme, "NEW", Some(100_000), 200).await;
        let e = engagement(&server, &acme).await;
        let p = phase(&server, &e, "Catalog").await;
        let achieved = goal_due(&server, &acme, "Launch the new catalog", "ACHIEVED", 30).await;
        link(&server, &p, &[&achieved]).await;
        accept(&server, &p, 2, 50, Some("Catalog live")).await;
        revenue(&server, &acme, "EXPANSION", Some(20_000), 40).await;
        let dee = member(&server, "Dee", json!({})).await;
        let lee = member(&server, "Lee", json!({"lead": true})).await;
        let (sow, _) = signed_sow(&server, &acme).await;
        let week = monday_weeks_ago(5);
        let (_, a) = log(&server, &dee, &sow, week, 10.0, "IN_SCOPE").await;
        let (_, b) = log(&server, &dee, &sow, week, 5.0, "TIME_AND_MATERIALS").await;
        let sheet = a["data"]["logTime"]["timeEntry"]["timesheet"]["id"].as_str().unwrap().to_owned();
        let version = b["data"]["logTime"]["timeEntry"]["timesheet"]["version"].as_i64().unwrap();
        let (_, unapproved) = log(&server, &dee, &sow, monday_weeks_ago(3), 3.0, "TIME_AND_MATERIALS").await;
        assert!(unapproved["errors"].is_null(), "{unapproved}");
        let submitted = server.post(&dee.token, "mutation($id: ID!, $v: Int!) { submitTimesheet(input: {id: $id, version: $v}) { version } }", json!({"id": sheet, "v": version})).await.1;
        assert!(submitted["errors"].is_null(), "{submitted}");
        let approved = server.post(&lee.token, "mutation($id: ID!, $v: Int!) { approveTimesheet(input: {id: $id, version: $v}) { status } }", json!({"id": sheet, "v": version + 1})).await.1;
        assert_eq!(approved["data"]["approveTimesheet"]["status"], "APPROVED", "{approved}");

        // Bravo: $500 at the start; a phase serving no goal accepted 60 days ago; churns 20
        // days ago.
        let bravo = account(&server, "Bravo", "Apparel").await;
        revenue(&server, &bravo, "NEW", Some(50_000), 200).await;
        let e = engagement(&server, &bravo).await;
        let p = phase(&server, &e, "Checkout").await;
        accept(&server, &p, 1, 60, None).await;
        revenue(&server, &bravo, "CHURN", None, 20).await;

        // Charlie: $2,000 at the start; a phase in progress, none accepted; −$300 contraction 30
        // days ago; an unlinked goal missed, one open, one due after the period.
        let charlie = account(&server, "Charlie", "Furniture").await;
        revenue(&server, &charlie, "NEW", Some(200_000), 200).await;
        let e = engagement(&server, &charlie).await;
        let p = phase(&server, &e, "Home").await;
        server.ok(Role::Services, "mutation($id: ID!, $on: Date) { changePhaseStatus(input: {id: $id, version: 1, status: IN_PROGRESS, on: $on}) { phase { status } } }",
            json!({"id": p, "on": day(20)})).await;
        revenue(&server, &charlie, "CONTRACTION", Some(30_000), 30).await;
        goal_due(&server, &charlie, "Halve returns", "MISSED", 40).await;
        goal_due(&server, &charlie, "Open a second store", "ON_TRACK", 20).await;
        goal_due(&server, &charlie, "Later", "ON_TRACK", 5).await;

        // Delta starts inside the period: on the side without, outside the revenue cohort.
        let delta = account(&server, "Delta", "Furniture").await;
        revenue(&server, &delta, "NEW", Some(30_000), 50).await;

        // Echo: $100; its phase was accepted 150 days ago, before the period; +$50 70 days ago.
        let echo = account(&server, "Echo", "Furniture").await;
        revenue(&server, &echo, "NEW", Some(10_000), 200).await;
        let e = engagement(&server, &echo).await;
        let p = phase(&server, &e, "Catalog").await;
        accept(&server, &p, 1, 150, None).await;
        revenue(&server, &echo, "EXPANSION", Some(5_000), 70).await;

        let all = server.ok(Role::CsManager, COMPARE, json!({"from": from, "to": to})).await["outcomeComparison"].clone();
        assert_eq!((all["from"].as_str(), all["to"].as_str()), (Some(from.as_str()), Some(to.as_str())));
        let with = &all["withAcceptedPhases"];
        assert_eq!(with["accounts"], 2, "{all}");
        assert_eq!(with["acceptedPhases"], 2);
        assert_eq!(with["accountsAtStart"], 2);
        assert_eq!(with["startMrr"]["amountMinor"], 150_000);
        assert_eq!(with["expansionRevenue"]["amountMinor"], 20_000);
        assert_eq!(with["contraction"]["amountMinor"], 0);
        assert_eq!(with["churn"]["amountMinor"], 50_000);
        // (1,500 + 200 − 500) / 1,500 and (1,500 − 500) / 1,500.
        assert!(approx(&with["nrr"], 0.8), "{with}");
        assert!(approx(&with["grr"], 1000.0 / 1500.0), "{with}");
        assert!(approx(&with["logoChurn"], 0.5), "{with}");
        assert_eq!(with["churnedAccounts"], 1);
        assert!(approx(&with["servicesHours"], 15.0), "only approved hours: {with}");
        assert!(approx(&with["tmHours"], 5.0), "{with}");
        assert!(approx(&with["tmSharePercent"], 33.33), "{with}");

        let without = &all["withoutAcceptedPhases"];
        assert_eq!(without["accounts"], 3, "Charlie, Delta, Echo: {all}");
        assert_eq!(without["acceptedPhases"], 0);
        assert_eq!(without["accountsAtStart"], 2, "Delta started inside the period");
        assert_eq!(without["startMrr"]["amountMinor"], 210_000);
        assert_eq!(without["expansionRevenue"]["amountMinor"], 5_000);
        assert_eq!(without["contraction"]["amountMinor"], 30_000);
        // (2,100 + 50 − 300) / 2,100 and (2,100 − 300) / 2,100.
        assert!(approx(&without["nrr"], 1850.0 / 2100.0), "{without}");
        assert!(approx(&without["grr"], 1800.0 / 2100.0), "{without}");
        assert!(approx(&without["logoChurn"], 0.0), "{without}");
        assert!(approx(&without["servicesHours"], 0.0));
        assert!(without["tmSharePercent"].is_null(), "no hours, no share: {without}");

        assert_eq!(all["linkedGoals"], json!({"goals": 1, "achieved": 1, "missed": 0, "open": 0, "attainment": 1.0}));
        assert_eq!(all["unlinkedGoals"], json!({"goals": 2, "achieved": 0, "missed": 1, "open": 1, "attainment": 0.0}));

        // A slice: Furniture only — Charlie, Delta and Echo, all without an accepted phase.
        let furniture = server.ok(Role::CsManager, COMPARE, json!({"from": from, "to": to, "slice": {"criteria": {"industries": ["Furniture"]}}})).await["outcomeComparison"].clone();
        assert_eq!(furniture["withAcceptedPhases"]["accounts"], 0, "{furniture}");
        assert!(furniture["withAcceptedPhases"]["nrr"].is_null());
        assert_eq!(furniture["withoutAcceptedPhases"]["accounts"], 3);
        assert_eq!(furniture["linkedGoals"]["goals"], 0);
        assert!(furniture["linkedGoals"]["attainment"].is_null());

        // A period with no accepted phase: from 400 to 300 days ago, before any revenue.
        let early = server.ok(Role::CsManager, COMPARE, json!({"from": day(400), "to": day(300)})).await["outcomeComparison"].clone();
        assert_eq!(early["withAcceptedPhases"]["accounts"], 0, "{early}");
        assert_eq!(early["withAcceptedPhases"]["acceptedPhases"], 0);
        assert_eq!(early["withoutAcceptedPhases"]["accounts"], 5);
        assert_eq!(early["withoutAcceptedPhases"]["accountsAtStart"], 0);
        assert!(early["withoutAcceptedPhases"]["nrr"].is_null());
        assert!(early["withoutAcceptedPhases"]["logoChurn"].is_null());

        // Echo's acceptance falls in a period that ends before Acme's and Bravo's.
        let echo_period = server.ok(Role::CsManager, COMPARE, json!({"from": day(160), "to": day(140)})).await["outcomeComparison"].clone();
        assert_eq!(echo_period["withAcceptedPhases"]["accounts"], 1, "{echo_period}");
        assert_eq!(echo_period["withAcceptedPhases"]["startMrr"]["amountMinor"], 10_000);

        // PRODUCT reads counts and shares; money is refused with a coded error.
        let product = server.ok(Role::Product, NO_MONEY, json!({"from": from, "to": to})).await;
        assert_eq!(product["outcomeComparison"]["withAcceptedPhases"]["accounts"], 2);
        let (_, body) = server.post(&server.token(Role::Product), COMPARE, json!({"from": from, "to": to})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");

        // A backwards period is the caller's mistake.
        let (_, body) = server.post(&server.token(Role::CsManager), COMPARE, json!({"from": to, "to": from})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    }
}
