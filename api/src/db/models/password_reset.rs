//! Password resets of agents: a random token (256 bits) is emailed, only its SHA-256 digest is
//! stored; usable once, within [`VALIDITY_MINUTES`]. Audited like every write (digest only).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::models::invitation::digest;
use crate::db::schema::password_resets;
use crate::db::DbConn;

pub const VALIDITY_MINUTES: i64 = 60;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: i32,
    pub agent_id: i32,
    pub token_digest: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Creates a reset for the agent and returns its id and clear token (to email, never stored).
pub fn create(conn: &mut DbConn, author: &Author, agent_id: i32, now: NaiveDateTime) -> QueryResult<(i32, String)> {
    let token = crate::auth::token::random_id(32);
    let id: i32 = diesel::insert_into(password_resets::table)
        .values((
            password_resets::agent_id.eq(agent_id),
            password_resets::token_digest.eq(digest(&token)),
            password_resets::expires_at.eq(now + chrono::Duration::minutes(VALIDITY_MINUTES)),
            password_resets::created_at.eq(now),
        ))
        .returning(password_resets::id)
        .get_result(conn)?;
    let row = password_resets::table.find(id).select(PasswordResetRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "PasswordReset", id, Event::Create, None, Some(&row))?;
    Ok((id, token))
}

/// The unused, unexpired reset of this token.
pub fn find_usable(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> QueryResult<Option<PasswordResetRow>> {
    password_resets::table
        .filter(password_resets::token_digest.eq(digest(token)))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(PasswordResetRow::as_select())
        .get_result(conn)
        .optional()
}

/// Marks every unused reset of the agent used (the one just used, and older links).
pub fn use_all(conn: &mut DbConn, author: &Author, agent_id: i32, now: NaiveDateTime) -> QueryResult<()> {
    let open: Vec<PasswordResetRow> = password_resets::table
        .filter(password_resets::agent_id.eq(agent_id))
        .filter(password_resets::used_at.is_null())
        .select(PasswordResetRow::as_select())
        .load(conn)?;
    for before in open {
        diesel::update(password_resets::table.find(before.id))
            .set(password_resets::used_at.eq(Some(now)))
            .execute(conn)?;
        let after = PasswordResetRow { used_at: Some(now), ..before.clone() };
        audit::record(conn, author, "PasswordReset", before.id, Event::Update, Some(&before), Some(&after))?;
    }
    Ok(())
}
