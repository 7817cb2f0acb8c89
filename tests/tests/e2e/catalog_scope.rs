//! Phases scoped to a published catalog-model version, through GraphQL: what a phase moves
//! (products and variants, hand-counted below), its progress as products are marked migrated,
//! the impact of a newer version on the phase and on `CatalogVersion.affectedPhases`, the
//! explicit move onto the newer version, the events, and each error a client can get.
//!
//! The fixture, version 1 (sizes S/M/L, colours Black/Gold):
//!
//! | product | type | line     | axes          | variants              |
//! |---------|------|----------|---------------|-----------------------|
//! | TEE     | top  | Apparel  | size × colour | 3 × 2 − (L, Gold) = 5 |
//! | POLO    | top  | Apparel  | size          | 3                     |
//! | KNIT    | top  | Knitwear | colour        | 2                     |
//! | MUG     | mug  | Home     | —             | 1                     |
//! | SOCK    | top  | Socks    | size          | 3                     |
//!
//! The scope {lines: Apparel, types: mug, products: KNIT} selects TEE, POLO, KNIT and MUG:
//! 4 products, 5 + 3 + 2 + 1 = 11 variants.

use base64::Engine;
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const SCOPE: &str = "query($id: ID!) { phase(id: $id) { status catalogScope {
  version catalogVersionNumber catalogVersionId productLines productTypes products
  productsInScope { key name productLine productType variantCount migrated migratedBy }
  productCount variantCount migratedProducts migratedVariants progress latestVersionNumber
  newerVersion { catalogVersionNumber affected added removed changed { key fields } }
} } }";
const SET: &str = "mutation($p: ID!, $i: PhaseCatalogScopeInput!, $v: Int!) { setPhaseCatalogScope(phaseId: $p, input: $i, expectedVersion: $v) { phase { id } catalogScope { version productCount variantCount } } }";
const MOVE: &str = "mutation($p: ID!, $c: ID!, $v: Int!) { movePhaseCatalogScope(phaseId: $p, catalogVersionId: $c, expectedVersion: $v) { catalogScope { version catalogVersionNumber productCount variantCount migratedProducts migratedVariants progress newerVersion { affected } } } }";
const MARK: &str = "mutation($a: ID!, $k: [String!]!, $m: Boolean!) { markProductsMigrated(accountId: $a, productKeys: $k, migrated: $m) { changed migrated } }";
const AFFECTED: &str = "query($a: ID!, $n: Int!) { catalogVersion(accountId: $a, number: $n) { number affectedPhases { phase { id name } scopedVersionNumber impact { catalogVersionNumber affected added removed changed { key fields } } } } }";

/// A draft edit as SERVICES; returns the draft's new version.
async fn edit(server: &Server, mutation: &str, account: &str, version: i64, vars: Value) -> i64 {
    let mut variables = vars;
    variables["draft"] = json!({"accountId": account, "version": version});
    let data = server.ok(Role::Services, mutation, variables).await;
    data.as_object().unwrap().values().next().unwrap()["draft"]["version"]
        .as_i64()
        .unwrap()
}

const PUT_TYPE: &str = "mutation($draft: CatalogDraftRef!, $t: CatalogProductTypeInput!) { putCatalogProductType(draft: $draft, productType: $t) { draft { version } } }";
const PUT_AXIS: &str = "mutation($draft: CatalogDraftRef!, $a: CatalogAxisInput!) { putCatalogAxis(draft: $draft, axis: $a) { draft { version } } }";
const PUT_PRODUCTS: &str = "mutation($draft: CatalogDraftRef!, $p: [CatalogProductInput!]!) { putCatalogProducts(draft: $draft, products: $p) { draft { version } } }";
const REMOVE_PRODUCTS: &str = "mutation($draft: CatalogDraftRef!, $k: [String!]!) { removeCatalogProducts(draft: $draft, keys: $k) { draft { version } } }";

