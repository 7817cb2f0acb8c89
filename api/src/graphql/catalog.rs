//! Catalog modeling in the API: each account's draft model with its validation issues and
//! stats, published versions, diffs, exports and sessions.

use std::sync::{Arc, OnceLock};

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tandem_domain::catalog::generate::{self, Variant};
use tandem_domain::catalog::session::{CatalogSession, Decision, SessionData};
use tandem_domain::catalog::{
    AttributeDef, CatalogModel, Draft, OptionAxis, PlatformLimits, Product, ProductType,
    PublishedVersion, VariantValues, diff, export, stats, validate,
};
use tandem_domain::ids::{AccountId, CatalogSessionId, ContactId, PhaseId, TeamMemberId};

use super::account::AccountNode;
use super::common::context::{loaders, parts};
use super::contact::ContactNode;
use super::enums::{AttributeKind, AttributeLevel, SessionStatus, Severity};
use super::ids::{self, Kind};
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service;

/// A model with its variants generated once, on first need.
pub struct ModelView {
    model: Arc<CatalogModel>,
    variants: OnceLock<Vec<Variant>>,
    number: i32,
}

impl ModelView {
    fn new(model: CatalogModel, number: i32) -> Self {
        ModelView {
            model: Arc::new(model),
            variants: OnceLock::new(),
            number,
        }
    }

    fn variants(&self) -> &[Variant] {
        self.variants
            .get_or_init(|| generate::variants(&self.model))
    }
}

/// An attribute a product type defines.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogAttribute", input_name = "CatalogAttributeInput")]
pub struct AttributeValue {
    /// Its key, unique within the type.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// The type of its values.
    pub kind: AttributeKind,
    /// The allowed values, for ENUM.
    #[graphql(default)]
    pub allowed: Vec<String>,
    /// Whether every product (or variant) must have a value.
    #[graphql(default)]
    pub required: bool,
    /// Product-level or variant-level.
    #[graphql(default_with = "AttributeLevel::Product")]
    pub level: AttributeLevel,
}

/// A kind of product and its attributes.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogProductType", input_name = "CatalogProductTypeInput")]
pub struct ProductTypeValue {
    /// Its key, unique in the model.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its attributes.
    #[graphql(default)]
    pub attributes: Vec<AttributeValue>,
}

/// A dimension products vary on.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogAxis", input_name = "CatalogAxisInput")]
pub struct AxisValue {
    /// Its key, unique in the model.
    pub key: String,
    /// Its display name, also its SKU placeholder (`{Size}`).
    pub name: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// Values applied to the variants matching `when` (axis key → value).
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(
    name = "CatalogVariantValues",
    input_name = "CatalogVariantValuesInput"
)]
pub struct VariantValuesValue {
    /// Axis key → value; `{}` matches every variant.
    pub when: Json<std::collections::BTreeMap<String, String>>,
    /// Attribute key → value.
    pub values: Json<std::collections::BTreeMap<String, Value>>,
}

/// A product as a facilitator types it.
#[derive(InputObject)]
#[graphql(name = "CatalogProductInput")]
pub struct ProductInput {
    /// Its key (handle), unique in the model.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its product type's key.
    pub product_type: String,
    /// Its product line.
    pub product_line: String,
    /// The axis keys it varies on, in order.
    #[graphql(default)]
    pub axes: Vec<String>,
    /// Combinations that do not exist (axis key → value, each excludes every variant having all
    /// its values).
    #[graphql(default)]
    pub excluded: Vec<Json<std::collections::BTreeMap<String, String>>>,
    /// Product-level attribute values (attribute key → value).
    pub attributes: Option<Json<std::collections::BTreeMap<String, Value>>>,
    /// Variant-level attribute values, by rule.
    #[graphql(default)]
    pub variant_values: Vec<VariantValuesValue>,
    /// SKU pattern with `{product}` and `{AxisName}` placeholders.
    pub sku_pattern: String,
}

