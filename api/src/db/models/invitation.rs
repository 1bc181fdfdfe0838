//! Agent invitations. The token is random (256 bits) and only its SHA-256 digest is stored:
//! the link is shown once, to the inviting admin, and sent by email.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::InvitationStatus;
use rdv_shared::enums::InvitationState;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{self, Author, Event};
use crate::db::schema::agent_invitations;
use crate::db::{now_utc, DbConn};

/// How long an invitation link stays valid.
pub const VALIDITY_DAYS: i64 = 14;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = agent_invitations)]
pub struct InvitationRow {
    pub id: i32,
    pub agent_id: i32,
    pub organisation_id: i32,
    pub invited_by_agent_id: Option<i32>,
    pub token_digest: String,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Insertable, Serialize)]
#[diesel(table_name = agent_invitations)]
struct NewInvitation {
    agent_id: i32,
    organisation_id: i32,
    invited_by_agent_id: Option<i32>,
    token_digest: String,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Creates an invitation (revoking the agent's pending ones) and returns it with its clear token.
pub fn create(
    conn: &mut DbConn,
    author: &Author,
    agent_id: i32,
    organisation_id: i32,
) -> QueryResult<(InvitationRow, String)> {
    revoke_pending(conn, author, agent_id)?;
    let token = crate::auth::token::random_id(32);
    let now = now_utc();
    let new = NewInvitation {
        agent_id,
        organisation_id,
        invited_by_agent_id: author.agent_id,
        token_digest: digest(&token),
        expires_at: now + chrono::Duration::days(VALIDITY_DAYS),
        created_at: now,
    };
    let id: i32 =
        diesel::insert_into(agent_invitations::table).values(&new).returning(agent_invitations::id).get_result(conn)?;
    let row = agent_invitations::table.find(id).select(InvitationRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "AgentInvitation", id, Event::Create, None, Some(&row))?;
    Ok((row, token))
}

/// Revokes every pending invitation of the agent; returns how many.
pub fn revoke_pending(conn: &mut DbConn, author: &Author, agent_id: i32) -> QueryResult<usize> {
    let pending: Vec<InvitationRow> = agent_invitations::table
        .filter(agent_invitations::agent_id.eq(agent_id))
        .filter(agent_invitations::accepted_at.is_null())
        .filter(agent_invitations::revoked_at.is_null())
        .select(InvitationRow::as_select())
        .load(conn)?;
    let now = now_utc();
    for before in &pending {
        diesel::update(agent_invitations::table.find(before.id))
            .set(agent_invitations::revoked_at.eq(Some(now)))
            .execute(conn)?;
        let after = InvitationRow { revoked_at: Some(now), ..before.clone() };
        audit::record(conn, author, "AgentInvitation", before.id, Event::Update, Some(before), Some(&after))?;
    }
    Ok(pending.len())
}

/// The usable invitation behind a clear token: not accepted, not revoked, not expired.
pub fn find_usable(conn: &mut DbConn, token: &str) -> QueryResult<Option<InvitationRow>> {
    agent_invitations::table
        .filter(agent_invitations::token_digest.eq(digest(token)))
        .filter(agent_invitations::accepted_at.is_null())
        .filter(agent_invitations::revoked_at.is_null())
        .filter(agent_invitations::expires_at.gt(now_utc()))
        .select(InvitationRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn mark_accepted(conn: &mut DbConn, author: &Author, before: &InvitationRow) -> QueryResult<()> {
    let now = now_utc();
    diesel::update(agent_invitations::table.find(before.id))
        .set(agent_invitations::accepted_at.eq(Some(now)))
        .execute(conn)?;
    let after = InvitationRow { accepted_at: Some(now), ..before.clone() };
    audit::record(conn, author, "AgentInvitation", before.id, Event::Update, Some(before), Some(&after))
}

/// The state of an agent's latest invitation.
pub fn status(conn: &mut DbConn, agent_id: i32) -> QueryResult<InvitationStatus> {
    let latest = agent_invitations::table
        .filter(agent_invitations::agent_id.eq(agent_id))
        .order(agent_invitations::id.desc())
        .select(InvitationRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(match latest {
        None => InvitationStatus {
            state: InvitationState::None.as_str().into(),
            invited_at: None,
            expires_at: None,
            accepted_at: None,
        },
        Some(i) => {
            let state = if i.accepted_at.is_some() {
                InvitationState::Accepted
            } else if i.revoked_at.is_some() {
                InvitationState::Revoked
            } else if i.expires_at <= now_utc() {
                InvitationState::Expired
            } else {
                InvitationState::Pending
            };
            InvitationStatus {
                state: state.as_str().into(),
                invited_at: Some(i.created_at.and_utc()),
                expires_at: Some(i.expires_at.and_utc()),
                accepted_at: i.accepted_at.map(|a| a.and_utc()),
            }
        }
    })
}
