//! Every BAD_USER_INPUT names the input field it is about in `extensions.field`, whichever rule
//! refused it (a domain rule such as "two decimals at most", a range, an id's format).

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

db_test! {
    async fn every_bad_user_input_names_its_field(db) {
        let server = Server::start(&db).await;
        tandem_api::demo::load(&server.store).await.unwrap();
        let ids = server.ok(Role::Admin, "{ sows(first: 50) { nodes { id status } } teamMembers { id } }", json!({})).await;
        // A SOW that takes time, so that the hours are what is refused.
        let sow = ids["sows"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"] == "SIGNED" || s["status"] == "IN_DELIVERY")
            .expect("a signed SOW in the demo")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let member = ids["teamMembers"][0]["id"].as_str().unwrap().to_string();
        let log = "mutation($input: LogTimeInput!) { logTime(input: $input) { timeEntry { id } } }";
        let raise = "mutation($input: RaiseChangeRequestInput!) { raiseChangeRequest(input: $input) { changeRequest { id } } }";
        let cases: [(&str, Value, &str); 5] = [
            (log, json!({"input": {"sowId": sow, "teamMemberId": member, "role": "Developer", "hours": 1.234, "kind": "IN_SCOPE"}}), "input.hours"),
            (log, json!({"input": {"sowId": sow, "teamMemberId": member, "role": "Developer", "hours": -2, "kind": "IN_SCOPE"}}), "input.hours"),
            (log, json!({"input": {"sowId": "bogus", "teamMemberId": member, "role": "Developer", "hours": 1, "kind": "IN_SCOPE"}}), "input.sowId"),
            (raise, json!({"input": {"sowId": sow, "hours": 1.234, "amountMinor": 100, "reason": "More"}}), "input.hours"),
            ("query($id: ID!) { account(id: $id) { name } }", json!({"id": "bogus"}), "id"),
        ];
        for (query, variables, field) in cases {
            let (_, body) = server.post(&server.token(Role::Admin), query, variables.clone()).await;
            let error = &body["errors"][0];
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{variables}: {body}");
            assert_eq!(error["extensions"]["field"], field, "{variables}: {body}");
        }
        server.stop().await;
    }
}