impl From<AttributeValue> for AttributeDef {
    fn from(a: AttributeValue) -> Self {
        AttributeDef {
            key: a.key,
            name: a.name,
            kind: a.kind.into(),
            allowed: a.allowed,
            required: a.required,
            level: a.level.into(),
        }
    }
}

fn attribute_value(a: &AttributeDef) -> AttributeValue {
    AttributeValue {
        key: a.key.clone(),
        name: a.name.clone(),
        kind: a.kind.into(),
        allowed: a.allowed.clone(),
        required: a.required,
        level: a.level.into(),
    }
}

impl From<ProductInput> for Product {
    fn from(p: ProductInput) -> Self {
        Product {
            key: p.key,
            name: p.name,
            product_type: p.product_type,
            product_line: p.product_line,
            axes: p.axes,
            excluded: p.excluded.into_iter().map(|j| j.0).collect(),
            attributes: p.attributes.map(|j| j.0).unwrap_or_default(),
            variant_values: p
                .variant_values
                .into_iter()
                .map(|v| VariantValues {
                    when: v.when.0,
                    values: v.values.0,
                })
                .collect(),
            sku_pattern: p.sku_pattern,
        }
    }
}

/// One thing wrong with a model.
#[derive(SimpleObject)]
#[graphql(name = "CatalogIssue")]
pub struct IssueValue {
    /// ERROR blocks publishing; WARNING does not.
    pub severity: Severity,
    /// A stable code (`DUPLICATE_SKU`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Where (`products[3].attributes.material`).
    pub path: String,
}

/// One part of the complexity figure.
#[derive(SimpleObject)]
#[graphql(name = "CatalogComplexityPart")]
pub struct ComplexityPartValue {
    /// What is counted.
    pub label: String,
    /// How many there are.
    pub count: i64,
    /// Points per one.
    pub weight: f64,
    /// Count × weight.
    pub points: f64,
}

/// A model's size and complexity.
#[derive(SimpleObject)]
#[graphql(name = "CatalogStats")]
pub struct StatsValue {
    /// Product types.
    pub product_types: i64,
    /// Attributes over all types.
    pub attributes: i64,
    /// Option axes.
    pub axes: i64,
    /// Axis values over all axes.
    pub axis_values: i64,
    /// Products.
    pub products: i64,
    /// Generated variants.
    pub variants: i64,
    /// Mean variants per product.
    pub mean_variants_per_product: f64,
    /// The most variants of one product.
    pub max_variants_per_product: i64,
    /// The sum of the parts' points.
    pub complexity: f64,
    /// What the complexity figure is made of.
    pub complexity_parts: Vec<ComplexityPartValue>,
}

/// A generated variant.
#[derive(SimpleObject)]
#[graphql(name = "CatalogVariant")]
pub struct VariantValue {
    /// Its SKU.
    pub sku: String,
    /// Axis key → value.
    pub options: Json<std::collections::BTreeMap<String, String>>,
    /// Its variant-level attribute values.
    pub attributes: Json<std::collections::BTreeMap<String, Value>>,
}

/// A product of the model.
pub struct ProductNode(Arc<CatalogModel>, usize);

