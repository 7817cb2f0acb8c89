//! Configuration: one typed, validated value built at start-up from `TANDEM_*` environment
//! variables and command-line flags (flags win). A bad value stops the program with a message
//! that names the setting; secrets are kept in [`Secret`], which never prints its contents.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

mod nats;
mod outlook;
mod reader;
mod traces;
mod trusted;

use reader::Reader;
pub use reader::parse_duration;

pub use nats::NatsSettings;
pub use outlook::OutlookSettings;
pub use traces::TraceSettings;
pub use trusted::{TrustedDocumentsSettings, TrustedMode};

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

/// How tokens are signed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret.
    Hs256,
    /// RSA PKCS#1 v1.5 with SHA-256 and a public key.
    Rs256,
    /// Ed25519 and a public key.
    EdDsa,
}

/// Token verification (and, for `tandem token`, signing) settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The one algorithm accepted; never taken from the token.
    pub algorithm: JwtAlgorithm,
    /// The shared secret for HS256 (`TANDEM_JWT_SECRET`).
    pub secret: Option<Secret>,
    /// The PEM public key for RS256/EdDSA (`TANDEM_JWT_PUBLIC_KEY`: the PEM text or a file path).
    pub public_key: Option<String>,
    /// The PEM private key that `tandem token` signs with for RS256/EdDSA.
    pub private_key: Option<Secret>,
    /// The required `iss` claim.
    pub issuer: String,
    /// The required `aud` claim.
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
}

/// Limits that protect the server from expensive or abusive requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The deepest selection nesting accepted.
    pub max_depth: usize,
    /// The highest query complexity accepted (fields, multiplied by page sizes).
    pub max_complexity: usize,
    /// The most aliased fields one document may hold.
    pub max_aliases: usize,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// The longest a request may run before it is cancelled.
    pub request_timeout: Duration,
    /// Requests per second one token subject may keep up (0: no limit).
    pub rate_per_second: f64,
    /// Requests one token subject may send at once after being idle.
    pub rate_burst: f64,
    /// How long a graphql-transport-ws connection may stay open without `connection_init`.
    pub ws_init_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 15,
            max_complexity: 10_000,
            max_aliases: 30,
            max_body_bytes: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            rate_per_second: 50.0,
            rate_burst: 100.0,
            ws_init_timeout: Duration::from_secs(3),
        }
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Plain,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Everything `tandem serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address to listen on.
    pub bind: SocketAddr,
    /// The database URL.
    pub database_url: String,
    /// The most database connections the pool opens.
    pub database_max_connections: u32,
    /// The PostgreSQL schema to work in (its search path); `None` for the server's default.
    pub database_schema: Option<String>,
    /// How long a request waits for a database connection before it fails as unavailable.
    pub database_acquire_timeout: Duration,
    /// Token settings.
    pub auth: AuthSettings,
    /// Request limits.
    pub limits: Limits,
    /// Whether schema introspection is answered.
    pub introspection: bool,
    /// Whether validation errors suggest similar field names.
    pub suggestions: bool,
    /// Whether a browser gets GraphiQL at `/graphql`.
    pub graphiql: bool,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter (`info`, `tandem_api=debug,info`…).
    pub log_filter: String,
    /// How long shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
    /// HTTP worker threads.
    pub workers: usize,
    /// How often the event relay polls the outbox for events written by other processes (on
    /// PostgreSQL, LISTEN/NOTIFY wakes it at once; the poll is the safety net).
    pub event_poll_interval: Duration,
    /// The automation worker: playbooks and webhook deliveries.
    pub automation: AutomationSettings,
    /// Whether `GET /metrics` answers, in Prometheus' text format and without a token
    /// (`TANDEM_METRICS`, default on).
    pub metrics: bool,
    /// Where traces go over OTLP/HTTP; `None` (the default) exports none.
    pub traces: Option<TraceSettings>,
    /// Persisted queries and the trusted-documents allowlist.
    pub trusted_documents: TrustedDocumentsSettings,
    /// The event stream relayed to NATS JetStream; `None` (the default) relays nothing.
    pub nats: Option<NatsSettings>,
    /// The revenue outlook's renewal model: the history it needs, how often it is refitted.
    pub outlook: OutlookSettings,
}

/// How the automation worker runs.
#[derive(Debug, Clone)]
pub struct AutomationSettings {
    /// Whether this server may run the worker (one server at a time runs it).
    pub enabled: bool,
    /// How often threshold playbooks are re-evaluated over every account when nothing wakes
    /// the worker sooner (renewal dates come closer by themselves).
    pub sweep_interval: Duration,
    /// How often a standby server tries to take over the worker.
    pub standby_interval: Duration,
    /// How long one webhook delivery attempt may take.
    pub webhook_timeout: Duration,
    /// The delay before the first retry; it doubles with each further one.
    pub webhook_retry_base: Duration,
    /// The longest delay between retries.
    pub webhook_retry_max: Duration,
    /// Attempts before a delivery is given up.
    pub webhook_max_attempts: u32,
    /// An endpoint whose every attempt has failed for this long is disabled.
    pub webhook_disable_after: Duration,
    /// Networks deliveries may reach although they are loopback or link-local.
    pub webhook_allowed_networks: Vec<tandem_domain::webhook::Network>,
}

impl Default for AutomationSettings {
    fn default() -> Self {
        AutomationSettings {
            enabled: true,
            sweep_interval: Duration::from_secs(60),
            standby_interval: Duration::from_secs(2),
            webhook_timeout: Duration::from_secs(10),
            webhook_retry_base: Duration::from_secs(5),
            webhook_retry_max: Duration::from_secs(3600),
            webhook_max_attempts: 12,
            webhook_disable_after: Duration::from_secs(24 * 3600),
            webhook_allowed_networks: Vec::new(),
        }
    }
}

/// The default SQLite database: a file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://tandem.db?mode=rwc";

/// Flags that override the environment.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--bind`.
    pub bind: Option<String>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

