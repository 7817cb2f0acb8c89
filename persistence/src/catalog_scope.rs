//! Catalog scopes of phases and the account's products marked migrated.
//!
//! A scope points at one published catalog-model version and names the parts of it the phase
//! moves; it keeps pointing there until it is moved on explicitly ([`move_to`]), however many
//! versions are published after it. Reads answer for a batch of phases or accounts in one
//! statement per chunk; writes run in one transaction with their account-change event.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde_json::Value;
use tandem_domain::catalog::scope::{self, CatalogScope, MigrationMark, PhaseCatalogScope};
use tandem_domain::catalog::{CatalogModel, PublishedVersion};
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, CatalogVersionId, PhaseId};
use tandem_domain::{DomainError, DomainResult};
use uuid::Uuid;

use crate::error::corrupt;
use crate::event::record;
use crate::sql::MAX_IN_LIST;
use crate::sql::{Sql, all_in_chunks, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

const SCOPE_COLUMNS: &str = "s.phase_id AS phase_id, v.account_id AS account_id, \
     s.catalog_version_id AS catalog_version_id, v.number AS number, \
     s.product_lines AS product_lines, s.product_types AS product_types, \
     s.products AS products, s.version AS version, s.updated_at AS updated_at";

fn names(r: &QueryResult, column: &str) -> PersistenceResult<Vec<String>> {
    serde_json::from_value(get::<Value>(r, column)?).map_err(|e| corrupt("catalog scope", e))
}

fn scope_row(r: &QueryResult) -> PersistenceResult<PhaseCatalogScope> {
    Ok(PhaseCatalogScope {
        phase_id: PhaseId(get(r, "phase_id")?),
        account_id: AccountId(get(r, "account_id")?),
        catalog_version_id: CatalogVersionId(get(r, "catalog_version_id")?),
        catalog_version_number: get(r, "number")?,
        scope: CatalogScope {
            product_lines: names(r, "product_lines")?,
            product_types: names(r, "product_types")?,
            products: names(r, "products")?,
        },
        version: get(r, "version")?,
        updated_at: get(r, "updated_at")?,
    })
}

async fn load_scopes<C: ConnectionTrait>(
    conn: &C,
    phases: &[PhaseId],
) -> PersistenceResult<HashMap<PhaseId, PhaseCatalogScope>> {
    let rows = all_in_chunks(conn, phases, |chunk| {
        let mut q = Sql::new(&format!(
            "SELECT {SCOPE_COLUMNS} FROM phase_catalog_scopes s \
             JOIN catalog_versions v ON v.id = s.catalog_version_id WHERE s.phase_id IN "
        ));
        q.bind_list(chunk.iter().map(|p| p.0));
        q
    })
    .await?;
    rows.iter()
        .map(|r| scope_row(r).map(|s| (s.phase_id, s)))
        .collect()
}

/// The catalog scope of each of these phases that has one: one query per chunk.
pub async fn of_phases(
    store: &Store,
    phases: &[PhaseId],
) -> PersistenceResult<HashMap<PhaseId, PhaseCatalogScope>> {
    load_scopes(store.conn(), phases).await
}

/// The scopes of each account's PLANNED or IN_PROGRESS phases, by phase id: the phases a newly
/// published version may affect. One query per chunk of accounts.
pub async fn open_of_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<PhaseCatalogScope>>> {
    let rows = all_in_chunks(store.conn(), accounts, |chunk| {
        let mut q = Sql::new(&format!(
            "SELECT {SCOPE_COLUMNS} FROM phase_catalog_scopes s \
             JOIN catalog_versions v ON v.id = s.catalog_version_id \
             JOIN phases p ON p.id = s.phase_id \
             WHERE p.status IN ('PLANNED', 'IN_PROGRESS') AND v.account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(" ORDER BY s.phase_id");
        q
    })
    .await?;
    let mut out: HashMap<AccountId, Vec<PhaseCatalogScope>> = HashMap::new();
    for r in &rows {
        let s = scope_row(r)?;
        out.entry(s.account_id).or_default().push(s);
    }
    Ok(out)
}

const VERSION_COLUMNS: &str = "id, account_id, number, model, published_by, published_at";

fn version_row(r: &QueryResult) -> PersistenceResult<PublishedVersion> {
    Ok(PublishedVersion {
        id: CatalogVersionId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        number: get(r, "number")?,
        model: serde_json::from_value::<CatalogModel>(get(r, "model")?)
            .map_err(|e| corrupt("catalog model", e))?,
        published_by: get(r, "published_by")?,
        published_at: get(r, "published_at")?,
    })
}

async fn load_versions<C: ConnectionTrait>(
    conn: &C,
    ids: &[CatalogVersionId],
) -> PersistenceResult<HashMap<CatalogVersionId, PublishedVersion>> {
    let rows = all_in_chunks(conn, ids, |chunk| {
        let mut q = Sql::new(&format!(
            "SELECT {VERSION_COLUMNS} FROM catalog_versions WHERE id IN "
        ));
        q.bind_list(chunk.iter().map(|v| v.0));
        q
    })
    .await?;
    rows.iter()
        .map(|r| version_row(r).map(|v| (v.id, v)))
        .collect()
}

/// Published versions by id, each with its whole model: one query per chunk.
pub async fn versions_by_ids(
    store: &Store,
    ids: &[CatalogVersionId],
) -> PersistenceResult<HashMap<CatalogVersionId, PublishedVersion>> {
    load_versions(store.conn(), ids).await
}

/// The id and number of each account's latest published version, without its model: one
/// query per chunk. Accounts without one are absent.
pub async fn latest_versions(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, (CatalogVersionId, i32)>> {
    let rows = all_in_chunks(store.conn(), accounts, |chunk| {
        let mut q = Sql::new(
            "SELECT v.account_id AS account_id, v.id AS id, v.number AS number \
             FROM catalog_versions v WHERE v.number = (SELECT MAX(w.number) \
             FROM catalog_versions w WHERE w.account_id = v.account_id) AND v.account_id IN ",
        );
        q.bind_list(chunk.iter().map(|a| a.0));
        q
    })
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                AccountId(get(r, "account_id")?),
                (CatalogVersionId(get(r, "id")?), get(r, "number")?),
            ))
        })
        .collect()
}

