//! The phase object type and the values it carries: milestones, scope items, slippage.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use std::borrow::Cow;
use std::sync::Arc;
use tandem_domain::engagement::{
    self as rules, Milestone, Phase, PhaseHead, PhaseOutline, PhaseScopeItem,
};
use tandem_domain::ids::{EngagementId, PhaseId};

use super::node::EngagementNode;
use crate::error::{ApiError, ApiResult};
use crate::graphql::common::context::loaders;
use crate::graphql::enums::{FocusKind, PhaseStatus};
use crate::graphql::ids::{self, Kind};
use crate::graphql::plain::{Plain, value};
use crate::graphql::scalars::Date;

/// A checkpoint inside a phase.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "MilestoneInput")]
pub struct MilestoneValue {
    /// What is reached.
    pub name: String,
    /// When it is due.
    pub due: Option<Date>,
    /// When it was reached.
    pub done_on: Option<Date>,
}

/// A deliverable of a phase and the hours it is estimated to take.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "PhaseScopeItem", input_name = "PhaseScopeItemInput")]
pub struct PhaseScopeItemValue {
    /// What is delivered.
    pub deliverable: String,
    /// The hours it is estimated to take (more than 0, up to two decimals).
    pub estimated_hours: f64,
}

impl PhaseScopeItemValue {
    /// Scope items as typed; `field` is the list's input path.
    pub(crate) fn into_domain(
        field: &str,
        list: Vec<PhaseScopeItemValue>,
    ) -> ApiResult<Vec<PhaseScopeItem>> {
        list.into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(PhaseScopeItem {
                    deliverable: s.deliverable,
                    estimated_hours: tandem_domain::hours::Hours::from_decimal(
                        &format!("{field}[{i}].estimatedHours"),
                        s.estimated_hours,
                    )?,
                })
            })
            .collect()
    }
}

/// Days late against plan (negative: early).
#[derive(SimpleObject)]
pub struct PhaseSlippage {
    /// Actual start (or today, while overdue) minus planned start; null without a plan.
    pub start_days: Option<i64>,
    /// Delivery (or today, while overdue) minus planned end; null without a plan.
    pub end_days: Option<i64>,
}

/// One step of an engagement: a product line or a problem at a time.
///
/// Read whole, or — for a list of phases that asks for nothing else (`Engagement.phases`) —
/// as its head or its outline only. Each field answers from what was read; a field the view
/// lacks loads the whole phase by id rather than answer empty.
pub struct PhaseNode {
    view: PhaseView,
}

/// What a [`PhaseNode`] was read as.
enum PhaseView {
    /// Its head only.
    Head(PhaseHead),
    /// Its outline only.
    Outline(PhaseOutline),
    /// The whole phase.
    Whole(Phase),
}

impl From<Phase> for PhaseNode {
    fn from(phase: Phase) -> Self {
        PhaseNode {
            view: PhaseView::Whole(phase),
        }
    }
}

impl From<PhaseOutline> for PhaseNode {
    fn from(outline: PhaseOutline) -> Self {
        PhaseNode {
            view: PhaseView::Outline(outline),
        }
    }
}

impl From<PhaseHead> for PhaseNode {
    fn from(head: PhaseHead) -> Self {
        PhaseNode {
            view: PhaseView::Head(head),
        }
    }
}

