//! Authentication and per-role authorization.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::header::HeaderValue;
use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_tests::db_test;

use crate::support::{CREATE_ACCOUNT, SECRET, Server, create_account, first_error};

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn signed(claims: Value, secret: &str) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims(exp: u64, aud: &str) -> Value {
    json!({"sub": "mallory", "role": "ADMIN", "exp": exp, "iat": now(), "iss": "tandem", "aud": aud})
}

async fn refused(server: &Server, authorization: Option<HeaderValue>) -> (u16, String, String) {
    let mut request = server
        .http
        .post(&server.url)
        .header("content-type", "application/json")
        .body(r#"{"query":"{ viewer { role } }"}"#);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    let (code, message) = first_error(&body);
    (status, code, message)
}

db_test! {
    async fn bad_tokens_are_refused_with_unauthenticated(db) {
        let server = Server::start(&db).await;
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims(now() + 600, "tandem-api").to_string())
        );
        let cases = [
            ("missing", None, "bearer token"),
            ("not bearer", Some("Basic dXNlcjpwYXNz".to_owned()), "Bearer"),
            ("garbage", Some("Bearer not.a.token".to_owned()), "malformed"),
            ("expired", Some(format!("Bearer {}", signed(claims(now() - 3600, "tandem-api"), SECRET))), "expired"),
            ("wrong signature", Some(format!("Bearer {}", signed(claims(now() + 600, "tandem-api"), "some-other-secret-of-enough-length!!"))), "signature"),
            ("wrong audience", Some(format!("Bearer {}", signed(claims(now() + 600, "another-api"), SECRET))), "audience"),
            ("alg none", Some(format!("Bearer {none_alg}")), "algorithm"),
            ("unknown role", Some(format!("Bearer {}", signed(json!({"sub": "x", "role": "GOD", "exp": now() + 600, "iat": now(), "iss": "tandem", "aud": "tandem-api"}), SECRET))), "role"),
        ];
        let cases = cases.into_iter().map(|(case, header, expected)| {
            (case, header.map(|h| HeaderValue::try_from(h).unwrap()), expected)
        });
        // Bytes outside ASCII (allowed in a header, never in a token) are read as a bad token.
        let not_ascii = HeaderValue::from_bytes("Bearer t\u{f6}k\u{e9}n".as_bytes()).unwrap();
        for (case, header, expected) in cases.chain([("not ascii", Some(not_ascii), "malformed")]) {
            let (status, code, message) = refused(&server, header).await;
            assert_eq!(status, 401, "{case}");
            assert_eq!(code, "UNAUTHENTICATED", "{case}");
            assert!(message.contains(expected), "{case}: {message}");
        }
        server.stop().await;
    }
}

/// What each role may do, written out here rather than read from the domain's table, so that a
/// change to the table shows up as a failing test.
const MATRIX: &[(Role, bool, bool, bool, bool, bool)] = &[
    // role, write account, archive account, write contact, manage team, see money
    (Role::Admin, true, true, true, true, true),
    (Role::CsManager, true, true, true, false, true),
    (Role::Services, false, false, true, false, true),
    (Role::Product, false, false, false, false, false),
    (Role::Viewer, false, false, false, false, false),
    (Role::Integration, true, false, true, false, true),
];

db_test! {
    async fn each_role_may_do_exactly_what_it_is_allowed(db) {
        let server = Server::start(&db).await;
        for &(role, write_account, archive_account, write_contact, manage_team, see_money) in MATRIX {
            let token = server.token(role);
            let check = |allowed: bool, body: &Value, what: &str| {
                if allowed {
                    assert!(body.get("errors").is_none(), "{role} should be allowed to {what}: {body}");
                } else {
                    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{role} should not {what}: {body}");
                    assert!(body["errors"][0]["message"].as_str().unwrap().contains(role.as_str()), "{body}");
                }
            };

            let (_, body) = server.post(&token, CREATE_ACCOUNT, json!({"input": {"name": format!("By {role}")}})).await;
            check(write_account, &body, "create accounts");

            let target = create_account(&server, &format!("Target for {role}")).await;
            let (_, body) = server.post(&token, "mutation($id: ID!) { createContact(input: {accountId: $id, name: \"Ann\", email: \"ann@x.com\"}) { contact { id } } }", json!({"id": target})).await;
            check(write_contact, &body, "create contacts");

            let (_, body) = server.post(&token, "mutation($id: ID!) { archiveAccount(input: {id: $id, version: 1}) { account { id } } }", json!({"id": target})).await;
            check(archive_account, &body, "archive accounts");

            let (_, body) = server.post(&token, &format!("mutation {{ createTeamMember(input: {{name: \"N\", email: \"{}@v.io\", team: SALES, role: VIEWER}}) {{ teamMember {{ id }} }} }}", role.as_str().to_lowercase()), json!({})).await;
            check(manage_team, &body, "manage the team");

            let (status, body) = server.post(&token, "{ accounts(first: 1, filter: {includeArchived: true}) { nodes { name mrr { amountMinor } arr { amountMinor } } } }", json!({})).await;
            assert_eq!(status, 200);
            let node = &body["data"]["accounts"]["nodes"][0];
            assert!(node["name"].is_string(), "{role} can read: {body}");
            if see_money {
                assert!(body.get("errors").is_none(), "{role} sees money: {body}");
                assert!(node["mrr"]["amountMinor"].is_number(), "{body}");
            } else {
                assert_eq!(node["mrr"], Value::Null, "{body}");
                assert_eq!(node["arr"], Value::Null, "{body}");
                let errors = body["errors"].as_array().unwrap();
                assert_eq!(errors.len(), 2, "{body}");
                assert!(errors.iter().all(|e| e["extensions"]["code"] == "FORBIDDEN"), "{body}");
            }
        }
        server.stop().await;
    }
}

db_test! {
    async fn the_viewer_is_the_tokens_subject(db) {
        let server = Server::start(&db).await;
        let token = server.token_for("crm-sync", Role::Integration);
        let (_, body) = server.post(&token, "{ viewer { subject role teamMember { id } } }", json!({})).await;
        assert_eq!(body["data"]["viewer"], json!({"subject": "crm-sync", "role": "INTEGRATION", "teamMember": null}));
        server.stop().await;
    }
}
