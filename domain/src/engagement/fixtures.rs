//! Engagements and phases for the engagement rules' tests.

use chrono::{NaiveDate, Utc};

use super::*;
use crate::ids::{AccountId, EngagementId, PhaseId};

pub(crate) fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

pub(crate) fn engagement(status: EngagementStatus) -> Engagement {
    Engagement {
        id: EngagementId::new(),
        account_id: AccountId::new(),
        data: NewEngagement {
            name: "Replatforming".into(),
            kind: EngagementKind::Replatforming,
            source_platform: Some("Legacy".into()),
            target_platform: Some("Tandem".into()),
            lead_id: None,
            description: None,
            planned_start: None,
        }
        .validate()
        .unwrap(),
        status,
        template: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

pub(crate) fn phase(
    name: &str,
    position: i32,
    status: PhaseStatus,
    depends_on: Vec<PhaseId>,
) -> Phase {
    Phase {
        id: PhaseId::new(),
        engagement_id: EngagementId::new(),
        position,
        data: NewPhase {
            name: name.into(),
            focus_kind: FocusKind::ProductLine,
            focus: name.into(),
            objective: None,
            expected_value: None,
            planned_start: Some(day(1, 1)),
            planned_end: Some(day(2, 1)),
            milestones: vec![],
            scope: vec![],
        }
        .validate()
        .unwrap(),
        status,
        actual_start: None,
        actual_end: None,
        accepted_on: None,
        depends_on,
        goal_id: None,
        realised_value: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}
