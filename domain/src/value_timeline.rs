//! An account's value timeline: one dated list of what it received and what followed — phases
//! delivered and accepted, goals achieved or missed, health status changes, revenue movements
//! and catalog versions published — so that services, customer success and product read the
//! same story. It sets events side by side in time; it does not say that one caused another.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::health::HealthStatus;
use crate::money::Money;
use crate::signals::RevenueKind;
use crate::{DomainError, DomainResult};

crate::text_enum! {
    /// What kind of entry a value timeline holds. The declaration order is also the order of
    /// entries on the same day (oldest first): delivery before acceptance, and so on.
    pub enum ValueEventKind {
        /// A phase was delivered (its actual end).
        PhaseDelivered = "PHASE_DELIVERED",
        /// The customer accepted a phase.
        PhaseAccepted = "PHASE_ACCEPTED",
        /// A success-plan goal was achieved.
        GoalAchieved = "GOAL_ACHIEVED",
        /// A success-plan goal was missed.
        GoalMissed = "GOAL_MISSED",
        /// The account's health score moved to another status (or was scored first).
        HealthStatusChanged = "HEALTH_STATUS_CHANGED",
        /// An MRR movement took effect.
        RevenueMovement = "REVENUE_MOVEMENT",
        /// A version of the account's catalog model was published.
        CatalogVersionPublished = "CATALOG_VERSION_PUBLISHED",
    }
}

impl ValueEventKind {
    /// The kind's place in [`ValueEventKind::ALL`]: the tie-break between entries of one day.
    pub fn ordinal(self) -> i32 {
        ValueEventKind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or_default() as i32
    }
}

/// The most entries one read returns.
pub const MAX_ENTRIES: u64 = 500;
/// The entries one read returns when not told.
pub const DEFAULT_ENTRIES: u64 = 100;

/// What to read of a timeline, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineQuery {
    /// The first day included, if bounded.
    pub from: Option<NaiveDate>,
    /// The last day included, if bounded.
    pub to: Option<NaiveDate>,
    /// The most entries to return, newest first.
    pub limit: u64,
    /// The kinds to include, without repeats; every kind when empty.
    pub kinds: Vec<ValueEventKind>,
}

impl TimelineQuery {
    /// Checks a read: `first` from 0 to [`MAX_ENTRIES`] ([`DEFAULT_ENTRIES`] when not given,
    /// null included), `from` not after `to`.
    pub fn new(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        first: Option<i64>,
        mut kinds: Vec<ValueEventKind>,
    ) -> DomainResult<TimelineQuery> {
        let first = first.unwrap_or(DEFAULT_ENTRIES as i64);
        if !(0..=MAX_ENTRIES as i64).contains(&first) {
            return Err(DomainError::invalid(
                "first",
                format!(
                    "{first} is out of range; a value timeline returns 0 to {MAX_ENTRIES} entries"
                ),
            ));
        }
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(DomainError::invalid(
                "from",
                format!("{f} is after to ({t}); the range would hold no day"),
            ));
        }
        kinds.sort();
        kinds.dedup();
        Ok(TimelineQuery {
            from,
            to,
            limit: first as u64,
            kinds,
        })
    }

    /// Whether entries of `kind` are wanted.
    pub fn wants(&self, kind: ValueEventKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// What an entry is about.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueDetail {
    /// A phase delivered or accepted.
    Phase {
        /// The phase.
        phase_id: Uuid,
        /// Its name.
        name: String,
        /// Its engagement.
        engagement_id: Uuid,
        /// The engagement's name.
        engagement_name: String,
        /// On acceptance: the value it realised, as recorded.
        realised_value: Option<String>,
    },
    /// A goal achieved or missed.
    Goal {
        /// The goal.
        goal_id: Uuid,
        /// Its title.
        title: String,
    },
    /// A health status change.
    Health {
        /// The status before; `None` for the account's first score.
        from: Option<HealthStatus>,
        /// The status after.
        to: HealthStatus,
        /// The score that brought it, 0 to 100.
        score: f64,
    },
    /// An MRR movement.
    Revenue {
        /// What kind of movement.
        kind: RevenueKind,
        /// The signed change in MRR (negative for contraction and churn).
        amount: Money,
    },
    /// A published catalog version.
    Catalog {
        /// The version's number, from 1.
        number: i32,
    },
}

/// One entry of a value timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueEvent {
    /// The day it happened (UTC for what is stored as a time).
    pub on: NaiveDate,
    /// What kind of entry it is.
    pub kind: ValueEventKind,
    /// The record it comes from (phase, goal, health score, revenue movement or catalog
    /// version): the last tie-break between entries of one day and kind.
    pub source_id: Uuid,
    /// What it is about.
    pub detail: ValueDetail,
}

