//! The usager's link in a notification (`/r/{token}`, reference §4.5 and §4.9): each message
//! about an RDV carries a fresh token for its recipient, stored as a digest and valid twelve
//! weeks. Opening it shows nothing until the first three letters of the recipient's last name
//! are typed; then the RDV, and cancellation until 4 hours before when the motif allows it (for
//! the recipient and the relatives they are responsible for). Moving the RDV is
//! `services::rescheduling`, the waiting list `services::waiting_list`.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use rdv_shared::dto::PublicRdvResponse;
use rdv_shared::enums::{BookableBy, RdvStatus};
use rdv_shared::notify::ChangeAuthor;
use rdv_shared::self_service;
use rdv_shared::usager::initials_match;

use crate::audit::Author;
use crate::config::Config;
use crate::db::models::rdv::{ParticipationRow, RdvRow};
use crate::db::models::{file_attente, idempotency, motif, rdv, rdv_link, user};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::booking::render;
use crate::services::notifications;

/// Who the audit trail names for changes made through a link.
pub(crate) const LINK_AUTHOR: &str = "usager (lien d'un message)";

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
pub(crate) fn resolve(
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

pub(crate) fn status_of(mine: &[ParticipationRow]) -> &'static str {
    match mine.iter().find(|p| !p.status().is_cancelled()) {
        Some(p) => p.status().as_str(),
        None => RdvStatus::Excused.as_str(),
    }
}

/// What the self-service rules read of the RDV, for the link's participations.
pub(crate) fn facts(conn: &mut DbConn, r: &RdvRow, mine: &[ParticipationRow]) -> ApiResult<self_service::RdvFacts> {
    let m = motif::find(conn, r.motif_id)?.ok_or(ApiError::NotFound("rdv"))?;
    Ok(self_service::RdvFacts {
        cancelled: r.status().is_cancelled() || mine.iter().all(|p| p.status().is_cancelled()),
        collectif: m.collectif,
        bookable_by: BookableBy::parse(&m.bookable_by).unwrap_or(BookableBy::Agents),
        editable_by_user: m.rdvs_editable_by_user,
        created_by_agent: r.created_by_type == "Agent",
        location_type: m.location(),
        starts_at: Utc.from_utc_datetime(&r.starts_at),
    })
}

/// The RDV as its link shows it: with what the usager may do from there.
pub(crate) fn shown(
    conn: &mut DbConn,
    r: &RdvRow,
    mine: &[ParticipationRow],
    now: DateTime<Utc>,
) -> ApiResult<PublicRdvResponse> {
    let mut rdv = render(conn, r, status_of(mine), now)?;
    let f = facts(conn, r, mine)?;
    rdv.reschedulable = self_service::can_reschedule(&f, now);
    rdv.waiting_list_offered = self_service::waiting_list_offered(&f, now);
    let mut waiting = false;
    for p in mine {
        waiting |= file_attente::find(conn, r.id, p.user_id)?.is_some();
    }
    rdv.on_waiting_list = waiting && rdv.waiting_list_offered;
    Ok(PublicRdvResponse { rdv })
}

/// Opens the RDV of a link.
pub fn open(conn: &mut DbConn, token: &str, initials: &str, now: DateTime<Utc>) -> ApiResult<PublicRdvResponse> {
    let (r, mine) = resolve(conn, token, initials, now)?;
    shown(conn, &r, &mine, now)
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
    let mine_ids: Vec<i32> = mine.iter().map(|p| p.user_id).collect();
    let author = Author::system(LINK_AUTHOR);
    let row = write_tx(conn, |c| {
        let before = notifications::snapshot(c, &r)?;
        let mut row = r.clone();
        for p in mine.iter().filter(|p| !p.status().is_cancelled()) {
            row = rdv::update_participation(c, &author, p, Some(RdvStatus::Excused), None, None, collective)?;
        }
        notifications::rdv_changed(c, config, Some(before), r.id, ChangeAuthor::Usager, now)?;
        Ok::<_, ApiError>(row)
    })?;
    let mine = rdv::participations_of(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    let mine: Vec<ParticipationRow> = mine.into_iter().filter(|p| mine_ids.contains(&p.user_id)).collect();
    shown(conn, &row, &mine, now)
}
