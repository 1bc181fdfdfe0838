//! Id lists in SQL with one constant statement, whatever the list's length.
//!
//! diesel writes `col IN (?, ?, …)` for `eq_any` on SQLite: one placeholder per id, so the SQL
//! changes with the length and diesel never caches it (every execution prepares the statement
//! again; a slot search makes about twenty of them). [`IdListDsl::in_ids`] writes instead
//!
//! - SQLite: `col IN (SELECT value FROM json_each(?))`, the ids bound as one JSON array text;
//! - PostgreSQL: `col = ANY(?)`, the ids bound as one `int4[]`;
//!
//! so the statement is the same for 1 id or 500 and is prepared once per connection (its query
//! id is static: the type, not the SQL). Use it for every list of integer ids; subqueries and
//! text lists keep diesel's `eq_any`. `api/tests/id_lists.rs` proves the caching on both backends.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::{Connection, QueryResult};

use super::DbConn;

type Multi = <DbConn as Connection>::Backend;

/// `column` is one of `ids` (see the module doc for the SQL of each backend).
#[derive(Debug, Clone)]
pub struct InIds<C> {
    column: C,
    ids: Vec<i32>,
    json: String,
}

/// The constructor: `agents::id.in_ids(&ids)` on any integer column, nullable or not.
pub trait IdListDsl: Sized {
    fn in_ids(self, ids: impl AsRef<[i32]>) -> InIds<Self>;
}

/// Integer columns (plain or nullable) accept an id list.
pub trait IntegerColumn {}
impl IntegerColumn for Integer {}
impl IntegerColumn for Nullable<Integer> {}

impl<C> IdListDsl for C
where
    C: Expression,
    C::SqlType: IntegerColumn,
{
    fn in_ids(self, ids: impl AsRef<[i32]>) -> InIds<Self> {
        let ids = ids.as_ref().to_vec();
        InIds { column: self, json: json_array(&ids), ids }
    }
}

/// `[1,2,3]`: what `json_each` reads (integers only, so no escaping is needed).
fn json_array(ids: &[i32]) -> String {
    let mut out = String::with_capacity(2 + ids.len() * 6);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

impl<C: Expression> Expression for InIds<C> {
    // A NULL column is never in the list: `NULL IN (…)` is NULL, which a filter reads as false.
    type SqlType = Bool;
}

impl<C: ValidGrouping<()>> ValidGrouping<()> for InIds<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C, QS> AppearsOnTable<QS> for InIds<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for InIds<C> where C: SelectableExpression<QS> {}

// The SQL depends on the type only (never on the ids), so the type is the cache key.
impl<C: QueryId + 'static> QueryId for InIds<C> {
    type QueryId = InIds<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for InIds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for InIds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<Integer>, Vec<i32>>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C> QueryFragment<Multi> for InIds<C>
where
    C: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Multi>) -> QueryResult<()> {
        Multi::walk_variant_ast(self, pass)
    }
}

#[cfg(test)]
mod tests {
    use super::json_array;

    #[test]
    fn json_arrays_of_ids() {
        assert_eq!(json_array(&[]), "[]");
        assert_eq!(json_array(&[7]), "[7]");
        assert_eq!(json_array(&[1, -2, 2147483647]), "[1,-2,2147483647]");
    }
}
