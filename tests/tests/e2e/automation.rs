//! Playbooks, tasks and webhooks through GraphQL alone: a health drop turned into a task, a tag,
//! a custom event and a signed webhook delivery (retried after a failure); event playbooks with
//! conditions and no loops; the refusals.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tandem_domain::auth::Role;
use tandem_tests::db_test;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Server, create_account, decode_id};

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver on 127.0.0.1: records every request, answers 500 to the first `fail`
/// ones and 200 after.
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(fail: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/tandem", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        tokio::spawn(async move {
            let mut count = 0usize;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                count += 1;
                let failing = count <= fail;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_string();
                            let length = head
                                .lines()
                                .find_map(|l| {
                                    let (k, v) = l.split_once(':')?;
                                    k.eq_ignore_ascii_case("content-length")
                                        .then(|| v.trim().parse::<usize>().ok())?
                                })
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while buf.len() < head_end + length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let headers = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            Some((k.trim().to_owned(), v.trim().to_owned()))
                        })
                        .collect();
                    seen.lock().unwrap().push(Received {
                        headers,
                        body: buf[head_end..head_end + length].to_vec(),
                        at: std::time::Instant::now(),
                    });
                    let answer: &[u8] = if failing {
                        b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    } else {
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    };
                    let _ = socket.write_all(answer).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Receiver { url, got }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// Checks a delivery's `Tandem-Signature` independently of the server's code: valid when one
/// of its `v1=` entries is the signature by `secret`.
pub fn signature_is_valid(secret: &str, r: &Received) -> bool {
    let Some(header) = r.header("tandem-signature") else {
        return false;
    };
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&r.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    v1.contains(&expected)
}

/// Polls `check` every 50 ms until it returns `Some`, failing after `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const AUTOMATION: &[(&str, &str)] = &[
    ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
    ("TANDEM_WEBHOOK_RETRY_BASE", "100ms"),
    ("TANDEM_PLAYBOOK_SWEEP_INTERVAL", "1s"),
];

const CREATE_PLAYBOOK: &str = "mutation($input: CreatePlaybookInput!) { createPlaybook(input: $input) { id version name enabled trigger { kind healthScoreBelow event } actions { kind title tag eventName } } }";
const TICKET: &str = "mutation($a: ID!, $id: String!, $p: TicketPriority!) { recordTicket(input: {accountId: $a, externalId: $id, subject: \"Sync\", priority: $p, status: OPEN, openedAt: \"2026-11-20T10:00:00Z\"}) { id } }";
const COMPUTE: &str = "mutation($a: ID!) { computeHealth(accountId: $a) { score status } }";

