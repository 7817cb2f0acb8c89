//! Success plans: what each customer wants to achieve (goals, with a measurable target and a
//! due date) and the business reviews where progress is discussed.

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{AccountId, BusinessReviewId, GoalId};
use crate::{DomainError, DomainResult, Patch, text};

crate::text_enum! {
    /// Where a goal stands.
    pub enum GoalStatus {
        /// Agreed, not begun.
        NotStarted = "NOT_STARTED",
        /// Progressing as planned.
        OnTrack = "ON_TRACK",
        /// Progressing, but the due date is in doubt.
        AtRisk = "AT_RISK",
        /// Reached.
        Achieved = "ACHIEVED",
        /// Not reached by its due date.
        Missed = "MISSED",
    }
}

/// A goal's fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalData {
    /// What the customer wants to achieve.
    pub title: String,
    /// How success is measured ("checkout conversion ≥ 3 %").
    pub target: Option<String>,
    /// When it should be reached.
    pub due_on: Option<NaiveDate>,
}

impl GoalData {
    /// Checks the fields: a title of up to 300 characters, a target of up to 1,000.
    pub fn validate(self) -> DomainResult<GoalData> {
        Ok(GoalData {
            title: text::required("title", &self.title, 300)?,
            target: text::optional("target", self.target.as_deref(), 1000)?,
            due_on: self.due_on,
        })
    }
}

/// A change to a goal's fields.
#[derive(Debug, Clone, Default)]
pub struct GoalPatch {
    /// A new title.
    pub title: Option<String>,
    /// A new target, or none.
    pub target: Patch<String>,
    /// A new due date, or none.
    pub due_on: Patch<NaiveDate>,
}

impl GoalPatch {
    /// The fields after the change, checked.
    pub fn apply(self, current: &GoalData) -> DomainResult<GoalData> {
        GoalData {
            title: self.title.unwrap_or_else(|| current.title.clone()),
            target: self.target.apply(current.target.clone()),
            due_on: self.due_on.apply(current.due_on),
        }
        .validate()
    }
}

/// The day a goal counts as achieved after a status change: set when it becomes ACHIEVED
/// (today, unless it already was), cleared when it leaves ACHIEVED.
pub fn achieved_on(
    from: GoalStatus,
    to: GoalStatus,
    current: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match (from, to) {
        (GoalStatus::Achieved, GoalStatus::Achieved) => current.or(Some(today)),
        (_, GoalStatus::Achieved) => Some(today),
        _ => None,
    }
}

/// A business review's fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewData {
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Who attended (names, either side).
    pub attendees: Vec<String>,
    /// What was discussed.
    pub summary: String,
    /// What was agreed.
    pub outcomes: Vec<String>,
}

impl ReviewData {
    /// Checks the fields: at least one attendee, a summary of up to 10,000 characters, at most
    /// 50 attendees and 50 outcomes of up to 1,000 characters each.
    pub fn validate(self) -> DomainResult<ReviewData> {
        if self.attendees.is_empty() {
            return Err(DomainError::invalid(
                "attendees",
                "a review has at least one attendee",
            ));
        }
        let list = |field: &str, values: &[String], max: usize| -> DomainResult<Vec<String>> {
            if values.len() > 50 {
                return Err(DomainError::invalid(field, "at most 50 entries"));
            }
            values
                .iter()
                .enumerate()
                .map(|(i, v)| text::required(&format!("{field}[{i}]"), v, max))
                .collect()
        };
        Ok(ReviewData {
            held_on: self.held_on,
            attendees: list("attendees", &self.attendees, 200)?,
            summary: text::required("summary", &self.summary, 10_000)?,
            outcomes: list("outcomes", &self.outcomes, 1000)?,
        })
    }
}

/// A goal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Its id.
    pub id: GoalId,
    /// The account whose plan it is in.
    pub account_id: AccountId,
    /// Its fields.
    pub data: GoalData,
    /// Where it stands.
    pub status: GoalStatus,
    /// The day it became ACHIEVED.
    pub achieved_on: Option<NaiveDate>,
    /// Its version, for optimistic concurrency.
    pub version: i32,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A business review as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// Its id.
    pub id: BusinessReviewId,
    /// The account.
    pub account_id: AccountId,
    /// Its fields.
    pub data: ReviewData,
    /// Who recorded it.
    pub recorded_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_goal_needs_a_title() {
        let g = GoalData {
            title: "  ".into(),
            target: None,
            due_on: None,
        };
        assert!(g.validate().is_err());
    }

    #[test]
    fn achieved_on_follows_the_status() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 1, n).unwrap();
        use GoalStatus::*;
        assert_eq!(achieved_on(OnTrack, Achieved, None, d(5)), Some(d(5)));
        assert_eq!(
            achieved_on(Achieved, Achieved, Some(d(1)), d(5)),
            Some(d(1))
        );
        assert_eq!(achieved_on(Achieved, AtRisk, Some(d(1)), d(5)), None);
    }

    #[test]
    fn a_review_names_its_attendees() {
        let r = ReviewData {
            held_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            attendees: vec![],
            summary: "QBR".into(),
            outcomes: vec![],
        };
        assert!(r.clone().validate().is_err());
        let r = ReviewData {
            attendees: vec!["Ann".into(), " ".into()],
            ..r
        };
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            "attendees[1]: must not be empty"
        );
    }
}
