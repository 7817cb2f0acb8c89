//! An account's draft and its published versions as the API shows them, and what changed
//! between two versions.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::catalog::{Draft, PublishedVersion, diff};

use super::model::ModelView;
use crate::graphql::catalog_scope::AffectedPhase;
use crate::graphql::ids::{self, Kind};

/// An account's working model.
pub(super) struct DraftNode(Draft, ModelView);

impl DraftNode {
    pub(super) fn new(d: Draft) -> Self {
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
    ) -> async_graphql::Result<Vec<AffectedPhase>> {
        Ok(AffectedPhase::of_version(ctx, &self.0).await?)
    }
}

/// Differences of one kind of element.
#[derive(SimpleObject)]
#[graphql(name = "CatalogChanges")]
pub(super) struct ChangesValue {
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
pub(super) struct DiffValue {
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

/// The API's view of one kind of element's differences.
pub(super) fn changes(c: diff::Changes) -> ChangesValue {
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
