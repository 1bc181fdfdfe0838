//! The waiting list ("file d'attente", reference-domain.md §4.6): from their link, a usager
//! with an RDV more than 7 days ahead asks to be told of an earlier slot. Each entry has one
//! outbox job (`waiting_list_check`) that runs every 10 minutes from 09:00 to 19:00 in the
//! organisation's zone and is re-armed after each run (`Outcome::Again`): it looks for a slot
//! of the same motif at the same lieu before the RDV − 2 days and, at most once a day and three
//! times in all, sends "Un créneau vient de se libérer !" with the link that moves the RDV
//! (`services::rescheduling`). The rules are `rdv_shared::self_service`; nothing is kept in
//! memory, so checks survive restarts and run once across servers.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rdv_shared::booking::scan_windows;
use rdv_shared::dto::PublicRdvResponse;
use rdv_shared::notify::{usager_notices, ChangeAuthor, NotifEvent, Participant};
use rdv_shared::recurrence::to_utc;
use rdv_shared::self_service::{
    keeps_checking, may_send, next_check, search_until, waiting_list_offered, within_hours, RdvFacts,
};

use crate::audit::Author;
use crate::config::Config;
use crate::db::models::file_attente::{self, FileAttenteRow};
use crate::db::models::outbox::{OutboxRow, Outcome};
use crate::db::models::rdv::{self, RdvRow};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{plan_jobs, user_job, Subject};
use crate::services::agenda::tz;
use crate::services::notification_messages::load;
use crate::services::public_search::{offered_again, public_slots, Offered};
use crate::services::rdv_links::{facts, resolve, shown, LINK_AUTHOR};

/// The job's event.
pub const CHECK: &str = "waiting_list_check";

fn key(entry: &FileAttenteRow) -> String {
    format!("{CHECK}:{}", entry.id)
}

/// Joins or leaves the waiting list of the RDV of a link (for the recipient's participations).
pub fn set(
    conn: &mut DbConn,
    token: &str,
    initials: &str,
    waiting: bool,
    now: DateTime<Utc>,
) -> ApiResult<PublicRdvResponse> {
    let (r, mine) = resolve(conn, token, initials, now)?;
    let author = Author::system(LINK_AUTHOR);
    if waiting && !waiting_list_offered(&facts(conn, &r, &mine)?, now) {
        return Err(ApiError::field_message(
            "base",
            "waiting_list_unavailable",
            "La liste d'attente n'est pas proposée pour ce rendez-vous (moins de 7 jours avant, à domicile ou par téléphone, ou pris par le service).".into(),
        ));
    }
    let org = crate::db::models::organisation::find(conn, r.organisation_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let zone = tz(&org.time_zone);
    write_tx(conn, |c| {
        for p in mine.iter().filter(|p| !p.status().is_cancelled()) {
            match (waiting, file_attente::find(c, r.id, p.user_id)?) {
                (true, None) => {
                    let entry = file_attente::join(c, &author, r.id, p.user_id, now.naive_utc())?;
                    // The first check at once within the hours, else at the next 09:00.
                    let local = now.with_timezone(&zone).naive_local();
                    let run_at = if within_hours(local) { now } else { local_to_utc(zone, next_check(local, false)) };
                    let about = Subject {
                        organisation_id: Some(r.organisation_id),
                        rdv_id: Some(r.id),
                        user_id: Some(p.user_id),
                        agent_id: None,
                    };
                    plan_jobs(c, &[user_job(CHECK, key(&entry), about, run_at.naive_utc())])?;
                }
                (false, Some(entry)) => {
                    // Its job finds no entry on its next run and stops.
                    file_attente::remove(c, &author, &entry)?;
                }
                _ => {}
            }
        }
        Ok::<_, ApiError>(())
    })?;
    shown(conn, &r, &mine, now)
}

fn local_to_utc(zone: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<Utc> {
    to_utc(zone, local).unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The first slot of the RDV's motif at its lieu from `now` until 2 days before it, in
/// doubling windows (most checks stop at the first one).
fn earlier_slot(conn: &mut DbConn, o: &Offered, r: &RdvRow, now: DateTime<Utc>) -> ApiResult<Option<DateTime<Utc>>> {
    let until = search_until(Utc.from_utc_datetime(&r.starts_at));
    for (from, to) in scan_windows(now, until) {
        if let Some(first) = public_slots(conn, o, r.lieu_id, from, to, now)?.first() {
            return Ok(Some(first.starts_at));
        }
    }
    Ok(None)
}

/// A due check (inside the worker's transaction): stops when the entry or the RDV is gone,
/// cancelled, 7 days away or less, or after three messages; otherwise looks for an earlier
/// slot, tells the usager when it may, and runs again at the next check time.
pub fn run(conn: &mut DbConn, config: &Config, job: &OutboxRow, now: NaiveDateTime) -> ApiResult<Outcome> {
    let (Some(rdv_id), Some(user_id)) = (job.rdv_id, job.user_id) else { return Ok(Outcome::Obsolete) };
    let Some(entry) = file_attente::find(conn, rdv_id, user_id)?.filter(|e| key(e) == job.idempotency_key) else {
        return Ok(Outcome::Obsolete);
    };
    let Some(r) = rdv::find(conn, rdv_id)? else { return Ok(Outcome::Obsolete) };
    let participation = rdv::participations_of(conn, &[rdv_id])?
        .remove(&rdv_id)
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.user_id == user_id);
    let Some(participation) = participation else { return Ok(Outcome::Obsolete) };
    let now_utc = Utc.from_utc_datetime(&now);
    let f: RdvFacts = facts(conn, &r, std::slice::from_ref(&participation))?;
    if !keeps_checking(&f, entry.notifications_sent, now_utc) {
        return Ok(Outcome::Obsolete);
    }
    // The motif and organisation, read once: the zone and the slot search both need them.
    let offered = offered_again(conn, &r)?;
    let zone = tz(&offered.organisation.time_zone);
    let local = |t: NaiveDateTime| Utc.from_utc_datetime(&t).with_timezone(&zone).naive_local();
    let mut sent_today = entry.last_creneau_sent_at.is_some_and(|l| local(l).date() == local(now).date());
    if may_send(local(now), entry.notifications_sent, entry.last_creneau_sent_at.map(local)) {
        if let Some(slot) = earlier_slot(conn, &offered, &r, now_utc)? {
            if tell(conn, config, &r, &entry, slot, now)? > 0 {
                file_attente::mark_sent(conn, &Author::system("file d'attente"), &entry, now)?;
                sent_today = true;
            }
        }
    }
    Ok(Outcome::Again(local_to_utc(zone, next_check(local(now), sent_today)).naive_utc()))
}

/// Queues "Un créneau vient de se libérer !" for the entry's usager (or their responsible).
fn tell(
    conn: &mut DbConn,
    config: &Config,
    r: &RdvRow,
    entry: &FileAttenteRow,
    slot: DateTime<Utc>,
    now: NaiveDateTime,
) -> ApiResult<usize> {
    let Some(mut loaded) = load(conn, r.clone(), &[entry.user_id])? else { return Ok(0) };
    loaded.facts.offered_local = Some(loaded.local(slot.naive_utc()));
    let participant = Participant { user_id: entry.user_id, cancelled: false, lifecycle: true, reminder: true };
    let notices = usager_notices(
        &[(participant, NotifEvent::NewCreneau)],
        &loaded.contacts(),
        ChangeAuthor::System,
        loaded.silence(now),
    );
    let key = format!("{}:{}", key(entry), entry.notifications_sent + 1);
    Ok(loaded.enqueue_usager(conn, config, &notices, &key, now)?)
}