fn product(key: &str, name: &str, ty: &str, line: &str, axes: &[&str]) -> Value {
    let pattern = std::iter::once("{product}".to_string())
        .chain(axes.iter().map(|a| match *a {
            "size" => "{Size}".to_string(),
            _ => "{Colour}".to_string(),
        }))
        .collect::<Vec<_>>()
        .join("-");
    let excluded = if key == "TEE" {
        json!([{"size": "L", "colour": "Gold"}])
    } else {
        json!([])
    };
    json!({"key": key, "name": name, "productType": ty, "productLine": line, "axes": axes,
        "excluded": excluded, "skuPattern": pattern})
}

/// Publishes `account`'s draft at `version`; returns the new version's id.
async fn publish(server: &Server, account: &str, version: i64) -> String {
    let p = server.ok(Role::Services, "mutation($a: ID!, $v: Int!) { publishCatalogModel(draft: {accountId: $a, version: $v}) { id number } }",
        json!({"a": account, "v": version})).await;
    p["publishCatalogModel"]["id"].as_str().unwrap().to_owned()
}

/// Builds and publishes version 1 of the fixture; returns its id and the draft's version.
async fn version_one(server: &Server, account: &str) -> (String, i64) {
    let mut v = 0;
    for (key, name) in [("top", "Top"), ("mug", "Mug")] {
        v = edit(
            server,
            PUT_TYPE,
            account,
            v,
            json!({"t": {"key": key, "name": name}}),
        )
        .await;
    }
    for (key, name, values) in [
        ("size", "Size", vec!["S", "M", "L"]),
        ("colour", "Colour", vec!["Black", "Gold"]),
    ] {
        v = edit(
            server,
            PUT_AXIS,
            account,
            v,
            json!({"a": {"key": key, "name": name, "values": values}}),
        )
        .await;
    }
    v = edit(
        server,
        PUT_PRODUCTS,
        account,
        v,
        json!({"p": [
            product("TEE", "Classic tee", "top", "Apparel", &["size", "colour"]),
            product("POLO", "Polo", "top", "Apparel", &["size"]),
            product("KNIT", "Knit", "top", "Knitwear", &["colour"]),
            product("MUG", "Mug", "mug", "Home", &[]),
            product("SOCK", "Sock", "top", "Socks", &["size"]),
        ]}),
    )
    .await;
    (publish(server, account, v).await, v)
}

