//! Engagement templates: storing them, and making an engagement from one — the engagement, its
//! phases, their dependencies and their events in one transaction.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use tandem_domain::DomainResult;
use tandem_domain::engagement::{Engagement, EngagementData, Phase, TemplateRef};
use tandem_domain::ids::{AccountId, PhaseId, TemplateId};
use tandem_domain::template::{PlannedPhase, Template, TemplateData};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, engagement, versioned};

const COLUMNS: &str =
    "id, name, kind, description, phases, version, archived_at, created_at, updated_at";

fn template(r: &QueryResult) -> PersistenceResult<Template> {
    let kind: String = get(r, "kind")?;
    Ok(Template {
        id: TemplateId(get(r, "id")?),
        data: TemplateData {
            name: get(r, "name")?,
            kind: kind.parse().map_err(|e| corrupt("template kind", e))?,
            description: get(r, "description")?,
            phases: serde_json::from_value(get(r, "phases")?)
                .map_err(|e| corrupt("template phases", e))?,
        },
        version: get(r, "version")?,
        archived_at: get(r, "archived_at")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

fn phases_json(data: &TemplateData) -> PersistenceResult<serde_json::Value> {
    serde_json::to_value(&data.phases).map_err(|e| corrupt("template phases", e))
}

/// The key names are compared by: case and surrounding space do not make a new name.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The templates, by name; archived ones too when `include_archived`.
pub async fn list(store: &Store, include_archived: bool) -> PersistenceResult<Vec<Template>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM engagement_templates"));
    if !include_archived {
        q.push(" WHERE archived_at IS NULL");
    }
    q.push(" ORDER BY name_key, id");
    q.all(store.conn()).await?.iter().map(template).collect()
}

/// The templates with these ids that exist, archived or not.
pub async fn by_ids(store: &Store, ids: &[TemplateId]) -> PersistenceResult<Vec<Template>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM engagement_templates WHERE id IN "
        ));
        q.bind_list(chunk.iter().map(|t| t.0));
        for r in q.all(store.conn()).await? {
            out.push(template(&r)?);
        }
    }
    Ok(out)
}

/// One template, archived or not.
pub async fn get_one(store: &Store, id: TemplateId) -> PersistenceResult<Option<Template>> {
    one(store.conn(), id).await
}

async fn one(conn: &impl ConnectionTrait, id: TemplateId) -> PersistenceResult<Option<Template>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM engagement_templates WHERE id = "
    ));
    q.bind(id.0);
    q.all(conn).await?.first().map(template).transpose()
}

async fn load(conn: &impl ConnectionTrait, id: TemplateId) -> PersistenceResult<Template> {
    one(conn, id)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "engagement template",
            id: id.to_string(),
        })
}

/// Refuses a name that a template in use (other than `except`) has already.
async fn ensure_name_free(
    tx: &DatabaseTransaction,
    name: &str,
    except: Option<TemplateId>,
) -> PersistenceResult<()> {
    let mut q =
        Sql::new("SELECT id FROM engagement_templates WHERE archived_at IS NULL AND name_key = ");
    q.bind(name_key(name));
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id.0);
    }
    if !q.all(tx).await?.is_empty() {
        return Err(PersistenceError::Conflict(format!(
            "a template named '{name}' exists already; choose another name or archive that one"
        )));
    }
    Ok(())
}

/// Stores a new template.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(store: &Store, data: TemplateData) -> PersistenceResult<Template> {
    let tx = store.begin_write().await?;
    ensure_name_free(&tx, &data.name, None).await?;
    let now = Utc::now();
    let t = Template {
        id: TemplateId::new(),
        data,
        version: 1,
        archived_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut q = Sql::new(
        "INSERT INTO engagement_templates (id, name, name_key, kind, description, phases, \
         version, archived_at, created_at, updated_at) VALUES (",
    );
    q.bind(t.id.0)
        .push(", ")
        .bind(t.data.name.as_str())
        .push(", ")
        .bind(name_key(&t.data.name))
        .push(", ")
        .bind(t.data.kind.as_str())
        .push(", ")
        .bind(t.data.description.clone())
        .push(", ")
        .bind(phases_json(&t.data)?)
        .push(", 1, NULL, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    tx.commit().await?;
    Ok(t)
}

/// Applies `change` to a template still at `version`; `archive` also archives it (at `now`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    id: TemplateId,
    version: i32,
    archive: bool,
    change: impl FnOnce(&Template) -> DomainResult<TemplateData>,
) -> PersistenceResult<Template> {
    let tx = store.begin_write().await?;
    let current = load(&tx, id).await?;
    versioned::check("engagement template", version, current.version)?;
    let data = change(&current)?;
    if data == current.data && !archive {
        return Ok(current);
    }
    if !archive && data.name != current.data.name {
        ensure_name_free(&tx, &data.name, Some(id)).await?;
    }
    let now = Utc::now();
    let updated = Template {
        data,
        version: version + 1,
        archived_at: if archive { Some(now) } else { None },
        updated_at: now,
        ..current
    };
    let mut q = Sql::new("UPDATE engagement_templates SET name = ");
    q.bind(updated.data.name.as_str())
        .push(", name_key = ")
        .bind(name_key(&updated.data.name))
        .push(", kind = ")
        .bind(updated.data.kind.as_str())
        .push(", description = ")
        .bind(updated.data.description.clone())
        .push(", phases = ")
        .bind(phases_json(&updated.data)?)
        .push(", version = ")
        .bind(updated.version)
        .push(", archived_at = ")
        .bind(updated.archived_at)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "engagement template").await?;
    tx.commit().await?;
    Ok(updated)
}

/// Makes an engagement on `account` from template `id` in one transaction: `plan` turns the
/// template into the engagement's fields and its phases; each phase is then added as `addPhase`
/// adds one (same checks, same `PHASE_CREATED` event) after `ENGAGEMENT_CREATED`. Nothing is
/// written when any step fails.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn instantiate(
    store: &Store,
    actor: &str,
    id: TemplateId,
    account: AccountId,
    plan: impl FnOnce(&Template) -> DomainResult<(EngagementData, Vec<PlannedPhase>)>,
) -> PersistenceResult<(Engagement, Vec<Phase>)> {
    let tx = store.begin_write().await?;
    let t = load(&tx, id).await?;
    t.ensure_active()?;
    let (data, planned) = plan(&t)?;
    let source = TemplateRef {
        id: t.id,
        version: t.version,
    };
    let e = engagement::create_in(store, &tx, actor, account, data, Some(source)).await?;
    let mut phases: Vec<Phase> = Vec::with_capacity(planned.len());
    let mut ids: HashMap<usize, PhaseId> = HashMap::new();
    for (index, p) in planned.into_iter().enumerate() {
        let depends_on = p
            .depends_on
            .iter()
            .map(|i| {
                ids.get(i).copied().ok_or_else(|| {
                    corrupt(
                        "template",
                        format!("phase {index} depends on a later phase {i}"),
                    )
                })
            })
            .collect::<PersistenceResult<Vec<_>>>()?;
        let created =
            engagement::phase::create_in(store, &tx, actor, &e, p.data, depends_on).await?;
        ids.insert(index, created.id);
        phases.push(created);
    }
    tx.commit().await?;
    Ok((e, phases))
}
