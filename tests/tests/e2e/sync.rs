//! Sync by external id: upserting accounts by a CRM's ids with a result per record, one bad
//! record never blocking the rest, idempotent retries, and external ids unique per source.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const UPSERT: &str = "mutation($s: String!, $r: [AccountRecordInput!]!) { upsertAccounts(source: $s, records: $r) { index externalId status error { code field message } account { name industry tags version externalIds { source externalId } } } }";

fn statuses(v: &Value) -> Vec<String> {
    v["upsertAccounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

db_test! {
    async fn accounts_are_upserted_by_external_id_one_result_per_record(db) {
        let server = Server::start(&db).await;
        let first = server.ok(Role::Integration, UPSERT, json!({"s": "Salesforce", "r": [
            {"externalId": "001A", "name": "Acme", "industry": "Apparel", "tags": ["crm"]},
            {"externalId": "001B", "industry": "Home"},
            {"externalId": "001C", "name": "Initech", "tags": ["bad tag!"]},
            {"externalId": "001D", "name": "Globex"},
        ]})).await;
        assert_eq!(statuses(&first), ["CREATED", "FAILED", "FAILED", "CREATED"]);
        let rows = first["upsertAccounts"].as_array().unwrap();
        assert_eq!(rows[0]["account"]["externalIds"], json!([{"source": "salesforce", "externalId": "001A"}]));
        assert_eq!(rows[1]["error"]["code"], "BAD_USER_INPUT");
        assert_eq!(rows[1]["error"]["field"], "name", "{}", rows[1]);
        assert_eq!(rows[2]["error"]["code"], "BAD_USER_INPUT");
        assert!(rows[2]["account"].is_null());

        // Again, with one change: updated, unchanged, and the failed one now fixed.
        let second = server.ok(Role::Integration, UPSERT, json!({"s": "salesforce", "r": [
            {"externalId": "001A", "industry": "Retail"},
            {"externalId": "001D", "name": "Globex"},
            {"externalId": "001B", "name": "Hooli", "industry": "Home"},
        ]})).await;
        assert_eq!(statuses(&second), ["UPDATED", "UNCHANGED", "CREATED"]);
        let a = &second["upsertAccounts"][0]["account"];
        assert_eq!((a["name"].as_str(), a["industry"].as_str(), a["version"].as_i64()), (Some("Acme"), Some("Retail"), Some(2)));
        assert_eq!(a["tags"], json!(["crm"]));
        let count = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 3);

        // A retried call with the same Idempotency-Key changes nothing and answers the same.
        let body = json!({"query": UPSERT, "variables": {"s": "salesforce", "r": [{"externalId": "001E", "name": "Umbrella"}]}});
        let send = || server.http.post(&server.url).bearer_auth(server.token(Role::Integration)).header("idempotency-key", "sync-42").json(&body).send();
        let one = send().await.unwrap();
        let one: Value = one.json().await.unwrap();
        let again = send().await.unwrap();
        assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        let again: Value = again.json().await.unwrap();
        assert_eq!(one, again);
        let count = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 4);
        let events = server.ok(Role::Viewer, "{ accountEvents(first: 100, kinds: [ACCOUNT_CREATED]) { edges { cursor } } }", json!({})).await;
        assert_eq!(events["accountEvents"]["edges"].as_array().unwrap().len(), 4);

        // An archived account's record fails; the others go on.
        let acme = second["upsertAccounts"][0]["account"].clone();
        let id = server.ok(Role::Viewer, "{ accounts(filter: {search: \"Acme\"}) { nodes { id } } }", json!({})).await["accounts"]["nodes"][0]["id"].clone();
        server.ok(Role::CsManager, "mutation($id: ID!, $v: Int!) { archiveAccount(input: {id: $id, version: $v}) { account { id } } }", json!({"id": id, "v": acme["version"]})).await;
        let third = server.ok(Role::Integration, UPSERT, json!({"s": "salesforce", "r": [
            {"externalId": "001A", "industry": "Toys"},
            {"externalId": "001D", "industry": "Toys"},
        ]})).await;
        assert_eq!(statuses(&third), ["FAILED", "UPDATED"]);
        assert_eq!(third["upsertAccounts"][0]["error"]["code"], "CONFLICT");

        // External ids are unique per source, one per object and source.
        let other = create_account(&server, "Initrode").await;
        let set = "mutation($id: ID!, $s: String!, $e: String) { setExternalId(id: $id, source: $s, externalId: $e) }";
        server.ok(Role::Admin, set, json!({"id": other, "s": "billing", "e": "cus_9"})).await;
        let (code, message) = server.error(Role::Admin, set, json!({"id": id, "s": "billing", "e": "cus_9"})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let (code, _) = server.error(Role::Admin, set, json!({"id": other, "s": "salesforce", "e": "001D"})).await;
        assert_eq!(code, "CONFLICT");
        for (id, source, external) in [(json!("not-an-id"), "billing", json!("x")), (json!(other), "Bill ing", json!("x")), (json!(other), "billing", json!("  "))] {
            let (code, message) = server.error(Role::Admin, set, json!({"id": id, "s": source, "e": external})).await;
            assert_eq!(code, "BAD_USER_INPUT", "{message}");
        }
        server.ok(Role::Admin, set, json!({"id": other, "s": "billing", "e": "cus_10"})).await;
        let ids = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { externalIds { source externalId } } }", json!({"id": other})).await;
        assert_eq!(ids["account"]["externalIds"], json!([{"source": "billing", "externalId": "cus_10"}]));
        server.ok(Role::Admin, set, json!({"id": other, "s": "billing", "e": null})).await;
        let ids = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { externalIds { source } } }", json!({"id": other})).await;
        assert_eq!(ids["account"]["externalIds"], json!([]));

        // Refusals.
        let (code, _) = server.error(Role::Viewer, UPSERT, json!({"s": "salesforce", "r": [{"externalId": "x", "name": "X"}]})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, _) = server.error(Role::Integration, UPSERT, json!({"s": "sales force", "r": [{"externalId": "x", "name": "X"}]})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let many: Vec<Value> = (0..1001).map(|i| json!({"externalId": format!("x{i}"), "name": "X"})).collect();
        let (code, message) = server.error(Role::Integration, UPSERT, json!({"s": "salesforce", "r": many})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        server.stop().await;
    }
}

const CONTACTS: &str = "mutation($s: String!, $r: [ContactRecordInput!]!) { upsertContacts(source: $s, records: $r) { index externalId status error { code field message } contact { name email stakeholderRole version account { name } externalIds { source externalId } } } }";

db_test! {
    async fn contacts_are_upserted_by_external_id_on_accounts_named_by_theirs(db) {
        let server = Server::start(&db).await;
        server.ok(Role::Integration, UPSERT, json!({"s": "hubspot", "r": [{"externalId": "co-1", "name": "Acme"}]})).await;
        let other = create_account(&server, "Globex").await;
        let first = server.ok(Role::Integration, CONTACTS, json!({"s": "hubspot", "r": [
            {"externalId": "p-1", "accountExternalId": "co-1", "name": "Ann Lee", "email": "ann@acme.io", "stakeholderRole": "CHAMPION"},
            {"externalId": "p-2", "accountId": other, "name": "Bo Chan", "email": "bo@globex.io"},
            {"externalId": "p-3", "accountExternalId": "co-404", "name": "Cy", "email": "cy@x.io"},
            {"externalId": "p-4", "name": "Di", "email": "di@x.io"},
            {"externalId": "p-5", "accountExternalId": "co-1", "name": "Ed", "email": "not-an-email"},
        ]})).await;
        let rows = first["upsertContacts"].as_array().unwrap();
        let statuses: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["CREATED", "CREATED", "FAILED", "FAILED", "FAILED"]);
        assert_eq!(rows[0]["contact"]["account"]["name"], "Acme");
        assert_eq!(rows[0]["contact"]["externalIds"], json!([{"source": "hubspot", "externalId": "p-1"}]));
        assert_eq!(rows[1]["contact"]["stakeholderRole"], "END_USER");
        assert_eq!((rows[2]["error"]["code"].as_str(), rows[2]["error"]["field"].as_str()), (Some("BAD_USER_INPUT"), Some("accountExternalId")));
        assert!(rows[2]["error"]["message"].as_str().unwrap().contains("co-404"), "{}", rows[2]);
        assert_eq!(rows[3]["error"]["field"], "accountExternalId");
        assert_eq!(rows[4]["error"]["field"], "email");

        // Again: a change, no change, and a move between accounts refused.
        let second = server.ok(Role::Services, CONTACTS, json!({"s": "hubspot", "r": [
            {"externalId": "p-1", "title": "VP Digital"},
            {"externalId": "p-2", "name": "Bo Chan"},
            {"externalId": "p-1", "accountExternalId": "co-1", "email": "ann.lee@acme.io"},
            {"externalId": "p-2", "accountExternalId": "co-1"},
        ]})).await;
        let rows = second["upsertContacts"].as_array().unwrap();
        let statuses: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["UPDATED", "UNCHANGED", "UPDATED", "FAILED"]);
        assert_eq!((rows[2]["contact"]["email"].as_str(), rows[2]["contact"]["version"].as_i64()), (Some("ann.lee@acme.io"), Some(3)));
        assert_eq!(rows[3]["error"]["field"], "account", "{}", rows[3]);
        let count = server.ok(Role::Viewer, "query($a: ID!) { account(id: $a) { contacts { name } } }", json!({"a": other})).await;
        assert_eq!(count["account"]["contacts"], json!([{"name": "Bo Chan"}]));

        // Roles and batch size.
        let (code, _) = server.error(Role::Viewer, CONTACTS, json!({"s": "hubspot", "r": [{"externalId": "p-9", "accountId": other, "name": "X", "email": "x@x.io"}]})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, _) = server.error(Role::Integration, CONTACTS, json!({"s": "hubspot", "r": []})).await;
        assert_eq!(code, "BAD_USER_INPUT");
    }
}