async fn engagement_phase(server: &Server, account: &str, name: &str) -> String {
    let e = server.ok(Role::Services, "mutation($a: ID!) { createEngagement(input: {accountId: $a, name: \"Replatforming\"}) { engagement { id } } }", json!({"a": account})).await;
    let engagement = e["createEngagement"]["engagement"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    add_phase(server, &engagement, name).await
}

async fn add_phase(server: &Server, engagement: &str, name: &str) -> String {
    let p = server.ok(Role::Services, "mutation($e: ID!, $n: String!) { addPhase(input: {engagementId: $e, name: $n, focusKind: PRODUCT_LINE, focus: $n}) { phase { id engagement { id } } } }",
        json!({"e": engagement, "n": name})).await;
    p["addPhase"]["phase"]["id"].as_str().unwrap().to_owned()
}

fn keys(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect()
}

db_test! {
    async fn a_scoped_phase_shows_what_it_moves_and_its_progress_until_moved_onto_a_newer_version(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Acme Outdoor").await;
        let (v1, draft) = version_one(&server, &account).await;
        let phase = engagement_phase(&server, &account, "Apparel").await;

        let set = server.ok(Role::Services, SET, json!({"p": phase, "v": 0, "i": {"catalogVersionId": v1,
            "productLines": ["Apparel"], "productTypes": ["mug"], "products": ["KNIT", "KNIT"]}})).await;
        assert_eq!(set["setPhaseCatalogScope"]["catalogScope"], json!({"version": 1, "productCount": 4, "variantCount": 11}));

        let read = server.ok(Role::Viewer, SCOPE, json!({"id": phase})).await;
        let s = &read["phase"]["catalogScope"];
        assert_eq!(s["catalogVersionNumber"], 1);
        assert_eq!(s["products"], json!(["KNIT"]), "repeats are dropped");
        assert_eq!(keys(&s["productsInScope"]), vec!["TEE", "POLO", "KNIT", "MUG"]);
        let counts: Vec<i64> = s["productsInScope"].as_array().unwrap().iter().map(|p| p["variantCount"].as_i64().unwrap()).collect();
        assert_eq!(counts, vec![5, 3, 2, 1]);
        assert_eq!((s["migratedProducts"].as_i64(), s["progress"].as_f64()), (Some(0), Some(0.0)));
        assert_eq!(s["newerVersion"], Value::Null);
        assert_eq!(s["latestVersionNumber"], 1);

        // Two products go live on the target platform: half the products, 4 of 11 variants.
        let marked = server.ok(Role::Services, MARK, json!({"a": account, "k": ["POLO", "MUG", "POLO"], "m": true})).await;
        assert_eq!(marked["markProductsMigrated"], json!({"changed": ["MUG", "POLO"], "migrated": true}));
        let again = server.ok(Role::Services, MARK, json!({"a": account, "k": ["MUG"], "m": true})).await;
        assert_eq!(again["markProductsMigrated"]["changed"], json!([]), "marking twice changes nothing");
        let read = server.ok(Role::Product, SCOPE, json!({"id": phase})).await;
        let s = &read["phase"]["catalogScope"];
        assert_eq!((s["productCount"].as_i64(), s["variantCount"].as_i64()), (Some(4), Some(11)));
        assert_eq!((s["migratedProducts"].as_i64(), s["migratedVariants"].as_i64()), (Some(2), Some(4)));
        assert_eq!(s["progress"].as_f64(), Some(0.5));
        assert_eq!(s["productsInScope"][1]["migrated"], true);
        assert_eq!(s["productsInScope"][0]["migrated"], false);

        // A second, planned phase scoped to SOCK only: version 2 leaves it alone.
        let socks = engagement_phase(&server, &account, "Socks").await;
        server.ok(Role::Services, SET, json!({"p": socks, "v": 0, "i": {"catalogVersionId": v1, "productLines": ["Socks"]}})).await;

        // Version 2: POLO goes, HAT joins Apparel, a new colour changes the variants of TEE
        // and KNIT, MUG is renamed.
        let mut v = edit(&server, REMOVE_PRODUCTS, &account, draft, json!({"k": ["POLO"]})).await;
        v = edit(&server, PUT_AXIS, &account, v, json!({"a": {"key": "colour", "name": "Colour", "values": ["Black", "Gold", "Navy"]}})).await;
        v = edit(&server, PUT_PRODUCTS, &account, v, json!({"p": [
            product("MUG", "Mug 350 ml", "mug", "Home", &[]),
            product("HAT", "Hat", "top", "Apparel", &["colour"]),
        ]})).await;
        let v2 = publish(&server, &account, v).await;

        // The phase still points at version 1 and shows what version 2 would change.
        let read = server.ok(Role::Viewer, SCOPE, json!({"id": phase})).await;
        let s = &read["phase"]["catalogScope"];
        assert_eq!(s["catalogVersionNumber"], 1);
        assert_eq!(s["latestVersionNumber"], 2);
        assert_eq!(s["productCount"], 4);
        assert_eq!(s["newerVersion"], json!({"catalogVersionNumber": 2, "affected": true,
            "added": ["HAT"], "removed": ["POLO"],
            "changed": [{"key": "TEE", "fields": ["variants"]}, {"key": "KNIT", "fields": ["variants"]}, {"key": "MUG", "fields": ["name"]}]}));
        let socks_read = server.ok(Role::Viewer, SCOPE, json!({"id": socks})).await;
        assert_eq!(socks_read["phase"]["catalogScope"]["newerVersion"]["affected"], false);

        // Version 2 lists the affected phase, not the untouched one.
        let affected = server.ok(Role::Viewer, AFFECTED, json!({"a": account, "n": 2})).await;
        let list = affected["catalogVersion"]["affectedPhases"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{affected}");
        assert_eq!(list[0]["phase"]["id"], json!(phase));
        assert_eq!(list[0]["scopedVersionNumber"], 1);
        assert_eq!(list[0]["impact"]["added"], json!(["HAT"]));
        assert_eq!(list[0]["impact"]["removed"], json!(["POLO"]));
        let none = server.ok(Role::Viewer, AFFECTED, json!({"a": account, "n": 1})).await;
        assert_eq!(none["catalogVersion"]["affectedPhases"], json!([]));

        // Moved explicitly: TEE 3 × 3 − 1 = 8, KNIT 3, MUG 1, HAT 3 = 15 variants; MUG is the
        // one migrated product left in scope.
        let moved = server.ok(Role::Services, MOVE, json!({"p": phase, "c": v2, "v": 1})).await;
        assert_eq!(moved["movePhaseCatalogScope"]["catalogScope"], json!({"version": 2, "catalogVersionNumber": 2,
            "productCount": 4, "variantCount": 15, "migratedProducts": 1, "migratedVariants": 1, "progress": 0.25,
            "newerVersion": null}));
        let after = server.ok(Role::Viewer, AFFECTED, json!({"a": account, "n": 2})).await;
        assert_eq!(after["catalogVersion"]["affectedPhases"], json!([]));

        // Moving onto the version it is on, or back, is refused.
        let (code, message) = server.error(Role::Services, MOVE, json!({"p": phase, "c": v1, "v": 2})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        assert!(message.starts_with("catalogVersionId: is version 1"), "{message}");

        // Taking a mark back is an event too; so is clearing the scope.
        server.ok(Role::Services, MARK, json!({"a": account, "k": ["MUG"], "m": false})).await;
        let cleared = server.ok(Role::Admin, "mutation($p: ID!) { clearPhaseCatalogScope(phaseId: $p, expectedVersion: 2) { phase { catalogScope { version } } catalogScope { version } } }", json!({"p": phase})).await;
        assert_eq!(cleared["clearPhaseCatalogScope"], json!({"phase": {"catalogScope": null}, "catalogScope": null}));

        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [CATALOG_SCOPE_CHANGED, PRODUCTS_MIGRATED]) { edges { node { kind subjectId changes { field before after } } } } }", json!({"a": account})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        let kinds: Vec<&str> = edges.iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["CATALOG_SCOPE_CHANGED", "PRODUCTS_MIGRATED", "CATALOG_SCOPE_CHANGED",
            "CATALOG_SCOPE_CHANGED", "PRODUCTS_MIGRATED", "CATALOG_SCOPE_CHANGED"], "{events}");
        assert_eq!(edges[0]["node"]["subjectId"], json!(phase));
        let change = |i: usize, field: &str| edges[i]["node"]["changes"].as_array().unwrap().iter()
            .find(|c| c["field"] == field).cloned().unwrap_or(Value::Null);
        assert_eq!(change(0, "productLines")["after"], json!(["Apparel"]));
        assert_eq!(change(1, "productKeys")["after"], json!(["MUG", "POLO"]));
        assert_eq!(change(3, "catalogVersionNumber"), json!({"field": "catalogVersionNumber", "before": 1, "after": 2}));
        assert_eq!(change(4, "migrated"), json!({"field": "migrated", "before": true, "after": false}));
        assert_eq!(change(5, "products"), json!({"field": "products", "before": ["KNIT"], "after": null}));
        server.stop().await;
    }
}

