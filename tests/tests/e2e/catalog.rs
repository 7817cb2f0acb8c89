//! A facilitator's catalog-modeling session through GraphQL alone: build a model, fix what
//! validation finds, publish, change, publish again, diff and export.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{Server, create_account};

const DRAFT: &str = "query($a: ID!) { catalogDraft(accountId: $a) { version model { errorCount issues { severity code path message }
  stats { products variants maxVariantsPerProduct complexity complexityParts { label points } }
  products { key variantCount variants { sku } } } } }";

async fn edit(server: &Server, mutation: &str, account: &str, version: i64, vars: Value) -> i64 {
    let mut variables = vars;
    variables["draft"] = json!({"accountId": account, "version": version});
    let data = server.ok(Role::Services, mutation, variables).await;
    data.as_object().unwrap().values().next().unwrap()["draft"]["version"]
        .as_i64()
        .unwrap()
}

db_test! {
    async fn a_facilitator_builds_fixes_publishes_changes_diffs_and_exports_a_model(db) {
        let server = Server::start(&db).await;
        let account = create_account(&server, "Acme Outdoor").await;
        let session = server.ok(Role::Services, "mutation($a: ID!) { scheduleCatalogSession(input: {accountId: $a, title: \"Apparel catalog workshop\", scheduledAt: \"2026-11-20T09:00:00Z\"}) { session { id version status } } }", json!({"a": account})).await;
        let session_id = session["scheduleCatalogSession"]["session"]["id"].clone();
        server.ok(Role::Services, "mutation($id: ID!) { updateCatalogSession(input: {id: $id, version: 1, status: IN_PROGRESS}) { session { status } } }", json!({"id": session_id})).await;

        let mut v = 0;
        v = edit(&server, "mutation($draft: CatalogDraftRef!, $t: CatalogProductTypeInput!) { putCatalogProductType(draft: $draft, productType: $t) { draft { version } } }", &account, v,
            json!({"t": {"key": "t-shirt", "name": "T-shirt", "attributes": [
                {"key": "material", "name": "Material", "kind": "ENUM", "allowed": ["Cotton", "Linen"], "required": true},
                {"key": "weight", "name": "Weight (g)", "kind": "NUMBER", "required": true, "level": "VARIANT"}]}})).await;
        for (key, name, values) in [("size", "Size", vec!["S", "M", "L"]), ("colour", "Colour", vec!["Black", "Gold"])] {
            v = edit(&server, "mutation($draft: CatalogDraftRef!, $a: CatalogAxisInput!) { putCatalogAxis(draft: $draft, axis: $a) { draft { version } } }", &account, v,
                json!({"a": {"key": key, "name": name, "values": values}})).await;
        }
        let product = |key: &str, pattern: &str, material: &str| json!({
            "key": key, "name": format!("Tee {key}"), "productType": "t-shirt", "productLine": "Apparel",
            "axes": ["size", "colour"], "excluded": [{"size": "L", "colour": "Gold"}],
            "attributes": {"material": material},
            "variantValues": [{"when": {}, "values": {"weight": 150}}],
            "skuPattern": pattern});
        v = edit(&server, "mutation($draft: CatalogDraftRef!, $p: [CatalogProductInput!]!) { putCatalogProducts(draft: $draft, products: $p) { draft { version } } }", &account, v,
            json!({"p": [product("TEE", "{product}-{Size}-{Colour}", "Cotton"), product("TEE2", "TEE-{Size}-{Colour}", "Silk")]})).await;

        // A preview counts variants without saving; a CSV with a bad row imports nothing.
        let preview = server.ok(Role::Services, "query($a: ID!, $p: [CatalogProductInput!]!) { previewCatalogProducts(accountId: $a, products: $p) { key variantCount firstSkus } }",
            json!({"a": account, "p": [product("NEW", "{product}-{Size}-{Colour}", "Cotton")]})).await;
        assert_eq!(preview["previewCatalogProducts"][0]["variantCount"], 5);
        assert_eq!(preview["previewCatalogProducts"][0]["firstSkus"][0], "NEW-S-BLACK");
        let csv = "key,name,productType,productLine,axes,skuPattern,attr:material\nPOLO,Polo,t-shirt,Apparel,size|colour,{product}-{Size}-{Colour},Cotton\nMUG,Mug,mug,Home,,MUG\n";
        let (code, message) = server.error(Role::Services, "mutation($draft: CatalogDraftRef!, $csv: String!) { importCatalogProductsCsv(draft: $draft, csv: $csv) { draft { version } } }",
            json!({"draft": {"accountId": account, "version": v}, "csv": csv})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        assert!(message.contains("line 3: product type 'mug' is not in the model"), "{message}");
        let good_csv = "key,name,productType,productLine,axes,skuPattern,attr:material\nPOLO,Polo,t-shirt,Apparel,size|colour,{product}-{Size}-{Colour},Cotton\n";
        v = edit(&server, "mutation($draft: CatalogDraftRef!, $csv: String!) { importCatalogProductsCsv(draft: $draft, csv: $csv) { draft { version } } }", &account, v, json!({"csv": good_csv})).await;
        v = edit(&server, "mutation($draft: CatalogDraftRef!) { removeCatalogProducts(draft: $draft, keys: [\"POLO\"]) { draft { version } } }", &account, v, json!({})).await;

        // Validation finds the duplicate SKUs and the wrong material, with their places.
        let draft = server.ok(Role::Viewer, DRAFT, json!({"a": account})).await;
        let model = &draft["catalogDraft"]["model"];
        let codes: Vec<&str> = model["issues"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"DUPLICATE_SKU"), "{codes:?}");
        assert!(codes.contains(&"ENUM_VALUE_NOT_ALLOWED"), "{codes:?}");
        let enum_issue = model["issues"].as_array().unwrap().iter().find(|i| i["code"] == "ENUM_VALUE_NOT_ALLOWED").unwrap();
        assert_eq!(enum_issue["path"], "products[1].attributes.material");
        assert_eq!(model["stats"]["variants"], 10);
        assert_eq!(model["products"][0]["variantCount"], 5);
        assert_eq!(model["products"][0]["variants"][0]["sku"], "TEE-S-BLACK");

        // Publishing is refused while errors remain.
        let (code, message) = server.error(Role::Services, "mutation($a: ID!, $v: Int!) { publishCatalogModel(draft: {accountId: $a, version: $v}) { number } }", json!({"a": account, "v": v})).await;
        assert_eq!(code, "CONFLICT");
        assert!(message.contains("validation error"), "{message}");

        // Fix both, then publish version 1.
        v = edit(&server, "mutation($draft: CatalogDraftRef!, $p: [CatalogProductInput!]!) { putCatalogProducts(draft: $draft, products: $p) { draft { version } } }", &account, v,
            json!({"p": [product("TEE2", "{product}-{Size}-{Colour}", "Linen")]})).await;
        let clean = server.ok(Role::Viewer, DRAFT, json!({"a": account})).await;
        assert_eq!(clean["catalogDraft"]["model"]["errorCount"], 0, "{clean}");
        let published = server.ok(Role::Services, "mutation($a: ID!, $v: Int!) { publishCatalogModel(draft: {accountId: $a, version: $v}) { number publishedBy } }", json!({"a": account, "v": v})).await;
        assert_eq!(published["publishCatalogModel"]["number"], 1);

        // Change the draft: rename a value everywhere, add a size; publish version 2.
        v = edit(&server, "mutation($draft: CatalogDraftRef!) { renameCatalogAxisValue(draft: $draft, axis: \"size\", from: \"L\", to: \"Large\") { draft { version } } }", &account, v, json!({})).await;
        v = edit(&server, "mutation($draft: CatalogDraftRef!, $a: CatalogAxisInput!) { putCatalogAxis(draft: $draft, axis: $a) { draft { version } } }", &account, v,
            json!({"a": {"key": "size", "name": "Size", "values": ["S", "M", "Large", "XL"]}})).await;
        let (code, _) = server.error(Role::Services, "mutation($a: ID!) { publishCatalogModel(draft: {accountId: $a, version: 1}) { number } }", json!({"a": account})).await;
        assert_eq!(code, "CONFLICT", "a stale draft version is refused");
        server.ok(Role::Services, "mutation($a: ID!, $v: Int!) { publishCatalogModel(draft: {accountId: $a, version: $v}) { number } }", json!({"a": account, "v": v})).await;

        let diff = server.ok(Role::Viewer, "query($a: ID!) { catalogDiff(accountId: $a, from: 1, to: 2) { axes { changed { key fields } } variants { added removed changed { key fields } } } }", json!({"a": account})).await;
        let d = &diff["catalogDiff"];
        assert_eq!(d["axes"]["changed"], json!([{"key": "size", "fields": ["values"]}]));
        assert!(d["variants"]["added"].as_array().unwrap().contains(&json!("TEE[XL/Gold]")), "{d}");
        assert!(d["variants"]["removed"].as_array().unwrap().contains(&json!("TEE[L/Black]")), "{d}");
        assert!(d["variants"]["added"].as_array().unwrap().contains(&json!("TEE[Large/Black]")), "{d}");

        let export = server.ok(Role::Viewer, "query($a: ID!) { catalogVersion(accountId: $a, number: 2) { number model { export } } }", json!({"a": account})).await;
        let doc = &export["catalogVersion"]["model"]["export"];
        assert_eq!(doc["format"], "tandem.catalog/v1");
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["products"][0]["variants"][0], json!({"sku": "TEE-S-BLACK", "options": {"Size": "S", "Colour": "Black"}, "attributes": {"weight": 150}}));
        assert_eq!(doc["products"][0]["variants"].as_array().unwrap().len(), 7);

        // The session records its decisions; publishing is on the event stream.
        let done = server.ok(Role::Services, "mutation($id: ID!) { updateCatalogSession(input: {id: $id, version: 2, status: COMPLETED, notes: \"Agreed sizes\", decisions: [{what: \"Rename L to Large\", why: \"Matches the storefront\", by: \"Merchandising\"}]}) { session { status decisions { what } } } }", json!({"id": session_id})).await;
        assert_eq!(done["updateCatalogSession"]["session"]["status"], "COMPLETED");
        let events = server.ok(Role::Viewer, "query($a: ID) { accountEvents(accountId: $a, kinds: [CATALOG_MODEL_PUBLISHED]) { edges { node { changes { field after } } } } }", json!({"a": account})).await;
        assert_eq!(events["accountEvents"]["edges"].as_array().unwrap().len(), 2);
        let (code, _) = server.error(Role::CsManager, "mutation($a: ID!) { removeCatalogProducts(draft: {accountId: $a, version: 1}, keys: [\"TEE\"]) { draft { version } } }", json!({"a": account})).await;
        assert_eq!(code, "FORBIDDEN");
        server.stop().await;
    }
}
