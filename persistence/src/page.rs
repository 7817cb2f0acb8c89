//! Keyset pagination: a window of rows before or after a key, in a stable order.

/// Which slice of an ordered list to read, Relay style: the first `limit` after `after`, or the
/// last `limit` before `before`.
#[derive(Debug, Clone)]
pub struct Window<K> {
    /// How many rows at most.
    pub limit: u64,
    /// Only rows after this key (in the list's order).
    pub after: Option<K>,
    /// Only rows before this key (in the list's order).
    pub before: Option<K>,
    /// Read from the end: the last `limit` rows rather than the first.
    pub from_end: bool,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows, in the list's order.
    pub items: Vec<T>,
    /// Whether rows follow the last one.
    pub has_next: bool,
    /// Whether rows precede the first one.
    pub has_previous: bool,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched in query order, with one row more than `window.limit`
    /// asked for so that the presence of a further page is known without another query.
    pub fn from_rows<K>(mut rows: Vec<T>, window: &Window<K>) -> Page<T> {
        let more = rows.len() as u64 > window.limit;
        rows.truncate(window.limit as usize);
        if window.from_end {
            rows.reverse();
            Page {
                items: rows,
                has_next: window.before.is_some(),
                has_previous: more,
            }
        } else {
            Page {
                items: rows,
                has_next: more,
                has_previous: window.after.is_some(),
            }
        }
    }
}

/// Reads the rows of `select` in the window, in id order (ids are time-ordered, so this is
/// oldest first), one row more than the limit so [`Page::from_rows`] can tell whether more follow.
pub(crate) async fn rows_by_id<E, C>(
    conn: &C,
    select: sea_orm::Select<E>,
    id: E::Column,
    window: &Window<uuid::Uuid>,
) -> crate::PersistenceResult<Vec<E::Model>>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut select = select;
    if let Some(after) = window.after {
        select = select.filter(id.gt(after));
    }
    if let Some(before) = window.before {
        select = select.filter(id.lt(before));
    }
    let select = if window.from_end {
        select.order_by_desc(id)
    } else {
        select.order_by_asc(id)
    };
    Ok(select.limit(window.limit + 1).all(conn).await?)
}

/// Reads the rows of `select` whose `column` is one of `keys`, in chunks of
/// [`crate::sql::MAX_IN_LIST`] keys, so that no `IN (…)` list outgrows what a database
/// accepts. Each key's rows come from one chunk, so any order `select` asks for holds per key.
pub(crate) async fn rows_in<E, C, K>(
    conn: &C,
    select: sea_orm::Select<E>,
    column: E::Column,
    keys: &[K],
) -> crate::PersistenceResult<Vec<E::Model>>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ConnectionTrait,
    K: Copy,
    uuid::Uuid: From<K>,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(crate::sql::MAX_IN_LIST) {
        let chunk_select = select
            .clone()
            .filter(column.is_in(chunk.iter().map(|k| uuid::Uuid::from(*k))));
        out.extend(chunk_select.all(conn).await?);
    }
    Ok(out)
}

/// An entity whose rows the hot read paths (a dashboard reads 600 phases) decode by position.
///
/// sea-orm's derived `FromQueryResult` reads every column by name: a hashed lookup of the name
/// per column per row, and for every NULL in an `Option` column a `format!("{name:?}")` of an
/// error that is then thrown away; for a phase row that is ~16,000 instructions, more than
/// everything else the server does with it. Reading by position does neither, and on
/// PostgreSQL the cells are read from sqlx's row directly (~10,000 instructions a phase row
/// through sea-orm's positional path, which still checks each cell's type twice). The columns are
/// selected explicitly in the order [`Positional::decode`] reads them (the entity's column
/// order, which a test checks against [`Positional::NAMES`]).
pub(crate) trait Positional: sea_orm::EntityTrait {
    /// The columns' names in the order `decode` reads them.
    const NAMES: &'static [&'static str];
    /// A row selected by [`select_positional`].
    fn decode(row: &sea_orm::QueryResult) -> Result<Self::Model, sea_orm::DbErr>;
    /// [`Positional::decode`] with every cell's type checked against its column's: what the
    /// test `positional_rows_decode_as_their_checked_reads` holds `decode` to.
    #[cfg(test)]
    fn decode_checked(row: &sea_orm::QueryResult) -> Result<Self::Model, sea_orm::DbErr>;
}

/// Implements [`Positional`] for an entity module's `Entity`, reading `Model`'s fields in the
/// order given (which must be the entity's column order).
macro_rules! positional {
    ($entity:ident { $($field:ident),* $(,)? }) => {
        impl crate::page::Positional for $entity::Entity {
            const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];
            fn decode(row: &sea_orm::QueryResult) -> Result<$entity::Model, sea_orm::DbErr> {
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok($entity::Model { $($field: crate::page::cell(row, next())?),* })
            }
            #[cfg(test)]
            fn decode_checked(row: &sea_orm::QueryResult) -> Result<$entity::Model, sea_orm::DbErr> {
                let mut column = 0usize;
                let mut next = || {
                    column += 1;
                    column - 1
                };
                Ok($entity::Model { $($field: crate::page::checked_cell(row, next())?),* })
            }
        }
    };
}
pub(crate) use positional;

