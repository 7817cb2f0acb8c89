//! Reading settings from a set of variables: each parsed as its kind, every problem collected.

use std::collections::HashMap;
use std::time::Duration;

/// Reads settings from a set of variables, collecting every problem rather than stopping at the
/// first.
pub(super) struct Reader<'a> {
    pub(super) vars: &'a HashMap<String, String>,
    pub(super) errors: Vec<String>,
}

impl Reader<'_> {
    pub(super) fn raw(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn string(&self, name: &str, default: &str) -> String {
        self.raw(name).unwrap_or(default).to_owned()
    }

    pub(super) fn parse<T>(
        &mut self,
        name: &str,
        default: T,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> T {
        match self.raw(name) {
            None => default,
            Some(v) => match parse(v) {
                Some(t) => t,
                None => {
                    self.errors
                        .push(format!("{name}: expected {expected}, got '{v}'"));
                    default
                }
            },
        }
    }

    pub(super) fn number(&mut self, name: &str, default: usize, min: usize, max: usize) -> usize {
        self.parse(
            name,
            default,
            &format!("a whole number from {min} to {max}"),
            |v| v.parse::<usize>().ok().filter(|n| (min..=max).contains(n)),
        )
    }

    pub(super) fn flag(&mut self, name: &str, default: bool) -> bool {
        self.parse(name, default, "true or false", |v| {
            match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            }
        })
    }

    pub(super) fn duration(&mut self, name: &str, default: Duration) -> Duration {
        self.parse(
            name,
            default,
            "a duration such as 500ms, 30s, 5m or 1h",
            parse_duration,
        )
    }
}

/// Parses `500ms`, `30s`, `5m`, `2h`, `7d` (a bare number means seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let secs = |m: u64| n.checked_mul(m).map(Duration::from_secs);
    match unit.trim() {
        "ms" => Some(Duration::from_millis(n)),
        "" | "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => None,
    }
    .filter(|d| !d.is_zero())
}
