//! `rdv_links`: the usager's links in notifications (`/r/{token}`), stored as digests.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::rdv_links;
use crate::db::DbConn;

/// Stores a link's digest for `user_id` on `rdv_id`.
pub fn create(
    conn: &mut DbConn,
    rdv_id: i32,
    user_id: i32,
    token_digest: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(rdv_links::table)
        .values((
            rdv_links::rdv_id.eq(rdv_id),
            rdv_links::user_id.eq(user_id),
            rdv_links::token_digest.eq(token_digest),
            rdv_links::expires_at.eq(expires_at),
            rdv_links::created_at.eq(now),
        ))
        .execute(conn)
}

/// The `(rdv_id, user_id)` of a link still valid at `now`.
pub fn find(conn: &mut DbConn, token_digest: &str, now: NaiveDateTime) -> QueryResult<Option<(i32, i32)>> {
    rdv_links::table
        .filter(rdv_links::token_digest.eq(token_digest))
        .filter(rdv_links::expires_at.gt(now))
        .select((rdv_links::rdv_id, rdv_links::user_id))
        .get_result(conn)
        .optional()
}
