//! Accounts, contacts and team members over HTTP.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{CREATE_ACCOUNT, Server, create_account};

const UPDATE: &str = "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id version name plan touchTier domain tags } } }";

db_test! {
    async fn an_account_is_created_read_updated_and_archived(db) {
        let server = Server::start(&db).await;
        let created = server.ok(Role::CsManager, CREATE_ACCOUNT, json!({"input": {
            "name": "  Acme Outdoor ", "tags": ["VIP", "beta"], "touchTier": "HIGH"
        }})).await;
        let account = &created["createAccount"]["account"];
        assert_eq!(account["name"], "Acme Outdoor");
        assert_eq!(account["version"], 1);
        assert_eq!(account["tags"], json!(["beta", "vip"]));
        let id = account["id"].as_str().unwrap();

        let read = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { name touchTier lifecycleStage currency archivedAt } }", json!({"id": id})).await;
        assert_eq!(read["account"], json!({"name": "Acme Outdoor", "touchTier": "HIGH", "lifecycleStage": "ONBOARDING", "currency": "USD", "archivedAt": null}));

        let updated = server.ok(Role::Admin, UPDATE, json!({"input": {"id": id, "version": 1, "plan": "Growth", "domain": "https://acme.com/"}})).await;
        let account = &updated["updateAccount"]["account"];
        assert_eq!(account["version"], 2);
        assert_eq!(account["plan"], "Growth");
        assert_eq!(account["domain"], "acme.com");

        let cleared = server.ok(Role::Admin, UPDATE, json!({"input": {"id": id, "version": 2, "domain": null}})).await;
        assert_eq!(cleared["updateAccount"]["account"]["domain"], Value::Null);
        assert_eq!(cleared["updateAccount"]["account"]["plan"], "Growth");

        let archived = server.ok(Role::CsManager, "mutation($id: ID!) { archiveAccount(input: {id: $id, version: 3}) { account { version archivedAt } } }", json!({"id": id})).await;
        assert!(archived["archiveAccount"]["account"]["archivedAt"].is_string());
        let list = server.ok(Role::Viewer, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(list["accounts"]["totalCount"], 0);
        let (code, message) = server.error(Role::Admin, UPDATE, json!({"input": {"id": id, "version": 4, "plan": "X"}})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("archived"), "{message}");
        server.stop().await;
    }
}

db_test! {
    async fn a_stale_version_is_a_conflict_that_names_both_versions(db) {
        let server = Server::start(&db).await;
        let id = create_account(&server, "Acme").await;
        server.ok(Role::Admin, UPDATE, json!({"input": {"id": id, "version": 1, "plan": "Growth"}})).await;
        let (code, message) = server.error(Role::Admin, UPDATE, json!({"input": {"id": id, "version": 1, "plan": "Plus"}})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("version 1") && message.contains("version 2"), "{message}");
        server.stop().await;
    }
}

db_test! {
    async fn validation_errors_name_the_offending_input_field(db) {
        let server = Server::start(&db).await;
        let (_, body) = server.post(&server.token(Role::Admin), CREATE_ACCOUNT, json!({"input": {"name": "Acme", "domain": "not a domain"}})).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "input.domain");
        assert!(error["message"].as_str().unwrap().starts_with("input.domain:"), "{body}");

        let (code, message) = server.error(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": "Acme", "tags": ["ok", "not ok"]}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("input.tags[1]"), "{message}");

        let (code, _) = server.error(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": "Acme", "currency": "dollars"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, message) = server.error(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": "Acme", "ownerId": "bogus"}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("input.ownerId"), "{message}");
        let huge = "x".repeat(5000);
        let (code, _) = server.error(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": huge}})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let count = server.ok(Role::Admin, "{ accounts { totalCount } }", json!({})).await;
        assert_eq!(count["accounts"]["totalCount"], 0, "a refused create left something behind");
        server.stop().await;
    }
}

db_test! {
    async fn unknown_ids_are_not_found(db) {
        let server = Server::start(&db).await;
        let id = create_account(&server, "Acme").await;
        server.ok(Role::Admin, "mutation($id: ID!) { archiveAccount(input: {id: $id, version: 1}) { account { id } } }", json!({"id": id})).await;
        let missing = tandem_api::graphql::ids::encode(tandem_api::graphql::ids::Kind::Account, uuid::Uuid::now_v7());
        let (code, _) = server.error(Role::Admin, UPDATE, json!({"input": {"id": missing, "version": 1, "plan": "X"}})).await;
        assert_eq!(code, "NOT_FOUND");
        let read = server.ok(Role::Admin, "query($id: ID!) { account(id: $id) { id } node(id: $id) { id } }", json!({"id": missing})).await;
        assert_eq!(read, json!({"account": null, "node": null}));
        server.stop().await;
    }
}