db_test! {
    async fn scope_changes_refuse_bad_input_stale_versions_unknown_ids_and_other_roles(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Acme Outdoor").await;
        let (v1, _) = version_one(&server, &account).await;
        let phase = engagement_phase(&server, &account, "Apparel").await;
        let other = create_account(&server, "Other Co").await;
        let (foreign, _) = version_one(&server, &other).await;

        let set = |i: Value, v: i64| json!({"p": phase, "v": v, "i": i});
        let err = |body: &Value| -> (String, String, String) {
            let e = &body["errors"][0];
            (e["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
             e["extensions"]["field"].as_str().unwrap_or_default().to_owned(),
             e["message"].as_str().unwrap_or_default().to_owned())
        };
        let token = server.token(Role::Services);

        // A version of another account.
        let (_, body) = server.post(&token, SET, set(json!({"catalogVersionId": foreign, "productLines": ["Apparel"]}), 0)).await;
        let (code, field, message) = err(&body);
        assert_eq!((code.as_str(), field.as_str()), ("BAD_USER_INPUT", "input.catalogVersionId"), "{message}");

        // An unknown product, line or type, named by field and index.
        let (_, body) = server.post(&token, SET, set(json!({"catalogVersionId": v1, "products": ["TEE", "KNIT", "NOPE"]}), 0)).await;
        let (code, field, message) = err(&body);
        assert_eq!((code.as_str(), field.as_str()), ("BAD_USER_INPUT", "input.products[2]"));
        assert!(message.contains("version 1 of the catalog model has no product 'NOPE'"), "{message}");
        let (_, body) = server.post(&token, SET, set(json!({"catalogVersionId": v1, "productLines": ["Apparel", "Garden"]}), 0)).await;
        assert_eq!(err(&body).1, "input.productLines[1]");
        let (_, body) = server.post(&token, SET, set(json!({"catalogVersionId": v1, "productTypes": ["shoe"]}), 0)).await;
        assert_eq!(err(&body).1, "input.productTypes[0]");
        let (_, body) = server.post(&token, SET, set(json!({"catalogVersionId": v1}), 0)).await;
        assert_eq!(err(&body).0, "BAD_USER_INPUT", "a scope names at least one part");

        // A stale expected version.
        server.ok(Role::Services, SET, set(json!({"catalogVersionId": v1, "productLines": ["Apparel"]}), 0)).await;
        let (code, message) = server.error(Role::Services, SET, set(json!({"catalogVersionId": v1, "productLines": ["Home"]}), 0)).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let (code, _) = server.error(Role::Services, "mutation($p: ID!) { clearPhaseCatalogScope(phaseId: $p, expectedVersion: 7) { catalogScope { version } } }", json!({"p": phase})).await;
        assert_eq!(code, "CONFLICT");

        // Unknown phase and version ids.
        let id = |kind: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{}", uuid::Uuid::now_v7()));
        let (code, _) = server.error(Role::Services, SET, json!({"p": id("Phase"), "v": 0, "i": {"catalogVersionId": v1, "productLines": ["Apparel"]}})).await;
        assert_eq!(code, "NOT_FOUND");
        let (code, _) = server.error(Role::Services, SET, set(json!({"catalogVersionId": id("CatalogVersion"), "productLines": ["Apparel"]}), 1)).await;
        assert_eq!(code, "NOT_FOUND");
        let (code, _) = server.error(Role::Services, MOVE, json!({"p": phase, "c": id("CatalogVersion"), "v": 1})).await;
        assert_eq!(code, "NOT_FOUND");

        // Marks name products of the account's versions only.
        let (_, body) = server.post(&token, MARK, json!({"a": account, "k": ["TEE", "NOPE"], "m": true})).await;
        let (code, field, _) = err(&body);
        assert_eq!((code.as_str(), field.as_str()), ("BAD_USER_INPUT", "productKeys[1]"));

        // Customer success and viewers read but do not edit; nothing changed meanwhile.
        for role in [Role::CsManager, Role::Viewer, Role::Product] {
            let (code, _) = server.error(role, SET, set(json!({"catalogVersionId": v1, "productLines": ["Home"]}), 1)).await;
            assert_eq!(code, "FORBIDDEN");
            let (code, _) = server.error(role, MARK, json!({"a": account, "k": ["TEE"], "m": true})).await;
            assert_eq!(code, "FORBIDDEN");
        }
        let read = server.ok(Role::Viewer, SCOPE, json!({"id": phase})).await;
        assert_eq!(read["phase"]["catalogScope"]["version"], 1);
        assert_eq!(read["phase"]["catalogScope"]["productLines"], json!(["Apparel"]));
        assert_eq!(read["phase"]["catalogScope"]["migratedProducts"], 0);
        server.stop().await;
    }
}

const PAGE: &str = "query($id: ID!) { engagement(id: $id) { phases { name catalogScope {
  catalogVersionNumber productCount variantCount migratedProducts progress
  productsInScope { key migrated } newerVersion { affected added } } } } }";