/// Each account's products marked migrated, by product key: one query per chunk.
pub async fn migrated_of_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, HashMap<String, MigrationMark>>> {
    let rows = all_in_chunks(store.conn(), accounts, |chunk| {
        let mut q = Sql::new(
            "SELECT account_id, product_key, migrated_at, migrated_by FROM product_migrations \
             WHERE account_id IN ",
        );
        q.bind_list(chunk.iter().map(|a| a.0));
        q
    })
    .await?;
    let mut out: HashMap<AccountId, HashMap<String, MigrationMark>> = HashMap::new();
    for r in &rows {
        out.entry(AccountId(get(r, "account_id")?))
            .or_default()
            .insert(
                get(r, "product_key")?,
                MigrationMark {
                    migrated_at: get(r, "migrated_at")?,
                    migrated_by: get(r, "migrated_by")?,
                },
            );
    }
    Ok(out)
}

/// The account of a phase's engagement, or NOT_FOUND.
async fn phase_account(tx: &DatabaseTransaction, phase: PhaseId) -> PersistenceResult<AccountId> {
    let mut q = Sql::new(
        "SELECT e.account_id AS account_id FROM phases p \
         JOIN engagements e ON e.id = p.engagement_id WHERE p.id = ",
    );
    q.bind(phase.0);
    match q.all(tx).await?.first() {
        Some(r) => Ok(AccountId(get(r, "account_id")?)),
        None => Err(PersistenceError::NotFound {
            entity: "phase",
            id: phase.to_string(),
        }),
    }
}

/// A published version of `account`: NOT_FOUND when no version has the id, an input error on
/// `field` when it belongs to another account.
async fn version_of(
    tx: &DatabaseTransaction,
    account: AccountId,
    id: CatalogVersionId,
    field: &str,
) -> PersistenceResult<PublishedVersion> {
    let version =
        load_versions(tx, &[id])
            .await?
            .remove(&id)
            .ok_or_else(|| PersistenceError::NotFound {
                entity: "catalog version",
                id: id.to_string(),
            })?;
    if version.account_id != account {
        return Err(DomainError::invalid(
            field,
            "is a catalog version of another account; pick a published version of the phase's own account",
        )
        .into());
    }
    Ok(version)
}

/// What the event of a scope change shows of a scope: all null once cleared.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot<'a> {
    catalog_version_id: Option<Uuid>,
    catalog_version_number: Option<i32>,
    product_lines: Option<&'a [String]>,
    product_types: Option<&'a [String]>,
    products: Option<&'a [String]>,
}

fn snapshot(s: Option<&PhaseCatalogScope>) -> Snapshot<'_> {
    Snapshot {
        catalog_version_id: s.map(|s| s.catalog_version_id.0),
        catalog_version_number: s.map(|s| s.catalog_version_number),
        product_lines: s.map(|s| s.scope.product_lines.as_slice()),
        product_types: s.map(|s| s.scope.product_types.as_slice()),
        products: s.map(|s| s.scope.products.as_slice()),
    }
}

fn list(names: &[String]) -> PersistenceResult<Value> {
    serde_json::to_value(names).map_err(|e| corrupt("catalog scope", e))
}