#[Object(name = "CatalogProduct")]
impl ProductNode {
    /// Its key.
    async fn key(&self) -> &str {
        &self.0.products[self.1].key
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.products[self.1].name
    }
    /// Its product type's key.
    async fn product_type(&self) -> &str {
        &self.0.products[self.1].product_type
    }
    /// Its product line.
    async fn product_line(&self) -> &str {
        &self.0.products[self.1].product_line
    }
    /// The axes it varies on.
    async fn axes(&self) -> &[String] {
        &self.0.products[self.1].axes
    }
    /// Combinations that do not exist.
    async fn excluded(&self) -> Vec<Json<std::collections::BTreeMap<String, String>>> {
        self.0.products[self.1]
            .excluded
            .iter()
            .cloned()
            .map(Json)
            .collect()
    }
    /// Product-level attribute values.
    async fn attributes(&self) -> Json<std::collections::BTreeMap<String, Value>> {
        Json(self.0.products[self.1].attributes.clone())
    }
    /// Its SKU pattern.
    async fn sku_pattern(&self) -> &str {
        &self.0.products[self.1].sku_pattern
    }
    /// How many variants it yields.
    async fn variant_count(&self) -> i64 {
        generate::variant_count(&self.0.products[self.1], &generate::axes_by_key(&self.0)) as i64
    }
    /// The variants it yields, in order.
    async fn variants(&self) -> Vec<VariantValue> {
        generate::product_variants(&self.0, self.1, &generate::axes_by_key(&self.0))
            .into_iter()
            .map(|v| VariantValue {
                sku: v.sku,
                options: Json(
                    v.options
                        .iter()
                        .map(|(a, value)| (a.to_string(), value.to_string()))
                        .collect(),
                ),
                attributes: Json(v.attributes),
            })
            .collect()
    }
}

#[Object(name = "CatalogModel")]
impl ModelView {
    /// Product types.
    async fn product_types(&self) -> Vec<ProductTypeValue> {
        self.model
            .product_types
            .iter()
            .map(|t: &ProductType| ProductTypeValue {
                key: t.key.clone(),
                name: t.name.clone(),
                attributes: t.attributes.iter().map(attribute_value).collect(),
            })
            .collect()
    }
    /// Option axes.
    async fn axes(&self) -> Vec<AxisValue> {
        self.model
            .axes
            .iter()
            .map(|a: &OptionAxis| AxisValue {
                key: a.key.clone(),
                name: a.name.clone(),
                values: a.values.clone(),
            })
            .collect()
    }
    /// Products, in model order.
    async fn products(&self) -> Vec<ProductNode> {
        (0..self.model.products.len())
            .map(|i| ProductNode(self.model.clone(), i))
            .collect()
    }
    /// The most axes and variants per product the target platform allows.
    async fn max_axes(&self) -> i64 {
        self.model.limits.max_axes as i64
    }
    /// The most variants per product the target platform allows.
    async fn max_variants(&self) -> i64 {
        self.model.limits.max_variants as i64
    }
    /// What is wrong with the model, in model order.
    async fn issues(&self) -> Vec<IssueValue> {
        validate::validate_with(&self.model, self.variants())
            .into_iter()
            .map(|i| IssueValue {
                severity: i.severity.into(),
                code: i.code.into(),
                message: i.message,
                path: i.path,
            })
            .collect()
    }
    /// How many issues block publishing.
    async fn error_count(&self) -> i64 {
        validate::validate_with(&self.model, self.variants())
            .iter()
            .filter(|i| i.severity == validate::Severity::Error)
            .count() as i64
    }
    /// Size and complexity.
    async fn stats(&self) -> StatsValue {
        let s = stats::stats(&self.model, self.variants());
        StatsValue {
            product_types: s.product_types as i64,
            attributes: s.attributes as i64,
            axes: s.axes as i64,
            axis_values: s.axis_values as i64,
            products: s.products as i64,
            variants: s.variants as i64,
            mean_variants_per_product: s.mean_variants_per_product,
            max_variants_per_product: s.max_variants_per_product as i64,
            complexity: s.complexity,
            complexity_parts: s
                .complexity_parts
                .into_iter()
                .map(|p| ComplexityPartValue {
                    label: p.label.into(),
                    count: p.count as i64,
                    weight: p.weight,
                    points: p.points,
                })
                .collect(),
        }
    }
    /// The model as the target platform's importer reads it (format `tandem.catalog/v1`); the
    /// draft exports as version 0.
    async fn export(&self) -> Json<Value> {
        Json(export::export(&self.model, self.variants(), self.number))
    }
}

/// An account's working model.
pub struct DraftNode(Draft, ModelView);

impl DraftNode {
    fn new(d: Draft) -> Self {
        let view = ModelView::new(d.model.clone(), 0);
        DraftNode(d, view)
    }
}

