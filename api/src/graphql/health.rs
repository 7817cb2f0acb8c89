//! Health in the API: models, scores with their breakdown and trend, and the runs that compute
//! them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::health::{HealthModel, HealthModelDef, Part, ScoreOutline, ScoreRecord, Weight};
use tandem_domain::ids::{AccountId, HealthModelId, SegmentId};

use super::common::context::{loaders, parts};
use super::enums::TouchTier;
use super::ids::{self, Kind};
use crate::error::{ApiError, ApiResult};
use crate::service;

/// What a health score means.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::health::HealthStatus")]
pub enum HealthStatus {
    /// At or above the model's healthy threshold.
    Healthy,
    /// Between the model's two thresholds.
    AtRisk,
    /// Below the model's at-risk threshold.
    Critical,
}

/// A signal a health model weighs.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::health::Component")]
pub enum HealthComponent {
    /// Active days in the last 30 (20 or more is full marks).
    Usage,
    /// Share of the configured key features used in the last 30 days.
    AdoptionBreadth,
    /// NPS over the last 180 days, mapped from −100…100 onto 0–100.
    Nps,
    /// Average CSAT over the last 180 days, mapped from 1–5 onto 0–100.
    Csat,
    /// Open tickets weighed by priority: 100 less 10 per point (urgent 8, high 4, normal 2, low 1).
    SupportLoad,
    /// CURRENT 100, OVERDUE 40, DELINQUENT 0.
    BillingStatus,
    /// Days since the last business review or services time: 100 within 30 days, 0 at 120.
    EngagementRecency,
    /// Goals achieved or on track count fully, at risk half, missed not at all.
    GoalAttainment,
}

/// One component's part in a score.
#[derive(SimpleObject)]
pub struct HealthPart {
    /// The component.
    pub component: HealthComponent,
    /// Its own score, 0–100.
    pub score: f64,
    /// Its effective weight, 0–1 (components without data are left out and the rest scaled).
    pub weight: f64,
    /// The points it adds: score × weight.
    pub contribution: f64,
}

/// A computed health score: its outline, with its breakdown when it was read (a score from
/// `current_outlines` has none, and answers only the fields of [`HEALTH_OUTLINE`]).
pub struct HealthScoreNode {
    outline: ScoreOutline,
    breakdown: Option<Vec<Part>>,
}

impl From<ScoreRecord> for HealthScoreNode {
    fn from(record: ScoreRecord) -> Self {
        let (outline, breakdown) = record.into_parts();
        HealthScoreNode {
            outline,
            breakdown: Some(breakdown),
        }
    }
}

impl From<ScoreOutline> for HealthScoreNode {
    fn from(outline: ScoreOutline) -> Self {
        HealthScoreNode {
            outline,
            breakdown: None,
        }
    }
}

impl super::plain::Plain for HealthScoreNode {
    fn plain(&self, name: &str) -> Option<async_graphql::Value> {
        use super::plain::value;
        let h = &self.outline;
        match name {
            "id" => value(ids::encode(Kind::HealthScore, h.id.0)),
            "score" => value(h.value),
            "status" => value(HealthStatus::from(h.status)),
            "modelId" => value(ids::encode(Kind::HealthModel, h.model_id.0)),
            "modelVersion" => value(h.model_version),
            "computedAt" => value(h.computed_at),
            _ => None,
        }
    }
}

/// The fields of a score that answer without its breakdown (`current_outlines` reads all but
/// the breakdown).
pub(crate) const HEALTH_OUTLINE: &[&str] = &[
    "__typename",
    "id",
    "score",
    "status",
    "modelId",
    "modelVersion",
    "computedAt",
    "change30d",
    "change90d",
];

#[Object(name = "HealthScore")]
impl HealthScoreNode {
    /// The score's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::HealthScore, self.outline.id.0)
    }
    /// 0–100, to one decimal.
    async fn score(&self) -> f64 {
        self.outline.value
    }
    /// What it means under the model's thresholds.
    async fn status(&self) -> HealthStatus {
        self.outline.status.into()
    }
    /// How it was made, largest contribution first.
    async fn breakdown(&self) -> Vec<HealthPart> {
        let mut parts: Vec<_> = self.breakdown.clone().unwrap_or_default();
        parts.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        parts
            .into_iter()
            .map(|p| HealthPart {
                component: p.component.into(),
                score: p.score,
                weight: p.weight,
                contribution: p.contribution,
            })
            .collect()
    }
    /// The model it came from.
    async fn model_id(&self) -> ID {
        ids::encode(Kind::HealthModel, self.outline.model_id.0)
    }
    /// The model's version then.
    async fn model_version(&self) -> i32 {
        self.outline.model_version
    }
    /// When it was computed.
    async fn computed_at(&self) -> DateTime<Utc> {
        self.outline.computed_at
    }
    /// Points gained (or lost, negative) since the latest score 30 days ago; `null` without one.
    #[graphql(name = "change30d")]
    async fn change30d(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        self.change(ctx, 30).await
    }
    /// Points gained (or lost) since the latest score 90 days ago; `null` without one.
    #[graphql(name = "change90d")]
    async fn change90d(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        self.change(ctx, 90).await
    }
}

