//! Activities: the notes, meetings, calls and e-mails that make up an account's story, each
//! optionally tied to the engagement, phase, goal or business review it was about.

use chrono::{DateTime, Duration, Utc};

use crate::event::Event;
use crate::ids::{
    AccountId, ActivityId, BusinessReviewId, ContactId, EngagementId, GoalId, PhaseId, TeamMemberId,
};
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// What kind of touchpoint an activity records.
    pub enum ActivityKind {
        /// A written note.
        Note = "NOTE",
        /// A meeting.
        Meeting = "MEETING",
        /// A phone or video call.
        Call = "CALL",
        /// An e-mail.
        Email = "EMAIL",
    }
}

/// The most participants of each kind an activity names.
pub const MAX_PARTICIPANTS: usize = 50;
/// The longest body accepted, in characters.
pub const MAX_BODY: usize = 20_000;

/// What an activity was about, besides its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityLinks {
    /// An engagement of the account.
    pub engagement_id: Option<EngagementId>,
    /// A phase of one of its engagements.
    pub phase_id: Option<PhaseId>,
    /// A goal of its success plan.
    pub goal_id: Option<GoalId>,
    /// One of its business reviews.
    pub business_review_id: Option<BusinessReviewId>,
}

/// An activity's fields, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityData {
    /// What kind of touchpoint.
    pub kind: ActivityKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// A short title (an e-mail's subject, a meeting's name).
    pub title: Option<String>,
    /// What was said or written.
    pub body: String,
    /// The account's people who took part.
    pub contact_ids: Vec<ContactId>,
    /// The vendor's people who took part.
    pub team_member_ids: Vec<TeamMemberId>,
    /// What it was about.
    pub links: ActivityLinks,
}

impl ActivityData {
    /// Validates an activity as a person typed it; `now` bounds how far in the future it may be
    /// dated (a day, for time zones), since an activity records what happened.
    #[allow(clippy::too_many_arguments)]
    pub fn validate(
        kind: ActivityKind,
        occurred_at: DateTime<Utc>,
        title: Option<&str>,
        body: &str,
        mut contact_ids: Vec<ContactId>,
        mut team_member_ids: Vec<TeamMemberId>,
        links: ActivityLinks,
        now: DateTime<Utc>,
    ) -> DomainResult<ActivityData> {
        if occurred_at > now + Duration::days(1) {
            return Err(DomainError::invalid(
                "occurredAt",
                "is in the future; an activity records what happened (plan future work as a task)",
            ));
        }
        contact_ids.sort();
        contact_ids.dedup();
        team_member_ids.sort();
        team_member_ids.dedup();
        if contact_ids.len() > MAX_PARTICIPANTS {
            return Err(DomainError::invalid(
                "contactIds",
                format!(
                    "names {} contacts; at most {MAX_PARTICIPANTS}",
                    contact_ids.len()
                ),
            ));
        }
        if team_member_ids.len() > MAX_PARTICIPANTS {
            return Err(DomainError::invalid(
                "teamMemberIds",
                format!(
                    "names {} team members; at most {MAX_PARTICIPANTS}",
                    team_member_ids.len()
                ),
            ));
        }
        Ok(ActivityData {
            kind,
            occurred_at,
            title: text::optional("title", title, 200)?,
            body: text::required("body", body, MAX_BODY)?,
            contact_ids,
            team_member_ids,
            links,
        })
    }
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Its id.
    pub id: ActivityId,
    /// The account it concerns.
    pub account_id: AccountId,
    /// Its fields.
    pub data: ActivityData,
    /// Who recorded it (a token subject).
    pub author: String,
    /// Bumped on every change.
    pub version: i32,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Activity {
    /// Whether `who` may correct or delete it: its author, or an admin.
    pub fn may_be_changed_by(&self, who: &crate::auth::Principal) -> bool {
        who.role == crate::auth::Role::Admin || who.subject == self.author
    }
}

/// One entry of a timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineItem {
    /// A logged activity.
    Activity(Activity),
    /// An account-change event.
    Event(Event),
}

impl TimelineItem {
    /// Its position in the timeline.
    pub fn key(&self) -> TimelineKey {
        match self {
            TimelineItem::Activity(a) => TimelineKey {
                at: a.data.occurred_at,
                source: 0,
                key: a.id.0.as_u128(),
            },
            TimelineItem::Event(e) => TimelineKey {
                at: e.occurred_at,
                source: 1,
                key: e.cursor.max(0) as u128,
            },
        }
    }
}

/// Where a timeline page starts: after the item with this position (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimelineKey {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// 1 for an event, 0 for an activity: at the same instant, events come first.
    pub source: u8,
    /// The event's cursor, or the activity's id as a number.
    pub key: u128,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn an_activity_has_a_body_and_happened() {
        let c = ContactId::new();
        let ok = ActivityData::validate(
            ActivityKind::Call,
            now() - Duration::hours(2),
            Some(" Kick-off "),
            "Agreed the phase 1 scope.",
            vec![c, c],
            vec![],
            ActivityLinks::default(),
            now(),
        )
        .unwrap();
        assert_eq!(ok.title.as_deref(), Some("Kick-off"));
        assert_eq!(ok.contact_ids, vec![c]);
        let empty = ActivityData::validate(
            ActivityKind::Note,
            now(),
            None,
            "  ",
            vec![],
            vec![],
            ActivityLinks::default(),
            now(),
        );
        assert!(matches!(empty, Err(DomainError::Invalid { field, .. }) if field == "body"));
        let future = ActivityData::validate(
            ActivityKind::Meeting,
            now() + Duration::days(3),
            None,
            "x",
            vec![],
            vec![],
            ActivityLinks::default(),
            now(),
        );
        assert!(matches!(future, Err(DomainError::Invalid { field, .. }) if field == "occurredAt"));
    }
}
