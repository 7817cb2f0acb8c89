//! The engagement itself: its editable fields, how they are validated and patched, and the
//! rule that a closed engagement does not change.

use chrono::{DateTime, NaiveDate, Utc};

use super::status::{EngagementKind, EngagementStatus};
use crate::ids::{AccountId, EngagementId, TeamMemberId, TemplateId};
use crate::{DomainError, DomainResult, Patch, text};

/// The editable fields of an engagement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementData {
    /// A short name ("Replatforming to Tandem Commerce").
    pub name: String,
    /// What kind of work it is.
    pub kind: EngagementKind,
    /// The platform the merchant leaves.
    pub source_platform: Option<String>,
    /// The platform the merchant moves to.
    pub target_platform: Option<String>,
    /// The services lead.
    pub lead_id: Option<TeamMemberId>,
    /// What the engagement is for.
    pub description: Option<String>,
    /// When work is planned to start.
    pub planned_start: Option<NaiveDate>,
}

/// An engagement as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    /// Its id.
    pub id: EngagementId,
    /// The account it serves.
    pub account_id: AccountId,
    /// Its fields.
    pub data: EngagementData,
    /// Its status.
    pub status: EngagementStatus,
    /// The template it was made from, if any; it never changes afterwards.
    pub template: Option<TemplateRef>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The template (and the version of it) an engagement was made from: later edits to the
/// template do not change the engagement, so the version says which plan it started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRef {
    /// The template.
    pub id: TemplateId,
    /// Its version when the engagement was made.
    pub version: i32,
}

/// A new engagement as typed.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    pub name: String,
    pub kind: EngagementKind,
    pub source_platform: Option<String>,
    pub target_platform: Option<String>,
    pub lead_id: Option<TeamMemberId>,
    pub description: Option<String>,
    pub planned_start: Option<NaiveDate>,
}

/// A change to an engagement's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct EngagementPatch {
    pub name: Option<String>,
    pub kind: Option<EngagementKind>,
    pub source_platform: Patch<String>,
    pub target_platform: Patch<String>,
    pub lead_id: Patch<TeamMemberId>,
    pub description: Patch<String>,
    pub planned_start: Patch<NaiveDate>,
}

impl NewEngagement {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<EngagementData> {
        Ok(EngagementData {
            name: text::required("name", &self.name, 200)?,
            kind: self.kind,
            source_platform: text::optional(
                "sourcePlatform",
                self.source_platform.as_deref(),
                100,
            )?,
            target_platform: text::optional(
                "targetPlatform",
                self.target_platform.as_deref(),
                100,
            )?,
            lead_id: self.lead_id,
            description: text::optional("description", self.description.as_deref(), 4000)?,
            planned_start: self.planned_start,
        })
    }
}

impl Engagement {
    /// Refuses changes to a completed or cancelled engagement.
    pub fn ensure_open(&self) -> DomainResult<()> {
        if self.status.is_closed() {
            return Err(DomainError::Conflict(format!(
                "engagement '{}' is {}; a closed engagement cannot change",
                self.data.name, self.status
            )));
        }
        Ok(())
    }

    /// The engagement's fields after `patch`.
    pub fn patched(&self, patch: EngagementPatch) -> DomainResult<EngagementData> {
        self.ensure_open()?;
        let d = self.data.clone();
        Ok(EngagementData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            kind: patch.kind.unwrap_or(d.kind),
            source_platform: patch.source_platform.try_apply(d.source_platform, |v| {
                text::optional("sourcePlatform", Some(&v), 100)
            })?,
            target_platform: patch.target_platform.try_apply(d.target_platform, |v| {
                text::optional("targetPlatform", Some(&v), 100)
            })?,
            lead_id: patch.lead_id.apply(d.lead_id),
            description: patch.description.try_apply(d.description, |v| {
                text::optional("description", Some(&v), 4000)
            })?,
            planned_start: patch.planned_start.apply(d.planned_start),
        })
    }
}
