//! Persisted and trusted documents, decided at the HTTP layer before a request reaches the
//! schema (an async-graphql extension would put every field on its slower path).
//!
//! **Automatic persisted queries** (Apollo's protocol): a request may carry
//! `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`. Sent with its `query`,
//! the text must hash to the hash (else `BAD_USER_INPUT`), and is remembered; sent without, the
//! hash is looked up, and an unknown one is answered with `PERSISTED_QUERY_NOT_FOUND` and the
//! message `PersistedQueryNotFound`, on which Apollo's clients send the text again. Remembered
//! documents live in one table shared by the workers, at most [`REMEMBERED`] documents of at
//! most [`LONGEST`] bytes each (larger ones run, but are not remembered).
//!
//! **Trusted documents** (`TANDEM_TRUSTED_DOCUMENTS=allowlist`): only the documents in the
//! manifest run, sent by hash or as text whose hash is in it; any other is refused with
//! `PERSISTED_QUERY_NOT_IN_LIST` (the code Apollo's router uses for its safelist, so clients
//! built for one recognise the other, and distinct from `FORBIDDEN`, which says the role may not
//! do something: here no role is at fault, the client build is), and nothing new is remembered.
//! The roles in `TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES` (ADMIN by default: GraphiQL users and
//! operators) may send any document.
//!
//! With the feature off and no `persistedQuery` in a request, nothing is hashed or locked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::{ErrorExtensionValues, ServerError};
use sha2::{Digest, Sha256};
use tandem_domain::auth::{Principal, Role};

use crate::settings::{TrustedDocumentsSettings, TrustedMode};

/// Documents remembered from clients at most (in two generations of half as many).
pub const REMEMBERED: usize = 1024;

/// The longest document remembered, in bytes.
pub const LONGEST: usize = 32 * 1024;

/// A document's SHA-256 hash.
pub type Hash = [u8; 32];

type Table = HashMap<Hash, Arc<str>>;

/// The documents a server knows by hash, and which documents it runs.
pub struct Documents {
    mode: TrustedMode,
    any_document_roles: Vec<Role>,
    manifest: Table,
    remembered: Mutex<Generations>,
}

/// A bounded table with O(1) eviction: when the newer generation is full, the older one is
/// dropped; a hit in the older one moves to the newer, so documents in use stay.
#[derive(Default)]
struct Generations {
    new: Table,
    old: Table,
}

impl Documents {
    /// The documents `settings` name, with the manifest read and checked: every key must be the
    /// SHA-256 (hex) of its document, or a document sent as text could never match it.
    pub fn load(settings: &TrustedDocumentsSettings) -> anyhow::Result<Documents> {
        let mut manifest = Table::new();
        if let Some(path) = &settings.manifest {
            let name = "TANDEM_TRUSTED_DOCUMENTS_MANIFEST";
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{name}: cannot read {}: {e}", path.display()))?;
            let entries: HashMap<String, String> = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{name}: {} is not a JSON object of hash to document text: {e}",
                    path.display()
                )
            })?;
            for (key, document) in entries {
                let hash = parse_hash(&key)
                    .ok_or_else(|| anyhow::anyhow!("{name}: '{key}' is not a SHA-256 hex hash"))?;
                if hash != sha256(&document) {
                    anyhow::bail!(
                        "{name}: the document under '{key}' does not hash to it (the manifest must use SHA-256)"
                    );
                }
                manifest.insert(hash, document.into());
            }
            tracing::info!(documents = manifest.len(), mode = ?settings.mode, "trusted documents loaded");
        }
        Ok(Documents {
            mode: settings.mode,
            any_document_roles: settings.any_document_roles.clone(),
            manifest,
            remembered: Mutex::default(),
        })
    }

    /// Whether `who` may send documents outside the allowlist.
    fn unrestricted(&self, who: &Principal) -> bool {
        self.mode == TrustedMode::Off || self.any_document_roles.contains(&who.role)
    }

    /// Decides what `query` a request runs. `persisted` is its `persistedQuery` hash, if any;
    /// `query` is the text it sent (empty when sent by hash alone), filled in from the known
    /// documents when the hash is known. The error is the one to answer with instead.
    pub fn resolve(
        &self,
        who: &Principal,
        persisted: Option<&Hash>,
        query: &mut String,
    ) -> Result<(), ServerError> {
        let Some(hash) = persisted else {
            if self.unrestricted(who) || self.manifest.contains_key(&sha256(query)) {
                return Ok(());
            }
            return Err(not_in_list());
        };
        if query.is_empty() {
            if let Some(document) = self.find(hash) {
                query.push_str(&document);
                return Ok(());
            }
            return Err(if self.unrestricted(who) {
                error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            } else {
                not_in_list()
            });
        }
        if sha256(query) != *hash {
            return Err(error(
                "provided sha does not match query: persistedQuery.sha256Hash must be the SHA-256 of the query text, in hex",
                "BAD_USER_INPUT",
            ));
        }
        if self.manifest.contains_key(hash) {
            return Ok(());
        }
        match self.mode {
            TrustedMode::Off => {
                if query.len() <= LONGEST {
                    self.remember(*hash, query);
                }
                Ok(())
            }
            TrustedMode::Allowlist if self.unrestricted(who) => Ok(()),
            TrustedMode::Allowlist => Err(not_in_list()),
        }
    }

    /// [`Documents::resolve`] for a request read by async-graphql (over the WebSocket): its
    /// `persistedQuery` is in its `extensions`.
    pub fn resolve_request(
        &self,
        who: &Principal,
        request: &mut async_graphql::Request,
    ) -> Result<(), ServerError> {
        let hash = match request.extensions.get("persistedQuery") {
            None if self.mode == TrustedMode::Off => return Ok(()),
            None => None,
            Some(pq) => {
                let text = serde_json::json!({ "persistedQuery": pq }).to_string();
                persisted(&text).map_err(|m| error(&m, "BAD_USER_INPUT"))?
            }
        };
        self.resolve(who, hash.as_ref(), &mut request.query)
    }

    /// The document for `hash`: the manifest's, or one a client registered (with the feature off).
    fn find(&self, hash: &Hash) -> Option<Arc<str>> {
        if let Some(document) = self.manifest.get(hash) {
            return Some(document.clone());
        }
        if self.mode != TrustedMode::Off {
            return None;
        }
        let mut g = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = g.new.get(hash) {
            return Some(hit.clone());
        }
        let hit = g.old.remove(hash)?;
        Self::insert(&mut g, *hash, hit.clone());
        Some(hit)
    }

    fn remember(&self, hash: Hash, query: &str) {
        let mut g = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        if !g.new.contains_key(&hash) {
            Self::insert(&mut g, hash, query.into());
        }
    }

    fn insert(g: &mut Generations, hash: Hash, document: Arc<str>) {
        if g.new.len() >= REMEMBERED / 2 {
            g.old = std::mem::take(&mut g.new);
        }
        g.new.insert(hash, document);
    }
}

