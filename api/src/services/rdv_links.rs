//! The usager's link in a notification (`/r/{token}`, reference §4.5 and §4.9): each message
//! about an RDV carries a fresh token for its recipient, stored as a digest and valid twelve
//! weeks. Opening it shows nothing until the first three letters of the recipient's last name
//! are typed; then the RDV, and cancellation until 4 hours before when the motif allows it (for
//! the recipient and the relatives they are responsible for).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rdv_shared::dto::PublicRdvResponse;
use rdv_shared::enums::RdvStatus;
use rdv_shared::notify::ChangeAuthor;
use rdv_shared::usager::initials_match;

use crate::audit::Author;
use crate::config::Config;
use crate::db::models::rdv::{ParticipationRow, RdvRow};
use crate::db::models::{idempotency, motif, rdv, rdv_link, user};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::booking::render;
use crate::services::notifications;

/// How long a link opens its RDV.
pub fn validity() -> Duration {
    Duration::weeks(12)
}

/// A new link for `user_id` on `rdv_id`; returns the token (only its digest is kept). Call in
/// the transaction that queues the message carrying it.
pub fn issue(conn: &mut DbConn, rdv_id: i32, user_id: i32, now: NaiveDateTime) -> diesel::QueryResult<String> {
    let token = crate::auth::token::random_id(10);
    rdv_link::create(conn, rdv_id, user_id, &idempotency::digest(token.as_bytes()), now + validity(), now)?;
    Ok(token)
}

/// The RDV, the link's recipient and the participations they answer for (their own and their
/// relatives'). 404 for an unknown or expired link, 422 when the initials do not match.
fn resolve(
    conn: &mut DbConn,
    token: &str,
    initials: &str,
    now: DateTime<Utc>,
) -> ApiResult<(RdvRow, Vec<ParticipationRow>)> {
    let digest = idempotency::digest(token.trim().as_bytes());
    let (rdv_id, user_id) = rdv_link::find(conn, &digest, now.naive_utc())?.ok_or(ApiError::NotFound("rdv"))?;
    let recipient = user::find(conn, user_id)?.ok_or(ApiError::NotFound("rdv"))?;
    if !initials_match(&recipient.last_name, initials) {
        return Err(ApiError::field_message(
            "last_name_initials",
            "invalid",
            "Ces lettres ne correspondent pas au nom de famille de la personne à qui le message a été envoyé.".into(),
        ));
    }
    let r = rdv::find(conn, rdv_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let all = rdv::participations_of(conn, &[rdv_id])?.remove(&rdv_id).unwrap_or_default();
    let users = user::find_many(conn, &all.iter().map(|p| p.user_id).collect::<Vec<_>>())?;
    let mine: Vec<ParticipationRow> = all
        .into_iter()
        .filter(|p| {
            p.user_id == user_id || users.iter().any(|u| u.id == p.user_id && u.responsible_id == Some(user_id))
        })
        .collect();
    if mine.is_empty() {
        return Err(ApiError::NotFound("rdv"));
    }
    Ok((r, mine))
}

fn status_of(mine: &[ParticipationRow]) -> &'static str {
    match mine.iter().find(|p| !p.status().is_cancelled()) {
        Some(p) => p.status().as_str(),
        None => RdvStatus::Excused.as_str(),
    }
}

/// Opens the RDV of a link.
pub fn open(conn: &mut DbConn, token: &str, initials: &str, now: DateTime<Utc>) -> ApiResult<PublicRdvResponse> {
    let (r, mine) = resolve(conn, token, initials, now)?;
    Ok(PublicRdvResponse { rdv: render(conn, &r, status_of(&mine), now)? })
}

/// Cancels the recipient's participations (status `excused`), with the notifications of a
/// cancellation by the usager (email only, reference §4.7).
pub fn cancel(
    conn: &mut DbConn,
    config: &Config,
    token: &str,
    initials: &str,
    now: DateTime<Utc>,
) -> ApiResult<PublicRdvResponse> {
    let (r, mine) = resolve(conn, token, initials, now)?;
    if !render(conn, &r, status_of(&mine), now)?.cancellable {
        return Err(ApiError::field_message(
            "base",
            "not_cancellable",
            "Ce rendez-vous ne peut plus être annulé en ligne (moins de 4 heures avant, ou déjà annulé) : contactez le service.".into(),
        ));
    }
    let collective = motif::find(conn, r.motif_id)?.is_some_and(|m| m.collectif);
    let author = Author::system("usager (lien d'un message)");
    let row = write_tx(conn, |c| {
        let before = notifications::snapshot(c, &r)?;
        let mut row = r.clone();
        for p in mine.iter().filter(|p| !p.status().is_cancelled()) {
            row = rdv::update_participation(c, &author, p, Some(RdvStatus::Excused), None, None, collective)?;
        }
        notifications::rdv_changed(c, config, Some(before), r.id, ChangeAuthor::Usager, now)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(PublicRdvResponse { rdv: render(conn, &row, RdvStatus::Excused.as_str(), now)? })
}