/// Writes `next` over the stored scope read at `read` (`None`: there is none yet), guarded by
/// the version in the statement itself, and records `CATALOG_SCOPE_CHANGED`.
async fn write(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    before: Option<&PhaseCatalogScope>,
    next: &PhaseCatalogScope,
) -> PersistenceResult<()> {
    let s = &next.scope;
    match before {
        None => {
            let mut q = Sql::new(
                "INSERT INTO phase_catalog_scopes (phase_id, catalog_version_id, product_lines, \
                 product_types, products, version, created_at, updated_at) VALUES (",
            );
            q.bind(next.phase_id.0)
                .push(", ")
                .bind(next.catalog_version_id.0)
                .push(", ")
                .bind(list(&s.product_lines)?)
                .push(", ")
                .bind(list(&s.product_types)?)
                .push(", ")
                .bind(list(&s.products)?)
                .push(", ")
                .bind(next.version)
                .push(", ")
                .bind(next.updated_at)
                .push(", ")
                .bind(next.updated_at)
                .push(")");
            q.execute(tx).await?;
        }
        Some(b) => {
            let mut q = Sql::new("UPDATE phase_catalog_scopes SET catalog_version_id = ");
            q.bind(next.catalog_version_id.0)
                .push(", product_lines = ")
                .bind(list(&s.product_lines)?)
                .push(", product_types = ")
                .bind(list(&s.product_types)?)
                .push(", products = ")
                .bind(list(&s.products)?)
                .push(", version = ")
                .bind(next.version)
                .push(", updated_at = ")
                .bind(next.updated_at)
                .push(" WHERE phase_id = ")
                .bind(next.phase_id.0);
            versioned::save_sql(tx, q, b.version, "phase catalog scope").await?;
        }
    }
    let changes = event::diff(&snapshot(before), &snapshot(Some(next)));
    record(
        store,
        tx,
        actor,
        next.account_id,
        SubjectKind::Phase,
        next.phase_id.0,
        EventKind::CatalogScopeChanged,
        changes,
    )
    .await?;
    Ok(())
}

/// Scopes a phase to the parts of a published version of its own account named in `scope`,
/// replacing the scope it has (read at `expected_version`; 0 when it has none); records
/// `CATALOG_SCOPE_CHANGED`. Input errors name `catalogVersionId` or the part as typed
/// (`products[2]`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set(
    store: &Store,
    actor: &str,
    phase: PhaseId,
    expected_version: i32,
    catalog_version: CatalogVersionId,
    scope: &CatalogScope,
) -> PersistenceResult<PhaseCatalogScope> {
    let tx = store.begin_write().await?;
    let account = phase_account(&tx, phase).await?;
    let current = load_scopes(&tx, &[phase]).await?.remove(&phase);
    versioned::check(
        "phase catalog scope",
        expected_version,
        current.as_ref().map_or(0, |c| c.version),
    )?;
    let version = version_of(&tx, account, catalog_version, "catalogVersionId").await?;
    let checked = scope::validate(scope, &version.model, version.number)?;
    let next = PhaseCatalogScope {
        phase_id: phase,
        account_id: account,
        catalog_version_id: version.id,
        catalog_version_number: version.number,
        scope: checked,
        version: expected_version + 1,
        updated_at: Utc::now(),
    };
    if let Some(c) = &current
        && c.catalog_version_id == next.catalog_version_id
        && c.scope == next.scope
    {
        return Ok(c.clone());
    }
    write(store, &tx, actor, current.as_ref(), &next).await?;
    tx.commit().await?;
    Ok(next)
}