/// The `persistedQuery` hash in a request's `extensions` (JSON text), if any; the error is the
/// message for a 400.
pub fn persisted(extensions: &str) -> Result<Option<Hash>, String> {
    #[derive(serde::Deserialize)]
    struct Extensions {
        #[serde(rename = "persistedQuery")]
        persisted_query: Option<PersistedQuery>,
    }
    #[derive(serde::Deserialize)]
    struct PersistedQuery {
        version: Option<u32>,
        #[serde(rename = "sha256Hash")]
        sha256_hash: Option<String>,
    }
    let Ok(read) = serde_json::from_str::<Option<Extensions>>(extensions) else {
        return Err(
            "\"extensions.persistedQuery\" must be {\"version\": 1, \"sha256Hash\": \"<hex>\"}"
                .into(),
        );
    };
    let Some(pq) = read.and_then(|e| e.persisted_query) else {
        return Ok(None);
    };
    if pq.version != Some(1) {
        return Err("only version 1 of \"extensions.persistedQuery\" is supported".into());
    }
    pq.sha256_hash
        .as_deref()
        .and_then(parse_hash)
        .map(Some)
        .ok_or_else(|| {
            "\"extensions.persistedQuery.sha256Hash\" must be a SHA-256 hash in hex (64 characters)"
                .into()
        })
}

/// The SHA-256 of `text`.
pub fn sha256(text: &str) -> Hash {
    Sha256::digest(text.as_bytes()).into()
}

