//! `exports`: an agent's RDV and participation exports — filters, progress, the file — and their
//! expiry. Writes record an audit version (who exported what, with which filters, how many rows);
//! the file itself is never part of a version.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::exports;
use crate::db::{now_utc, DbConn};

/// An export without its file.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = exports)]
pub struct ExportRow {
    pub id: i32,
    pub agent_id: i32,
    pub kind: String,
    pub format: String,
    /// `rdv_shared::dto::RdvSearch` as JSON.
    pub filters: String,
    pub status: String,
    pub row_count: i32,
    pub rows_done: i32,
    pub filename: String,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub struct NewExport<'a> {
    pub agent_id: i32,
    pub kind: &'a str,
    pub format: &'a str,
    pub filters: String,
    pub filename: String,
    pub expires_at: NaiveDateTime,
}

fn version(conn: &mut DbConn, author: &Author, before: Option<&ExportRow>, id: i32) -> QueryResult<ExportRow> {
    let after = find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    let event = if before.is_some() { Event::Update } else { Event::Create };
    audit::record(conn, author, "Export", id, event, before, Some(&after))?;
    Ok(after)
}

pub fn create(conn: &mut DbConn, author: &Author, n: &NewExport<'_>) -> QueryResult<ExportRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(exports::table)
        .values((
            exports::agent_id.eq(n.agent_id),
            exports::kind.eq(n.kind),
            exports::format.eq(n.format),
            exports::filters.eq(&n.filters),
            exports::status.eq("pending"),
            exports::filename.eq(&n.filename),
            exports::created_at.eq(now),
            exports::updated_at.eq(now),
            exports::expires_at.eq(n.expires_at),
        ))
        .returning(exports::id)
        .get_result(conn)?;
    version(conn, author, None, id)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<ExportRow>> {
    exports::table.find(id).select(ExportRow::as_select()).get_result(conn).optional()
}

/// One page of an agent's exports, newest first, and their count.
pub fn page_of_agent(conn: &mut DbConn, agent_id: i32, limit: i64, offset: i64) -> QueryResult<(Vec<ExportRow>, i64)> {
    let total = exports::table.filter(exports::agent_id.eq(agent_id)).count().get_result(conn)?;
    let rows = exports::table
        .filter(exports::agent_id.eq(agent_id))
        .order((exports::created_at.desc(), exports::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(ExportRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The job starts: its line count is known.
pub fn start(conn: &mut DbConn, author: &Author, before: &ExportRow, row_count: i32) -> QueryResult<ExportRow> {
    diesel::update(exports::table.find(before.id))
        .set((
            exports::status.eq("running"),
            exports::row_count.eq(row_count),
            exports::rows_done.eq(0),
            exports::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    version(conn, author, Some(before), before.id)
}

/// Progress, and the job's lease held a while longer (`outbox_id` until `lease_until`). Not
/// audited: the start and the end are.
pub fn progress(
    conn: &mut DbConn,
    id: i32,
    rows_done: i32,
    outbox_id: i32,
    lease_until: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(exports::table.find(id))
        .set((exports::rows_done.eq(rows_done), exports::updated_at.eq(now_utc())))
        .execute(conn)?;
    crate::db::models::outbox::extend_lease(conn, outbox_id, lease_until)?;
    Ok(())
}

/// The file is ready.
pub fn finish(
    conn: &mut DbConn,
    author: &Author,
    before: &ExportRow,
    rows: i32,
    content: &[u8],
) -> QueryResult<ExportRow> {
    diesel::update(exports::table.find(before.id))
        .set((
            exports::status.eq("done"),
            exports::rows_done.eq(rows),
            exports::row_count.eq(rows),
            exports::content.eq(Some(content)),
            exports::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    version(conn, author, Some(before), before.id)
}

pub fn fail(conn: &mut DbConn, author: &Author, before: &ExportRow, reason: &str) -> QueryResult<ExportRow> {
    diesel::update(exports::table.find(before.id))
        .set((exports::status.eq("failed"), exports::failure.eq(Some(reason)), exports::updated_at.eq(now_utc())))
        .execute(conn)?;
    version(conn, author, Some(before), before.id)
}

/// The file of a finished export.
pub fn content(conn: &mut DbConn, id: i32) -> QueryResult<Option<Vec<u8>>> {
    Ok(exports::table.find(id).select(exports::content).get_result::<Option<Vec<u8>>>(conn).optional()?.flatten())
}

/// Deletes the exports expired at `now` (file included), each with its audit version.
pub fn purge_expired(conn: &mut DbConn, author: &Author, now: NaiveDateTime) -> QueryResult<usize> {
    let expired: Vec<ExportRow> =
        exports::table.filter(exports::expires_at.le(now)).select(ExportRow::as_select()).load(conn)?;
    for e in &expired {
        diesel::delete(exports::table.find(e.id)).execute(conn)?;
        audit::record::<ExportRow>(conn, author, "Export", e.id, Event::Destroy, Some(e), None)?;
    }
    Ok(expired.len())
}
