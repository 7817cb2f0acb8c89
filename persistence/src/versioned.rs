//! Optimistic concurrency, shared by every mutable object: a write names the version it read,
//! and storage refuses it when the stored version has moved on.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

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
    if result.rows_affected == 0 {
        return Err(PersistenceError::Stale {
            entity,
            read: read_version,
            current: read_version + 1,
        });
    }
    Ok(())
}
