//! Moving an RDV from the usager's link (reference-domain.md §4.7, "Modifier"): the slots of
//! the same motif at the same lieu, any agent, within the motif's booking delays; booking one
//! replaces the time and the agent, with the same locking as a public booking
//! (`services::booking`: the chosen agent is locked and re-checked, the next one tried) and the
//! notifications of a change by the usager. Who may move what is `rdv_shared::self_service`.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use rdv_shared::dto::{PublicCreneauxResponse, PublicRdvResponse};
use rdv_shared::notify::ChangeAuthor;
use rdv_shared::self_service::can_reschedule;

use crate::audit::Author;
use crate::config::Config;
use crate::db::models::rdv::{ParticipationRow, RdvChanges, RdvRow};
use crate::db::models::{file_attente, rdv};
use crate::db::{truncate_micros, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::booking::{free_agents_in_order, hold_if_free, next_public};
use crate::services::creneaux::window;
use crate::services::notifications;
use crate::services::public_search::{offered_again, slot_creneaux};
use crate::services::rdv_links::{facts, resolve, shown, LINK_AUTHOR};

/// The longest window of one request, as the public search.
const MAX_WINDOW_DAYS: i64 = 14;

fn not_reschedulable() -> ApiError {
    ApiError::field_message(
        "base",
        "not_reschedulable",
        "Ce rendez-vous ne peut pas être déplacé en ligne (moins de 2 jours avant, annulé, ou pris par le service) : contactez le service.".into(),
    )
}

/// The link's RDV when its usager may move it, else 422.
fn movable(
    conn: &mut DbConn,
    token: &str,
    initials: &str,
    now: DateTime<Utc>,
) -> ApiResult<(RdvRow, Vec<ParticipationRow>)> {
    let (r, mine) = resolve(conn, token, initials, now)?;
    if !can_reschedule(&facts(conn, &r, &mine)?, now) {
        return Err(not_reschedulable());
    }
    Ok((r, mine))
}

/// The slots the RDV of a link may move to over `[from, to)` (its own time left out).
pub fn creneaux(
    conn: &mut DbConn,
    token: &str,
    initials: &str,
    (from, to): (&str, &str),
    now: DateTime<Utc>,
) -> ApiResult<PublicCreneauxResponse> {
    let (r, _) = movable(conn, token, initials, now)?;
    let o = offered_again(conn, &r)?;
    let (from, to) = window(from, to, tz(&o.organisation.time_zone), MAX_WINDOW_DAYS)?;
    let mut out = slot_creneaux(conn, &o, r.lieu_id, from, to, now)?;
    let current = Utc.from_utc_datetime(&r.starts_at);
    out.creneaux.retain(|c| c.starts_at != current);
    Ok(out)
}

/// Moves the RDV of a link to `starts_at` with the agent free then (least booked that day
/// first); 409 `creneau_indisponible` with the next slots when it was just taken. The waiting
/// list of the RDV is closed: the usager chose.
pub fn reschedule(
    conn: &mut DbConn,
    config: &Config,
    token: &str,
    initials: &str,
    starts_at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> ApiResult<PublicRdvResponse> {
    let (r, mine) = movable(conn, token, initials, now)?;
    let o = offered_again(conn, &r)?;
    let start = starts_at.with_timezone(&Utc);
    let ends = start + Duration::minutes(i64::from(o.motif.default_duration_in_min));
    let order = if start == Utc.from_utc_datetime(&r.starts_at) {
        Vec::new()
    } else {
        free_agents_in_order(conn, &o, r.lieu_id, start, now)?
    };
    let author = Author::system(LINK_AUTHOR);
    let moved = write_tx(conn, |c| {
        // Re-read under the transaction: an agent may have changed it since it was opened.
        let Some(current) = rdv::find(c, r.id)?.filter(|x| x.starts_at == r.starts_at && !x.status().is_cancelled())
        else {
            return Err(not_reschedulable());
        };
        for agent in &order {
            if !hold_if_free(c, *agent, start, ends)? {
                continue;
            }
            let before = notifications::snapshot(c, &current)?;
            let waiting = file_attente::of_rdv(c, r.id)?;
            // An earlier slot taken while on the waiting list is the list's doing (statistics by origin).
            let offered = !waiting.is_empty() && start.naive_utc() < current.starts_at;
            let changes = RdvChanges {
                starts_at: Some(truncate_micros(start.naive_utc())),
                ends_at: Some(truncate_micros(ends.naive_utc())),
                agent_ids: Some(vec![*agent]),
                origin: offered.then_some(rdv_shared::enums::RdvOrigin::FileAttente),
                ..Default::default()
            };
            let row = rdv::update(c, &author, &current, &changes)?;
            for entry in waiting {
                file_attente::remove(c, &author, &entry)?;
            }
            notifications::rdv_changed(c, config, Some(before), r.id, ChangeAuthor::Usager, now)?;
            return Ok::<_, ApiError>(Some(row));
        }
        Ok(None)
    })?;
    let Some(row) = moved else {
        let (creneaux, agents) = next_public(conn, &o, r.lieu_id, start.max(now), now)?;
        return Err(ApiError::SlotTaken { warnings: Vec::new(), creneaux, agents });
    };
    let ids: Vec<i32> = mine.iter().map(|p| p.user_id).collect();
    let mine: Vec<ParticipationRow> = rdv::participations_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| ids.contains(&p.user_id))
        .collect();
    shown(conn, &row, &mine, now)
}