impl ValueEvent {
    /// One line for a person. It never names an amount of money, so that it reads the same for
    /// every role; the amount is in the revenue detail, for those who may see it.
    pub fn summary(&self) -> String {
        match (&self.detail, self.kind) {
            (
                ValueDetail::Phase {
                    name,
                    engagement_name,
                    realised_value,
                    ..
                },
                kind,
            ) => {
                let done = if kind == ValueEventKind::PhaseAccepted {
                    "accepted"
                } else {
                    "delivered"
                };
                match realised_value {
                    Some(v) if kind == ValueEventKind::PhaseAccepted => {
                        format!("Phase '{name}' of '{engagement_name}' {done}; realised: {v}")
                    }
                    _ => format!("Phase '{name}' of '{engagement_name}' {done}"),
                }
            }
            (ValueDetail::Goal { title, .. }, ValueEventKind::GoalMissed) => {
                format!("Goal '{title}' missed")
            }
            (ValueDetail::Goal { title, .. }, _) => format!("Goal '{title}' achieved"),
            (ValueDetail::Health { from, to, score }, _) => match from {
                Some(from) => format!("Health {from} → {to} (score {score:.0})"),
                None => format!("First health score: {to} (score {score:.0})"),
            },
            (ValueDetail::Revenue { kind, .. }, _) => match kind {
                RevenueKind::New => "New MRR".to_owned(),
                RevenueKind::Expansion => "MRR expansion".to_owned(),
                RevenueKind::Contraction => "MRR contraction".to_owned(),
                RevenueKind::Churn => "Churn: MRR to zero".to_owned(),
                RevenueKind::Reactivation => "Reactivation".to_owned(),
            },
            (ValueDetail::Catalog { number }, _) => {
                format!("Catalog model version {number} published")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn a_read_is_bounded_and_its_range_ordered() {
        let q = TimelineQuery::new(Some(day(1, 1)), Some(day(1, 1)), Some(500), vec![]).unwrap();
        assert_eq!(q.limit, 500);
        assert!(q.wants(ValueEventKind::RevenueMovement));
        assert_eq!(
            TimelineQuery::new(None, None, Some(0), vec![])
                .unwrap()
                .limit,
            0
        );
        for first in [-1, 501] {
            let err = TimelineQuery::new(None, None, Some(first), vec![]).unwrap_err();
            assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "first"));
        }
        let err =
            TimelineQuery::new(Some(day(2, 1)), Some(day(1, 31)), Some(10), vec![]).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "from"));
        // One bound alone is fine; no `first` is the default.
        let q = TimelineQuery::new(Some(day(2, 1)), None, None, vec![]).unwrap();
        assert_eq!(q.limit, DEFAULT_ENTRIES);
    }

    #[test]
    fn kinds_narrow_the_read_without_repeats() {
        use ValueEventKind::*;
        let q = TimelineQuery::new(
            None,
            None,
            Some(10),
            vec![GoalMissed, PhaseAccepted, GoalMissed],
        )
        .unwrap();
        assert_eq!(q.kinds, vec![PhaseAccepted, GoalMissed]);
        assert!(q.wants(GoalMissed));
        assert!(!q.wants(RevenueMovement));
    }

    #[test]
    fn kinds_of_one_day_follow_the_declaration_order() {
        let ordinals: Vec<i32> = ValueEventKind::ALL.iter().map(|k| k.ordinal()).collect();
        assert_eq!(ordinals, (0..7).collect::<Vec<_>>());
        assert!(ValueEventKind::PhaseDelivered.ordinal() < ValueEventKind::PhaseAccepted.ordinal());
    }

    fn event(kind: ValueEventKind, detail: ValueDetail) -> ValueEvent {
        ValueEvent {
            on: day(1, 1),
            kind,
            source_id: Uuid::nil(),
            detail,
        }
    }

    #[test]
    fn summaries_read_as_sentences_and_name_no_money() {
        let phase = |realised: Option<&str>| ValueDetail::Phase {
            phase_id: Uuid::nil(),
            name: "Checkout".into(),
            engagement_id: Uuid::nil(),
            engagement_name: "Replatforming".into(),
            realised_value: realised.map(str::to_owned),
        };
        let cases = [
            (
                event(ValueEventKind::PhaseDelivered, phase(Some("ignored"))),
                "Phase 'Checkout' of 'Replatforming' delivered",
            ),
            (
                event(ValueEventKind::PhaseAccepted, phase(Some("+4 % AOV"))),
                "Phase 'Checkout' of 'Replatforming' accepted; realised: +4 % AOV",
            ),
            (
                event(ValueEventKind::PhaseAccepted, phase(None)),
                "Phase 'Checkout' of 'Replatforming' accepted",
            ),
            (
                event(
                    ValueEventKind::GoalMissed,
                    ValueDetail::Goal {
                        goal_id: Uuid::nil(),
                        title: "Cut returns".into(),
                    },
                ),
                "Goal 'Cut returns' missed",
            ),
            (
                event(
                    ValueEventKind::GoalAchieved,
                    ValueDetail::Goal {
                        goal_id: Uuid::nil(),
                        title: "Lift conversion".into(),
                    },
                ),
                "Goal 'Lift conversion' achieved",
            ),
            (
                event(
                    ValueEventKind::HealthStatusChanged,
                    ValueDetail::Health {
                        from: Some(HealthStatus::AtRisk),
                        to: HealthStatus::Healthy,
                        score: 72.4,
                    },
                ),
                "Health AT_RISK → HEALTHY (score 72)",
            ),
            (
                event(
                    ValueEventKind::HealthStatusChanged,
                    ValueDetail::Health {
                        from: None,
                        to: HealthStatus::Critical,
                        score: 20.0,
                    },
                ),
                "First health score: CRITICAL (score 20)",
            ),
            (
                event(
                    ValueEventKind::RevenueMovement,
                    ValueDetail::Revenue {
                        kind: RevenueKind::Contraction,
                        amount: Money::new(-5_000, Currency::parse("c", "USD").unwrap()),
                    },
                ),
                "MRR contraction",
            ),
            (
                event(
                    ValueEventKind::CatalogVersionPublished,
                    ValueDetail::Catalog { number: 3 },
                ),
                "Catalog model version 3 published",
            ),
        ];
        for (e, expected) in cases {
            assert_eq!(e.summary(), expected);
        }
    }
}