/// Why the settings were refused: every bad setting, each named.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  {}", .0.join("\n  "))]
pub struct SettingsError(pub Vec<String>);

impl AutomationSettings {
    fn read(r: &mut Reader<'_>) -> AutomationSettings {
        let d = AutomationSettings::default();
        let networks = r.parse(
            "TANDEM_WEBHOOK_ALLOWED_NETWORKS",
            Vec::new(),
            "comma-separated addresses or CIDR networks, such as 127.0.0.1/32,::1",
            |v| {
                v.split(',')
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| n.parse().ok())
                    .collect()
            },
        );
        AutomationSettings {
            enabled: r.flag("TANDEM_AUTOMATION", d.enabled),
            sweep_interval: r.duration("TANDEM_PLAYBOOK_SWEEP_INTERVAL", d.sweep_interval),
            standby_interval: r.duration("TANDEM_WORKER_STANDBY_INTERVAL", d.standby_interval),
            webhook_timeout: r.duration("TANDEM_WEBHOOK_TIMEOUT", d.webhook_timeout),
            webhook_retry_base: r.duration("TANDEM_WEBHOOK_RETRY_BASE", d.webhook_retry_base),
            webhook_retry_max: r.duration("TANDEM_WEBHOOK_RETRY_MAX", d.webhook_retry_max),
            webhook_max_attempts: r.number(
                "TANDEM_WEBHOOK_MAX_ATTEMPTS",
                d.webhook_max_attempts as usize,
                1,
                100,
            ) as u32,
            webhook_disable_after: r
                .duration("TANDEM_WEBHOOK_DISABLE_AFTER", d.webhook_disable_after),
            webhook_allowed_networks: networks,
        }
    }
}

impl AuthSettings {
    /// Reads the token settings alone (what `tandem token` needs).
    fn read(r: &mut Reader<'_>) -> AuthSettings {
        let algorithm = r.parse(
            "TANDEM_JWT_ALGORITHM",
            JwtAlgorithm::Hs256,
            "HS256, RS256 or EdDSA",
            |v| match v.to_ascii_uppercase().as_str() {
                "HS256" => Some(JwtAlgorithm::Hs256),
                "RS256" => Some(JwtAlgorithm::Rs256),
                "EDDSA" => Some(JwtAlgorithm::EdDsa),
                _ => None,
            },
        );
        let secret = r.raw("TANDEM_JWT_SECRET").map(Secret::new);
        if let Some(s) = &secret
            && s.expose().len() < 32
        {
            r.errors.push(format!(
                "TANDEM_JWT_SECRET: must be at least 32 bytes long, got {} (the value is not shown)",
                s.expose().len()
            ));
        }
        let public_key = r.raw("TANDEM_JWT_PUBLIC_KEY").map(str::to_owned);
        if algorithm != JwtAlgorithm::Hs256 && public_key.is_none() {
            r.errors.push(
                "TANDEM_JWT_PUBLIC_KEY: required when TANDEM_JWT_ALGORITHM is RS256 or EdDSA"
                    .into(),
            );
        }
        AuthSettings {
            algorithm,
            secret,
            public_key,
            private_key: r.raw("TANDEM_JWT_PRIVATE_KEY").map(Secret::new),
            issuer: r.string("TANDEM_JWT_ISSUER", "tandem"),
            audience: r.string("TANDEM_JWT_AUDIENCE", "tandem-api"),
            leeway: r.duration("TANDEM_JWT_LEEWAY", Duration::from_secs(30)),
        }
    }
}

