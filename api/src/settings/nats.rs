//! Relaying the event stream to NATS JetStream: off unless `TANDEM_NATS_URL` is set.

use std::time::Duration;

use super::reader::Reader;

/// Where and how the JetStream relay publishes account-change events.
#[derive(Clone, PartialEq, Eq)]
pub struct NatsSettings {
    /// The server(s) to connect to: `nats://host:4222`, comma-separated for a cluster; user
    /// and password or a token may be given in the URL.
    pub url: String,
    /// The JetStream stream, created when missing (`TANDEM_NATS_STREAM`, default
    /// `TANDEM_EVENTS`). The relay's position is kept under this name.
    pub stream: String,
    /// Subjects are `<prefix>.<KIND>.<account id or none>` (`TANDEM_NATS_SUBJECT_PREFIX`,
    /// default `tandem.events`); the stream is created over `<prefix>.>`.
    pub subject_prefix: String,
    /// The longest wait between attempts while NATS is unreachable (`TANDEM_NATS_RETRY_MAX`,
    /// default 30s); the first wait is 250 ms, doubling.
    pub retry_max: Duration,
}

/// The URL may carry credentials: it is never printed.
impl std::fmt::Debug for NatsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSettings")
            .field("url", &"<hidden>")
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("retry_max", &self.retry_max)
            .finish()
    }
}

impl NatsSettings {
    /// Reads the relay's variables; `None` when `TANDEM_NATS_URL` is unset.
    pub(super) fn read(r: &mut Reader<'_>) -> Option<NatsSettings> {
        let url = r.raw("TANDEM_NATS_URL")?.to_owned();
        let stream = r.string("TANDEM_NATS_STREAM", "TANDEM_EVENTS");
        if let Err(e) = tandem_domain::relay::check_stream_name(&stream) {
            r.errors.push(format!("TANDEM_NATS_STREAM: {e}"));
        }
        let subject_prefix = r.string("TANDEM_NATS_SUBJECT_PREFIX", "tandem.events");
        if let Err(e) = tandem_domain::relay::check_subject_prefix(&subject_prefix) {
            r.errors.push(format!("TANDEM_NATS_SUBJECT_PREFIX: {e}"));
        }
        Some(NatsSettings {
            url,
            stream,
            subject_prefix,
            retry_max: r.duration("TANDEM_NATS_RETRY_MAX", Duration::from_secs(30)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Overrides, Settings};
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<NatsSettings>, String> {
        let vars = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(&vars, &Overrides::default())
            .map(|s| s.nats)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_relay_is_off_without_a_url_and_has_defaults_with_one() {
        assert_eq!(read(&[]).unwrap(), None);
        assert_eq!(
            read(&[("TANDEM_NATS_URL", "nats://127.0.0.1:4222")]).unwrap(),
            Some(NatsSettings {
                url: "nats://127.0.0.1:4222".into(),
                stream: "TANDEM_EVENTS".into(),
                subject_prefix: "tandem.events".into(),
                retry_max: Duration::from_secs(30),
            })
        );
    }

    #[test]
    fn a_bad_stream_name_or_prefix_is_refused_by_name() {
        let e = read(&[
            ("TANDEM_NATS_URL", "nats://127.0.0.1:4222"),
            ("TANDEM_NATS_STREAM", "tandem.events"),
            ("TANDEM_NATS_SUBJECT_PREFIX", "tandem.>"),
        ])
        .unwrap_err();
        assert!(
            e.contains("TANDEM_NATS_STREAM: must not contain '.'"),
            "{e}"
        );
        assert!(e.contains("TANDEM_NATS_SUBJECT_PREFIX"), "{e}");
    }
}
