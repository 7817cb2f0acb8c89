//! How many accounts a list's filter matches: from the tallies and the per-combination counts
//! the database keeps as accounts are written (migrations 17 and 27), or by counting the rows
//! when the filter searches text, names tags or carries segment criteria.

use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};

use super::filter::{AccountFilter, filter_condition};
use crate::entity::account;
use crate::{PersistenceResult, Store};

/// How many accounts match `filter`. Every account, or every live one, is read from the tallies
/// the database keeps as accounts are written (migration 17), and a filter by the enumerated
/// dimensions alone from the counts it keeps per combination of them (migration 27): neither
/// counts accounts. A filter with text search, tags or segment criteria counts the matching
/// accounts. `persistence/tests/account_counts.rs` holds the kept counts equal to a count.
pub async fn count(store: &Store, filter: &AccountFilter) -> PersistenceResult<u64> {
    if filter.is_everything() {
        return tally(store, filter.include_archived).await;
    }
    if filter.is_enumerated() {
        return counted(store, filter).await;
    }
    count_rows(store, filter).await
}

/// How many accounts match `filter`, counted row by row: what the kept counts must equal.
pub async fn count_rows(store: &Store, filter: &AccountFilter) -> PersistenceResult<u64> {
    Ok(account::Entity::find()
        .filter(filter_condition(filter, store.backend()))
        .count(store.conn())
        .await?)
}

/// The accounts of an enumerated `filter`, summed over the matching rows of `account_counts`.
async fn counted(store: &Store, filter: &AccountFilter) -> PersistenceResult<u64> {
    let mut sql = crate::sql::Sql::new(if filter.include_archived {
        "SELECT CAST(COALESCE(SUM(live + archived), 0) AS BIGINT) FROM account_counts WHERE 1 = 1"
    } else {
        "SELECT CAST(COALESCE(SUM(live), 0) AS BIGINT) FROM account_counts WHERE 1 = 1"
    });
    if !filter.touch_tiers.is_empty() {
        sql.push(" AND touch_tier IN ")
            .bind_list(filter.touch_tiers.iter().map(|t| t.as_str()));
    }
    if !filter.lifecycle_stages.is_empty() {
        sql.push(" AND lifecycle_stage IN ")
            .bind_list(filter.lifecycle_stages.iter().map(|s| s.as_str()));
    }
    if !filter.owner_ids.is_empty() {
        sql.push(" AND owner_id IN ")
            .bind_list(filter.owner_ids.iter().map(|o| o.0));
    }
    if !filter.industries.is_empty() {
        sql.push(" AND industry IN ")
            .bind_list(filter.industries.iter().map(String::as_str));
    }
    if !filter.plans.is_empty() {
        sql.push(" AND plan IN ")
            .bind_list(filter.plans.iter().map(String::as_str));
    }
    sum(store, sql, "account counts").await
}

/// The live accounts, and the archived ones too when `archived`, from `account_tallies`.
async fn tally(store: &Store, archived: bool) -> PersistenceResult<u64> {
    let text = if archived {
        "SELECT CAST(COALESCE(SUM(live + archived), 0) AS BIGINT) FROM account_tallies"
    } else {
        "SELECT CAST(COALESCE(SUM(live), 0) AS BIGINT) FROM account_tallies"
    };
    sum(store, crate::sql::Sql::new(text), "account tallies").await
}

/// The one number `sql` sums, which kept counts never leave below zero (`what` names them in
/// the error that says they did).
async fn sum(store: &Store, sql: crate::sql::Sql, what: &str) -> PersistenceResult<u64> {
    let rows = sql.all(store.conn()).await?;
    let total: i64 = match rows.first() {
        Some(row) => crate::page::cell(row, 0)?,
        None => 0,
    };
    u64::try_from(total).map_err(|_| {
        sea_orm::DbErr::Custom(format!("the {what} sum to {total}, below zero")).into()
    })
}
