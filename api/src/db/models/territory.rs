//! Territories (a département's instance).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::territories;
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = territories)]
pub struct TerritoryRow {
    pub id: i32,
    pub name: String,
    pub departement_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = territories)]
struct NewTerritory<'a> {
    name: &'a str,
    departement_number: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, author: &Author, name: &str, departement_number: &str) -> QueryResult<TerritoryRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(territories::table)
        .values(NewTerritory {
            name: name.trim(),
            departement_number: departement_number.trim(),
            created_at: now,
            updated_at: now,
        })
        .returning(territories::id)
        .get_result(conn)?;
    let row = territories::table.find(id).select(TerritoryRow::as_select()).first(conn)?;
    audit::record(conn, author, "Territory", row.id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<TerritoryRow>> {
    territories::table.find(id).select(TerritoryRow::as_select()).first(conn).optional()
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<TerritoryRow>> {
    territories::table.filter(territories::name.eq(name)).select(TerritoryRow::as_select()).first(conn).optional()
}
