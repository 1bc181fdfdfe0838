//! Password reset by email for agents, and sign-out everywhere (issue 18).
//!
//! A reset request always gets the same answer, known email or not (no account enumeration); a
//! known, active agent with a password gets an email (through the outbox) with a link valid one
//! hour, usable once. Setting the new password ends every session of the agent and every other
//! pending link. Requests count against the sign-in limits (per IP and per email) in the handler.

use rdv_shared::access::can_sign_in;
use rdv_shared::dto::ResetPasswordRequest;
use rdv_shared::validation::{self, Errors};

use crate::auth::password;
use crate::config::Config;
use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, auth_token, membership, password_reset};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{enqueue_mail, MailPayload, Subject};

/// What every reset request answers.
pub const REQUESTED_MESSAGE: &str =
    "Si un compte existe pour cette adresse, un e-mail vient d'être envoyé avec un lien \
     pour choisir un nouveau mot de passe (valable une heure).";

/// Queues the reset email when `email` is an active agent's; does nothing otherwise.
pub fn request_reset(conn: &mut DbConn, config: &Config, email: &str) -> ApiResult<()> {
    let Some(agent) = agent::find_by_email(conn, email)? else { return Ok(()) };
    if agent.deleted_at.is_some() || agent.password_hash.is_none() || !can_sign_in(&agent::facts(conn, agent.id)?) {
        return Ok(());
    }
    let to = agent.email.clone().unwrap_or_default();
    let now = now_utc();
    write_tx(conn, |c| {
        let (id, token) = password_reset::create(c, &agent.author(), agent.id, now)?;
        let url = format!("{}/mot-de-passe/nouveau?token={token}", config.public_url);
        let mail = MailPayload {
            from: config.mail_from.clone(),
            reply_to: None,
            subject: "Choisir un nouveau mot de passe — RDV Solidarités".to_owned(),
            text: format!(
                "Bonjour,\n\nUne demande de nouveau mot de passe a été faite pour votre compte RDV Solidarités.\n\n\
                 Pour choisir un nouveau mot de passe, ouvrez ce lien (valable {minutes} minutes, une seule fois) :\n{url}\n\n\
                 Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n",
                minutes = password_reset::VALIDITY_MINUTES,
            ),
            html: None,
            ics: None,
        };
        let about = Subject { agent_id: Some(agent.id), ..Subject::default() };
        enqueue_mail(c, "password_reset", format!("password_reset:{id}"), about, &to, &mail)?;
        Ok::<_, ApiError>(())
    })
}

/// Sets the new password of the reset's agent, ends all their sessions and pending links.
pub fn reset(conn: &mut DbConn, req: &ResetPasswordRequest) -> ApiResult<()> {
    let mut errors = Errors::default();
    errors.check("password", validation::password_strength(&req.password));
    if req.password != req.password_confirmation {
        errors.add("password_confirmation", "confirmation");
    }
    let now = now_utc();
    let found = password_reset::find_usable(conn, req.reset_password_token.trim(), now)?;
    let agent: Option<AgentRow> = match &found {
        Some(r) => agent::find(conn, r.agent_id)?.filter(|a| a.deleted_at.is_none()),
        None => None,
    };
    let Some(agent) = agent else {
        errors.add("reset_password_token", "invalid");
        return Err(ApiError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let hash = password::hash(&req.password)?;
    let author = agent.author();
    write_tx(conn, |c| {
        membership::set_password(c, &author, &agent, &hash)?;
        password_reset::use_all(c, &author, agent.id, now)?;
        auth_token::revoke_all(c, &author, agent.id, now)?;
        Ok::<_, ApiError>(())
    })
}

/// Ends every session of the agent (this one included); returns how many.
pub fn sign_out_everywhere(conn: &mut DbConn, agent: &AgentRow) -> ApiResult<i64> {
    let n = write_tx(conn, |c| auth_token::revoke_all(c, &agent.author(), agent.id, now_utc()))?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}