#[Object(name = "CatalogDraft")]
impl DraftNode {
    /// Pass it back to every edit; 0 before the first.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it last changed.
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.0.updated_at
    }
    /// The model.
    async fn model(&self) -> &ModelView {
        &self.1
    }
}

/// A published, immutable version.
pub struct VersionNode(PublishedVersion, ModelView);

impl VersionNode {
    /// The node of a published version (its model is copied into the node).
    pub(crate) fn new(v: PublishedVersion) -> Self {
        let view = ModelView::new(v.model.clone(), v.number);
        VersionNode(v, view)
    }
}

#[Object(name = "CatalogVersion")]
impl VersionNode {
    /// The version's opaque id: pass it as `catalogVersionId` to scope a phase to it.
    async fn id(&self) -> ID {
        ids::encode(Kind::CatalogVersion, self.0.id.0)
    }
    /// 1, 2, 3… per account.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Who published it.
    async fn published_by(&self) -> &str {
        &self.0.published_by
    }
    /// When.
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
    /// The frozen model.
    async fn model(&self) -> &ModelView {
        &self.1
    }
    /// The account's PLANNED or IN_PROGRESS phases scoped to an older version whose scope this
    /// version changes — products added to, removed from or changed inside it — so a services
    /// lead sees the impact before re-planning. Those phases stay on their version until moved
    /// with `movePhaseCatalogScope`.
    async fn affected_phases(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::catalog_scope::AffectedPhase>> {
        Ok(super::catalog_scope::affected_phases(ctx, &self.0).await?)
    }
}

/// Differences of one kind of element.
#[derive(SimpleObject)]
#[graphql(name = "CatalogChanges")]
pub struct ChangesValue {
    /// Keys only in the newer version.
    pub added: Vec<String>,
    /// Keys only in the older version.
    pub removed: Vec<String>,
    /// Keys in both whose content differs, with the fields that differ.
    pub changed: Vec<ChangedValue>,
}

/// One changed element.
#[derive(SimpleObject)]
#[graphql(name = "CatalogChanged")]
pub struct ChangedValue {
    /// Its key.
    pub key: String,
    /// The fields that differ.
    pub fields: Vec<String>,
}

/// What changed between two versions.
#[derive(SimpleObject)]
#[graphql(name = "CatalogDiff")]
pub struct DiffValue {
    /// The older version's number.
    pub from: i32,
    /// The newer version's number.
    pub to: i32,
    /// Product types.
    pub product_types: ChangesValue,
    /// Option axes.
    pub axes: ChangesValue,
    /// Products.
    pub products: ChangesValue,
    /// Variants, keyed `PRODUCT[value/value]`.
    pub variants: ChangesValue,
}

fn changes(c: diff::Changes) -> ChangesValue {
    ChangesValue {
        added: c.added,
        removed: c.removed,
        changed: c
            .changed
            .into_iter()
            .map(|x| ChangedValue {
                key: x.key,
                fields: x.fields,
            })
            .collect(),
    }
}

/// A decision taken in a session.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogDecision", input_name = "CatalogDecisionInput")]
pub struct DecisionValue {
    /// What was decided.
    pub what: String,
    /// Why.
    pub why: Option<String>,
    /// Who decided.
    pub by: Option<String>,
}

/// A working session with the merchant on its catalog.
pub struct SessionNode(pub CatalogSession);

#[Object(name = "CatalogSession")]
impl SessionNode {
    /// The session's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CatalogSession, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What it is about.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// Where it stands.
    async fn status(&self) -> SessionStatus {
        self.0.status.into()
    }
    /// When it is held.
    async fn scheduled_at(&self) -> DateTime<Utc> {
        self.0.data.scheduled_at
    }
    /// The account whose catalog it models.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map(AccountNode))
    }
    /// Who runs it.
    async fn facilitator(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(f) = self.0.data.facilitator_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(f)
            .await?
            .map(TeamMemberNode))
    }
    /// The id of the engagement phase it serves.
    async fn phase_id(&self) -> Option<ID> {
        self.0.data.phase_id.map(|p| ids::encode(Kind::Phase, p.0))
    }
    /// The merchant's people in the room.
    async fn attendees(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ContactNode>> {
        let contacts = loaders(ctx)?
            .contacts()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or_default();
        Ok(contacts
            .into_iter()
            .filter(|c| self.0.data.attendees.contains(&c.id))
            .map(ContactNode)
            .collect())
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.data.notes.as_deref()
    }
    /// Decisions taken.
    async fn decisions(&self) -> Vec<DecisionValue> {
        self.0
            .data
            .decisions
            .iter()
            .map(|d| DecisionValue {
                what: d.what.clone(),
                why: d.why.clone(),
                by: d.by.clone(),
            })
            .collect()
    }
}