/// Moves a phase's scope (read at `expected_version`) onto `catalog_version`, a newer version
/// of the same account that still has every part the scope names; records
/// `CATALOG_SCOPE_CHANGED`. A scope never moves on by itself.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn move_to(
    store: &Store,
    actor: &str,
    phase: PhaseId,
    expected_version: i32,
    catalog_version: CatalogVersionId,
) -> PersistenceResult<PhaseCatalogScope> {
    let tx = store.begin_write().await?;
    let account = phase_account(&tx, phase).await?;
    let current = load_scopes(&tx, &[phase])
        .await?
        .remove(&phase)
        .ok_or_else(|| {
            PersistenceError::Conflict(
                "the phase has no catalog scope to move; set one with setPhaseCatalogScope".into(),
            )
        })?;
    versioned::check("phase catalog scope", expected_version, current.version)?;
    let version = version_of(&tx, account, catalog_version, "catalogVersionId").await?;
    if version.number <= current.catalog_version_number {
        return Err(DomainError::invalid(
            "catalogVersionId",
            format!(
                "is version {}; the scope is on version {} and moves only onto a newer one",
                version.number, current.catalog_version_number
            ),
        )
        .into());
    }
    if let Some(missing) = scope::missing_in(&current.scope, &version.model, version.number) {
        return Err(PersistenceError::Conflict(format!(
            "{missing}; set the scope anew on that version with setPhaseCatalogScope"
        )));
    }
    let next = PhaseCatalogScope {
        catalog_version_id: version.id,
        catalog_version_number: version.number,
        version: current.version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    write(store, &tx, actor, Some(&current), &next).await?;
    tx.commit().await?;
    Ok(next)
}

/// Takes a phase's catalog scope away (read at `expected_version`); records
/// `CATALOG_SCOPE_CHANGED` with every field going to null. Clearing a phase without a scope
/// changes nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn clear(
    store: &Store,
    actor: &str,
    phase: PhaseId,
    expected_version: i32,
) -> PersistenceResult<()> {
    let tx = store.begin_write().await?;
    phase_account(&tx, phase).await?;
    let current = load_scopes(&tx, &[phase]).await?.remove(&phase);
    versioned::check(
        "phase catalog scope",
        expected_version,
        current.as_ref().map_or(0, |c| c.version),
    )?;
    let Some(current) = current else {
        return Ok(());
    };
    let mut q = Sql::new("DELETE FROM phase_catalog_scopes WHERE phase_id = ");
    q.bind(phase.0);
    versioned::save_sql(&tx, q, current.version, "phase catalog scope").await?;
    record(
        store,
        &tx,
        actor,
        current.account_id,
        SubjectKind::Phase,
        phase.0,
        EventKind::CatalogScopeChanged,
        event::diff(&snapshot(Some(&current)), &snapshot(None)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses the first of `given` (as typed) that no published version of the account has,
/// naming it `productKeys[i]`.
fn check_known(given: &[String], known: &HashSet<String>) -> DomainResult<()> {
    match given.iter().position(|k| !known.contains(k.trim())) {
        None => Ok(()),
        Some(i) => Err(DomainError::invalid(
            format!("productKeys[{i}]"),
            format!(
                "no published catalog version of the account has a product '{}'",
                given[i].trim()
            ),
        )),
    }
}

/// Marks products of an active account migrated to the target platform (`migrated`), or takes
/// the mark back; each key must be a product of one of the account's published versions.
/// Returns the keys whose mark changed, sorted, and records `PRODUCTS_MIGRATED` when there are
/// any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_migrated(
    store: &Store,
    actor: &str,
    account: AccountId,
    given: &[String],
    migrated: bool,
) -> PersistenceResult<Vec<String>> {
    let keys = scope::product_keys("productKeys", given)?;
    let tx = store.begin_write().await?;
    crate::account::ensure_exists(&tx, account)
        .await?
        .ensure_active()?;
    let mut q = Sql::new("SELECT model FROM catalog_versions WHERE account_id = ");
    q.bind(account.0);
    let mut known = HashSet::new();
    for r in q.all(&tx).await? {
        let model: CatalogModel =
            serde_json::from_value(get(&r, "model")?).map_err(|e| corrupt("catalog model", e))?;
        known.extend(model.products.into_iter().map(|p| p.key));
    }
    check_known(given, &known)?;
    let mut q = Sql::new("SELECT product_key FROM product_migrations WHERE account_id = ");
    q.bind(account.0)
        .push(" AND product_key IN ")
        .bind_list(keys.iter().map(String::as_str));
    let mut marked = HashSet::new();
    for r in q.all(&tx).await? {
        marked.insert(get::<String>(&r, "product_key")?);
    }
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|k| marked.contains(k) != migrated)
        .collect();
    if changed.is_empty() {
        return Ok(changed);
    }
    let now = Utc::now();
    for chunk in changed.chunks(MAX_IN_LIST) {
        let q = if migrated {
            let mut q = Sql::new(
                "INSERT INTO product_migrations (account_id, product_key, migrated_at, \
                 migrated_by) VALUES ",
            );
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push("(")
                    .bind(account.0)
                    .push(", ")
                    .bind(k.as_str())
                    .push(", ")
                    .bind(now)
                    .push(", ")
                    .bind(actor)
                    .push(")");
            }
            q
        } else {
            let mut q = Sql::new("DELETE FROM product_migrations WHERE account_id = ");
            q.bind(account.0)
                .push(" AND product_key IN ")
                .bind_list(chunk.iter().map(String::as_str));
            q
        };
        q.execute(&tx).await?;
    }
    record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::CatalogModel,
        account.0,
        EventKind::ProductsMigrated,
        vec![
            FieldChange::set("productKeys", &changed),
            FieldChange::new("migrated", !migrated, migrated),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}
