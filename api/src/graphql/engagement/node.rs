//! The engagement object type: its fields, its phases (read whole, as outlines or as heads,
//! by what the selection asks for) and its progress.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tandem_domain::engagement::{self as rules, Engagement, Phase};

use super::phase::PhaseNode;
use crate::error::ApiResult;
use crate::graphql::account::AccountNode;
use crate::graphql::common::context::loaders;
use crate::graphql::enums::{EngagementKind, EngagementStatus};
use crate::graphql::ids::{self, Kind};
use crate::graphql::plain::{FastList, Plain, value};
use crate::graphql::scalars::Date;
use crate::graphql::team_member::TeamMemberNode;

/// A piece of services work for an account, run in phases.
pub struct EngagementNode(pub Engagement);

impl EngagementNode {
    async fn phase_list(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        Ok(loaders(ctx)?
            .phases()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

impl Plain for EngagementNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let e = &self.0;
        match name {
            "id" => value(ids::encode(Kind::Engagement, e.id.0)),
            "version" => value(e.version),
            "name" => value(e.data.name.clone()),
            "kind" => value(EngagementKind::from(e.data.kind)),
            "sourcePlatform" => value(e.data.source_platform.clone()),
            "targetPlatform" => value(e.data.target_platform.clone()),
            "description" => value(e.data.description.clone()),
            "plannedStart" => value(e.data.planned_start.map(Date)),
            "status" => value(EngagementStatus::from(e.status)),
            "templateVersion" => value(e.template.map(|t| t.version)),
            "createdAt" => value(e.created_at),
            "updatedAt" => value(e.updated_at),
            _ => None,
        }
    }
}

#[Object(name = "Engagement")]
impl EngagementNode {
    /// The engagement's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Engagement, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The account it serves.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountNode> {
        Ok(AccountNode::of(ctx, self.0.account_id, "the engagement's").await?)
    }
    /// A short name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// What kind of work it is.
    async fn kind(&self) -> EngagementKind {
        self.0.data.kind.into()
    }
    /// The platform the merchant leaves.
    async fn source_platform(&self) -> Option<&str> {
        self.0.data.source_platform.as_deref()
    }
    /// The platform the merchant moves to.
    async fn target_platform(&self) -> Option<&str> {
        self.0.data.target_platform.as_deref()
    }
    /// The services lead.
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(lead) = self.0.data.lead_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(lead)
            .await?
            .map(TeamMemberNode))
    }
    /// What the engagement is for.
    async fn description(&self) -> Option<&str> {
        self.0.data.description.as_deref()
    }
    /// When work is planned to start.
    async fn planned_start(&self) -> Option<Date> {
        self.0.data.planned_start.map(Date)
    }
    /// Where it stands.
    async fn status(&self) -> EngagementStatus {
        self.0.status.into()
    }
    /// Its phases, in order.
    async fn phases(&self, ctx: &Context<'_>) -> async_graphql::Result<FastList<PhaseNode>> {
        // A phase's own dependencies are read by `dependsOn` and `blockedBy` only; without
        // them, the phases come from a loader that leaves them out (one query less), and when
        // nothing but a phase's heads or outline is asked for (`PHASE_HEAD`, `PHASE_OUTLINE`),
        // from one that reads only those.
        let shown = ctx.look_ahead();
        let asks_only = |fields: &[&str]| {
            ctx.field()
                .selection_set()
                .all(|f| fields.contains(&f.name()))
        };
        let loaders = loaders(ctx)?;
        Ok(if asks_only(PHASE_HEAD) {
            nodes(loaders.phase_heads().load_one(self.0.id).await?)
        } else if asks_only(PHASE_OUTLINE) {
            nodes(loaders.phase_outlines().load_one(self.0.id).await?)
        } else if shown.field("dependsOn").exists() || shown.field("blockedBy").exists() {
            nodes(Some(self.phase_list(ctx).await?))
        } else {
            nodes(
                loaders
                    .phases_without_dependencies()
                    .load_one(self.0.id)
                    .await?,
            )
        })
    }
    /// Accepted phases against all phases.
    async fn progress(&self, ctx: &Context<'_>) -> async_graphql::Result<EngagementProgress> {
        let phases = self.phase_list(ctx).await?;
        let sows = loaders(ctx)?
            .sows_by_engagement()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let p = tandem_domain::engagement_progress::engagement_progress(&phases, &sows);
        Ok(EngagementProgress {
            accepted_phases: p.accepted_phases as i32,
            total_phases: p.total_phases as i32,
            by_count: p.by_count,
            by_budget_weight: p.by_budget_weight,
        })
    }
    /// Its statements of work, oldest first.
    async fn sows(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::sow::SowNode>> {
        Ok(loaders(ctx)?
            .sows_by_engagement()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::sow::SowNode)
            .collect())
    }
    /// Planned phases whose dependencies are all delivered: what can start next.
    async fn next_startable_phases(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PhaseNode>> {
        let phases = self.phase_list(ctx).await?;
        Ok(rules::next_startable(&phases)
            .into_iter()
            .cloned()
            .map(PhaseNode::from)
            .collect())
    }
    /// The latest any phase is, in days, against its planned delivery (negative: early; null
    /// without planned dates).
    async fn slippage_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        let today = Utc::now().date_naive();
        Ok(self
            .phase_list(ctx)
            .await?
            .iter()
            .filter_map(|p| p.slippage(today).end_days)
            .max())
    }
    /// The template it was made from (`createEngagementFromTemplate`), even if archived since;
    /// null for an engagement scoped by hand.
    async fn template(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::template::EngagementTemplateNode>> {
        let Some(t) = self.0.template else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .templates()
            .load_one(t.id)
            .await?
            .map(crate::graphql::template::EngagementTemplateNode))
    }
    /// The version of the template it was made from.
    async fn template_version(&self) -> Option<i32> {
        self.0.template.map(|t| t.version)
    }
    /// Its baselines, newest first, each held against the plan now.
    async fn baselines(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::template::BaselineNode>> {
        Ok(loaders(ctx)?
            .baselines()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::template::BaselineNode)
            .collect())
    }
    /// What it delivered and what followed: time to first value, approved hours and their T&M
    /// share, and the account's MRR movements in the 90 days after its accepted phases (each
    /// counted once) — comparisons over time, not causal claims. Not for INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)"
    )]
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::engagement_outcome::EngagementOutcomeNode>>
    {
        Ok(crate::graphql::engagement_outcome::of(ctx, self.0.id).await?)
    }
    /// When it was scoped.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// How far an engagement has come.