/// Column `i` of `row`, as [`positional!`] and the outline readers read every cell. On
/// PostgreSQL straight from sqlx's row, without sqlx's check that the column's type suits `T`
/// (a copy and comparison of type descriptors per cell; bench/README.md, "Where the speed
/// tricks were measured", has what it cost): the callers read columns they selected themselves, in an order and with types
/// that tests hold them to — `positional_rows_decode_as_their_checked_reads` for every
/// [`Positional`] entity, and `phase_heads_and_outlines_read_what_the_phase_holds` for the
/// phase outline readers. sea-orm's `TryGetable` would look each cell up twice and build (and
/// drop) an error String for every NULL. Elsewhere (SQLite) through sea-orm.
pub(crate) fn cell<T>(row: &sea_orm::QueryResult, i: usize) -> Result<T, sea_orm::DbErr>
where
    T: sea_orm::TryGetable
        + sea_orm::sqlx::Type<sea_orm::sqlx::Postgres>
        + for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>,
{
    if let Some(pg) = row.try_as_pg_row() {
        use sea_orm::sqlx::Row;
        return pg
            .try_get_unchecked(i)
            .map_err(|e| sea_orm::DbErr::Type(e.to_string()));
    }
    row.try_get_by(i)
}

/// [`cell`] with sqlx's type check, for the test that holds `cell` to it.
#[cfg(test)]
pub(crate) fn checked_cell<T>(row: &sea_orm::QueryResult, i: usize) -> Result<T, sea_orm::DbErr>
where
    T: sea_orm::TryGetable
        + sea_orm::sqlx::Type<sea_orm::sqlx::Postgres>
        + for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>,
{
    if let Some(pg) = row.try_as_pg_row() {
        use sea_orm::sqlx::Row;
        return pg
            .try_get(i)
            .map_err(|e| sea_orm::DbErr::Type(e.to_string()));
    }
    row.try_get_by(i)
}

/// `select` with exactly the entity's columns, in order, for [`Positional::decode`].
fn select_positional<E: Positional>(select: sea_orm::Select<E>) -> sea_orm::Select<E> {
    use sea_orm::{Iterable, QuerySelect};
    debug_assert_eq!(E::Column::iter().count(), E::NAMES.len());
    select.select_only().columns(E::Column::iter())
}

/// Every row of `select`, decoded by position.
pub(crate) async fn all_positional<E, C>(
    conn: &C,
    select: sea_orm::Select<E>,
) -> crate::PersistenceResult<Vec<E::Model>>
where
    E: Positional,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::QueryTrait;
    let statement = inline_limit(select_positional(select).build(conn.get_database_backend()));
    let rows = conn.query_all_raw(statement).await?;
    // Sized up front: collecting into a `Result` knows no length, and growing a vector of 600
    // phase rows by doubling copied each row three times over.
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(E::decode(row)?);
    }
    Ok(out)
}

/// `statement` with a trailing `LIMIT $n` written as the number itself, on PostgreSQL.
///
/// A prepared statement whose `LIMIT` is a parameter is planned afresh on every call: its
/// generic plan cannot know how few rows are wanted, so PostgreSQL keeps choosing custom plans
/// (as long, on a dashboard's page of accounts, as running it: bench/README.md has the figures).
/// A page size is one of a few numbers, so each gets a prepared statement and a generic plan of
/// its own. SQLite plans once either way.
fn inline_limit(mut statement: sea_orm::Statement) -> sea_orm::Statement {
    if statement.db_backend != sea_orm::DbBackend::Postgres {
        return statement;
    }
    let Some(values) = statement.values.as_mut() else {
        return statement;
    };
    let placeholder = format!(" LIMIT ${}", values.0.len());
    if !statement.sql.ends_with(&placeholder) {
        return statement;
    }
    let limit = match values.0.last() {
        Some(sea_orm::Value::BigUnsigned(Some(n))) => n.to_string(),
        Some(sea_orm::Value::BigInt(Some(n))) => n.to_string(),
        _ => return statement,
    };
    values.0.pop();
    let at = statement.sql.len() - placeholder.len();
    statement.sql.truncate(at);
    statement.sql.push_str(" LIMIT ");
    statement.sql.push_str(&limit);
    statement
}

