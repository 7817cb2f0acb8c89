//! Catalog-modeling sessions: a working session with a merchant, optionally on an engagement
//! phase, with its attendees, notes and decisions.

use chrono::{DateTime, Utc};

use crate::ids::{AccountId, CatalogSessionId, ContactId, PhaseId, TeamMemberId};
use crate::machine::transition;
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// Where a session stands.
    pub enum SessionStatus {
        /// Planned.
        Scheduled = "SCHEDULED",
        /// Under way.
        InProgress = "IN_PROGRESS",
        /// Held.
        Completed = "COMPLETED",
        /// Called off.
        Cancelled = "CANCELLED",
    }
}

impl SessionStatus {
    /// The statuses this one may move to.
    pub fn next(self) -> &'static [SessionStatus] {
        use SessionStatus::*;
        match self {
            Scheduled => &[InProgress, Cancelled],
            InProgress => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }
}

/// Something the session decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// What was decided.
    pub what: String,
    /// Why.
    pub why: Option<String>,
    /// Who decided (a name, as the facilitator wrote it).
    pub by: Option<String>,
}

/// The editable fields of a session.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// What the session is about.
    pub title: String,
    /// The engagement phase it serves, if any.
    pub phase_id: Option<PhaseId>,
    /// Who runs it.
    pub facilitator_id: Option<TeamMemberId>,
    /// When it is held.
    pub scheduled_at: DateTime<Utc>,
    /// The merchant's people in the room.
    pub attendees: Vec<ContactId>,
    /// Notes.
    pub notes: Option<String>,
    /// Decisions taken.
    pub decisions: Vec<Decision>,
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogSession {
    /// Its id.
    pub id: CatalogSessionId,
    /// The account whose catalog it models.
    pub account_id: AccountId,
    /// Its fields.
    pub data: SessionData,
    /// Its status.
    pub status: SessionStatus,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl SessionData {
    /// Validates the fields a person typed.
    pub fn validate(mut self) -> DomainResult<SessionData> {
        self.title = text::required("title", &self.title, 200)?;
        self.notes = text::optional("notes", self.notes.as_deref(), 20_000)?;
        if self.attendees.len() > 100 {
            return Err(DomainError::invalid("attendees", "at most 100 attendees"));
        }
        self.attendees.sort();
        self.attendees.dedup();
        if self.decisions.len() > 500 {
            return Err(DomainError::invalid("decisions", "at most 500 decisions"));
        }
        for (i, d) in self.decisions.iter_mut().enumerate() {
            d.what = text::required(&format!("decisions[{i}].what"), &d.what, 2000)?;
            d.why = text::optional(&format!("decisions[{i}].why"), d.why.as_deref(), 2000)?;
            d.by = text::optional(&format!("decisions[{i}].by"), d.by.as_deref(), 200)?;
        }
        Ok(self)
    }
}

impl CatalogSession {
    /// Checks a move to `next`.
    pub fn check_transition(&self, next: SessionStatus) -> DomainResult<()> {
        transition("session", self.status, next, self.status.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_move_through_their_statuses() {
        use SessionStatus::*;
        for (from, to, ok) in [
            (Scheduled, InProgress, true),
            (Scheduled, Completed, false),
            (InProgress, Completed, true),
            (Completed, InProgress, false),
        ] {
            let s = CatalogSession {
                id: CatalogSessionId::new(),
                account_id: AccountId::new(),
                data: SessionData {
                    title: "Catalog workshop".into(),
                    phase_id: None,
                    facilitator_id: None,
                    scheduled_at: Utc::now(),
                    attendees: vec![],
                    notes: None,
                    decisions: vec![],
                }
                .validate()
                .unwrap(),
                status: from,
                version: 1,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            };
            assert_eq!(s.check_transition(to).is_ok(), ok, "{from} → {to}");
        }
    }
}