#[derive(SimpleObject)]
pub struct EngagementProgress {
    /// Phases the customer has accepted.
    pub accepted_phases: i32,
    /// All phases.
    pub total_phases: i32,
    /// Accepted phases as a share of all phases, 0 to 1 (0 without phases).
    pub by_count: f64,
    /// Accepted phases as a share of all phases weighted by their estimated in-scope hours in
    /// the engagement's SOWs, 0 to 1; null while no scope item is booked to a phase.
    pub by_budget_weight: Option<f64>,
}

/// The phases of a list, as read (whole, outlines or heads), as nodes.
fn nodes<T: Clone>(phases: Option<Arc<[T]>>) -> FastList<PhaseNode>
where
    PhaseNode: From<T>,
{
    phases
        .unwrap_or_default()
        .iter()
        .cloned()
        .map(PhaseNode::from)
        .collect()
}

// The selection check of `Engagement.phases`: a list of phases that asks for these fields and
// no others is read as heads or outlines only. Each list names the fields its view answers
// plainly; a field outside it would still answer right (the node loads the whole phase for
// it, `a_field_its_view_lacks_is_read_from_the_whole_phase` in `phase.rs`), one phase at a
// time. Held by `phase_views_answer_every_field_they_are_chosen_for` below, and end to end by
// `plain_fields_answer_as_their_resolvers_do` (`tests/tests/e2e/plain.rs`), which asks for
// each list alone and with `objective` beside it and compares the answers.

/// The fields of a phase that its head answers (`heads_of_engagements` reads only the columns
/// behind them).
pub(super) const PHASE_HEAD: &[&str] =
    &["__typename", "id", "version", "position", "name", "status"];

/// The fields of a phase that its outline answers (`outlines_of_engagements` reads only the
/// columns behind them).
pub(super) const PHASE_OUTLINE: &[&str] = &[
    "__typename",
    "id",
    "version",
    "position",
    "name",
    "focusKind",
    "focus",
    "status",
    "plannedStart",
    "plannedEnd",
    "actualStart",
    "actualEnd",
    "acceptedOn",
];

#[cfg(test)]
mod tests {
    use tandem_domain::engagement::{FocusKind, PhaseHead, PhaseOutline, PhaseStatus};
    use tandem_domain::ids::{EngagementId, PhaseId};

    use super::*;

    #[test]
    fn phase_views_answer_every_field_they_are_chosen_for() {
        let head = PhaseHead {
            id: PhaseId::new(),
            engagement_id: EngagementId::new(),
            position: 1,
            name: "Apparel".into(),
            status: PhaseStatus::Planned,
            version: 1,
        };
        let outline = PhaseOutline {
            head: head.clone(),
            focus_kind: FocusKind::ProductLine,
            focus: "Apparel".into(),
            planned_start: None,
            planned_end: None,
            actual_start: None,
            actual_end: None,
            accepted_on: None,
        };
        let views = [
            (PhaseNode::from(head), PHASE_HEAD),
            (PhaseNode::from(outline), PHASE_OUTLINE),
        ];
        for (node, fields) in &views {
            for field in fields.iter().filter(|f| **f != "__typename") {
                assert!(node.plain(field).is_some(), "{field} is not answered");
            }
            // And nothing beyond: a field the view lacks goes to its resolver.
            assert!(node.plain("objective").is_none());
        }
        assert!(views[0].0.plain("focus").is_none());
    }
}
