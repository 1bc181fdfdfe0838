//! Instants read as whole seconds since 1970 (UTC), for the hot reads that fetch many of them
//! (the busy times of a slot search). On SQLite, diesel reads a `Timestamp` by parsing its text
//! with chrono's format machinery, several formats in turn: with hundreds of RDVs per search
//! that showed in the profile. `unixepoch(col)` makes SQLite's C code do it; PostgreSQL sends
//! timestamps in binary anyway, and `EXTRACT(EPOCH …)` keeps one Rust type for both.
//! Only for columns holding whole seconds (RDV starts and ends: minutes).

use chrono::{DateTime, NaiveDateTime};
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Timestamp};
use diesel::sqlite::Sqlite;
use diesel::{Connection, QueryResult};

use super::DbConn;

type Multi = <DbConn as Connection>::Backend;

/// `column` (a `Timestamp`) as seconds since 1970, UTC.
#[derive(Debug, Clone, Copy)]
pub struct EpochSeconds<C>(C);

pub fn epoch_seconds<C: Expression<SqlType = Timestamp>>(column: C) -> EpochSeconds<C> {
    EpochSeconds(column)
}

/// The instant of `seconds` since 1970 (UTC); the epoch itself for a value out of chrono's range.
pub fn from_epoch(seconds: i64) -> NaiveDateTime {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default().naive_utc()
}

impl<C: Expression> Expression for EpochSeconds<C> {
    type SqlType = BigInt;
}

impl<C: ValidGrouping<()>> ValidGrouping<()> for EpochSeconds<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C, QS> AppearsOnTable<QS> for EpochSeconds<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for EpochSeconds<C> where C: SelectableExpression<QS> {}

impl<C: QueryId + 'static> QueryId for EpochSeconds<C> {
    type QueryId = EpochSeconds<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for EpochSeconds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("unixepoch(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for EpochSeconds<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("CAST(EXTRACT(EPOCH FROM ");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS BIGINT)");
        Ok(())
    }
}

impl<C> QueryFragment<Multi> for EpochSeconds<C>
where
    C: QueryFragment<Pg> + QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Multi>) -> QueryResult<()> {
        Multi::walk_variant_ast(self, pass)
    }
}