impl HealthScoreNode {
    async fn change(&self, ctx: &Context<'_>, days: i64) -> async_graphql::Result<Option<f64>> {
        let then = loaders(ctx)?
            .health_then()
            .load_one((self.outline.account_id, days))
            .await?;
        Ok(then.map(|t| ((self.outline.value - t) * 10.0).round() / 10.0))
    }
}

/// A component's weight in a model.
#[derive(SimpleObject)]
pub struct HealthWeight {
    /// The component.
    pub component: HealthComponent,
    /// Its weight in percent (weights add up to 100).
    pub percent: f64,
}

/// A named, versioned health model.
pub struct HealthModelNode(pub HealthModel);

#[Object(name = "HealthModel")]
impl HealthModelNode {
    /// The model's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::HealthModel, self.0.id.0)
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.def.name
    }
    /// Its version: 1 when created, one more with every change; scores name the version they
    /// came from. Pass it back to `updateHealthModel`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its components and their weights.
    async fn weights(&self) -> Vec<HealthWeight> {
        self.0
            .def
            .weights
            .iter()
            .map(|w| HealthWeight {
                component: w.component.into(),
                percent: f64::from(w.basis_points) / 100.0,
            })
            .collect()
    }
    /// Scores at or above this are HEALTHY.
    async fn healthy_from(&self) -> i32 {
        self.0.def.healthy_from as i32
    }
    /// Scores at or above this (below `healthyFrom`) are AT_RISK; below, CRITICAL.
    async fn at_risk_from(&self) -> i32 {
        self.0.def.at_risk_from as i32
    }
    /// The touch tier it scores, when scoped to one.
    async fn touch_tier(&self) -> Option<TouchTier> {
        self.0.touch_tier.map(Into::into)
    }
    /// The segment it scores, when scoped to one.
    async fn segment_id(&self) -> Option<ID> {
        self.0.segment_id.map(|s| ids::encode(Kind::Segment, s.0))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its definition last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// A component's weight, in percent with up to two decimals.
#[derive(InputObject)]
pub struct HealthWeightInput {
    /// The component.
    pub component: HealthComponent,
    /// Its weight in percent (0–100; all weights add up to 100).
    pub percent: f64,
}

/// A model's definition.
#[derive(InputObject)]
pub struct HealthModelDefinitionInput {
    /// Its name.
    pub name: String,
    /// Its components and weights, adding up to 100 %.
    pub weights: Vec<HealthWeightInput>,
    /// Scores at or above this are HEALTHY (1–100).
    pub healthy_from: i32,
    /// Scores at or above this are AT_RISK, below it CRITICAL (above 0, below `healthyFrom`).
    pub at_risk_from: i32,
}

impl HealthModelDefinitionInput {
    fn into_domain(self) -> ApiResult<HealthModelDef> {
        if self.weights.len() > 20 {
            return Err(ApiError::invalid("weights", "at most 20 components"));
        }
        let weights = self
            .weights
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let bp = (w.percent * 100.0).round();
                if !w.percent.is_finite()
                    || w.percent < 0.0
                    || w.percent > 100.0
                    || (w.percent * 100.0 - bp).abs() > 1e-6
                {
                    return Err(ApiError::invalid(
                        format!("weights[{i}].percent"),
                        "must be from 0 to 100 with at most two decimals",
                    ));
                }
                Ok(Weight {
                    component: w.component.into(),
                    basis_points: bp as u32,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let threshold = |field: &str, v: i32| -> ApiResult<u32> {
            u32::try_from(v).map_err(|_| ApiError::invalid(field, "must not be negative"))
        };
        Ok(HealthModelDef {
            name: self.name,
            weights,
            healthy_from: threshold("healthyFrom", self.healthy_from)?,
            at_risk_from: threshold("atRiskFrom", self.at_risk_from)?,
        })
    }
}

/// A new health model.
#[derive(InputObject)]
pub struct CreateHealthModelInput {
    /// Its definition.
    pub definition: HealthModelDefinitionInput,
    /// Score only this touch tier with it.
    pub touch_tier: Option<TouchTier>,
    /// Score only this segment's accounts with it (takes precedence over touch-tier models).
    pub segment_id: Option<ID>,
}

/// What a recompute run did.
#[derive(SimpleObject)]
pub struct RecomputeHealthPayload {
    /// Live accounts looked at.
    pub accounts: i32,
    /// Accounts that got a new score.
    pub scored: i32,
    /// Accounts whose status changed (each an account-change event).
    pub status_changes: i32,
    /// Accounts no model applied to or with no signal to weigh.
    pub skipped: i32,
    /// How long the run took, in milliseconds.
    pub duration_ms: i32,
}

/// What a health-model mutation returns.
#[derive(SimpleObject)]
pub struct HealthModelPayload {
    /// The model after the change.
    pub model: HealthModelNode,
}

#[derive(Default)]
pub struct HealthQuery;

#[Object]
impl HealthQuery {
    /// The health models: the default (unscoped) one, per touch tier, per segment.
    async fn health_models(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_archived: bool,
    ) -> async_graphql::Result<Vec<HealthModelNode>> {
        let (s, who) = parts(ctx)?;
        Ok(service::health::models(s, who, include_archived)
            .await?
            .into_iter()
            .map(HealthModelNode)
            .collect())
    }
}

#[derive(Default)]
pub struct HealthMutation;

#[Object]
impl HealthMutation {
    /// Creates a health model (ADMIN, CS_MANAGER). One live model per scope.
    async fn create_health_model(
        &self,
        ctx: &Context<'_>,
        input: CreateHealthModelInput,
    ) -> async_graphql::Result<HealthModelPayload> {
        let (s, who) = parts(ctx)?;
        let segment = input
            .segment_id
            .as_ref()
            .map(|id| ids::decode(Kind::Segment, id, "input.segmentId").map(SegmentId))
            .transpose()?;
        let def = input.definition.into_domain()?;
        let model =
            service::health::create_model(s, who, def, input.touch_tier.map(Into::into), segment)
                .await?;
        Ok(HealthModelPayload {
            model: HealthModelNode(model),
        })
    }
    /// Gives a model still at `version` a new definition: its next version (ADMIN, CS_MANAGER).
    async fn update_health_model(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        definition: HealthModelDefinitionInput,
    ) -> async_graphql::Result<HealthModelPayload> {
        let (s, who) = parts(ctx)?;
        let id = HealthModelId(ids::decode(Kind::HealthModel, &id, "id")?);
        let def = definition.into_domain()?;
        let model = service::health::update_model(s, who, id, version, Some(def), false).await?;
        Ok(HealthModelPayload {
            model: HealthModelNode(model),
        })
    }
    /// Archives a model still at `version` (ADMIN, CS_MANAGER).
    async fn archive_health_model(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<HealthModelPayload> {
        let (s, who) = parts(ctx)?;
        let id = HealthModelId(ids::decode(Kind::HealthModel, &id, "id")?);
        let model = service::health::update_model(s, who, id, version, None, true).await?;
        Ok(HealthModelPayload {
            model: HealthModelNode(model),
        })
    }
    /// Computes one account's health now (ADMIN, CS_MANAGER); `null` when no model applies or
    /// no signal is known.
    async fn compute_health(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<Option<HealthScoreNode>> {
        let (s, who) = parts(ctx)?;
        let id = AccountId(ids::decode(Kind::Account, &account_id, "accountId")?);
        Ok(service::health::compute_one(s, who, id)
            .await?
            .map(HealthScoreNode::from))
    }
    /// Recomputes every live account's health in one run (ADMIN, CS_MANAGER). `tandem
    /// recompute-health` does the same from the command line.
    async fn recompute_health(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<RecomputeHealthPayload> {
        let (s, who) = parts(ctx)?;
        let (r, took) = service::health::recompute_all(s, who).await?;
        Ok(RecomputeHealthPayload {
            accounts: r.accounts as i32,
            scored: r.scored as i32,
            status_changes: r.status_changes as i32,
            skipped: r.skipped as i32,
            duration_ms: took.as_millis().min(i32::MAX as u128) as i32,
        })
    }
}
