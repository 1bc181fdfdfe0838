//! Motif categories (rdv-insertion's `rsa_orientation`, `rsa_accompagnement`…) and the
//! territories where they are enabled (reference-api-v1.md §3.13 I5, I6).

use diesel::prelude::*;
use serde::Serialize;

use super::motif::MotifCategoryRow;
use crate::audit::{self, Author, Event};
use crate::db::schema::{motif_categories, motif_category_territories};
use crate::db::{now_utc, DbConn};

pub fn by_short_name(conn: &mut DbConn, short_name: &str) -> QueryResult<Option<MotifCategoryRow>> {
    motif_categories::table
        .filter(motif_categories::short_name.eq(short_name))
        .select(MotifCategoryRow::as_select())
        .get_result(conn)
        .optional()
}

#[derive(Serialize)]
struct CategoryVersion<'a> {
    name: &'a str,
    short_name: &'a str,
}

/// A new category (the caller checked that its short name is free).
pub fn create(conn: &mut DbConn, author: &Author, name: &str, short_name: &str) -> QueryResult<MotifCategoryRow> {
    let id: i32 = diesel::insert_into(motif_categories::table)
        .values((
            motif_categories::name.eq(name),
            motif_categories::short_name.eq(short_name),
            motif_categories::created_at.eq(now_utc()),
        ))
        .returning(motif_categories::id)
        .get_result(conn)?;
    audit::record(conn, author, "MotifCategory", id, Event::Create, None, Some(&CategoryVersion { name, short_name }))?;
    motif_categories::table.find(id).select(MotifCategoryRow::as_select()).get_result(conn)
}

#[derive(Serialize)]
struct EnabledVersion {
    motif_category_id: i32,
    territory_id: i32,
}

/// Enables the category on the territory; false when it already was.
pub fn enable(conn: &mut DbConn, author: &Author, category_id: i32, territory_id: i32) -> QueryResult<bool> {
    let exists: i64 = motif_category_territories::table
        .filter(motif_category_territories::motif_category_id.eq(category_id))
        .filter(motif_category_territories::territory_id.eq(territory_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let id: i32 = diesel::insert_into(motif_category_territories::table)
        .values((
            motif_category_territories::motif_category_id.eq(category_id),
            motif_category_territories::territory_id.eq(territory_id),
            motif_category_territories::created_at.eq(now_utc()),
        ))
        .returning(motif_category_territories::id)
        .get_result(conn)?;
    let v = EnabledVersion { motif_category_id: category_id, territory_id };
    audit::record(conn, author, "MotifCategoryTerritory", id, Event::Create, None, Some(&v))?;
    Ok(true)
}

/// The categories enabled on a territory, by id.
pub fn of_territory(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<MotifCategoryRow>> {
    motif_categories::table
        .inner_join(motif_category_territories::table)
        .filter(motif_category_territories::territory_id.eq(territory_id))
        .order(motif_categories::id)
        .select(MotifCategoryRow::as_select())
        .load(conn)
}