impl PhaseView {
    /// The head's fields, which every view has: from the head, or else from the whole phase.
    fn head<'a, T>(
        &'a self,
        of_head: impl FnOnce(&'a PhaseHead) -> T,
        of_phase: impl FnOnce(&'a Phase) -> T,
    ) -> T {
        match self {
            PhaseView::Head(h) => of_head(h),
            PhaseView::Outline(o) => of_head(&o.head),
            PhaseView::Whole(p) => of_phase(p),
        }
    }

    /// An outline's field, when the view has it.
    fn outline<'a, T>(
        &'a self,
        of_outline: impl FnOnce(&'a PhaseOutline) -> T,
        of_phase: impl FnOnce(&'a Phase) -> T,
    ) -> Option<T> {
        match self {
            PhaseView::Head(_) => None,
            PhaseView::Outline(o) => Some(of_outline(o)),
            PhaseView::Whole(p) => Some(of_phase(p)),
        }
    }

    /// The whole phase, when it was read whole.
    fn whole(&self) -> Option<&Phase> {
        match self {
            PhaseView::Whole(p) => Some(p),
            PhaseView::Head(_) | PhaseView::Outline(_) => None,
        }
    }

    fn id(&self) -> PhaseId {
        self.head(|h| h.id, |p| p.id)
    }

    fn engagement_id(&self) -> EngagementId {
        self.head(|h| h.engagement_id, |p| p.engagement_id)
    }
}

impl PhaseNode {
    /// The phase `phase` of `engagement`, through the request's loader; `None` when either is
    /// missing or the engagement has no such phase.
    pub(crate) async fn named(
        ctx: &Context<'_>,
        engagement: Option<EngagementId>,
        phase: Option<PhaseId>,
    ) -> async_graphql::Result<Option<PhaseNode>> {
        let (Some(engagement), Some(phase)) = (engagement, phase) else {
            return Ok(None);
        };
        let phases: Arc<[Phase]> = loaders(ctx)?
            .phases()
            .load_one(engagement)
            .await?
            .unwrap_or_default();
        Ok(phases
            .iter()
            .find(|p| p.id == phase)
            .cloned()
            .map(PhaseNode::from))
    }

    async fn siblings(&self, ctx: &Context<'_>) -> ApiResult<Arc<[Phase]>> {
        Ok(loaders(ctx)?
            .phases()
            .load_one(self.view.engagement_id())
            .await?
            .unwrap_or_default())
    }

    /// The whole phase: as read, or loaded by id when only its head or outline was (which
    /// `Engagement.phases` avoids by reading those only for selections they answer).
    async fn whole(&self, ctx: &Context<'_>) -> ApiResult<Cow<'_, Phase>> {
        if let Some(p) = self.view.whole() {
            return Ok(Cow::Borrowed(p));
        }
        loaders(ctx)?
            .phase_by_id()
            .load_one(self.view.id())
            .await?
            .map(Cow::Owned)
            .ok_or_else(|| ApiError::not_found("the phase no longer exists"))
    }

    /// An outline's field: from the view when it has it, else from the whole phase.
    async fn outline<T>(
        &self,
        ctx: &Context<'_>,
        of_outline: impl FnOnce(&PhaseOutline) -> T,
        of_phase: impl FnOnce(&Phase) -> T + Copy,
    ) -> ApiResult<T> {
        match self.view.outline(of_outline, of_phase) {
            Some(v) => Ok(v),
            None => Ok(of_phase(&*self.whole(ctx).await?)),
        }
    }
}

impl Plain for PhaseNode {
    /// The plain fields the view holds; the others (`objective` of an outline, say) go to
    /// their resolvers, which load the whole phase. The phases of one list are all read as
    /// one view, so each field is plain for all of them or for none.
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        let v = &self.view;
        match name {
            "id" => value(ids::encode(Kind::Phase, v.id().0)),
            "version" => value(v.head(|h| h.version, |p| p.version)),
            "position" => value(v.head(|h| h.position, |p| p.position)),
            "name" => value(v.head(|h| &h.name, |p| &p.data.name).clone()),
            "status" => value(PhaseStatus::from(v.head(|h| h.status, |p| p.status))),
            "focusKind" => value(FocusKind::from(
                v.outline(|o| o.focus_kind, |p| p.data.focus_kind)?,
            )),
            "focus" => value(v.outline(|o| &o.focus, |p| &p.data.focus)?.clone()),
            "plannedStart" => value(
                v.outline(|o| o.planned_start, |p| p.data.planned_start)?
                    .map(Date),
            ),
            "plannedEnd" => value(
                v.outline(|o| o.planned_end, |p| p.data.planned_end)?
                    .map(Date),
            ),
            "actualStart" => value(v.outline(|o| o.actual_start, |p| p.actual_start)?.map(Date)),
            "actualEnd" => value(v.outline(|o| o.actual_end, |p| p.actual_end)?.map(Date)),
            "acceptedOn" => value(v.outline(|o| o.accepted_on, |p| p.accepted_on)?.map(Date)),
            "objective" => value(v.whole()?.data.objective.clone()),
            "expectedValue" => value(v.whole()?.data.expected_value.clone()),
            "realisedValue" => value(v.whole()?.realised_value.clone()),
            _ => None,
        }
    }
}

#[Object(name = "Phase")]
impl PhaseNode {
    /// The phase's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Phase, self.view.id().0)
    }
    /// The first (by id) of the success-plan goals it serves. Not for INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)",
        deprecation = "A phase serves several goals: read `goals`."
    )]
    async fn goal(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::success::GoalNode>> {
        let Some(goal) = self.whole(ctx).await?.goal_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .goal()
            .load_one(goal)
            .await?
            .map(crate::graphql::success::GoalNode))
    }
    /// The success-plan goals of its account whose value it should deliver (`linkPhaseGoals`),
    /// by id. Not for INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)"
    )]
    async fn goals(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::success::GoalNode>> {
        Ok(loaders(ctx)?
            .phase_goals()
            .load_one(self.view.id())
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::success::GoalNode)
            .collect())
    }
    /// The part of a published catalog-model version the phase moves, with the products and
    /// variants in it, how many are marked migrated, and what a newer version changes in it;
    /// null until `setPhaseCatalogScope`.
    async fn catalog_scope(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::catalog_scope::PhaseCatalogScopeNode>> {
        Ok(
            crate::graphql::catalog_scope::PhaseCatalogScopeNode::of_phase(ctx, self.view.id())
                .await?,
        )
    }
    /// The value it realised, as the team recorded it on acceptance or after
    /// (`recordRealisedValue`); set against `expectedValue`, the value it promised.
    async fn realised_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.whole(ctx).await?.realised_value.clone())
    }
    /// What followed its acceptance on the account — health, goals, MRR movements — as
    /// comparisons over time, not causal claims; null until the customer accepts it. Not for
    /// INTEGRATION.
    #[graphql(
        guard = "crate::graphql::common::context::Allowed(tandem_domain::auth::Action::ReadInsights)"
    )]
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::outcome::PhaseOutcomeNode>> {
        let accepted_on = self
            .outline(ctx, |o| o.accepted_on, |p| p.accepted_on)
            .await?;
        let Some(accepted_on) = accepted_on else {
            return Ok(None);
        };
        let engagement = loaders(ctx)?
            .engagements()
            .load_one(self.view.engagement_id())
            .await?
            .ok_or_else(|| ApiError::not_found("the phase's engagement no longer exists"))?;
        Ok(Some(crate::graphql::outcome::PhaseOutcomeNode(
            tandem_domain::outcome::AcceptedPhase {
                phase: self.view.id(),
                account: engagement.account_id,
                accepted_on,
            },
        )))
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.view.head(|h| h.version, |p| p.version)
    }
    /// The engagement it belongs to.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<EngagementNode> {
        loaders(ctx)?
            .engagements()
            .load_one(self.view.engagement_id())
            .await?
            .map(EngagementNode)
            .ok_or_else(|| ApiError::not_found("the phase's engagement no longer exists").into())
    }
    /// Its place in the engagement, from 1.
    async fn position(&self) -> i32 {
        self.view.head(|h| h.position, |p| p.position)
    }
    /// A short name.
    async fn name(&self) -> &str {
        self.view.head(|h| &h.name, |p| &p.data.name)
    }
    /// Whether it is organised around a product line or a problem.
    async fn focus_kind(&self, ctx: &Context<'_>) -> async_graphql::Result<FocusKind> {
        let kind = self
            .outline(ctx, |o| o.focus_kind, |p| p.data.focus_kind)
            .await?;
        Ok(kind.into())
    }
    /// The product line or the problem.
    async fn focus(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(self
            .outline(ctx, |o| o.focus.clone(), |p| p.data.focus.clone())
            .await?)
    }
    /// What it sets out to do.
    async fn objective(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.whole(ctx).await?.data.objective.clone())
    }
    /// The value it should deliver.
    async fn expected_value(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.whole(ctx).await?.data.expected_value.clone())
    }
    /// Where it stands.
    async fn status(&self) -> PhaseStatus {
        self.view.head(|h| h.status, |p| p.status).into()
    }
    /// Planned start.
    async fn planned_start(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        let day = self
            .outline(ctx, |o| o.planned_start, |p| p.data.planned_start)
            .await?;
        Ok(day.map(Date))
    }
    /// Planned delivery.
    async fn planned_end(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        let day = self
            .outline(ctx, |o| o.planned_end, |p| p.data.planned_end)
            .await?;
        Ok(day.map(Date))
    }
    /// When work started.
    async fn actual_start(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        let day = self
            .outline(ctx, |o| o.actual_start, |p| p.actual_start)
            .await?;
        Ok(day.map(Date))
    }
    /// When it was delivered.
    async fn actual_end(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        let day = self
            .outline(ctx, |o| o.actual_end, |p| p.actual_end)
            .await?;
        Ok(day.map(Date))
    }
    /// When the customer accepted it.
    async fn accepted_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Date>> {
        let day = self
            .outline(ctx, |o| o.accepted_on, |p| p.accepted_on)
            .await?;
        Ok(day.map(Date))
    }
    /// Checkpoints inside the phase.
    async fn milestones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MilestoneValue>> {
        Ok(self
            .whole(ctx)
            .await?
            .data
            .milestones
            .iter()
            .map(|m| MilestoneValue {
                name: m.name.clone(),
                due: m.due.map(Date),
                done_on: m.done_on.map(Date),
            })
            .collect())
    }
    /// The people allocated to it, by start date.
    async fn allocations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::timesheet::AllocationNode>> {
        crate::graphql::timesheet::AllocationNode::of_phase(ctx, self.view.id()).await
    }
    /// Its deliverables and their estimated hours.
    async fn scope(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseScopeItemValue>> {
        Ok(self
            .whole(ctx)
            .await?
            .data
            .scope
            .iter()
            .map(PhaseScopeItemValue::from)
            .collect())
    }
    /// The hours it is planned to take: the sum of its scope's estimated hours.
    async fn planned_hours(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
        Ok(self.whole(ctx).await?.data.planned_hours().as_decimal())
    }
    /// The phases it depends on.
    async fn depends_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseNode>> {
        let whole = self.whole(ctx).await?;
        Ok(self
            .siblings(ctx)
            .await?
            .iter()
            .filter(|p| whole.depends_on.contains(&p.id))
            .cloned()
            .map(PhaseNode::from)
            .collect())
    }
    /// The phases it depends on that are not delivered yet: what stops it from starting.
    async fn blocked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PhaseNode>> {
        let whole = self.whole(ctx).await?;
        let siblings = self.siblings(ctx).await?;
        Ok(rules::blockers(&whole, &siblings)
            .into_iter()
            .cloned()
            .map(PhaseNode::from)
            .collect())
    }
    /// Days late against plan.
    async fn slippage(&self, ctx: &Context<'_>) -> async_graphql::Result<PhaseSlippage> {
        let s = self.whole(ctx).await?.slippage(Utc::now().date_naive());
        Ok(PhaseSlippage {
            start_days: s.start_days,
            end_days: s.end_days,
        })
    }
}

