//! `file_attentes`: usagers waiting to be told of an earlier slot for their RDV (reference
//! §4.6). One entry per RDV and usager; the checks that read it are outbox jobs
//! (`services::waiting_list`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{record, Author, Event};
use crate::db::schema::file_attentes;
use crate::db::DbConn;

const ITEM: &str = "FileAttente";

#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = file_attentes)]
pub struct FileAttenteRow {
    pub id: i32,
    pub rdv_id: i32,
    pub user_id: i32,
    pub notifications_sent: i32,
    pub last_creneau_sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, rdv_id: i32, user_id: i32) -> QueryResult<Option<FileAttenteRow>> {
    file_attentes::table
        .filter(file_attentes::rdv_id.eq(rdv_id))
        .filter(file_attentes::user_id.eq(user_id))
        .select(FileAttenteRow::as_select())
        .get_result(conn)
        .optional()
}

fn by_id(conn: &mut DbConn, id: i32) -> QueryResult<FileAttenteRow> {
    file_attentes::table.filter(file_attentes::id.eq(id)).select(FileAttenteRow::as_select()).get_result(conn)
}

pub fn of_rdv(conn: &mut DbConn, rdv_id: i32) -> QueryResult<Vec<FileAttenteRow>> {
    file_attentes::table.filter(file_attentes::rdv_id.eq(rdv_id)).select(FileAttenteRow::as_select()).load(conn)
}

/// Adds `user_id` to the waiting list of `rdv_id` (the existing entry when there is one).
pub fn join(
    conn: &mut DbConn,
    author: &Author,
    rdv_id: i32,
    user_id: i32,
    now: NaiveDateTime,
) -> QueryResult<FileAttenteRow> {
    if let Some(row) = find(conn, rdv_id, user_id)? {
        return Ok(row);
    }
    let id: i32 = diesel::insert_into(file_attentes::table)
        .values((
            file_attentes::rdv_id.eq(rdv_id),
            file_attentes::user_id.eq(user_id),
            file_attentes::notifications_sent.eq(0),
            file_attentes::created_at.eq(now),
        ))
        .returning(file_attentes::id)
        .get_result(conn)?;
    let row = by_id(conn, id)?;
    record(conn, author, ITEM, row.id, Event::Create, None, Some(&row))?;
    Ok(row)
}

/// Removes an entry (the usager leaves the list, or the RDV moved or was cancelled).
pub fn remove(conn: &mut DbConn, author: &Author, row: &FileAttenteRow) -> QueryResult<usize> {
    let n = diesel::delete(file_attentes::table.filter(file_attentes::id.eq(row.id))).execute(conn)?;
    if n > 0 {
        record(conn, author, ITEM, row.id, Event::Destroy, Some(row), None)?;
    }
    Ok(n)
}

/// Counts a message sent at `at`.
pub fn mark_sent(
    conn: &mut DbConn,
    author: &Author,
    row: &FileAttenteRow,
    at: NaiveDateTime,
) -> QueryResult<FileAttenteRow> {
    diesel::update(file_attentes::table.filter(file_attentes::id.eq(row.id)))
        .set((
            file_attentes::notifications_sent.eq(row.notifications_sent + 1),
            file_attentes::last_creneau_sent_at.eq(Some(at)),
        ))
        .execute(conn)?;
    let after = by_id(conn, row.id)?;
    record(conn, author, ITEM, row.id, Event::Update, Some(row), Some(&after))?;
    Ok(after)
}
