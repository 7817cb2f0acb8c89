//! Activities and the account timeline in the API.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use tandem_domain::activity::{
    Activity, ActivityData, ActivityLinks, TimelineItem as Item, TimelineKey,
};
use tandem_domain::ids::{
    AccountId, ActivityId, BusinessReviewId, ContactId, EngagementId, GoalId, PhaseId, TeamMemberId,
};
use tandem_persistence::activity::TimelineQuery;

use super::common::context::{loaders, parts};
use super::common::input::patch;
use super::common::paging::{DEFAULT_PAGE, PageInfo, first_or};
use super::contact::ContactNode;
use super::engagement::EngagementNode;
use super::event::AccountEventNode;
use super::ids::{self, Kind};
use super::success::GoalNode;
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service::activity as svc;

/// What kind of touchpoint an activity records.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::activity::ActivityKind")]
pub enum ActivityKind {
    /// A written note.
    Note,
    /// A meeting.
    Meeting,
    /// A phone or video call.
    Call,
    /// An e-mail.
    Email,
}

/// A note, meeting, call or e-mail on an account.
pub struct ActivityNode(pub Box<Activity>);

#[Object(name = "Activity")]
impl ActivityNode {
    /// The activity's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Activity, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateActivity`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What kind of touchpoint.
    async fn kind(&self) -> ActivityKind {
        self.0.data.kind.into()
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.data.occurred_at
    }
    /// A short title.
    async fn title(&self) -> Option<&str> {
        self.0.data.title.as_deref()
    }
    /// What was said or written.
    async fn body(&self) -> &str {
        &self.0.data.body
    }
    /// Who logged it (a token subject).
    async fn author(&self) -> &str {
        &self.0.author
    }
    /// The team member who logged it, when the author is one.
    async fn author_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Ok(id) = self.0.author.parse::<uuid::Uuid>() else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(TeamMemberId(id))
            .await?
            .map(TeamMemberNode))
    }
    /// The account's people who took part.
    async fn contacts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ContactNode>> {
        if self.0.data.contact_ids.is_empty() {
            return Ok(Vec::new());
        }
        let all = loaders(ctx)?
            .contacts()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or_default();
        Ok(all
            .into_iter()
            .filter(|c| self.0.data.contact_ids.contains(&c.id))
            .map(ContactNode)
            .collect())
    }
    /// The vendor's people who took part.
    async fn team_members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TeamMemberNode>> {
        let found = loaders(ctx)?
            .team_members()
            .load_many(self.0.data.team_member_ids.iter().copied())
            .await?;
        Ok(self
            .0
            .data
            .team_member_ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(TeamMemberNode))
            .collect())
    }
    /// The engagement it was about.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EngagementNode>> {
        let Some(id) = self.0.data.links.engagement_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .engagements()
            .load_one(id)
            .await?
            .map(EngagementNode))
    }
    /// The id of the phase it was about (fetch it with `node(id:)`).
    async fn phase_id(&self) -> Option<ID> {
        self.0
            .data
            .links
            .phase_id
            .map(|p| ids::encode(Kind::Phase, p.0))
    }
    /// The goal it was about.
    async fn goal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<GoalNode>> {
        let Some(id) = self.0.data.links.goal_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.goal().load_one(id).await?.map(GoalNode))
    }
    /// The id of the business review it was about.
    async fn business_review_id(&self) -> Option<ID> {
        self.0
            .data
            .links
            .business_review_id
            .map(|r| ids::encode(Kind::BusinessReview, r.0))
    }
    /// When it was logged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was last corrected.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One entry of an account's timeline: an activity, or an account-change event.
#[derive(Union)]
pub enum TimelineItem {
    /// A note, meeting, call or e-mail.
    Activity(ActivityNode),
    /// A change recorded by the system.
    Change(AccountEventNode),
}

/// One timeline entry with its cursor.
#[derive(SimpleObject)]
pub struct TimelineEdge {
    /// Pass as `after` to read on from here.
    pub cursor: String,
    /// The entry.
    pub node: TimelineItem,
}