/// What a product would yield.
#[derive(SimpleObject)]
#[graphql(name = "CatalogProductPreview")]
pub struct ProductPreview {
    /// The product's key.
    pub key: String,
    /// How many variants it would yield.
    pub variant_count: i64,
    /// The first 20 of their SKUs.
    pub first_skus: Vec<String>,
}

/// The catalog fields of an account.
#[derive(Default)]
pub struct CatalogQuery;

fn account_id(id: &ID, field: &str) -> ApiResult<AccountId> {
    ids::decode(Kind::Account, id, field).map(AccountId)
}

#[Object]
impl CatalogQuery {
    /// The account's draft catalog model, with its issues and stats.
    async fn catalog_draft(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<DraftNode> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        Ok(DraftNode::new(service::catalog::draft(s, who, id).await?))
    }

    /// The account's published catalog versions, oldest first.
    async fn catalog_versions(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<Vec<VersionNode>> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        Ok(service::catalog::versions(s, who, id)
            .await?
            .into_iter()
            .map(VersionNode::new)
            .collect())
    }

    /// One published version.
    async fn catalog_version(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        number: i32,
    ) -> async_graphql::Result<Option<VersionNode>> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        Ok(service::catalog::version(s, who, id, number)
            .await?
            .map(VersionNode::new))
    }

    /// What changed from version `from` to version `to` of the account's model.
    async fn catalog_diff(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        from: i32,
        to: i32,
    ) -> async_graphql::Result<DiffValue> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        let load = |n: i32, field: &'static str| async move {
            service::catalog::version(s, who, id, n)
                .await?
                .ok_or_else(|| {
                    ApiError::invalid(field, format!("the account has no published version {n}"))
                })
        };
        let old = load(from, "from").await?;
        let new = load(to, "to").await?;
        let d = diff::diff(
            &old.model,
            &generate::variants(&old.model),
            &new.model,
            &generate::variants(&new.model),
        );
        Ok(DiffValue {
            from,
            to,
            product_types: changes(d.product_types),
            axes: changes(d.axes),
            products: changes(d.products),
            variants: changes(d.variants),
        })
    }

    /// How many variants products would yield against the account's draft, and their first
    /// SKUs, without saving anything.
    async fn preview_catalog_products(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        products: Vec<ProductInput>,
    ) -> async_graphql::Result<Vec<ProductPreview>> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        if products.len() > tandem_domain::catalog::edit::MAX_BULK {
            return Err(ApiError::invalid("products", "at most 1000 products per preview").into());
        }
        let mut model = service::catalog::draft(s, who, id).await?.model;
        let first = model.products.len();
        model
            .products
            .extend(products.into_iter().map(Product::from));
        let axes = generate::axes_by_key(&model);
        Ok((first..model.products.len())
            .map(|i| {
                let variants = generate::product_variants(&model, i, &axes);
                ProductPreview {
                    key: model.products[i].key.clone(),
                    variant_count: variants.len() as i64,
                    first_skus: variants.into_iter().take(20).map(|v| v.sku).collect(),
                }
            })
            .collect())
    }

    /// The account's catalog-modeling sessions, by time.
    async fn catalog_sessions(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<Vec<SessionNode>> {
        let (s, who) = parts(ctx)?;
        let id = self::account_id(&account_id, "accountId")?;
        Ok(service::catalog::sessions(s, who, id)
            .await?
            .into_iter()
            .map(SessionNode)
            .collect())
    }
}

