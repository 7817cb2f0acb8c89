//! Segments: saved, named filters over accounts. Membership is computed when read, never kept
//! by hand, so an account moves in and out of a segment as its health, revenue and usage move.

use chrono::{DateTime, Utc};

use crate::account::{LifecycleStage, TouchTier};
use crate::health::HealthStatus;
use crate::ids::{SegmentId, TeamMemberId};
use crate::{DomainError, DomainResult, text};

/// What a segment selects. Every criterion narrows the selection; a list criterion matches any
/// of its values; an empty criterion selects everything.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SegmentFilter {
    /// Any of these touch tiers.
    pub touch_tiers: Vec<TouchTier>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Vec<LifecycleStage>,
    /// In any of these industries.
    pub industries: Vec<String>,
    /// On any of these plans.
    pub plans: Vec<String>,
    /// In any of these regions.
    pub regions: Vec<String>,
    /// In any of these company-size bands.
    pub company_sizes: Vec<String>,
    /// Owned by any of these team members.
    pub owner_ids: Vec<TeamMemberId>,
    /// Carrying all of these tags.
    pub tags: Vec<String>,
    /// Whose latest health status is any of these.
    pub health_statuses: Vec<HealthStatus>,
    /// Whose latest health score is at least this.
    pub min_health_score: Option<f64>,
    /// Whose latest health score is at most this.
    pub max_health_score: Option<f64>,
    /// Whose MRR today is at least this many minor units.
    pub min_mrr_minor: Option<i64>,
    /// Whose MRR today is at most this many minor units.
    pub max_mrr_minor: Option<i64>,
    /// Active on at least this many of the last 30 days.
    pub min_active_days_30: Option<i64>,
    /// Active on at most this many of the last 30 days.
    pub max_active_days_30: Option<i64>,
    /// Whose needs (jobs, pains, value drivers) mention this text, ignoring case.
    pub needs_text: Option<String>,
}

impl SegmentFilter {
    /// Checks the bounds: scores within 0–100, active days within 0–30, money not negative,
    /// and every minimum no greater than its maximum.
    pub fn validate(mut self) -> DomainResult<SegmentFilter> {
        fn range<T: PartialOrd + Copy + std::fmt::Display>(
            name: &str,
            min: Option<T>,
            max: Option<T>,
            low: T,
            high: T,
        ) -> DomainResult<()> {
            for (field, v) in [(format!("min{name}"), min), (format!("max{name}"), max)] {
                if let Some(v) = v
                    && !(low <= v && v <= high)
                {
                    return Err(DomainError::invalid(
                        field,
                        format!("must be from {low} to {high}"),
                    ));
                }
            }
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                return Err(DomainError::invalid(
                    format!("min{name}"),
                    format!("{a} is above max{name} {b}"),
                ));
            }
            Ok(())
        }
        range(
            "HealthScore",
            self.min_health_score,
            self.max_health_score,
            0.0,
            100.0,
        )?;
        range(
            "MrrMinor",
            self.min_mrr_minor,
            self.max_mrr_minor,
            0,
            i64::MAX,
        )?;
        range(
            "ActiveDays30",
            self.min_active_days_30,
            self.max_active_days_30,
            0,
            30,
        )?;
        self.needs_text = text::optional("needsText", self.needs_text.as_deref(), 200)?;
        self.tags = text::tags("tags", &self.tags)?;
        Ok(self)
    }

    /// Whether the filter selects every account.
    pub fn is_empty(&self) -> bool {
        *self == SegmentFilter::default()
    }
}

/// A segment's name and description, checked.
pub fn check_name(name: &str, description: Option<&str>) -> DomainResult<(String, Option<String>)> {
    Ok((
        text::required("name", name, 200)?,
        text::optional("description", description, 2000)?,
    ))
}

/// A segment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Its id.
    pub id: SegmentId,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// What it selects.
    pub filter: SegmentFilter,
    /// Its version, for optimistic concurrency.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// Which accounts a figure covers: those billed in `currency` (figures never add up different
/// currencies), narrowed by a saved segment's filter, ad-hoc criteria, or both — all must hold.
/// Storage alone turns it into a query; above storage it is only this value.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    /// The billing currency.
    pub currency: crate::money::Currency,
    /// The filter of a saved segment, resolved from its id.
    pub segment: Option<SegmentFilter>,
    /// Criteria applied on the spot.
    pub criteria: Option<SegmentFilter>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let f = SegmentFilter {
            min_health_score: Some(80.0),
            max_health_score: Some(40.0),
            ..Default::default()
        };
        assert_eq!(
            f.validate().unwrap_err().to_string(),
            "minHealthScore: 80 is above maxHealthScore 40"
        );
        let f = SegmentFilter {
            max_active_days_30: Some(31),
            ..Default::default()
        };
        assert!(f.validate().is_err());
        assert!(SegmentFilter::default().validate().unwrap().is_empty());
    }

    #[test]
    fn a_filter_round_trips_through_json() {
        let f = SegmentFilter {
            touch_tiers: vec![TouchTier::High],
            health_statuses: vec![HealthStatus::AtRisk],
            min_mrr_minor: Some(100_000),
            ..Default::default()
        };
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("\"touchTiers\":[\"HIGH\"]"), "{json}");
        assert_eq!(serde_json::from_str::<SegmentFilter>(&json).unwrap(), f);
        // A filter saved before a criterion existed still reads.
        assert_eq!(
            serde_json::from_str::<SegmentFilter>("{}").unwrap(),
            SegmentFilter::default()
        );
    }
}
