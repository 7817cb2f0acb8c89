//! The GraphQL-over-HTTP audit suite from the npm package `graphql-http`, run against the real
//! server: every MUST has to pass.

use std::path::PathBuf;
use std::process::Command;

use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::Server;

fn audit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("audit")
}

db_test! {
    async fn the_graphql_over_http_audit_passes_every_must(db) {
        let dir = audit_dir();
        if !crate::support::node_package(&dir, "graphql-http", "the graphql-http audit") {
            return;
        }
        let server = Server::start(&db).await;
        let token = server.token(Role::Admin);
        let url = server.url.clone();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("node")
                .arg("audit.mjs")
                .arg(url)
                .env("TANDEM_TOKEN", token)
                .current_dir(audit_dir())
                .output()
                .expect("run node")
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "audit failed:\n{stdout}\n{stderr}");
        let summary = stdout.lines().find(|l| l.starts_with("MUST")).unwrap_or_default();
        assert!(summary.contains("0 failed"), "{stdout}");
        assert!(!summary.starts_with("MUST 0 passed"), "no MUST was checked: {stdout}");
        server.stop().await;
    }
}
