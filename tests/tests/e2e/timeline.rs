//! Activities and the account timeline through GraphQL: notes, calls and e-mails with their
//! participants and links, merged with account-change events newest first, paged and filtered;
//! corrections by their author only; the refusals.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account, decode_id};

const LOG: &str = "mutation($input: LogActivityInput!) { logActivity(input: $input) { id version kind title author contacts { name } teamMembers { name } goal { title } } }";
const TIMELINE: &str = "query($id: ID!, $first: Int, $after: String, $kinds: [TimelineItemKind!]) { account(id: $id) { timeline(first: $first, after: $after, kinds: $kinds) {
  edges { cursor node { __typename ... on Activity { kind title body authorMember { name } } ... on AccountEvent { kind } } }
  pageInfo { hasNextPage endCursor } } } }";

fn labels(page: &Value) -> Vec<String> {
    page["account"]["timeline"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            format!(
                "{}:{}",
                n["__typename"].as_str().unwrap(),
                n["kind"].as_str().unwrap()
            )
        })
        .collect()
}

db_test! {
    async fn the_timeline_merges_activities_and_changes_newest_first(db) {
        let server = Server::start(&db).await;
        let member = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Ann Lee\", email: \"ann@vendor.io\", team: CUSTOMER_SUCCESS, role: CS_MANAGER}) { teamMember { id } } }", json!({})).await;
        let member = member["createTeamMember"]["teamMember"]["id"].as_str().unwrap().to_owned();
        let a = create_account(&server, "Acme").await;
        let other = create_account(&server, "Globex").await;
        let contact = server.ok(Role::Services, "mutation($a: ID!) { createContact(input: {accountId: $a, name: \"Dana Buyer\", email: \"dana@acme.com\", stakeholderRole: CHAMPION}) { contact { id } } }", json!({"a": a})).await;
        let contact = contact["createContact"]["contact"]["id"].as_str().unwrap().to_owned();
        let goal = server.ok(Role::CsManager, "mutation($a: ID!) { createGoal(input: {accountId: $a, title: \"Launch in EU\"}) { goal { id } } }", json!({"a": a})).await;
        let goal = goal["createGoal"]["goal"]["id"].as_str().unwrap().to_owned();
        let foreign_goal = server.ok(Role::CsManager, "mutation($a: ID!) { createGoal(input: {accountId: $a, title: \"Theirs\"}) { goal { id } } }", json!({"a": other})).await;
        let foreign_goal = foreign_goal["createGoal"]["goal"]["id"].as_str().unwrap().to_owned();

        let now = Utc::now();
        let ann = server.token_for(&decode_id(&member).to_string(), Role::CsManager);
        let (_, note) = server.post(&ann, LOG, json!({"input": {"accountId": a, "kind": "NOTE", "occurredAt": (now - Duration::days(3)).to_rfc3339(), "body": "Champion worried about the EU launch."}})).await;
        assert!(note.get("errors").is_none(), "{note}");
        let call = server.ok(Role::CsManager, LOG, json!({"input": {"accountId": a, "kind": "CALL", "occurredAt": (now - Duration::days(1)).to_rfc3339(),
            "title": " Check-in ", "body": "Agreed a plan for the launch.", "contactIds": [contact, contact], "teamMemberIds": [member], "links": {"goalId": goal}}})).await;
        let call = &call["logActivity"];
        assert_eq!(call["title"], "Check-in");
        assert_eq!(call["contacts"], json!([{"name": "Dana Buyer"}]));
        assert_eq!(call["teamMembers"], json!([{"name": "Ann Lee"}]));
        assert_eq!(call["goal"], json!({"title": "Launch in EU"}));
        server.ok(Role::Integration, LOG, json!({"input": {"accountId": a, "kind": "EMAIL", "occurredAt": (now - Duration::hours(2)).to_rfc3339(), "title": "Re: launch", "body": "Synced from the CRM."}})).await;
        server.ok(Role::Admin, "mutation($id: ID!) { updateAccount(input: {id: $id, version: 1, region: \"EMEA\"}) { account { id } } }", json!({"id": a})).await;

        let all = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "first": 20})).await;
        assert_eq!(labels(&all), [
            "AccountEvent:ACCOUNT_UPDATED", "AccountEvent:GOAL_CREATED", "AccountEvent:CONTACT_CREATED",
            "AccountEvent:ACCOUNT_CREATED", "Activity:EMAIL", "Activity:CALL", "Activity:NOTE",
        ]);
        assert_eq!(all["account"]["timeline"]["pageInfo"]["hasNextPage"], false);
        let note_node = &all["account"]["timeline"]["edges"][6]["node"];
        assert_eq!(note_node["authorMember"]["name"], "Ann Lee");

        // Pages of three, then the rest: the same order, nothing missed or repeated.
        let first = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "first": 3})).await;
        assert_eq!(first["account"]["timeline"]["pageInfo"]["hasNextPage"], true);
        let cursor = first["account"]["timeline"]["pageInfo"]["endCursor"].clone();
        let rest = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "first": 10, "after": cursor})).await;
        let mut paged = labels(&first);
        paged.extend(labels(&rest));
        assert_eq!(paged, labels(&all));

        let calls = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "kinds": ["CALL", "NOTE"]})).await;
        assert_eq!(labels(&calls), ["Activity:CALL", "Activity:NOTE"]);
        let changes = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "kinds": ["CHANGE"]})).await;
        assert_eq!(labels(&changes).len(), 4);

        // Only its author (or an admin) corrects or deletes an activity.
        let call_id = call["id"].clone();
        let someone = server.token_for("someone-else", Role::CsManager);
        let (_, refused) = server.post(&someone, "mutation($id: ID!) { updateActivity(input: {id: $id, version: 1, body: \"x\"}) { id } }", json!({"id": call_id})).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
        let tester = server.token_for("tester", Role::CsManager);
        let (_, fixed) = server.post(&tester, "mutation($id: ID!) { updateActivity(input: {id: $id, version: 1, body: \"Agreed the launch plan.\", title: null}) { version title body } }", json!({"id": call_id})).await;
        assert_eq!(fixed["data"]["updateActivity"], json!({"version": 2, "title": null, "body": "Agreed the launch plan."}), "{fixed}");
        let note_id = note["data"]["logActivity"]["id"].clone();
        server.ok(Role::Admin, "mutation($id: ID!) { deleteActivity(id: $id, version: 1) }", json!({"id": note_id})).await;
        let after = server.ok(Role::Viewer, TIMELINE, json!({"id": a, "kinds": ["NOTE", "CALL"]})).await;
        assert_eq!(labels(&after), ["Activity:CALL"]);
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id, kinds: [ACTIVITY_LOGGED, ACTIVITY_UPDATED, ACTIVITY_DELETED]) { edges { node { kind } } } }", json!({"id": a})).await;
        assert_eq!(events["accountEvents"]["edges"].as_array().unwrap().len(), 5);

        // Refusals.
        let bad = |input: Value| json!({"input": input});
        for (input, code) in [
            (json!({"accountId": a, "kind": "NOTE", "body": "x", "links": {"goalId": foreign_goal}}), "BAD_USER_INPUT"),
            (json!({"accountId": other, "kind": "NOTE", "body": "x", "contactIds": [contact]}), "BAD_USER_INPUT"),
            (json!({"accountId": a, "kind": "NOTE", "body": "x", "occurredAt": (now + Duration::days(5)).to_rfc3339()}), "BAD_USER_INPUT"),
            (json!({"accountId": a, "kind": "NOTE", "body": "  "}), "BAD_USER_INPUT"),
        ] {
            let (c, message) = server.error(Role::CsManager, LOG, bad(input)).await;
            assert_eq!(c, code, "{message}");
        }
        let (code, _) = server.error(Role::Viewer, LOG, bad(json!({"accountId": a, "kind": "NOTE", "body": "x"}))).await;
        assert_eq!(code, "FORBIDDEN");
        let (_, body) = server.post(&server.token(Role::Integration), TIMELINE, json!({"id": a})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        server.stop().await;
    }
}
