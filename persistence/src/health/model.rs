//! Health models: named, versioned definitions, one live model per scope (a touch tier, a
//! segment, or none), each version kept so that scores name the definition they came from.

use chrono::Utc;
use tandem_domain::account::TouchTier;
use tandem_domain::health::{HealthModel, HealthModelDef};
use tandem_domain::ids::{HealthModelId, SegmentId};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

const MODEL_COLUMNS: &str = "id, touch_tier, segment_id, version, CAST(definition AS TEXT) AS definition, created_at, updated_at, archived_at";

fn model_row(r: &sea_orm::QueryResult) -> PersistenceResult<HealthModel> {
    Ok(HealthModel {
        id: HealthModelId(get(r, "id")?),
        def: serde_json::from_str(&get::<String>(r, "definition")?)
            .map_err(|e| corrupt("health model", e))?,
        touch_tier: get::<Option<String>>(r, "touch_tier")?
            .map(|t| t.parse().map_err(|e| corrupt("touch tier", e)))
            .transpose()?,
        segment_id: get::<Option<Uuid>>(r, "segment_id")?.map(SegmentId),
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        archived_at: get(r, "archived_at")?,
    })
}

/// Every model, live ones first, oldest first.
pub async fn models(store: &Store, include_archived: bool) -> PersistenceResult<Vec<HealthModel>> {
    let mut q = Sql::new(&format!("SELECT {MODEL_COLUMNS} FROM health_models"));
    if !include_archived {
        q.push(" WHERE archived_at IS NULL");
    }
    q.push(" ORDER BY CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, created_at, id");
    q.all(store.conn()).await?.iter().map(model_row).collect()
}

/// A model's definition at one of its versions.
pub async fn model_version(
    store: &Store,
    id: HealthModelId,
    version: i32,
) -> PersistenceResult<Option<HealthModelDef>> {
    let mut q = Sql::new(
        "SELECT CAST(definition AS TEXT) AS definition FROM health_model_versions WHERE model_id = ",
    );
    q.bind(id.0).push(" AND version = ").bind(version);
    q.all(store.conn())
        .await?
        .first()
        .map(|r| {
            serde_json::from_str(&get::<String>(r, "definition")?)
                .map_err(|e| corrupt("health model", e))
        })
        .transpose()
}

async fn ensure_free_scope(
    conn: &impl sea_orm::ConnectionTrait,
    touch_tier: Option<TouchTier>,
    segment: Option<SegmentId>,
    except: Option<HealthModelId>,
) -> PersistenceResult<()> {
    let mut q = Sql::new("SELECT id FROM health_models WHERE archived_at IS NULL");
    match touch_tier {
        Some(t) => q.push(" AND touch_tier = ").bind(t.as_str()),
        None => q.push(" AND touch_tier IS NULL"),
    };
    match segment {
        Some(s) => q.push(" AND segment_id = ").bind(s.0),
        None => q.push(" AND segment_id IS NULL"),
    };
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id.0);
    }
    if !q.all(conn).await?.is_empty() {
        let scope = match (touch_tier, segment) {
            (Some(t), _) => format!("the {t} touch tier"),
            (None, Some(_)) => "that segment".to_owned(),
            (None, None) => "every account (the default model)".to_owned(),
        };
        return Err(PersistenceError::Conflict(format!(
            "a live health model already scores {scope}; change it, or archive it first"
        )));
    }
    if let Some(s) = segment {
        let mut q = Sql::new("SELECT id FROM segments WHERE archived_at IS NULL AND id = ");
        q.bind(s.0);
        if q.all(conn).await?.is_empty() {
            return Err(PersistenceError::NotFound {
                entity: "segment",
                id: s.to_string(),
            });
        }
    }
    Ok(())
}

async fn save_version(
    conn: &impl sea_orm::ConnectionTrait,
    actor: &str,
    model: &HealthModel,
) -> PersistenceResult<()> {
    let json = serde_json::to_value(&model.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new(
        "INSERT INTO health_model_versions (model_id, version, definition, created_by, created_at) VALUES (",
    );
    q.bind(model.id.0)
        .push(", ")
        .bind(model.version)
        .push(", ")
        .bind(json)
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(model.updated_at)
        .push(")");
    q.execute(conn).await?;
    Ok(())
}

/// Creates a model, optionally scoped to a touch tier or a segment (one live model per scope).
pub async fn create_model(
    store: &Store,
    actor: &str,
    def: HealthModelDef,
    touch_tier: Option<TouchTier>,
    segment_id: Option<SegmentId>,
) -> PersistenceResult<HealthModel> {
    if touch_tier.is_some() && segment_id.is_some() {
        return Err(PersistenceError::Domain(
            tandem_domain::DomainError::invalid(
                "segmentId",
                "a model is scoped to a touch tier or to a segment, not both",
            ),
        ));
    }
    let tx = store.begin_write().await?;
    ensure_free_scope(&tx, touch_tier, segment_id, None).await?;
    let now = Utc::now();
    let model = HealthModel {
        id: HealthModelId::new(),
        def,
        touch_tier,
        segment_id,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let json = serde_json::to_value(&model.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new(
        "INSERT INTO health_models (id, name, touch_tier, segment_id, version, definition, created_at, updated_at) VALUES (",
    );
    q.bind(model.id.0)
        .push(", ")
        .bind(model.def.name.as_str())
        .push(", ")
        .bind(touch_tier.map(|t| t.as_str().to_owned()))
        .push(", ")
        .bind(segment_id.map(|s| s.0))
        .push(", 1, ")
        .bind(json)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    save_version(&tx, actor, &model).await?;
    tx.commit().await?;
    Ok(model)
}

/// Gives a model still at `version` a new definition (its next version; earlier scores keep
/// naming the version they came from), or archives it.
pub async fn update_model(
    store: &Store,
    actor: &str,
    id: HealthModelId,
    version: i32,
    def: Option<HealthModelDef>,
    archive: bool,
) -> PersistenceResult<HealthModel> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!(
        "SELECT {MODEL_COLUMNS} FROM health_models WHERE id = "
    ));
    q.bind(id.0);
    let rows = q.all(&tx).await?;
    let current = match rows.first() {
        Some(r) => model_row(r)?,
        None => {
            return Err(PersistenceError::NotFound {
                entity: "health model",
                id: id.to_string(),
            });
        }
    };
    if current.archived_at.is_some() {
        return Err(PersistenceError::Conflict(
            "the health model is archived and can no longer change".to_owned(),
        ));
    }
    versioned::check("health model", version, current.version)?;
    let now = Utc::now();
    let mut next = current.clone();
    if archive {
        next.archived_at = Some(now);
    }
    if let Some(def) = def
        && def != current.def
    {
        next.def = def;
        next.version = version + 1;
        next.updated_at = now;
        save_version(&tx, actor, &next).await?;
    }
    if next == current {
        return Ok(current);
    }
    let json = serde_json::to_value(&next.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new("UPDATE health_models SET name = ");
    q.bind(next.def.name.as_str())
        .push(", definition = ")
        .bind(json)
        .push(", version = ")
        .bind(next.version)
        .push(", updated_at = ")
        .bind(now)
        .push(", archived_at = ")
        .bind(next.archived_at)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "health model").await?;
    tx.commit().await?;
    Ok(next)
}