db_test! {
    async fn a_health_drop_becomes_a_task_a_tag_and_a_signed_webhook(db) {
        let server = Server::start_with(&db, AUTOMATION).await;
        let receiver = Receiver::start(1).await;
        let member = server.ok(Role::Admin, "mutation { createTeamMember(input: {name: \"Ann Owner\", email: \"ann@vendor.io\", team: CUSTOMER_SUCCESS, role: CS_MANAGER}) { teamMember { id } } }", json!({})).await;
        let owner = member["createTeamMember"]["teamMember"]["id"].as_str().unwrap().to_owned();
        let account = server.ok(Role::Admin, "mutation($o: ID!) { createAccount(input: {name: \"Acme\", ownerId: $o}) { account { id } } }", json!({"o": owner})).await;
        let a = account["createAccount"]["account"]["id"].as_str().unwrap().to_owned();
        // A promoter and no tickets: healthy.
        server.ok(Role::Integration, "mutation($a: ID!) { recordSurveyResponse(input: {accountId: $a, kind: NPS, score: 10}) { id } }", json!({"a": a})).await;
        let first = server.ok(Role::CsManager, COMPUTE, json!({"a": a})).await;
        assert!(first["computeHealth"]["score"].as_f64().unwrap() >= 70.0, "{first}");

        // Tandem's own signature scheme, still available beside Standard Webhooks (which
        // `webhook_standards` checks).
        let hook = server.ok(Role::Integration, "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [PLAYBOOK_FIRED, CUSTOM], signatureScheme: TANDEM}) { id version secret enabled eventKinds signatureScheme } }", json!({"u": receiver.url})).await;
        let hook = &hook["registerWebhookEndpoint"];
        assert_eq!(hook["signatureScheme"], "TANDEM");
        let secret = hook["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
        let hook_id = hook["id"].as_str().unwrap().to_owned();
        // The secret is shown once.
        let read = server.ok(Role::Integration, "query($id: ID!) { webhookEndpoint(id: $id) { secret url } }", json!({"id": hook_id})).await;
        assert!(read["webhookEndpoint"]["secret"].is_null());

        let playbook = server.ok(Role::CsManager, CREATE_PLAYBOOK, json!({"input": {
            "name": "Health drop",
            "trigger": {"healthScoreBelow": 70},
            "actions": [
                {"createTask": {"title": "Call about the health drop", "dueInDays": 2}},
                {"addTag": "At-Risk"},
                {"emitEvent": "health.drop"}
            ]
        }})).await;
        let p = &playbook["createPlaybook"];
        assert_eq!(p["trigger"]["kind"], "HEALTH_SCORE_BELOW");
        assert_eq!(p["actions"][1], json!({"kind": "ADD_TAG", "title": null, "tag": "at-risk", "eventName": null}));
        let playbook_id = p["id"].as_str().unwrap().to_owned();
        let dry = server.ok(Role::Viewer, "query($id: ID!) { playbook(id: $id) { dryRun { count accounts { name } } } }", json!({"id": playbook_id})).await;
        assert_eq!(dry["playbook"]["dryRun"]["count"], 0);

        // An urgent ticket takes support load to 0: the score drops below 70.
        server.ok(Role::Integration, TICKET, json!({"a": a, "id": "T-1", "p": "URGENT"})).await;
        let second = server.ok(Role::CsManager, COMPUTE, json!({"a": a})).await;
        assert!(second["computeHealth"]["score"].as_f64().unwrap() < 70.0, "{second}");

        // The owner finds the task in their own list.
        let owner_token = server.token_for(&decode_id(&owner).to_string(), Role::CsManager);
        let my_tasks = "{ myTasks { id title status dueOn account { name } assignee { name } playbook { name } createdBy } }";
        let tasks = eventually(10, "the playbook's task", || async {
            let (_, body) = server.post(&owner_token, my_tasks, json!({})).await;
            let tasks = body["data"]["myTasks"].as_array().cloned().unwrap_or_default();
            (!tasks.is_empty()).then_some(tasks)
        }).await;
        assert_eq!(tasks.len(), 1);
        let task = &tasks[0];
        assert_eq!(task["title"], "Call about the health drop");
        assert_eq!(task["status"], "OPEN");
        assert_eq!(task["account"]["name"], "Acme");
        assert_eq!(task["assignee"]["name"], "Ann Owner");
        assert_eq!(task["playbook"]["name"], "Health drop");
        assert!(task["createdBy"].as_str().unwrap().starts_with("playbook:"));
        let due = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
        assert_eq!(task["dueOn"], due);
        let tags = server.ok(Role::Viewer, "query($id: ID!) { account(id: $id) { tags } }", json!({"id": a})).await;
        assert_eq!(tags["account"]["tags"], json!(["at-risk"]));

        // The endpoint answered 500 once; the retry carries the same delivery, validly signed.
        let delivered = eventually(10, "two webhook deliveries", || async {
            let got = receiver.received();
            let ids: std::collections::HashSet<String> = got.iter().filter_map(|r| r.header("tandem-delivery").map(str::to_owned)).collect();
            (ids.len() >= 2 && got.len() >= 3).then_some(got)
        }).await;
        for r in &delivered {
            assert!(signature_is_valid(&secret, r), "bad signature on {:?}", r.header("tandem-signature"));
            assert!(!signature_is_valid("whsec_wrong", r));
        }
        let bodies: Vec<Value> = delivered.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
        let kinds: std::collections::BTreeSet<&str> = bodies.iter().map(|b| b["event"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["CUSTOM", "PLAYBOOK_FIRED"].into_iter().collect());
        let fired = bodies.iter().find(|b| b["event"]["kind"] == "PLAYBOOK_FIRED").unwrap();
        assert_eq!(fired["event"]["accountId"], a.as_str());
        let outcomes = fired["event"]["changes"].as_array().unwrap().iter().find(|c| c["field"] == "outcomes").unwrap();
        assert_eq!(outcomes["after"].as_array().unwrap().len(), 3);
        assert!(outcomes["after"].as_array().unwrap().iter().all(|o| o["ok"] == true), "{outcomes}");
        let custom = bodies.iter().find(|b| b["event"]["kind"] == "CUSTOM").unwrap();
        assert_eq!(custom["event"]["changes"][0], json!({"field": "name", "before": null, "after": "health.drop"}));
        for r in &delivered {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(r.header("tandem-event-cursor"), body["event"]["cursor"].as_str());
            assert_eq!(r.header("tandem-delivery"), body["deliveryId"].as_str());
        }

        // The attempts are queryable: one delivery failed once, then succeeded.
        let deliveries = eventually(10, "both deliveries recorded as delivered", || async {
            let d = server.ok(Role::Integration, "query($id: ID!) { webhookEndpoint(id: $id) { consecutiveFailures failingSince deliveries { status attemptCount attempts { attempt statusCode error } } } }", json!({"id": hook_id})).await;
            let list = d["webhookEndpoint"]["deliveries"].as_array().cloned().unwrap_or_default();
            (list.len() == 2 && list.iter().all(|x| x["status"] == "DELIVERED")).then_some(d)
        }).await;
        let list = deliveries["webhookEndpoint"]["deliveries"].as_array().unwrap();
        let retried: Vec<&Value> = list.iter().filter(|d| d["attemptCount"] == 2).collect();
        assert_eq!(retried.len(), 1, "{deliveries}");
        assert_eq!(retried[0]["attempts"][0]["statusCode"], 500);
        assert_eq!(retried[0]["attempts"][0]["error"], "the endpoint answered HTTP 500");
        assert_eq!(retried[0]["attempts"][1]["statusCode"], 200);
        assert_eq!(deliveries["webhookEndpoint"]["consecutiveFailures"], 0);
        assert!(deliveries["webhookEndpoint"]["failingSince"].is_null());

        // Still below the threshold: no second firing until the account recovers and drops again.
        server.ok(Role::CsManager, COMPUTE, json!({"a": a})).await;
        server.ok(Role::Admin, "mutation { recomputeHealth { scored } }", json!({})).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let runs = server.ok(Role::CsManager, "query($id: ID!) { playbook(id: $id) { runs { eventCursor outcomes { index ok detail } account { name } } dryRun { count } } }", json!({"id": playbook_id})).await;
        assert_eq!(runs["playbook"]["runs"].as_array().unwrap().len(), 1, "{runs}");
        assert!(runs["playbook"]["runs"][0]["eventCursor"].is_null());
        assert_eq!(runs["playbook"]["dryRun"]["count"], 1);

        // The owner closes the task; closing it twice is a conflict.
        let id = task["id"].clone();
        let done = server.ok(Role::CsManager, "mutation($id: ID!) { updateTask(input: {id: $id, version: 1, status: DONE}) { status version closedAt } }", json!({"id": id})).await;
        assert_eq!(done["updateTask"]["status"], "DONE");
        assert!(done["updateTask"]["closedAt"].is_string());
        let (code, message) = server.error(Role::CsManager, "mutation($id: ID!) { updateTask(input: {id: $id, version: 2, status: DISMISSED}) { status } }", json!({"id": id})).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let (_, open) = server.post(&owner_token, my_tasks, json!({})).await;
        assert_eq!(open["data"]["myTasks"], json!([]));
        server.stop().await;
    }
}

db_test! {
    async fn event_playbooks_respect_their_condition_and_never_loop(db) {
        let server = Server::start_with(&db, AUTOMATION).await;
        let high = server.ok(Role::Admin, "mutation { createAccount(input: {name: \"Globex\", touchTier: HIGH}) { account { id version } } }", json!({})).await;
        let high = high["createAccount"]["account"]["id"].as_str().unwrap().to_owned();
        let low = server.ok(Role::Admin, "mutation { createAccount(input: {name: \"Initech\", touchTier: LOW}) { account { id version } } }", json!({})).await;
        let low = low["createAccount"]["account"]["id"].as_str().unwrap().to_owned();
        // On every account update of a HIGH-touch account: tag it and make an unassigned task.
        // The tag is itself an account update, which must not fire the playbook again.
        let p = server.ok(Role::Admin, CREATE_PLAYBOOK, json!({"input": {
            "name": "High-touch change",
            "trigger": {"event": "ACCOUNT_UPDATED"},
            "condition": {"touchTiers": ["HIGH"]},
            "actions": [{"addTag": "reviewed"}, {"createTask": {"title": "Review the change"}}]
        }})).await;
        let playbook_id = p["createPlaybook"]["id"].as_str().unwrap().to_owned();
        let dry = server.ok(Role::Viewer, "query($id: ID!) { playbook(id: $id) { dryRun { count accounts { name } } } }", json!({"id": playbook_id})).await;
        assert_eq!(dry["playbook"]["dryRun"], json!({"count": 1, "accounts": [{"name": "Globex"}]}));
        let update = "mutation($id: ID!, $v: Int!, $r: String!) { updateAccount(input: {id: $id, version: $v, region: $r}) { account { version } } }";
        server.ok(Role::Admin, update, json!({"id": high, "v": 1, "r": "EMEA"})).await;
        server.ok(Role::Admin, update, json!({"id": low, "v": 1, "r": "EMEA"})).await;
        let tasks = "query($p: ID!) { tasks(playbookId: $p) { title assignee { id } account { name } } }";
        let found = eventually(10, "the playbook's task", || async {
            let t = server.ok(Role::Viewer, tasks, json!({"p": playbook_id})).await;
            let list = t["tasks"].as_array().cloned().unwrap_or_default();
            (!list.is_empty()).then_some(list)
        }).await;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0]["account"]["name"], "Globex");
        assert!(found[0]["assignee"].is_null());
        // Give a loop every chance to show itself.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let runs = server.ok(Role::Viewer, "query($id: ID!) { playbook(id: $id) { runs { eventCursor outcomes { ok detail } } } }", json!({"id": playbook_id})).await;
        let runs = runs["playbook"]["runs"].as_array().unwrap().clone();
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert!(runs[0]["eventCursor"].is_string());
        let t = server.ok(Role::Viewer, tasks, json!({"p": playbook_id})).await;
        assert_eq!(t["tasks"].as_array().unwrap().len(), 1);
        let acct = server.ok(Role::Viewer, "query($h: ID!, $l: ID!) { h: account(id: $h) { tags version } l: account(id: $l) { tags } }", json!({"h": high, "l": low})).await;
        assert_eq!(acct["h"]["tags"], json!(["reviewed"]));
        assert_eq!(acct["l"]["tags"], json!([]));
        // The playbook's own changes are events, by the playbook.
        let events = server.ok(Role::Viewer, "query($id: ID) { accountEvents(accountId: $id) { edges { node { kind actor } } } }", json!({"id": high})).await;
        let kinds: Vec<(String, bool)> = events["accountEvents"]["edges"].as_array().unwrap().iter()
            .map(|e| (e["node"]["kind"].as_str().unwrap().to_owned(), e["node"]["actor"].as_str().unwrap().starts_with("playbook:")))
            .collect();
        assert_eq!(kinds, [
            ("ACCOUNT_CREATED".to_owned(), false),
            ("ACCOUNT_UPDATED".to_owned(), false),
            ("ACCOUNT_UPDATED".to_owned(), true),
            ("TASK_CREATED".to_owned(), true),
            ("PLAYBOOK_FIRED".to_owned(), true),
        ]);
        // Disabled, it fires no more.
        server.ok(Role::Admin, "mutation($id: ID!) { updatePlaybook(input: {id: $id, version: 1, enabled: false}) { enabled } }", json!({"id": playbook_id})).await;
        let v = acct["h"]["version"].as_i64().unwrap();
        server.ok(Role::Admin, update, json!({"id": high, "v": v, "r": "NA"})).await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let t = server.ok(Role::Viewer, tasks, json!({"p": playbook_id})).await;
        assert_eq!(t["tasks"].as_array().unwrap().len(), 1);
        server.stop().await;
    }
}