/// Which draft an edit applies to.
#[derive(InputObject)]
pub struct CatalogDraftRef {
    /// The account's id.
    pub account_id: ID,
    /// The draft version you read (0 for a new model).
    pub version: i32,
}

/// The result of an edit.
#[derive(SimpleObject)]
pub struct CatalogDraftPayload {
    /// The draft as it is now.
    pub draft: DraftNode,
}

/// A new session.
#[derive(InputObject)]
pub struct ScheduleCatalogSessionInput {
    /// The account's id.
    pub account_id: ID,
    /// What it is about.
    pub title: String,
    /// When it is held.
    pub scheduled_at: DateTime<Utc>,
    /// The engagement phase it serves.
    pub phase_id: Option<ID>,
    /// Who runs it (a team member's id).
    pub facilitator_id: Option<ID>,
    /// The merchant's people in the room (contact ids).
    #[graphql(default)]
    pub attendee_ids: Vec<ID>,
}

/// A change to a session. Absent fields stay.
#[derive(InputObject)]
pub struct UpdateCatalogSessionInput {
    /// The session's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new status.
    pub status: Option<SessionStatus>,
    /// New notes.
    pub notes: Option<String>,
    /// The full new list of decisions.
    pub decisions: Option<Vec<DecisionValue>>,
    /// The full new list of attendees.
    pub attendee_ids: Option<Vec<ID>>,
}

/// The result of a session mutation.
#[derive(SimpleObject)]
pub struct CatalogSessionPayload {
    /// The session as it is now.
    pub session: SessionNode,
}

fn contact_ids(ids: &[ID]) -> ApiResult<Vec<ContactId>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            self::ids::decode(Kind::Contact, id, &format!("input.attendeeIds[{i}]")).map(ContactId)
        })
        .collect()
}

#[derive(Default)]
pub struct CatalogMutation;

async fn edit(
    ctx: &Context<'_>,
    draft: CatalogDraftRef,
    change: impl FnOnce(&mut CatalogModel) -> tandem_domain::DomainResult<String>,
) -> async_graphql::Result<CatalogDraftPayload> {
    let (s, who) = parts(ctx)?;
    let id = account_id(&draft.account_id, "input.draft.accountId")?;
    let d = service::catalog::edit(s, who, id, draft.version, change)
        .await
        .map_err(|e| e.under("input"))?;
    Ok(CatalogDraftPayload {
        draft: DraftNode::new(d),
    })
}

#[Object]
impl CatalogMutation {
    /// Adds a product type to the draft, or replaces the one with the same key. Needs SERVICES
    /// or ADMIN (as every catalog edit).
    async fn put_catalog_product_type(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        product_type: ProductTypeValue,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let t = ProductType {
            key: product_type.key,
            name: product_type.name,
            attributes: product_type
                .attributes
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        edit(ctx, draft, |m| m.put_product_type(t)).await
    }

    /// Removes a product type no product uses.
    async fn remove_catalog_product_type(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        key: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_product_type(&key)).await
    }

    /// Adds an option axis, or replaces the one with the same key.
    async fn put_catalog_axis(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        axis: AxisValue,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let a = OptionAxis {
            key: axis.key,
            name: axis.name,
            values: axis.values,
        };
        edit(ctx, draft, |m| m.put_axis(a)).await
    }

