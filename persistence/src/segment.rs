//! Segments: saved filters over accounts, and the SQL that decides membership when read.

use chrono::{NaiveDate, Utc};
use sea_orm::Value;
use tandem_domain::ids::SegmentId;
use tandem_domain::segment::{Segment, SegmentFilter};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// A boolean SQL expression over the `accounts` table that holds for the accounts `filter`
/// selects on `today` (money and usage are as of that day). `TRUE` for an empty filter.
pub(crate) fn condition(filter: &SegmentFilter, today: NaiveDate) -> Sql {
    let mut sql = Sql::new("(1 = 1");
    fn list<V: Into<Value> + Clone>(sql: &mut Sql, column: &str, values: &[V]) {
        if !values.is_empty() {
            sql.push(" AND ")
                .push(column)
                .push(" IN ")
                .bind_list(values.iter().cloned());
        }
    }
    let strings = |v: &[String]| -> Vec<String> { v.to_vec() };
    list(
        &mut sql,
        "accounts.touch_tier",
        &filter
            .touch_tiers
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect::<Vec<_>>(),
    );
    list(
        &mut sql,
        "accounts.lifecycle_stage",
        &filter
            .lifecycle_stages
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect::<Vec<_>>(),
    );
    list(&mut sql, "accounts.industry", &strings(&filter.industries));
    list(&mut sql, "accounts.plan", &strings(&filter.plans));
    list(&mut sql, "accounts.region", &strings(&filter.regions));
    list(
        &mut sql,
        "accounts.company_size",
        &strings(&filter.company_sizes),
    );
    list(
        &mut sql,
        "accounts.owner_id",
        &filter.owner_ids.iter().map(|o| o.0).collect::<Vec<_>>(),
    );
    for tag in &filter.tags {
        sql.push(" AND accounts.id IN (SELECT account_id FROM account_tags WHERE tag = ")
            .bind(tag.as_str())
            .push(")");
    }
    if !filter.health_statuses.is_empty() {
        sql.push(" AND accounts.id IN (SELECT account_id FROM health_current WHERE status IN ")
            .bind_list(filter.health_statuses.iter().map(|s| s.as_str().to_owned()))
            .push(")");
    }
    if let Some(min) = filter.min_health_score {
        sql.push(" AND accounts.id IN (SELECT account_id FROM health_current WHERE score >= ")
            .bind(min)
            .push(")");
    }
    if let Some(max) = filter.max_health_score {
        sql.push(" AND accounts.id IN (SELECT account_id FROM health_current WHERE score <= ")
            .bind(max)
            .push(")");
    }
    for (bound, op) in [(filter.min_mrr_minor, ">="), (filter.max_mrr_minor, "<=")] {
        if let Some(v) = bound {
            sql.push(
                " AND COALESCE((SELECT SUM(r.amount_minor) FROM revenue_events r \
                 WHERE r.account_id = accounts.id AND r.effective_on <= ",
            )
            .bind(today)
            .push("), 0) ")
            .push(op)
            .push(" ")
            .bind(v);
        }
    }
    for (bound, op) in [
        (filter.min_active_days_30, ">="),
        (filter.max_active_days_30, "<="),
    ] {
        if let Some(v) = bound {
            sql.push(
                " AND (SELECT COUNT(DISTINCT u.day) FROM usage_daily u \
                 WHERE u.account_id = accounts.id AND u.day > ",
            )
            .bind(today - chrono::Duration::days(30))
            .push(" AND u.day <= ")
            .bind(today)
            .push(") ")
            .push(op)
            .push(" ")
            .bind(v);
        }
    }
    if let Some(text) = &filter.needs_text {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push(" AND LOWER(CAST(accounts.needs AS TEXT)) LIKE ")
            .bind(format!("%{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    sql.push(")");
    sql
}

const COLUMNS: &str = "id, name, description, CAST(filter AS TEXT) AS filter, version, created_at, updated_at, archived_at";

fn row(r: &sea_orm::QueryResult) -> PersistenceResult<Segment> {
    Ok(Segment {
        id: SegmentId(get(r, "id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        filter: serde_json::from_str(&get::<String>(r, "filter")?)
            .map_err(|e| corrupt("segment filter", e))?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        archived_at: get(r, "archived_at")?,
    })
}

fn filter_json(filter: &SegmentFilter) -> PersistenceResult<serde_json::Value> {
    serde_json::to_value(filter).map_err(|e| corrupt("segment filter", e))
}

/// Saves a new segment. Names are unique among live segments.
pub async fn create(
    store: &Store,
    name: String,
    description: Option<String>,
    filter: SegmentFilter,
) -> PersistenceResult<Segment> {
    let tx = store.begin_write().await?;
    ensure_unique_name(&tx, &name, None).await?;
    let now = Utc::now();
    let segment = Segment {
        id: SegmentId::new(),
        name,
        description,
        filter,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut q = Sql::new(
        "INSERT INTO segments (id, name, description, filter, version, created_at, updated_at) VALUES (",
    );
    q.bind(segment.id.0)
        .push(", ")
        .bind(segment.name.as_str())
        .push(", ")
        .bind(segment.description.clone())
        .push(", ")
        .bind(filter_json(&segment.filter)?)
        .push(", 1, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    tx.commit().await?;
    Ok(segment)
}

async fn ensure_unique_name(
    conn: &impl sea_orm::ConnectionTrait,
    name: &str,
    except: Option<SegmentId>,
) -> PersistenceResult<()> {
    let mut q = Sql::new("SELECT id FROM segments WHERE archived_at IS NULL AND LOWER(name) = ");
    q.bind(name.to_lowercase());
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id.0);
    }
    if !q.all(conn).await?.is_empty() {
        return Err(PersistenceError::Conflict(format!(
            "a segment named '{name}' already exists; pick another name"
        )));
    }
    Ok(())
}

/// Changes a segment still at `version`; `archive` archives it instead.
pub async fn update(
    store: &Store,
    id: SegmentId,
    version: i32,
    change: impl FnOnce(&Segment) -> tandem_domain::DomainResult<Segment>,
) -> PersistenceResult<Segment> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM segments WHERE id = "));
    q.bind(id.0);
    let rows = q.all(&tx).await?;
    let current = match rows.first() {
        Some(r) => row(r)?,
        None => {
            return Err(PersistenceError::NotFound {
                entity: "segment",
                id: id.to_string(),
            });
        }
    };
    if current.archived_at.is_some() {
        return Err(PersistenceError::Conflict(format!(
            "the segment '{}' is archived and can no longer change",
            current.name
        )));
    }
    versioned::check("segment", version, current.version)?;
    let next = change(&current)?;
    if next.archived_at.is_none() {
        ensure_unique_name(&tx, &next.name, Some(id)).await?;
    }
    let updated = Segment {
        version: version + 1,
        updated_at: Utc::now(),
        ..next
    };
    let mut q = Sql::new("UPDATE segments SET name = ");
    q.bind(updated.name.as_str())
        .push(", description = ")
        .bind(updated.description.clone())
        .push(", filter = ")
        .bind(filter_json(&updated.filter)?)
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(updated.updated_at)
        .push(", archived_at = ")
        .bind(updated.archived_at)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "segment").await?;
    tx.commit().await?;
    Ok(updated)
}

/// The segments with these ids, archived or not.
pub async fn by_ids(store: &Store, ids: &[SegmentId]) -> PersistenceResult<Vec<Segment>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM segments WHERE id IN "));
        q.bind_list(chunk.iter().map(|s| s.0));
        for r in q.all(store.conn()).await? {
            out.push(row(&r)?);
        }
    }
    Ok(out)
}

/// One segment by id.
pub async fn get_one(store: &Store, id: SegmentId) -> PersistenceResult<Option<Segment>> {
    Ok(by_ids(store, &[id]).await?.into_iter().next())
}

/// Every live segment, by name.
pub async fn list(store: &Store) -> PersistenceResult<Vec<Segment>> {
    let q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM segments WHERE archived_at IS NULL ORDER BY LOWER(name), id"
    ));
    q.all(store.conn()).await?.iter().map(row).collect()
}
