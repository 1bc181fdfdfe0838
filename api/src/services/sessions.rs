//! Sign-in and sign-out: password check (one argon2 run even for unknown emails), the revocable
//! token row, and the signed-in agent's profile. Rate limits stay in the handler (per request).

use rdv_shared::access::can_sign_in;
use rdv_shared::dto::AuthAgent;
use rdv_shared::AgentId;

use crate::auth::password;
use crate::auth::token::random_id;
use crate::db::models::agent::AgentRow;
use crate::db::models::auth_token::NewAuthToken;
use crate::db::models::{agent, auth_token};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};

pub fn auth_agent(a: &AgentRow) -> AuthAgent {
    let email = a.email.clone().unwrap_or_default();
    AuthAgent {
        id: AgentId(a.id),
        uid: email.clone(),
        email,
        provider: "email".into(),
        first_name: a.first_name.clone(),
        last_name: a.last_name.clone(),
        allow_password_change: false,
        deleted_at: a.deleted_at.map(|d| d.and_utc()),
        created_at: a.created_at.and_utc(),
        updated_at: a.updated_at.and_utc(),
    }
}

/// Signs an agent in. The token comes back in the `access-token`, `client`, `uid`, `expiry` and
/// `token-type` response headers (and as `Authorization: Bearer …`); send either the trio or the
/// bearer header on later calls. Attempts are limited per IP and per email (429 + `Retry-After`).
pub fn sign_in(
    conn: &mut DbConn,
    email: String,
    secret: String,
    ttl: chrono::Duration,
) -> ApiResult<(AgentRow, crate::db::models::auth_token::AuthTokenRow)> {
    let found = agent::find_by_email(conn, &email)?;
    // Always one argon2 run, so timing does not reveal whether the email exists.
    let ok = password::verify(&secret, found.as_ref().and_then(|a| a.password_hash.as_deref()));
    let agent = found.filter(|_| ok).ok_or(ApiError::BadCredentials)?;
    if !can_sign_in(&agent::facts(conn, agent.id)?) {
        return Err(ApiError::BadCredentials);
    }
    let now = now_utc();
    let jti = random_id(16);
    let client = random_id(12);
    let token = write_tx(conn, |conn| {
        Ok::<_, ApiError>(auth_token::create(
            conn,
            &agent.author(),
            NewAuthToken { agent_id: agent.id, jti: &jti, client: &client, expires_at: now + ttl, created_at: now },
        )?)
    })?;
    Ok((agent, token))
}

/// Revokes the token used for this request; it answers 401 afterwards.
pub fn sign_out(
    conn: &mut DbConn,
    token: crate::db::models::auth_token::AuthTokenRow,
    author: crate::audit::Author,
) -> ApiResult<()> {
    write_tx(conn, |conn| Ok::<_, ApiError>(auth_token::revoke(conn, &author, &token, now_utc())?))
}
