//! `schema.graphql` at the repository root is the output of `tandem schema`.

#[test]
fn schema_graphql_is_the_current_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let current = tandem_api::graphql::sdl();
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    if checked_in != current {
        if std::env::var("TANDEM_UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
            std::fs::write(path, &current).expect("write schema.graphql");
            return;
        }
        panic!(
            "schema.graphql differs from the schema the code builds: run `cargo run -q -- schema > schema.graphql` (or this test with TANDEM_UPDATE_SCHEMA=1) and commit it"
        );
    }
}