db_test! {
    async fn a_page_of_scoped_phases_costs_the_same_statements_for_2_or_12_phases(db) {
        // A long poll interval keeps the event relay out of the count.
        let server = Server::start_with(&db, &[("TANDEM_EVENT_POLL_INTERVAL", "1h")]).await;
        let account = create_account(&server, "Acme Outdoor").await;
        let (v1, draft) = version_one(&server, &account).await;
        server.ok(Role::Services, MARK, json!({"a": account, "k": ["TEE"], "m": true})).await;
        let mut engagements = Vec::new();
        for n in [2, 12] {
            let first = engagement_phase(&server, &account, "P0").await;
            let e = server.ok(Role::Viewer, "query($id: ID!) { phase(id: $id) { engagement { id } } }", json!({"id": first})).await;
            let e = e["phase"]["engagement"]["id"].as_str().unwrap().to_owned();
            let mut phases = vec![first];
            for i in 1..n {
                phases.push(add_phase(&server, &e, &format!("P{i}")).await);
            }
            for p in &phases {
                server.ok(Role::Services, SET, json!({"p": p, "v": 0, "i": {"catalogVersionId": v1, "productLines": ["Apparel"]}})).await;
            }
            engagements.push(e);
        }
        let v = edit(&server, REMOVE_PRODUCTS, &account, draft, json!({"k": ["POLO"]})).await;
        publish(&server, &account, v).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut costs = Vec::new();
        for e in &engagements {
            let before = server.store.statements();
            let data = server.ok(Role::Viewer, PAGE, json!({"id": e})).await;
            costs.push(server.store.statements() - before);
            let phases = data["engagement"]["phases"].as_array().unwrap();
            for p in phases {
                let s = &p["catalogScope"];
                assert_eq!((s["productCount"].as_i64(), s["variantCount"].as_i64()), (Some(2), Some(8)), "{p}");
                assert_eq!(s["migratedProducts"], 1);
                assert_eq!(s["newerVersion"], json!({"affected": true, "added": []}));
            }
        }
        eprintln!("scoped phase page statements for 2 and 12 phases: {costs:?}");
        // Engagement, phases, scopes, versions, latest versions, marks: one each however many
        // phases, with slack for a level split across two batches on a loaded machine; a query
        // per phase would add 10 or more per kind.
        assert!(costs[1] < costs[0] + 6, "statements for 2 and 12 phases: {costs:?}");
        assert!(costs[1] <= 14, "a page of 12 scoped phases ran {} statements", costs[1]);
        server.stop().await;
    }
}