    /// Removes an axis no product varies on.
    async fn remove_catalog_axis(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        key: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_axis(&key)).await
    }

    /// Adds up to 1,000 products at once, replacing those with the same keys; all or nothing.
    async fn put_catalog_products(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        products: Vec<ProductInput>,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let products: Vec<Product> = products.into_iter().map(Into::into).collect();
        edit(ctx, draft, |m| m.put_products(products)).await
    }

    /// Removes products by key.
    async fn remove_catalog_products(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        keys: Vec<String>,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_products(&keys)).await
    }

    /// Imports products from CSV (header row; columns key, name, productType, productLine, axes
    /// as `size|colour`, skuPattern, optional excluded as `size=L;colour=Gold|…` and `attr:<key>`
    /// columns). Every row is checked; nothing is imported unless all are good.
    async fn import_catalog_products_csv(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        csv: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.import_csv(&csv)).await
    }

    /// Renames an axis value everywhere it is used.
    async fn rename_catalog_axis_value(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        axis: String,
        from: String,
        to: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.rename_value(&axis, &from, &to)).await
    }

    /// Sets the target platform's limits (defaults 3 axes, 100 variants; up to 2,048 variants).
    async fn set_catalog_limits(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        max_axes: i32,
        max_variants: i32,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let limits = PlatformLimits {
            max_axes: max_axes.max(0) as u32,
            max_variants: max_variants.max(0) as u32,
        };
        edit(ctx, draft, |m| m.set_limits(limits)).await
    }

    /// Publishes the draft as the next numbered version; refused while it has validation errors.
    async fn publish_catalog_model(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
    ) -> async_graphql::Result<VersionNode> {
        let (s, who) = parts(ctx)?;
        let id = account_id(&draft.account_id, "draft.accountId")?;
        Ok(VersionNode::new(
            service::catalog::publish(s, who, id, draft.version).await?,
        ))
    }

    /// Schedules a catalog-modeling session.
    async fn schedule_catalog_session(
        &self,
        ctx: &Context<'_>,
        input: ScheduleCatalogSessionInput,
    ) -> async_graphql::Result<CatalogSessionPayload> {
        let (s, who) = parts(ctx)?;
        let id = account_id(&input.account_id, "input.accountId")?;
        let data = SessionData {
            title: input.title,
            phase_id: input
                .phase_id
                .map(|p| ids::decode(Kind::Phase, &p, "input.phaseId").map(PhaseId))
                .transpose()?,
            facilitator_id: input
                .facilitator_id
                .map(|f| ids::decode(Kind::TeamMember, &f, "input.facilitatorId").map(TeamMemberId))
                .transpose()?,
            scheduled_at: input.scheduled_at,
            attendees: contact_ids(&input.attendee_ids)?,
            notes: None,
            decisions: Vec::new(),
        };
        let session = service::catalog::schedule(s, who, id, data)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(CatalogSessionPayload {
            session: SessionNode(session),
        })
    }

    /// Changes a session: status (SCHEDULED → IN_PROGRESS → COMPLETED, or CANCELLED), notes,
    /// decisions, attendees.
    async fn update_catalog_session(
        &self,
        ctx: &Context<'_>,
        input: UpdateCatalogSessionInput,
    ) -> async_graphql::Result<CatalogSessionPayload> {
        let (s, who) = parts(ctx)?;
        let id = CatalogSessionId(ids::decode(Kind::CatalogSession, &input.id, "input.id")?);
        let attendees = input.attendee_ids.as_deref().map(contact_ids).transpose()?;
        let notes = input.notes;
        let decisions = input.decisions;
        let change = move |current: &CatalogSession| {
            let mut data = current.data.clone();
            if let Some(n) = notes {
                data.notes = Some(n);
            }
            if let Some(d) = decisions {
                data.decisions = d
                    .into_iter()
                    .map(|d| Decision {
                        what: d.what,
                        why: d.why,
                        by: d.by,
                    })
                    .collect();
            }
            if let Some(a) = attendees {
                data.attendees = a;
            }
            data.validate()
        };
        let session = service::catalog::update_session(
            s,
            who,
            id,
            input.version,
            change,
            input.status.map(Into::into),
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(CatalogSessionPayload {
            session: SessionNode(session),
        })
    }
}
