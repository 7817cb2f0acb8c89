//! The revenue outlook's likelihood to renew: how much history it needs and how often the
//! worker refits it.

use std::time::Duration;

use super::reader::{Reader, parse_duration};

/// How the renewal model is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutlookSettings {
    /// Closed renewals needed before a likelihood is a number, and before a fit is attempted
    /// (`TANDEM_OUTLOOK_MIN_CLOSED`, default 50, at least 10: below that the backtest holds out
    /// one or two renewals and its figures mean nothing).
    pub min_closed: usize,
    /// How often the worker's leader refits the model (`TANDEM_OUTLOOK_REFIT_EVERY`, a duration,
    /// default 24h; `0` or `off` turns the schedule off, leaving `tandem outlook refit` and
    /// `refitOutlookModel`).
    pub refit_every: Option<Duration>,
}

impl Default for OutlookSettings {
    fn default() -> Self {
        OutlookSettings {
            min_closed: tandem_domain::outlook::MIN_CLOSED_RENEWALS,
            refit_every: Some(Duration::from_secs(24 * 3600)),
        }
    }
}

impl OutlookSettings {
    /// The domain's settings for fitting and scoring, with this minimum.
    pub fn model(&self) -> tandem_domain::outlook::Settings {
        tandem_domain::outlook::Settings {
            min_closed: self.min_closed,
            ..tandem_domain::outlook::Settings::default()
        }
    }

    pub(super) fn read(r: &mut Reader<'_>) -> OutlookSettings {
        let d = OutlookSettings::default();
        OutlookSettings {
            min_closed: r.number("TANDEM_OUTLOOK_MIN_CLOSED", d.min_closed, 10, 1_000_000),
            refit_every: r.parse(
                "TANDEM_OUTLOOK_REFIT_EVERY",
                d.refit_every,
                "a duration such as 6h or 1d, or 0/off to refit only by hand",
                |v| match v.to_ascii_lowercase().as_str() {
                    "0" | "off" | "never" => Some(None),
                    other => parse_duration(other).map(Some),
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Overrides, Settings};
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<OutlookSettings, String> {
        let vars = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(&vars, &Overrides::default())
            .map(|s| s.outlook)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_outlook_needs_fifty_closed_renewals_and_refits_daily_by_default() {
        let s = read(&[]).unwrap();
        assert_eq!(s, OutlookSettings::default());
        assert_eq!(s.min_closed, 50);
        assert_eq!(s.refit_every, Some(Duration::from_secs(86_400)));
        assert_eq!(s.model().min_closed, 50);
    }

    #[test]
    fn the_minimum_and_the_schedule_are_configurable_and_the_schedule_can_be_off() {
        let s = read(&[
            ("TANDEM_OUTLOOK_MIN_CLOSED", "120"),
            ("TANDEM_OUTLOOK_REFIT_EVERY", "6h"),
        ])
        .unwrap();
        assert_eq!(
            (s.min_closed, s.refit_every),
            (120, Some(Duration::from_secs(6 * 3600)))
        );
        for off in ["0", "off", "OFF"] {
            assert_eq!(
                read(&[("TANDEM_OUTLOOK_REFIT_EVERY", off)])
                    .unwrap()
                    .refit_every,
                None
            );
        }
    }

    #[test]
    fn a_bad_minimum_or_schedule_is_refused_by_name() {
        let e = read(&[
            ("TANDEM_OUTLOOK_MIN_CLOSED", "3"),
            ("TANDEM_OUTLOOK_REFIT_EVERY", "daily"),
        ])
        .unwrap_err();
        assert!(
            e.contains("TANDEM_OUTLOOK_MIN_CLOSED: expected a whole number from 10"),
            "{e}"
        );
        assert!(
            e.contains("TANDEM_OUTLOOK_REFIT_EVERY: expected a duration"),
            "{e}"
        );
    }
}