fn parse_hash(hex: &str) -> Option<Hash> {
    let hex = hex.as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut hash = [0u8; 32];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        hash[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(hash)
}

fn not_in_list() -> ServerError {
    error(
        "this server runs only its registered (trusted) documents, and this one is not among them: send a document from the client's persisted-documents manifest",
        "PERSISTED_QUERY_NOT_IN_LIST",
    )
}

/// A request error (no path, no location) with `code`.
pub fn error(message: &str, code: &str) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    e.extensions = Some(extensions);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPENAME: &str = "{ __typename }";

    fn documents(mode: TrustedMode, manifest: &[&str]) -> Documents {
        Documents {
            mode,
            any_document_roles: vec![Role::Admin],
            manifest: manifest
                .iter()
                .map(|d| (sha256(d), Arc::from(*d)))
                .collect(),
            remembered: Mutex::default(),
        }
    }

    fn who(role: Role) -> Principal {
        Principal::vendor("t", role)
    }

    fn code(e: ServerError) -> String {
        let ext = e.extensions.expect("extensions");
        ext.get("code").expect("code").to_string()
    }

    #[test]
    fn hashes_are_read_from_hex_of_either_case() {
        let hash = sha256(TYPENAME);
        let hex: String = hash.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(parse_hash(&hex), Some(hash));
        assert_eq!(parse_hash(&hex.to_lowercase()), Some(hash));
        assert_eq!(parse_hash(&hex[1..]), None);
        assert_eq!(parse_hash(&format!("{}zz", &hex[2..])), None);
        let ext = format!(r#"{{"persistedQuery":{{"version":1,"sha256Hash":"{hex}"}}}}"#);
        assert_eq!(persisted(&ext), Ok(Some(hash)));
        assert_eq!(persisted(r#"{"other":1}"#), Ok(None));
        assert!(persisted(r#"{"persistedQuery":{"version":2,"sha256Hash":"ab"}}"#).is_err());
    }

    #[test]
    fn a_registered_document_is_found_until_pushed_out() {
        let docs = documents(TrustedMode::Off, &[]);
        let admin = who(Role::Viewer);
        let first = "{ a: __typename }".to_owned();
        let hash = sha256(&first);
        let mut q = String::new();
        let missing = docs.resolve(&admin, Some(&hash), &mut q).unwrap_err();
        assert_eq!(code(missing), "\"PERSISTED_QUERY_NOT_FOUND\"");
        docs.resolve(&admin, Some(&hash), &mut first.clone())
            .unwrap();
        docs.resolve(&admin, Some(&hash), &mut q).unwrap();
        assert_eq!(q, first);
        for i in 0..REMEMBERED + 1 {
            let mut other = format!("{{ a{i}: __typename }}");
            docs.resolve(&admin, Some(&sha256(&other)), &mut other)
                .unwrap();
        }
        assert!(
            docs.resolve(&admin, Some(&hash), &mut String::new())
                .is_err()
        );
        let g = docs.remembered.lock().unwrap();
        assert!(g.new.len() + g.old.len() <= REMEMBERED);
    }

    #[test]
    fn the_allowlist_refuses_other_documents_except_to_free_roles() {
        let docs = documents(TrustedMode::Allowlist, &[TYPENAME]);
        let viewer = who(Role::Viewer);
        docs.resolve(&viewer, None, &mut TYPENAME.to_owned())
            .unwrap();
        let mut by_hash = String::new();
        docs.resolve(&viewer, Some(&sha256(TYPENAME)), &mut by_hash)
            .unwrap();
        assert_eq!(by_hash, TYPENAME);
        let other = "{ b: __typename }";
        let refused = docs.resolve(&viewer, None, &mut other.to_owned());
        assert_eq!(
            code(refused.unwrap_err()),
            "\"PERSISTED_QUERY_NOT_IN_LIST\""
        );
        let registering = docs.resolve(&viewer, Some(&sha256(other)), &mut other.to_owned());
        assert_eq!(
            code(registering.unwrap_err()),
            "\"PERSISTED_QUERY_NOT_IN_LIST\""
        );
        let admin = who(Role::Admin);
        docs.resolve(&admin, None, &mut other.to_owned()).unwrap();
        docs.resolve(&admin, Some(&sha256(other)), &mut other.to_owned())
            .unwrap();
        // Nothing is remembered in allowlist mode, not even an unrestricted role's document.
        let unknown = docs.resolve(&admin, Some(&sha256(other)), &mut String::new());
        assert_eq!(code(unknown.unwrap_err()), "\"PERSISTED_QUERY_NOT_FOUND\"");
    }

    #[test]
    fn a_manifest_must_key_each_document_by_its_sha256() {
        let path = std::env::temp_dir().join(format!("manifest-{}.json", uuid::Uuid::new_v4()));
        let load = |manifest: serde_json::Value| {
            std::fs::write(&path, manifest.to_string()).unwrap();
            Documents::load(&TrustedDocumentsSettings {
                mode: TrustedMode::Allowlist,
                manifest: Some(path.clone()),
                any_document_roles: vec![],
            })
            .map(|d| d.manifest.len())
            .map_err(|e| e.to_string())
        };
        let hex = |d: &str| {
            sha256(d)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        assert_eq!(load(serde_json::json!({ hex(TYPENAME): TYPENAME })), Ok(1));
        let wrong = load(serde_json::json!({ hex("{ a }"): TYPENAME })).unwrap_err();
        assert!(wrong.contains("does not hash to it"), "{wrong}");
        let sha1 = load(serde_json::json!({ "a9993e364706816aba3e": TYPENAME })).unwrap_err();
        assert!(sha1.contains("not a SHA-256 hex hash"), "{sha1}");
        let list = load(serde_json::json!([TYPENAME])).unwrap_err();
        assert!(list.contains("TANDEM_TRUSTED_DOCUMENTS_MANIFEST"), "{list}");
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn a_text_that_does_not_match_its_hash_is_refused() {
        let docs = documents(TrustedMode::Off, &[]);
        let wrong = docs.resolve(&who(Role::Admin), Some(&[0; 32]), &mut TYPENAME.to_owned());
        assert_eq!(code(wrong.unwrap_err()), "\"BAD_USER_INPUT\"");
    }
}
