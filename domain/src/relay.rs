//! Relaying the account-change stream to an external log (NATS JetStream): what each event is
//! published as, and where a relay resumes.
//!
//! The outbox stays the source of truth. The relay publishes events in cursor order, names each
//! message after its cursor (so the broker's duplicate window drops a re-publish), and records
//! the last acknowledged cursor beside the outbox only after the acknowledgement. A relay that
//! died between the acknowledgement and the record finds the later cursor in the stream itself
//! and resumes after whichever is further on.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::event::EventKind;

/// The token of a subject for events that belong to no account.
pub const NO_ACCOUNT: &str = "none";

/// The subject an event is published on: `<prefix>.<KIND>.<account global id or none>`, so
/// that a consumer can filter on a kind (`tandem.events.HEALTH_STATUS_CHANGED.*`) or an account
/// (`tandem.events.*.<id>`). Global ids are base64url, which is a valid subject token.
pub fn subject(prefix: &str, kind: EventKind, account: Option<&str>) -> String {
    format!(
        "{prefix}.{}.{}",
        kind.as_str(),
        account.unwrap_or(NO_ACCOUNT)
    )
}

/// The message id of the event at `cursor` (JetStream's `Nats-Msg-Id`).
pub fn message_id(cursor: i64) -> String {
    cursor.to_string()
}

/// The cursor a message id names, if it is one of [`message_id`]'s.
pub fn cursor_of(message_id: &str) -> Option<i64> {
    message_id.parse().ok().filter(|c| *c > 0)
}

/// Where to resume: after the recorded position, or after the newest event the stream already
/// holds when the relay stopped between the broker's acknowledgement and the record.
pub fn resume_after(recorded: i64, newest_in_stream: Option<i64>) -> i64 {
    recorded.max(newest_in_stream.unwrap_or(0))
}

/// How far behind the relay is, in seconds: the age of the oldest event not yet acknowledged
/// (0 when there is none).
pub fn lag_seconds(oldest_pending: Option<DateTime<Utc>>, now: DateTime<Utc>) -> f64 {
    oldest_pending.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
}

/// How long to wait before the `failures`-th retry after the broker failed: from `base`,
/// doubling, at most `max`.
pub fn retry_delay(failures: u32, base: Duration, max: Duration) -> Duration {
    let shift = failures.saturating_sub(1).min(20);
    base.saturating_mul(1 << shift).min(max)
}

/// Checks a JetStream stream name: not empty, none of space, `.`, `*`, `>`, `/`, `\`.
pub fn check_stream_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 255 {
        return Err("must be 1 to 255 characters".to_owned());
    }
    match name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || ".*>/\\".contains(*c))
    {
        Some(c) => Err(format!("must not contain '{c}'")),
        None => Ok(()),
    }
}

/// Checks a subject prefix: dot-separated tokens, none empty, without wildcards or spaces.
pub fn check_subject_prefix(prefix: &str) -> Result<(), String> {
    if prefix.split('.').any(str::is_empty) {
        return Err("must be dot-separated tokens, none empty (e.g. tandem.events)".to_owned());
    }
    match prefix
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "*>".contains(*c))
    {
        Some(c) => Err(format!("must not contain '{c}'")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_names_the_kind_and_the_account_or_none() {
        assert_eq!(
            subject(
                "tandem.events",
                EventKind::AccountUpdated,
                Some("QWNjb3VudDox")
            ),
            "tandem.events.ACCOUNT_UPDATED.QWNjb3VudDox"
        );
        assert_eq!(
            subject("t", EventKind::AccountCreated, None),
            "t.ACCOUNT_CREATED.none"
        );
    }

    #[test]
    fn message_ids_are_cursors_and_read_back() {
        assert_eq!(message_id(42), "42");
        assert_eq!(cursor_of(&message_id(42)), Some(42));
        assert_eq!(cursor_of("0"), None);
        assert_eq!(cursor_of("-3"), None);
        assert_eq!(cursor_of("abc"), None);
    }

    #[test]
    fn a_relay_resumes_after_the_further_of_its_record_and_the_stream() {
        for (recorded, in_stream, expected) in [
            (0, None, 0),
            (10, None, 10),
            (10, Some(12), 12),
            // A stream recreated empty or trimmed: the record wins, nothing is sent twice.
            (10, Some(4), 10),
        ] {
            assert_eq!(resume_after(recorded, in_stream), expected);
        }
    }

    #[test]
    fn lag_is_the_age_of_the_oldest_pending_event() {
        let now = Utc::now();
        assert_eq!(lag_seconds(None, now), 0.0);
        let t = now - chrono::Duration::milliseconds(2500);
        assert_eq!(lag_seconds(Some(t), now), 2.5);
        assert_eq!(
            lag_seconds(Some(now + chrono::Duration::seconds(1)), now),
            0.0
        );
    }

    #[test]
    fn retries_double_from_the_base_up_to_the_maximum() {
        let (base, max) = (Duration::from_millis(250), Duration::from_secs(5));
        let delays: Vec<u128> = (1..=7)
            .map(|n| retry_delay(n, base, max).as_millis())
            .collect();
        assert_eq!(delays, [250, 500, 1000, 2000, 4000, 5000, 5000]);
        assert_eq!(retry_delay(u32::MAX, base, max), max);
    }

    #[test]
    fn stream_names_and_prefixes_are_checked() {
        assert!(check_stream_name("TANDEM_EVENTS").is_ok());
        assert!(check_stream_name("").is_err());
        assert!(check_stream_name("a.b").is_err());
        assert!(check_stream_name("a b").is_err());
        assert!(check_stream_name("a>").is_err());
        assert!(check_subject_prefix("tandem.events").is_ok());
        assert!(check_subject_prefix("tandem..events").is_err());
        assert!(check_subject_prefix("tandem.*").is_err());
        assert!(check_subject_prefix("").is_err());
        assert!(check_subject_prefix("a b").is_err());
    }
}