db_test! {
    async fn the_demo_scopes_catalog_phases_and_shows_their_progress(db) {
        let server = Server::start(&db).await;
        tandem_api::demo::load(&server.store).await.unwrap();
        let mut scoped: Vec<Value> = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = server.ok(Role::Viewer, "query($after: String) { engagements(first: 50, after: $after) { pageInfo { hasNextPage endCursor } nodes { phases { name status catalogScope { catalogVersionNumber productCount migratedProducts progress } } } } }", json!({"after": after})).await;
            let page = &data["engagements"];
            scoped.extend(page["nodes"].as_array().unwrap().iter()
                .flat_map(|e| e["phases"].as_array().unwrap().clone())
                .filter(|p| !p["catalogScope"].is_null()));
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        eprintln!("demo phases with a catalog scope: {}", scoped.len());
        assert!(!scoped.is_empty(), "no demo phase has a catalog scope");
        assert!(scoped.iter().all(|p| p["catalogScope"]["productCount"].as_i64().unwrap() > 0), "{scoped:?}");
        assert!(scoped.iter().any(|p| p["catalogScope"]["progress"].as_f64().unwrap() > 0.0), "{scoped:?}");
        for p in &scoped {
            if p["status"] == "PLANNED" {
                continue;
            }
            assert!(p["catalogScope"]["migratedProducts"].as_i64().unwrap() > 0, "{p}");
        }
        server.stop().await;
    }
}
