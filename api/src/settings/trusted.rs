//! Persisted queries and trusted documents (`TANDEM_TRUSTED_DOCUMENTS*`).

use super::reader::Reader;

/// Which documents the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrustedMode {
    /// Any document; clients may also register documents by hash (automatic persisted queries).
    #[default]
    Off,
    /// Only the documents in the manifest, except for the roles that may send any document.
    Allowlist,
}

/// Persisted queries and trusted documents (`TANDEM_TRUSTED_DOCUMENTS*`).
#[derive(Debug, Clone)]
pub struct TrustedDocumentsSettings {
    /// Whether only the manifest's documents run.
    pub mode: TrustedMode,
    /// A JSON file mapping SHA-256 hashes (hex) to document texts, as GraphQL Code Generator's
    /// client preset writes `persisted-documents.json`; its documents can always be sent by hash.
    pub manifest: Option<std::path::PathBuf>,
    /// Roles that may send any document in allowlist mode (GraphiQL users, operators).
    pub any_document_roles: Vec<tandem_domain::auth::Role>,
}

impl TrustedDocumentsSettings {
    pub(super) fn read(r: &mut Reader<'_>) -> TrustedDocumentsSettings {
        use tandem_domain::auth::Role;
        let mode = r.parse(
            "TANDEM_TRUSTED_DOCUMENTS",
            TrustedMode::Off,
            "off or allowlist",
            |v| match v.to_ascii_lowercase().as_str() {
                "off" => Some(TrustedMode::Off),
                "allowlist" => Some(TrustedMode::Allowlist),
                _ => None,
            },
        );
        let manifest = r
            .raw("TANDEM_TRUSTED_DOCUMENTS_MANIFEST")
            .map(std::path::PathBuf::from);
        if mode == TrustedMode::Allowlist && manifest.is_none() {
            r.errors.push(
                "TANDEM_TRUSTED_DOCUMENTS_MANIFEST: required when TANDEM_TRUSTED_DOCUMENTS is allowlist"
                    .into(),
            );
        }
        let any_document_roles = r.parse(
            "TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES",
            vec![Role::Admin],
            "comma-separated roles (ADMIN, CS_MANAGER, …) or none",
            |v| {
                if v.eq_ignore_ascii_case("none") {
                    return Some(Vec::new());
                }
                v.split(',').map(|r| r.parse::<Role>().ok()).collect()
            },
        );
        TrustedDocumentsSettings {
            mode,
            manifest,
            any_document_roles,
        }
    }
}
