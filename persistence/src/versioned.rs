//! Optimistic concurrency, shared by every mutable object: a write names the version it read,
//! and storage refuses it when the stored version has moved on.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::sql::Sql;
use crate::{PersistenceError, PersistenceResult};

/// Refuses a change computed from version `read` of an object now at `current`.
pub(crate) fn check(entity: &'static str, read: i32, current: i32) -> PersistenceResult<()> {
    if read != current {
        return Err(PersistenceError::Stale {
            entity,
            read,
            current,
        });
    }
    Ok(())
}

/// Refuses a change computed from version `read` of an object no longer where the change looks
/// for it (the renewal in play, since decided): storage holds none there, which counts as
/// version 0, as for an object not yet made.
pub(crate) fn gone(entity: &'static str, read: i32) -> PersistenceError {
    PersistenceError::Stale {
        entity,
        read,
        current: 0,
    }
}

/// The object `found` under `id`, read for a change computed from its version `read`: refused
/// when it is missing or has moved on.
pub(crate) fn read<T>(
    found: Option<T>,
    entity: &'static str,
    id: impl ToString,
    read: i32,
    version: impl FnOnce(&T) -> i32,
) -> PersistenceResult<T> {
    let current = found.ok_or_else(|| PersistenceError::NotFound {
        entity,
        id: id.to_string(),
    })?;
    check(entity, read, version(&current))?;
    Ok(current)
}

/// Writes `row` over the stored row `id` only if that row is still at `read_version`; the
/// condition is in the UPDATE itself, so a concurrent writer cannot slip in between a check and
/// the write.
pub(crate) async fn save<E>(
    tx: &DatabaseTransaction,
    row: E::ActiveModel,
    (id_column, version_column): (E::Column, E::Column),
    id: Uuid,
    read_version: i32,
    entity: &'static str,
) -> PersistenceResult<()>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let result = E::update_many()
        .set(row)
        .filter(id_column.eq(id))
        .filter(version_column.eq(read_version))
        .exec(tx)
        .await?;
    written(result.rows_affected, read_version, entity)
}

/// [`save`] for a repository written in SQL: runs `write`, an UPDATE or DELETE of one row that
/// ends in the WHERE naming the row, only if that row is still at `read_version`.
pub(crate) async fn save_sql(
    tx: &DatabaseTransaction,
    mut write: Sql,
    read_version: i32,
    entity: &'static str,
) -> PersistenceResult<()> {
    write.push(" AND version = ").bind(read_version);
    written(write.execute(tx).await?, read_version, entity)
}

/// Refuses a conditional write that changed no row: the row moved on since `read_version`.
fn written(rows: u64, read_version: i32, entity: &'static str) -> PersistenceResult<()> {
    if rows == 0 {
        return Err(PersistenceError::Stale {
            entity,
            read: read_version,
            current: read_version + 1,
        });
    }
    Ok(())
}
