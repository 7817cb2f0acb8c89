//! Hand-written SQL for what the query builder says badly: bulk inserts, upserts into roll-ups
//! and the aggregates behind the figures. Statements are written once with `?` placeholders and
//! numbered for PostgreSQL when they run, so one text serves both databases.
//!
//! A long fixed statement (or fixed part of one: a condition, the statement after a `WITH`)
//! lives in a `.sql` file beside its repository, loaded with `include_str!` and bound in the
//! order of its `?`s with [`Sql::bind_value`]; dynamic parts (lists, optional filters) stay in
//! Rust. For the module `persistence/src/foo.rs` the file is
//! `persistence/src/foo.<statement>.sql`; only when `foo/` is already a folder does it go inside,
//! as `persistence/src/foo/<statement>.sql`. A statement whose text differs between the
//! databases has two files, `<statement>.pg.sql` and `<statement>.sqlite.sql`. Comments in these
//! files start with `--` and never hold a `?`, which would be taken for a placeholder.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::PersistenceResult;

/// The most ids one `IN (…)` list carries; longer lists are read in chunks.
pub(crate) const MAX_IN_LIST: usize = 500;

/// A statement being assembled: its text and the values its placeholders stand for.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    /// A statement starting with `text`.
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    /// Appends text.
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Sql {
        self.text.push('?');
        self.values.push(value.into());
        self
    }

    /// Appends `(?, ?, …)` for `values`; `(NULL)` when there are none, which matches nothing.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Sql {
        self.text.push('(');
        let mut first = true;
        for v in values {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    /// Binds `value` to the next placeholder already in the text.
    pub fn bind_value(&mut self, value: impl Into<Value>) -> &mut Sql {
        self.values.push(value.into());
        self
    }

    /// Appends another statement's text and values.
    pub fn append(&mut self, other: Sql) -> &mut Sql {
        self.text.push_str(&other.text);
        self.values.extend(other.values);
        self
    }

    /// The text with `?` placeholders, and the values.
    pub fn into_parts(self) -> (String, Vec<Value>) {
        (self.text, self.values)
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The statement for `backend`: PostgreSQL numbers its placeholders `$1`, `$2`, ….
    pub fn statement(self, backend: DbBackend) -> Statement {
        let text = if backend == DbBackend::Postgres {
            number_placeholders(&self.text)
        } else {
            self.text
        };
        Statement::from_sql_and_values(backend, text, self.values)
    }

    /// Runs the statement and returns its rows.
    pub async fn all(self, conn: &impl ConnectionTrait) -> PersistenceResult<Vec<QueryResult>> {
        let backend = conn.get_database_backend();
        Ok(conn.query_all_raw(self.statement(backend)).await?)
    }

    /// Runs the statement and returns how many rows it changed.
    pub async fn execute(self, conn: &impl ConnectionTrait) -> PersistenceResult<u64> {
        let backend = conn.get_database_backend();
        Ok(conn
            .execute_raw(self.statement(backend))
            .await?
            .rows_affected())
    }
}

/// `text` with its `?` placeholders numbered `$1`, `$2`, … as PostgreSQL writes them.
pub fn number_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut n = 0;
    for c in text.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every row of the statements `statement` builds, one per chunk of `keys` short enough for a
/// single bound `IN` list ([`MAX_IN_LIST`]).
pub(crate) async fn all_in_chunks<K>(
    conn: &impl ConnectionTrait,
    keys: &[K],
    statement: impl Fn(&[K]) -> Sql,
) -> PersistenceResult<Vec<QueryResult>> {
    let mut rows = Vec::new();
    for chunk in keys.chunks(MAX_IN_LIST) {
        rows.extend(statement(chunk).all(conn).await?);
    }
    Ok(rows)
}

/// Reads column `name` of `row`.
pub fn get<T: sea_orm::TryGetable>(row: &QueryResult, name: &str) -> PersistenceResult<T> {
    Ok(row.try_get::<T>("", name)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_numbers_the_placeholders() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1).push(" AND b IN ").bind_list([2, 3]);
        let st = sql.clone().statement(DbBackend::Postgres);
        assert_eq!(st.sql, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        let st = sql.statement(DbBackend::Sqlite);
        assert_eq!(st.sql, "SELECT 1 WHERE a = ? AND b IN (?, ?)");
        let mut empty = Sql::new("x IN ");
        empty.bind_list(Vec::<i32>::new());
        assert_eq!(empty.statement(DbBackend::Sqlite).sql, "x IN (NULL)");
    }
}