/// A page of an account's timeline, newest first.
#[derive(SimpleObject)]
pub struct TimelineConnection {
    /// The entries.
    pub edges: Vec<TimelineEdge>,
    /// Where this page sits.
    pub page_info: PageInfo,
}

/// What a timeline shows.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum TimelineItemKind {
    /// Notes.
    Note,
    /// Meetings.
    Meeting,
    /// Calls.
    Call,
    /// E-mails.
    Email,
    /// Account-change events (everything but the ACTIVITY_* events).
    Change,
}

impl TimelineConnection {
    /// An account's timeline page: its activities and account-change events, newest first.
    pub(crate) async fn of_account(
        ctx: &Context<'_>,
        account: AccountId,
        first: Option<i32>,
        after: Option<String>,
        kinds: Vec<TimelineItemKind>,
    ) -> async_graphql::Result<TimelineConnection> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(first, DEFAULT_PAGE)?;
        let after: Option<TimelineKey> =
            after.map(|c| ids::decode_cursor(&c, "after")).transpose()?;
        let activity_kinds: Vec<_> = kinds
            .iter()
            .filter_map(|k| match k {
                TimelineItemKind::Note => Some(tandem_domain::activity::ActivityKind::Note),
                TimelineItemKind::Meeting => Some(tandem_domain::activity::ActivityKind::Meeting),
                TimelineItemKind::Call => Some(tandem_domain::activity::ActivityKind::Call),
                TimelineItemKind::Email => Some(tandem_domain::activity::ActivityKind::Email),
                TimelineItemKind::Change => None,
            })
            .collect();
        let query = TimelineQuery {
            activities: kinds.is_empty() || !activity_kinds.is_empty(),
            events: kinds.is_empty() || kinds.contains(&TimelineItemKind::Change),
            activity_kinds,
            after,
            limit: limit + 1,
        };
        let mut items = svc::timeline(s, who, account, &query).await?;
        let has_next_page = items.len() as u64 > limit;
        items.truncate(limit as usize);
        let edges: Vec<TimelineEdge> = items
            .into_iter()
            .map(|item| TimelineEdge {
                cursor: ids::encode_cursor(&item.key()),
                node: match item {
                    Item::Activity(a) => TimelineItem::Activity(ActivityNode(Box::new(a))),
                    Item::Event(e) => TimelineItem::Change(AccountEventNode(Arc::new(e))),
                },
            })
            .collect();
        Ok(TimelineConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: after.is_some(),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
}

/// What an activity was about, besides its account (each must belong to the account).
#[derive(InputObject, Default)]
pub struct ActivityLinksInput {
    /// An engagement of the account.
    pub engagement_id: Option<ID>,
    /// A phase of one of its engagements.
    pub phase_id: Option<ID>,
    /// A goal of its success plan.
    pub goal_id: Option<ID>,
    /// One of its business reviews.
    pub business_review_id: Option<ID>,
}

impl ActivityLinksInput {
    fn decode(self) -> ApiResult<ActivityLinks> {
        let one = |id: Option<ID>, kind: Kind, field: &str| {
            id.map(|id| ids::decode(kind, &id, &format!("links.{field}")))
                .transpose()
        };
        Ok(ActivityLinks {
            engagement_id: one(self.engagement_id, Kind::Engagement, "engagementId")?
                .map(EngagementId),
            phase_id: one(self.phase_id, Kind::Phase, "phaseId")?.map(PhaseId),
            goal_id: one(self.goal_id, Kind::Goal, "goalId")?.map(GoalId),
            business_review_id: one(
                self.business_review_id,
                Kind::BusinessReview,
                "businessReviewId",
            )?
            .map(BusinessReviewId),
        })
    }
}

fn contact_ids(ids_: Vec<ID>) -> ApiResult<Vec<ContactId>> {
    ids_.iter()
        .map(|id| ids::decode(Kind::Contact, id, "contactIds").map(ContactId))
        .collect()
}

fn member_ids(ids_: Vec<ID>) -> ApiResult<Vec<TeamMemberId>> {
    ids_.iter()
        .map(|id| ids::decode(Kind::TeamMember, id, "teamMemberIds").map(TeamMemberId))
        .collect()
}

/// An activity to log.
#[derive(InputObject)]
pub struct LogActivityInput {
    /// The account.
    pub account_id: ID,
    /// What kind of touchpoint.
    pub kind: ActivityKind,
    /// When it happened; now when left out.
    pub occurred_at: Option<DateTime<Utc>>,
    /// A short title.
    pub title: Option<String>,
    /// What was said or written.
    pub body: String,
    /// The account's contacts who took part.
    #[graphql(default)]
    pub contact_ids: Vec<ID>,
    /// The team members who took part.
    #[graphql(default)]
    pub team_member_ids: Vec<ID>,
    /// What it was about.
    pub links: Option<ActivityLinksInput>,
}

/// A correction to an activity; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateActivityInput {
    /// The activity.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new kind.
    pub kind: Option<ActivityKind>,
    /// A new time.
    pub occurred_at: Option<DateTime<Utc>>,
    /// A new title; `null` clears it.
    pub title: MaybeUndefined<String>,
    /// A new body.
    pub body: Option<String>,
    /// New contacts.
    pub contact_ids: Option<Vec<ID>>,
    /// New team members.
    pub team_member_ids: Option<Vec<ID>>,
    /// New links (replacing all of them).
    pub links: Option<ActivityLinksInput>,
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Logs a note, meeting, call or e-mail on an account (ADMIN, CS_MANAGER, SERVICES,
    /// INTEGRATION); `ACTIVITY_LOGGED`.
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        input: LogActivityInput,
    ) -> async_graphql::Result<ActivityNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let account =
            AccountId(ids::decode(Kind::Account, &input.account_id, "accountId").map_err(under)?);
        let now = Utc::now();
        let data = ActivityData::validate(
            input.kind.into(),
            input.occurred_at.unwrap_or(now),
            input.title.as_deref(),
            &input.body,
            contact_ids(input.contact_ids).map_err(under)?,
            member_ids(input.team_member_ids).map_err(under)?,
            input.links.unwrap_or_default().decode().map_err(under)?,
            now,
        )
        .map_err(|e| under(e.into()))?;
        Ok(ActivityNode(Box::new(
            svc::log(s, who, account, data).await.map_err(under)?,
        )))
    }

    /// Corrects an activity (its author, or an admin); `ACTIVITY_UPDATED`.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        input: UpdateActivityInput,
    ) -> async_graphql::Result<ActivityNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let id = ActivityId(ids::decode(Kind::Activity, &input.id, "id").map_err(under)?);
        let contacts = input
            .contact_ids
            .map(contact_ids)
            .transpose()
            .map_err(under)?;
        let members = input
            .team_member_ids
            .map(member_ids)
            .transpose()
            .map_err(under)?;
        let links = input.links.map(|l| l.decode()).transpose().map_err(under)?;
        let title = patch(input.title, Ok)?;
        let now = Utc::now();
        let activity = svc::update(s, who, id, input.version, |current| {
            let d = &current.data;
            Ok(Some(ActivityData::validate(
                input.kind.map(Into::into).unwrap_or(d.kind),
                input.occurred_at.unwrap_or(d.occurred_at),
                title.apply(d.title.clone()).as_deref(),
                input.body.as_deref().unwrap_or(&d.body),
                contacts.unwrap_or_else(|| d.contact_ids.clone()),
                members.unwrap_or_else(|| d.team_member_ids.clone()),
                links.unwrap_or(d.links),
                now,
            )?))
        })
        .await
        .map_err(under)?;
        Ok(ActivityNode(Box::new(activity)))
    }

    /// Deletes an activity (its author, or an admin); `ACTIVITY_DELETED`.
    async fn delete_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<ID> {
        let (s, who) = parts(ctx)?;
        let activity_id = ActivityId(ids::decode(Kind::Activity, &id, "id")?);
        svc::update(s, who, activity_id, version, |_| Ok(None)).await?;
        Ok(id)
    }
}
