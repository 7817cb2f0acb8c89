//! Time entries in the API: the entry object type and its connection.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::ids::EngagementId;
use tandem_domain::money::Currency;
use tandem_domain::sow::TimeEntry;
use tandem_persistence::page::Page;

use crate::graphql::common::context::{Allowed, loaders};
use crate::graphql::common::paging::PageInfo;
use crate::graphql::engagement::PhaseNode;
use crate::graphql::enums::WorkKind;
use crate::graphql::ids::{self, Kind};
use crate::graphql::money::MoneyValue;
use crate::graphql::scalars::Date;
use crate::graphql::team_member::TeamMemberNode;

/// Hours logged against a SOW.
pub struct TimeEntryNode(
    pub(crate) TimeEntry,
    pub(crate) Currency,
    pub(crate) Option<EngagementId>,
);

#[Object(name = "TimeEntry")]
impl TimeEntryNode {
    /// The entry's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::TimeEntry, self.0.id.0)
    }
    /// Who worked.
    async fn team_member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        Ok(loaders(ctx)?
            .team_members()
            .load_one(self.0.team_member_id)
            .await?
            .map(TeamMemberNode))
    }
    /// In which role.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// On which phase.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        PhaseNode::named(ctx, self.2, self.0.phase_id).await
    }
    /// On which day.
    async fn worked_on(&self) -> Date {
        Date(self.0.worked_on)
    }
    /// How long.
    async fn hours(&self) -> f64 {
        self.0.hours.as_decimal()
    }
    /// In scope or T&M.
    async fn kind(&self) -> WorkKind {
        self.0.kind.into()
    }
    /// The hours at the role's rate when logged. Hidden from PRODUCT and VIEWER.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn amount(&self) -> Option<MoneyValue> {
        Some(MoneyValue::of(self.0.amount, self.1))
    }
    /// What was done.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it was logged.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The weekly timesheet it is on; its hours count as burn once that is approved.
    async fn timesheet(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::timesheet::TimesheetNode>> {
        let Some(id) = self.0.timesheet_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .timesheets()
            .load_one(id)
            .await?
            .map(crate::graphql::timesheet::TimesheetNode))
    }
}

/// One time entry in a page.
#[derive(SimpleObject)]
pub(super) struct TimeEntryEdge {
    /// Pass to `after` to page from here.
    pub cursor: String,
    /// The entry.
    pub node: TimeEntryNode,
}

/// A page of time entries.
pub(super) struct TimeEntryConnection {
    pub(super) page: Page<TimeEntry>,
    pub(super) currency: Currency,
    pub(super) engagement: Option<EngagementId>,
}

#[Object]
impl TimeEntryConnection {
    /// The entries, each with its cursor.
    async fn edges(&self) -> Vec<TimeEntryEdge> {
        self.page
            .items
            .iter()
            .map(|t| TimeEntryEdge {
                cursor: ids::encode_cursor(&t.id.0),
                node: TimeEntryNode(t.clone(), self.currency, self.engagement),
            })
            .collect()
    }
    /// Where this page sits.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.page.has_previous,
            start_cursor: self.page.items.first().map(|t| ids::encode_cursor(&t.id.0)),
            end_cursor: self.page.items.last().map(|t| ids::encode_cursor(&t.id.0)),
        }
    }
}