impl From<MilestoneValue> for Milestone {
    fn from(m: MilestoneValue) -> Self {
        Milestone {
            name: m.name,
            due: m.due.map(|d| d.0),
            done_on: m.done_on.map(|d| d.0),
        }
    }
}

impl From<&PhaseScopeItem> for PhaseScopeItemValue {
    fn from(s: &PhaseScopeItem) -> Self {
        PhaseScopeItemValue {
            deliverable: s.deliverable.clone(),
            estimated_hours: s.estimated_hours.as_decimal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Schema};
    use chrono::NaiveDate;
    use serde_json::json;
    use tandem_domain::account::NewAccount;
    use tandem_domain::engagement::{EngagementKind, NewEngagement, NewPhase};
    use tandem_persistence::{Store, StoreOptions, account, engagement};
    use tandem_tests::db_test;

    use super::*;
    use crate::graphql::loaders::Loaders;

    /// A query root that hands out one phase as its head and as its outline.
    struct Views(PhaseHead, PhaseOutline);

    #[Object]
    impl Views {
        async fn head(&self) -> PhaseNode {
            PhaseNode::from(self.0.clone())
        }
        async fn outline(&self) -> PhaseNode {
            PhaseNode::from(self.1.clone())
        }
    }

    /// A phase with an objective and a milestone, stored.
    async fn stored_phase(store: &Store) -> Phase {
        let account = NewAccount {
            name: "Acme".into(),
            ..Default::default()
        };
        let a = account::create(store, "t", account.validate().unwrap())
            .await
            .unwrap();
        let data = NewEngagement {
            name: "Replatforming".into(),
            kind: EngagementKind::Replatforming,
            source_platform: None,
            target_platform: None,
            lead_id: None,
            description: None,
            planned_start: None,
        };
        let e = engagement::create(store, "lead", a.id, data.validate().unwrap())
            .await
            .unwrap();
        let phase = NewPhase {
            name: "Apparel".into(),
            focus_kind: tandem_domain::engagement::FocusKind::Problem,
            focus: "Slow checkout".into(),
            objective: Some("Move apparel".into()),
            expected_value: None,
            planned_start: NaiveDate::from_ymd_opt(2026, 1, 5),
            planned_end: None,
            milestones: vec![Milestone {
                name: "Catalog loaded".into(),
                due: None,
                done_on: None,
            }],
            scope: vec![],
        };
        engagement::phase::create(store, "lead", e.id, phase.validate().unwrap(), vec![])
            .await
            .unwrap()
    }

    db_test! {
        async fn a_field_its_view_lacks_is_read_from_the_whole_phase(db) {
            let mut options = StoreOptions::new(db.url.clone());
            options.pg_schema = db.pg_schema.clone();
            let store = Store::connect(&options).await.unwrap();
            store.migrate().await.unwrap();
            let p = stored_phase(&store).await;
            let views = Views(PhaseHead::from(&p), PhaseOutline::from(&p));
            let schema = Schema::build(views, EmptyMutation, EmptySubscription)
                .data(Loaders::new(store))
                .finish();
            let answer = schema
                .execute("{ head { name focusKind objective milestones { name } } outline { focus plannedStart objective } }")
                .await;
            assert!(answer.errors.is_empty(), "{:?}", answer.errors);
            assert_eq!(
                answer.data.into_json().unwrap(),
                json!({
                    "head": {"name": "Apparel", "focusKind": "PROBLEM", "objective": "Move apparel", "milestones": [{"name": "Catalog loaded"}]},
                    "outline": {"focus": "Slow checkout", "plannedStart": "2026-01-05", "objective": "Move apparel"},
                })
            );
        }
    }
}