db_test! {
    async fn playbooks_tasks_and_webhooks_refuse_bad_input_and_roles(db) {
        let server = Server::start(&db).await;
        let a = create_account(&server, "Acme").await;
        let body = |trigger: Value, actions: Value| json!({"input": {"name": "P", "trigger": trigger, "actions": actions}});
        let task = json!([{"createTask": {"title": "x"}}]);
        for (trigger, actions, field) in [
            (json!({"healthScoreBelow": 120}), task.clone(), "trigger.healthScoreBelow"),
            (json!({"event": "PLAYBOOK_FIRED"}), task.clone(), "trigger.event"),
            (json!({"renewalWithinDays": -1}), task.clone(), "trigger.renewalWithinDays"),
            (json!({"renewalWithinDays": 30}), json!([]), "actions"),
            (json!({"renewalWithinDays": 30}), json!([{"addTag": "bad tag!"}]), "actions[0].addTag"),
            (json!({"renewalWithinDays": 30}), json!([{"emitEvent": "no spaces"}]), "actions[0].emitEvent"),
        ] {
            let (_, b) = server.post(&server.token(Role::Admin), CREATE_PLAYBOOK, body(trigger, actions)).await;
            assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
            assert_eq!(b["errors"][0]["extensions"]["field"], format!("input.{field}"), "{b}");
        }
        // A oneOf input takes exactly one member.
        let (code, _) = server.error(Role::Admin, CREATE_PLAYBOOK, body(json!({"healthScoreBelow": 50, "renewalWithinDays": 3}), task.clone())).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let (code, _) = server.error(Role::Viewer, CREATE_PLAYBOOK, body(json!({"renewalWithinDays": 30}), task.clone())).await;
        assert_eq!(code, "FORBIDDEN");
        server.ok(Role::CsManager, CREATE_PLAYBOOK, body(json!({"renewalWithinDays": 30}), task.clone())).await;
        let (code, message) = server.error(Role::CsManager, CREATE_PLAYBOOK, body(json!({"renewalWithinDays": 10}), task.clone())).await;
        assert_eq!(code, "CONFLICT", "{message}");
        let (code, _) = server.error(Role::Admin, CREATE_PLAYBOOK, json!({"input": {"name": "Q", "trigger": {"renewalWithinDays": 3}, "condition": {"segmentId": a}, "actions": task}})).await;
        assert_eq!(code, "BAD_USER_INPUT");

        // Tasks: roles, a live account, an active assignee.
        let create = "mutation($a: ID!, $t: String!) { createTask(input: {accountId: $a, title: $t}) { id version status } }";
        let (code, _) = server.error(Role::Viewer, create, json!({"a": a, "t": "x"})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, _) = server.error(Role::Services, create, json!({"a": a, "t": "  "})).await;
        assert_eq!(code, "BAD_USER_INPUT");
        let made = server.ok(Role::Services, create, json!({"a": a, "t": "Prepare the QBR"})).await;
        let id = made["createTask"]["id"].clone();
        let (code, message) = server.error(Role::Services, "mutation($id: ID!) { updateTask(input: {id: $id, version: 1, title: \"y\", status: DONE}) { id } }", json!({"id": id})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
        let (code, _) = server.error(Role::Services, "mutation($id: ID!) { updateTask(input: {id: $id, version: 7, title: \"y\"}) { id } }", json!({"id": id})).await;
        assert_eq!(code, "CONFLICT");
        let (code, message) = server.error(Role::Admin, "{ myTasks { id } }", json!({})).await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");

        // Webhooks: http(s) only, no loopback without the allow-list, integrations see their own.
        let register = "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u}) { id secret } }";
        for url in ["ftp://example.com/x", "https://user:pw@example.com/x", "http://127.0.0.1:9/x", "http://[::1]:9/x", "http://169.254.169.254/latest"] {
            let (code, message) = server.error(Role::Integration, register, json!({"u": url})).await;
            assert_eq!(code, "BAD_USER_INPUT", "{url}: {message}");
        }
        let (code, _) = server.error(Role::CsManager, register, json!({"u": "https://hooks.example.com/t"})).await;
        assert_eq!(code, "FORBIDDEN");
        let mine = server.ok(Role::Integration, register, json!({"u": "https://hooks.example.com/t"})).await;
        let mine_id = mine["registerWebhookEndpoint"]["id"].clone();
        let other = server.token_for("crm-sync", Role::Integration);
        let (_, seen) = server.post(&other, "query($id: ID!) { webhookEndpoint(id: $id) { id } webhookEndpoints { id } }", json!({"id": mine_id})).await;
        assert_eq!(seen["data"], json!({"webhookEndpoint": null, "webhookEndpoints": []}));
        let (_, b) = server.post(&other, "mutation($id: ID!) { deleteWebhookEndpoint(id: $id, version: 1) { id } }", json!({"id": mine_id})).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "NOT_FOUND", "{b}");
        let all = server.ok(Role::Admin, "{ webhookEndpoints { id createdBy } }", json!({})).await;
        assert_eq!(all["webhookEndpoints"].as_array().unwrap().len(), 1);
        let gone = server.ok(Role::Integration, "mutation($id: ID!) { deleteWebhookEndpoint(id: $id, version: 1) { enabled } }", json!({"id": mine_id})).await;
        assert_eq!(gone["deleteWebhookEndpoint"]["enabled"], false);
        let (code, _) = server.error(Role::Viewer, "{ webhookEndpoints { id } }", json!({})).await;
        assert_eq!(code, "FORBIDDEN");
        server.stop().await;
    }
}