/// [`rows_in`] for a [`Positional`] entity.
pub(crate) async fn rows_in_positional<E, C, K>(
    conn: &C,
    select: sea_orm::Select<E>,
    column: E::Column,
    keys: &[K],
) -> crate::PersistenceResult<Vec<E::Model>>
where
    E: Positional,
    C: sea_orm::ConnectionTrait,
    K: Copy,
    uuid::Uuid: From<K>,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let of = |chunk: &[K]| {
        select
            .clone()
            .filter(column.is_in(chunk.iter().map(|k| uuid::Uuid::from(*k))))
    };
    if keys.len() <= crate::sql::MAX_IN_LIST {
        return all_positional(conn, of(keys)).await;
    }
    let mut out = Vec::new();
    for chunk in keys.chunks(crate::sql::MAX_IN_LIST) {
        out.extend(all_positional(conn, of(chunk)).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from_end: bool) -> Window<u32> {
        Window {
            limit: 2,
            after: None,
            before: None,
            from_end,
        }
    }

    /// The names `positional!` reads, against the entity's own column order.
    fn columns_of<E: Positional>() -> (Vec<String>, Vec<String>) {
        use sea_orm::{IdenStatic, Iterable};
        let entity = E::Column::iter().map(|c| c.as_str().to_owned()).collect();
        let read = E::NAMES.iter().map(|n| (*n).to_owned()).collect();
        (entity, read)
    }

    #[test]
    fn positional_entities_read_their_columns_in_order() {
        use crate::entity::{account, engagement, phase};
        for (entity, read) in [
            columns_of::<phase::Entity>(),
            columns_of::<engagement::Entity>(),
            columns_of::<account::Entity>(),
        ] {
            assert_eq!(entity, read);
        }
    }

    /// Every positional entity's rows, decoded as the hot paths decode them and with every
    /// cell's type checked, on a book with accounts, an engagement and phases.
    async fn decoded_both_ways<E: Positional>(store: &crate::Store) -> usize
    where
        E::Model: PartialEq + std::fmt::Debug,
    {
        use sea_orm::{ConnectionTrait, QueryTrait};
        let conn = store.conn();
        let statement = select_positional(E::find()).build(conn.get_database_backend());
        let rows = conn.query_all_raw(statement).await.unwrap();
        for row in &rows {
            assert_eq!(E::decode(row).unwrap(), E::decode_checked(row).unwrap());
        }
        rows.len()
    }

    tandem_tests::db_test! {
        async fn positional_rows_decode_as_their_checked_reads(db) {
            use crate::entity::{account, engagement, phase};
            use tandem_domain::account::NewAccount;
            use tandem_domain::engagement::{EngagementKind, FocusKind, NewEngagement, NewPhase};

            let mut options = crate::StoreOptions::new(db.url.clone());
            options.pg_schema = db.pg_schema.clone();
            let store = crate::Store::connect(&options).await.unwrap();
            store.migrate().await.unwrap();
            let new_account = NewAccount { name: "Acme".into(), ..Default::default() };
            let a = crate::account::create(&store, "t", new_account.validate().unwrap())
                .await
                .unwrap();
            let new_engagement = NewEngagement {
                name: "Replatforming".into(),
                kind: EngagementKind::Replatforming,
                source_platform: Some("Legacy".into()),
                target_platform: None,
                lead_id: None,
                description: Some("All of it".into()),
                planned_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 5),
            };
            let e = crate::engagement::create(&store, "t", a.id, new_engagement.validate().unwrap())
                .await
                .unwrap();
            for name in ["Catalog", "Apparel"] {
                let new_phase = NewPhase {
                    name: name.into(),
                    focus_kind: FocusKind::ProductLine,
                    focus: name.into(),
                    objective: Some(format!("Move {name}")),
                    expected_value: None,
                    planned_start: chrono::NaiveDate::from_ymd_opt(2026, 1, 5),
                    planned_end: None,
                    milestones: vec![],
                    scope: vec![],
                };
                crate::engagement::phase::create(&store, "t", e.id, new_phase.validate().unwrap(), vec![])
                    .await
                    .unwrap();
            }
            assert_eq!(decoded_both_ways::<account::Entity>(&store).await, 1);
            assert_eq!(decoded_both_ways::<engagement::Entity>(&store).await, 1);
            assert_eq!(decoded_both_ways::<phase::Entity>(&store).await, 2);
        }
    }

    #[test]
    fn a_page_size_is_written_into_postgresql_statements() {
        use crate::entity::account;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
        let select = account::Entity::find()
            .filter(account::Column::Name.eq("Acme"))
            .limit(51);
        let pg = inline_limit(select.clone().build(sea_orm::DbBackend::Postgres));
        assert!(
            pg.sql.ends_with(r#"WHERE "accounts"."name" = $1 LIMIT 51"#),
            "{}",
            pg.sql
        );
        assert_eq!(pg.values.unwrap().0, vec![sea_orm::Value::from("Acme")]);
        let lite = inline_limit(select.build(sea_orm::DbBackend::Sqlite));
        assert!(lite.sql.ends_with("LIMIT ?"), "{}", lite.sql);
        assert_eq!(lite.values.unwrap().0.len(), 2);
        let unlimited = account::Entity::find().build(sea_orm::DbBackend::Postgres);
        assert_eq!(inline_limit(unlimited.clone()).sql, unlimited.sql);
    }

    #[test]
    fn an_extra_row_means_another_page_follows() {
        let page = Page::from_rows(vec![1, 2, 3], &window(false));
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.has_next);
        assert!(!page.has_previous);
    }

    #[test]
    fn reading_from_the_end_restores_list_order() {
        let page = Page::from_rows(vec![9, 8, 7], &window(true));
        assert_eq!(page.items, vec![8, 9]);
        assert!(page.has_previous);
        assert!(!page.has_next);
    }
}
