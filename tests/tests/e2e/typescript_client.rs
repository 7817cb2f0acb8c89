//! The typed TypeScript client (`clients/typescript`): its documents are generated from
//! `schema.graphql`, compiled with `tsc --strict`, and each operation runs against the server
//! with the demo data that `serve --demo` loads, as the demo's admin.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

fn client_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../clients/typescript")
}

fn describe(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Generates the typed documents and compiles the client, once for every test in this binary
/// (the SQLite and PostgreSQL runs would otherwise write the same files at the same time).
fn build() -> Result<(), String> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let output = Command::new("npm")
                .args(["run", "--silent", "build"])
                .current_dir(client_dir())
                .output()
                .map_err(|e| format!("run npm: {e}"))?;
            if output.status.success() {
                Ok(())
            } else {
                Err(format!("codegen or tsc failed:\n{}", describe(&output)))
            }
        })
        .clone()
}

db_test! {
    async fn the_typed_typescript_client_runs_its_operations_against_the_demo(db) {
        let dir = client_dir();
        if !crate::support::node_package(&dir, "@graphql-codegen/cli", "the typed TypeScript client") {
            return;
        }
        let built = tokio::task::spawn_blocking(build);
        let server = Server::start(&db).await;
        let demo = tandem_api::demo::load(&server.store).await.unwrap();
        assert!(demo.accounts > 0, "the demo data was not loaded into an empty database");
        built.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
        let token = server.token_for(&demo.admin_subject, Role::Admin);
        let url = server.url.clone();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("node")
                .args(["dist/run.js", &url])
                .env("TANDEM_TOKEN", token)
                .current_dir(client_dir())
                .output()
                .expect("run node")
        })
        .await
        .unwrap();
        let report = describe(&output);
        assert!(output.status.success(), "the typed client failed:\n{report}");
        for check in ["ok dashboard", "ok engagement phases", "ok conflict", "ok subscription"] {
            assert!(report.contains(check), "`{check}` missing:\n{report}");
        }
        eprintln!("{report}");
        server.stop().await;
    }
}
