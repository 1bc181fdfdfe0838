//! Issued API tokens. The JWT carries the token's `jti`; a token is valid while its row exists,
//! is not revoked and has not expired, so sign-out really ends it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::auth_tokens;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = auth_tokens)]
pub struct AuthTokenRow {
    pub id: i32,
    pub agent_id: i32,
    pub jti: String,
    pub client: String,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = auth_tokens)]
pub struct NewAuthToken<'a> {
    pub agent_id: i32,
    pub jti: &'a str,
    pub client: &'a str,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, author: &Author, new: NewAuthToken<'_>) -> QueryResult<AuthTokenRow> {
    let id: i32 = diesel::insert_into(auth_tokens::table).values(new).returning(auth_tokens::id).get_result(conn)?;
    let row = auth_tokens::table.find(id).select(AuthTokenRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "AuthToken", row.id, Event::Create, None, Some(&row))?;
    Ok(row)
}

/// A live token and its live (not deleted) agent, in one indexed read: what every
/// authenticated request checks.
pub fn find_active_with_agent(
    conn: &mut DbConn,
    jti: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(AuthTokenRow, crate::db::models::agent::AgentRow)>> {
    use crate::db::schema::agents;
    auth_tokens::table
        .inner_join(agents::table)
        .filter(auth_tokens::jti.eq(jti))
        .filter(auth_tokens::revoked_at.is_null())
        .filter(auth_tokens::expires_at.gt(now))
        .filter(agents::deleted_at.is_null())
        .select((AuthTokenRow::as_select(), crate::db::models::agent::AgentRow::as_select()))
        .get_result(conn)
        .optional()
}

pub fn revoke(conn: &mut DbConn, author: &Author, token: &AuthTokenRow, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(auth_tokens::table.find(token.id)).set(auth_tokens::revoked_at.eq(Some(now))).execute(conn)?;
    let after = AuthTokenRow { revoked_at: Some(now), ..token.clone() };
    audit::record(conn, author, "AuthToken", token.id, Event::Update, Some(token), Some(&after))
}

/// Revokes every live token of the agent (sign-out everywhere, a new password); returns how many.
pub fn revoke_all(conn: &mut DbConn, author: &Author, agent_id: i32, now: NaiveDateTime) -> QueryResult<usize> {
    let live: Vec<AuthTokenRow> = auth_tokens::table
        .filter(auth_tokens::agent_id.eq(agent_id))
        .filter(auth_tokens::revoked_at.is_null())
        .filter(auth_tokens::expires_at.gt(now))
        .select(AuthTokenRow::as_select())
        .load(conn)?;
    for token in &live {
        revoke(conn, author, token, now)?;
    }
    Ok(live.len())
}
