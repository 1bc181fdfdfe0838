//! Request counters per key and one-minute window, shared by every server of the database (the
//! sign-in and public API limits). Counters are not domain data: no audit version.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::rate_limits;
use crate::db::{is_unique_violation, write_tx, DbConn};

/// Counts one request for `key` in the window starting at `window`; returns the window's count.
/// A row left from an earlier window starts over at 1. Concurrent servers serialise on the row.
pub fn hit(conn: &mut DbConn, key: &str, window: NaiveDateTime) -> QueryResult<i32> {
    for _ in 0..3 {
        let counted = write_tx(conn, |conn| -> QueryResult<Option<i32>> {
            let row = rate_limits::table.find(key);
            let same_window = diesel::update(row.filter(rate_limits::window_start.eq(window)))
                .set(rate_limits::count.eq(rate_limits::count + 1))
                .execute(conn)?;
            if same_window == 0 {
                let older = diesel::update(row)
                    .set((rate_limits::count.eq(1), rate_limits::window_start.eq(window)))
                    .execute(conn)?;
                if older == 0 {
                    diesel::insert_into(rate_limits::table)
                        .values((
                            rate_limits::key.eq(key),
                            rate_limits::window_start.eq(window),
                            rate_limits::count.eq(1),
                        ))
                        .execute(conn)?;
                }
            }
            row.select(rate_limits::count).get_result(conn).optional()
        });
        match counted {
            Ok(Some(n)) => return Ok(n),
            Ok(None) => continue,
            // Another server inserted the key first: count again on its row.
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(diesel::result::Error::NotFound)
}

/// Deletes counters of windows before `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    write_tx(conn, |conn| diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before))).execute(conn))
}