db_test! {
    async fn pages_follow_cursors_both_ways_and_filters_narrow_them(db) {
        let server = Server::start(&db).await;
        for (name, tier, tags) in [
            ("Delta Goods", "LOW", vec!["b2b"]),
            ("alpha Apparel", "HIGH", vec!["vip", "b2b"]),
            ("Charlie Cycles", "HIGH", vec![]),
            ("Bravo Beauty", "TECH", vec!["vip"]),
            ("Echo Electronics", "MEDIUM", vec![]),
        ] {
            server.ok(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": name, "touchTier": tier, "tags": tags}})).await;
        }
        let page = "query($first: Int, $after: String, $last: Int, $before: String, $filter: AccountFilter, $order: AccountOrderBy) {
            accounts(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {
                totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { name } }
            } }";
        let names = |d: &Value| -> Vec<String> {
            d["accounts"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["name"].as_str().unwrap().to_owned()).collect()
        };
        let first = server.ok(Role::Viewer, page, json!({"first": 2})).await;
        assert_eq!(names(&first), ["alpha Apparel", "Bravo Beauty"]);
        assert_eq!(first["accounts"]["totalCount"], 5);
        assert_eq!(first["accounts"]["pageInfo"]["hasNextPage"], true);
        let after = first["accounts"]["pageInfo"]["endCursor"].clone();
        let second = server.ok(Role::Viewer, page, json!({"first": 2, "after": after})).await;
        assert_eq!(names(&second), ["Charlie Cycles", "Delta Goods"]);
        let third = server.ok(Role::Viewer, page, json!({"first": 2, "after": second["accounts"]["pageInfo"]["endCursor"]})).await;
        assert_eq!(names(&third), ["Echo Electronics"]);
        assert_eq!(third["accounts"]["pageInfo"]["hasNextPage"], false);
        let back = server.ok(Role::Viewer, page, json!({"last": 2, "before": third["accounts"]["pageInfo"]["startCursor"]})).await;
        assert_eq!(names(&back), ["Charlie Cycles", "Delta Goods"]);
        assert_eq!(back["accounts"]["pageInfo"]["hasPreviousPage"], true);

        let high_vip = server.ok(Role::Viewer, page, json!({"filter": {"touchTiers": ["HIGH"], "tags": ["vip"]}})).await;
        assert_eq!(names(&high_vip), ["alpha Apparel"]);
        assert_eq!(high_vip["accounts"]["totalCount"], 1);
        let search = server.ok(Role::Viewer, page, json!({"filter": {"search": "CYCLES"}})).await;
        assert_eq!(names(&search), ["Charlie Cycles"]);
        let desc = server.ok(Role::Viewer, page, json!({"first": 1, "order": "NAME_DESC"})).await;
        assert_eq!(names(&desc), ["Echo Electronics"]);

        let (code, message) = server.error(Role::Viewer, page, json!({"first": 1, "after": after, "order": "NAME_DESC"})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("another order"), "{message}");
        let (code, _) = server.error(Role::Viewer, page, json!({"first": 1000})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = server.error(Role::Viewer, page, json!({"first": 1, "last": 1})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = server.error(Role::Viewer, page, json!({"after": "garbage"})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        server.stop().await;
    }
}

db_test! {
    async fn contacts_and_owners_nest_under_accounts(db) {
        let server = Server::start(&db).await;
        let member = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Sam Lee\", email: \"sam@vendor.io\", team: CUSTOMER_SUCCESS, role: CS_MANAGER}) { teamMember { id version } } }", json!({})).await;
        let owner = member["createTeamMember"]["teamMember"]["id"].as_str().unwrap().to_owned();
        let mut ids = Vec::new();
        for name in ["Acme", "Globex", "Initech"] {
            let created = server.ok(Role::Admin, CREATE_ACCOUNT, json!({"input": {"name": name, "ownerId": owner}})).await;
            ids.push(created["createAccount"]["account"]["id"].as_str().unwrap().to_owned());
        }
        for (i, id) in ids.iter().enumerate() {
            for n in 0..=i {
                server.ok(Role::Services, "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
                    json!({"input": {"accountId": id, "name": format!("Person {n}"), "email": format!("p{n}@x.com"), "stakeholderRole": "CHAMPION"}})).await;
            }
        }
        let data = server.ok(Role::Viewer, "{ accounts { nodes { name owner { name } contacts { name account { name } } } } }", json!({})).await;
        let nodes = data["accounts"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 3);
        for (i, node) in nodes.iter().enumerate() {
            assert_eq!(node["owner"]["name"], "Sam Lee");
            assert_eq!(node["contacts"].as_array().unwrap().len(), i + 1);
            assert_eq!(node["contacts"][0]["account"]["name"], node["name"]);
        }
        let (code, message) = server.error(Role::Services, "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
            json!({"input": {"accountId": ids[0], "name": "Dup", "email": "P0@x.com"}})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("p0@x.com"), "{message}");
        let (code, message) = server.error(Role::Admin, "mutation($id: ID!) { archiveTeamMember(input: {id: $id, version: 1}) { teamMember { id } } }", json!({"id": owner})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("owns 3"), "{message}");
        let node = server.ok(Role::Viewer, "query($id: ID!) { node(id: $id) { __typename ... on TeamMember { name team } } }", json!({"id": owner})).await;
        assert_eq!(node["node"], json!({"__typename": "TeamMember", "name": "Sam Lee", "team": "CUSTOMER_SUCCESS"}));
        server.stop().await;
    }
}