impl Settings {
    /// Builds the settings from the process environment and `overrides`.
    pub fn from_env(overrides: &Overrides) -> Result<Settings, SettingsError> {
        Settings::from_vars(&std::env::vars().collect(), overrides)
    }

    /// Builds the settings from `vars` (the environment, or a test's map) and `overrides`.
    pub fn from_vars(
        vars: &HashMap<String, String>,
        overrides: &Overrides,
    ) -> Result<Settings, SettingsError> {
        let mut r = Reader {
            vars,
            errors: Vec::new(),
        };
        let bind_text = overrides
            .bind
            .clone()
            .unwrap_or_else(|| r.string("TANDEM_BIND", "127.0.0.1:8080"));
        let bind = match bind_text.parse::<SocketAddr>() {
            Ok(addr) => addr,
            Err(_) => {
                r.errors.push(format!(
                    "TANDEM_BIND / --bind: expected an address such as 127.0.0.1:8080, got '{bind_text}'"
                ));
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }
        };
        let database_url = overrides
            .database_url
            .clone()
            .unwrap_or_else(|| r.string("TANDEM_DATABASE_URL", DEFAULT_DATABASE_URL));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            r.errors.push(
                "TANDEM_DATABASE_URL / --database-url: expected a sqlite:… or postgres://… URL (the value is not shown: it may hold a password)".into(),
            );
        }
        let auth = AuthSettings::read(&mut r);
        let defaults = Limits::default();
        let limits = Limits {
            max_depth: r.number("TANDEM_MAX_DEPTH", defaults.max_depth, 2, 100),
            max_complexity: r.number(
                "TANDEM_MAX_COMPLEXITY",
                defaults.max_complexity,
                10,
                10_000_000,
            ),
            max_aliases: r.number("TANDEM_MAX_ALIASES", defaults.max_aliases, 0, 10_000),
            max_body_bytes: r.number(
                "TANDEM_MAX_BODY_BYTES",
                defaults.max_body_bytes,
                1024,
                64 * 1024 * 1024,
            ),
            request_timeout: r.duration("TANDEM_REQUEST_TIMEOUT", defaults.request_timeout),
            rate_per_second: r.number(
                "TANDEM_RATE_LIMIT_PER_SECOND",
                defaults.rate_per_second as usize,
                0,
                1_000_000,
            ) as f64,
            rate_burst: r.number(
                "TANDEM_RATE_LIMIT_BURST",
                defaults.rate_burst as usize,
                1,
                1_000_000,
            ) as f64,
            ws_init_timeout: r.duration("TANDEM_WS_INIT_TIMEOUT", defaults.ws_init_timeout),
        };
        let log_format = r.parse(
            "TANDEM_LOG_FORMAT",
            LogFormat::Plain,
            "plain or json",
            |v| match v.to_ascii_lowercase().as_str() {
                "plain" | "text" => Some(LogFormat::Plain),
                "json" => Some(LogFormat::Json),
                _ => None,
            },
        );
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        let settings = Settings {
            bind,
            database_url,
            database_max_connections: r.number("TANDEM_DATABASE_MAX_CONNECTIONS", 32, 1, 1000)
                as u32,
            database_schema: r.raw("TANDEM_DATABASE_SCHEMA").map(str::to_owned),
            database_acquire_timeout: r
                .duration("TANDEM_DATABASE_ACQUIRE_TIMEOUT", Duration::from_secs(5)),
            auth,
            limits,
            introspection: r.flag("TANDEM_INTROSPECTION", true),
            suggestions: r.flag("TANDEM_SUGGESTIONS", true),
            graphiql: r.flag("TANDEM_GRAPHIQL", true),
            log_format,
            log_filter: r.string("TANDEM_LOG", "info"),
            shutdown_timeout: r.duration("TANDEM_SHUTDOWN_TIMEOUT", Duration::from_secs(30)),
            workers: r.number("TANDEM_WORKERS", cpus, 1, 256),
            event_poll_interval: r.duration("TANDEM_EVENT_POLL_INTERVAL", Duration::from_secs(1)),
            automation: AutomationSettings::read(&mut r),
            metrics: r.flag("TANDEM_METRICS", true),
            traces: TraceSettings::read(&mut r),
            trusted_documents: TrustedDocumentsSettings::read(&mut r),
            nats: NatsSettings::read(&mut r),
            outlook: OutlookSettings::read(&mut r),
        };
        if r.errors.is_empty() {
            Ok(settings)
        } else {
            Err(SettingsError(r.errors))
        }
    }

    /// Reads only the token settings, for `tandem token`.
    pub fn auth_from_env() -> Result<AuthSettings, SettingsError> {
        let vars = std::env::vars().collect();
        let mut r = Reader {
            vars: &vars,
            errors: Vec::new(),
        };
        let auth = AuthSettings::read(&mut r);
        if r.errors.is_empty() {
            Ok(auth)
        } else {
            Err(SettingsError(r.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_environment() {
        let s = Settings::from_vars(&vars(&[]), &Overrides::default()).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.auth.algorithm, JwtAlgorithm::Hs256);
        assert_eq!(s.limits.max_depth, 15);
    }

    #[test]
    fn every_bad_setting_is_named_at_once() {
        let err = Settings::from_vars(
            &vars(&[
                ("TANDEM_MAX_DEPTH", "deep"),
                ("TANDEM_REQUEST_TIMEOUT", "soon"),
                ("TANDEM_JWT_ALGORITHM", "none"),
            ]),
            &Overrides::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("TANDEM_MAX_DEPTH: expected a whole number"),
            "{text}"
        );
        assert!(text.contains("TANDEM_REQUEST_TIMEOUT"), "{text}");
        assert!(
            text.contains("TANDEM_JWT_ALGORITHM: expected HS256, RS256 or EdDSA"),
            "{text}"
        );
    }

    #[test]
    fn a_short_secret_is_refused_without_showing_it() {
        let err = Settings::from_vars(
            &vars(&[("TANDEM_JWT_SECRET", "hunter2")]),
            &Overrides::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("TANDEM_JWT_SECRET"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn secrets_do_not_print_in_debug_output() {
        let s = Settings::from_vars(
            &vars(&[("TANDEM_JWT_SECRET", "a-very-long-secret-value-of-32-bytes!")]),
            &Overrides::default(),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("a-very-long-secret"));
    }

    #[test]
    fn flags_override_the_environment() {
        let s = Settings::from_vars(
            &vars(&[("TANDEM_BIND", "0.0.0.0:1")]),
            &Overrides {
                bind: Some("127.0.0.1:9999".into()),
                database_url: Some("postgres://x@localhost/db".into()),
            },
        )
        .unwrap();
        assert_eq!(s.bind.port(), 9999);
        assert!(s.database_url.starts_with("postgres://"));
    }

    #[test]
    fn traces_follow_the_standard_otlp_variables() {
        let read = |pairs: &[(&str, &str)]| {
            Settings::from_vars(&vars(pairs), &Overrides::default()).map(|s| s.traces)
        };
        assert_eq!(read(&[]).unwrap(), None);
        let base = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")]).unwrap();
        assert_eq!(
            base.as_ref()
                .map(|t| (t.endpoint.as_str(), t.service_name.as_str())),
            Some(("http://collector:4318/v1/traces", "tandem"))
        );
        let traces = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ignored:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "https://c.example/traces",
            ),
            ("OTEL_SERVICE_NAME", "tandem-eu"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(traces.endpoint, "https://c.example/traces");
        assert_eq!(traces.service_name, "tandem-eu");
        let disabled = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_SDK_DISABLED", "true"),
        ]);
        assert_eq!(disabled.unwrap(), None);
        let bad = read(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).unwrap_err();
        assert!(
            bad.to_string().contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
            "{bad}"
        );
        let off = Settings::from_vars(&vars(&[("TANDEM_METRICS", "off")]), &Overrides::default());
        assert!(!off.unwrap().metrics);
    }

    #[test]
    fn trusted_documents_are_off_by_default_and_an_allowlist_needs_a_manifest() {
        use tandem_domain::auth::Role;
        let s = Settings::from_vars(&vars(&[]), &Overrides::default()).unwrap();
        assert_eq!(s.trusted_documents.mode, TrustedMode::Off);
        assert_eq!(s.trusted_documents.any_document_roles, vec![Role::Admin]);
        let err = Settings::from_vars(
            &vars(&[
                ("TANDEM_TRUSTED_DOCUMENTS", "allowlist"),
                ("TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES", "ADMIN,nobody"),
            ]),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("TANDEM_TRUSTED_DOCUMENTS_MANIFEST: required"),
            "{err}"
        );
        assert!(err.contains("TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES"), "{err}");
        let s = Settings::from_vars(
            &vars(&[
                ("TANDEM_TRUSTED_DOCUMENTS", "allowlist"),
                (
                    "TANDEM_TRUSTED_DOCUMENTS_MANIFEST",
                    "/etc/tandem/documents.json",
                ),
                ("TANDEM_TRUSTED_DOCUMENTS_ANY_ROLES", "none"),
            ]),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(s.trusted_documents.mode, TrustedMode::Allowlist);
        assert!(s.trusted_documents.any_document_roles.is_empty());
    }

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("soon"), None);
    }
}