db_test! {
    async fn an_endpoint_that_keeps_failing_is_disabled_and_says_why(db) {
        let server = Server::start_with(&db, &[
            ("TANDEM_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"),
            ("TANDEM_WEBHOOK_RETRY_BASE", "100ms"),
            ("TANDEM_WEBHOOK_DISABLE_AFTER", "1s"),
        ]).await;
        let receiver = Receiver::start(usize::MAX).await;
        let hook = server.ok(Role::Integration, "mutation($u: String!) { registerWebhookEndpoint(input: {url: $u, eventKinds: [ACCOUNT_CREATED]}) { id } }", json!({"u": receiver.url})).await;
        let id = hook["registerWebhookEndpoint"]["id"].clone();
        create_account(&server, "Acme").await;
        let read = "query($id: ID!) { webhookEndpoint(id: $id) { version enabled disabledReason consecutiveFailures failingSince deliveries { status attemptCount nextAttemptAt } } }";
        let disabled = eventually(15, "the endpoint to be disabled", || async {
            let e = server.ok(Role::Integration, read, json!({"id": id})).await["webhookEndpoint"].clone();
            (e["enabled"] == false).then_some(e)
        }).await;
        let reason = disabled["disabledReason"].as_str().unwrap();
        assert!(reason.contains("HTTP 500") && reason.contains("enable it again"), "{reason}");
        assert!(disabled["consecutiveFailures"].as_i64().unwrap() >= 2, "{disabled}");
        assert_eq!(disabled["deliveries"][0]["status"], "PENDING");
        let attempts = disabled["deliveries"][0]["attemptCount"].as_i64().unwrap();
        // Other integrations learn of it from the event stream: one event, however many attempts
        // ended at once, of no account, by the worker.
        let disabled_events = "query { accountEvents(kinds: [WEBHOOK_ENDPOINT_DISABLED]) { edges { node { kind accountId subjectId actor changes { field before after } } } } }";
        let events = server.ok(Role::Viewer, disabled_events, json!({})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges.len(), 1, "{events}");
        let event = &edges[0]["node"];
        assert_eq!((&event["kind"], &event["accountId"], &event["subjectId"]), (&json!("WEBHOOK_ENDPOINT_DISABLED"), &json!(null), &id));
        assert_eq!(event["actor"], "webhook-dispatcher");
        let changes = event["changes"].as_array().unwrap();
        assert_eq!(changes[0], json!({"field": "enabled", "before": true, "after": false}));
        let fields: Vec<_> = changes.iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["enabled", "failingSince", "consecutiveFailures"]);
        // Disabled, it is left alone.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let still = server.ok(Role::Integration, read, json!({"id": id})).await;
        assert_eq!(still["webhookEndpoint"]["deliveries"][0]["attemptCount"].as_i64().unwrap(), attempts);
        // Enabled again, its failure record is cleared and the pending delivery resumes.
        let v = still["webhookEndpoint"]["version"].clone();
        let on = server.ok(Role::Integration, "mutation($id: ID!, $v: Int!) { updateWebhookEndpoint(input: {id: $id, version: $v, enabled: true}) { enabled disabledReason consecutiveFailures failingSince } }", json!({"id": id, "v": v})).await;
        assert_eq!(on["updateWebhookEndpoint"], json!({"enabled": true, "disabledReason": null, "consecutiveFailures": 0, "failingSince": null}));
        eventually(10, "a new attempt after enabling", || async {
            let e = server.ok(Role::Integration, read, json!({"id": id})).await;
            (e["webhookEndpoint"]["deliveries"][0]["attemptCount"].as_i64().unwrap() > attempts).then_some(())
        }).await;
        // Disabled by hand, the event names who did it and says only that it is off.
        let v = server.ok(Role::Integration, read, json!({"id": id})).await["webhookEndpoint"]["version"].clone();
        server.ok(Role::Integration, "mutation($id: ID!, $v: Int!) { updateWebhookEndpoint(input: {id: $id, version: $v, enabled: false}) { enabled } }", json!({"id": id, "v": v})).await;
        let events = server.ok(Role::Viewer, disabled_events, json!({})).await;
        let edges = events["accountEvents"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 2, "{events}");
        let by_hand = &edges[1]["node"];
        assert_ne!(by_hand["actor"], "webhook-dispatcher");
        assert_eq!(by_hand["subjectId"], id);
        assert_eq!(by_hand["changes"].as_array().unwrap().len(), 1, "{by_hand}");
        server.stop().await;
    }
}
