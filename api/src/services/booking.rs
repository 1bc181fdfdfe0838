//! Public booking, no account (reference-domain.md §3.12, §4.7, §8.2 step 7–8, §8.5): the
//! agents free at the slot are found outside any lock and ordered fairly (least booked that day
//! first); inside the write transaction only the agent about to be booked is locked and
//! re-checked with one query (`hold_if_free`: a taken agent's lock is released at once), the
//! next one tried if it was taken meanwhile (so of concurrent
//! requests for one slot exactly one gets it; the others get 409 with the next slots, computed
//! after the transaction), the usager is matched on name +
//! phone in the organisation (or by `rdv_invitation_token`) or created, and a token is returned
//! that shows the RDV and cancels it until 4 hours before.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::RngCore;
use rdv_shared::booking::{can_cancel_online, pick_agent};
use rdv_shared::creneaux::creneau;
use rdv_shared::dto::{
    Agent, Creneau, PublicBookingRequest, PublicBookingResponse, PublicRdv, PublicRdvResponse, UserInput,
};
use rdv_shared::enums::{RdvOrigin, RdvStatus, VisibilityType};
use rdv_shared::notify::ChangeAuthor;
use rdv_shared::sectorisation::Place;
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::usager::{fold, phone_e164};
use rdv_shared::AgentId;

use crate::audit::Author;
use crate::config::Config;
use crate::db::models::agent::agents_by_id;
use crate::db::models::rdv::{NewRdv, RdvChanges, RdvRow};
use crate::db::models::user::UserValues;
use crate::db::models::{idempotency, lieu, motif, organisation, rdv, rdv_reads, user, user_links};
use crate::db::{lock_agents, truncate_micros, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::invited_search::{invitation, SearchFilters};
use crate::services::public_search::{offered_motif, public_sessions, public_slots, Offered};
use crate::services::{notifications, Idempotency};

const PUBLIC_AUTHOR: &str = "usager (prise de RDV en ligne)";

fn digest(token: &str) -> String {
    idempotency::digest(token.as_bytes())
}

/// The usager who books: the invited one, else the organisation's usager with the same names
/// and phone (reference prescripteur flow), else a new one attached to the organisation.
fn usager_for(
    conn: &mut DbConn,
    author: &Author,
    org: i32,
    req: &PublicBookingRequest,
    invited: Option<i32>,
) -> ApiResult<i32> {
    if let Some(id) = invited {
        if let Some(u) = user::find(conn, id)? {
            user_links::attach(conn, author, &u, &[org])?;
        }
        return Ok(id);
    }
    let phone = phone_e164(&req.phone_number).map_err(|code| ApiError::field("phone_number", code))?;
    let candidates = user::with_phone_in_organisation(conn, org, &phone)?;
    let (first, last) = (fold(&req.first_name), fold(&req.last_name));
    if let Some((id, _, _)) = candidates.iter().find(|(_, f, l)| fold(f) == first && fold(l) == last) {
        return Ok(*id);
    }
    let input = UserInput {
        first_name: Some(req.first_name.clone()),
        last_name: Some(req.last_name.clone()),
        phone_number: Some(Some(req.phone_number.clone())),
        email: Some(req.email.clone()),
        ..Default::default()
    };
    let values =
        UserValues::for_new(&input, &FieldToggles::default(), Utc::now().date_naive()).map_err(ApiError::Validation)?;
    let row = user::create(conn, author, &values, "user_public")?;
    user_links::attach(conn, author, &row, &[org])?;
    Ok(row.id)
}

/// The invitation a booking comes with (its link's organisations and agents), if any.
fn invitation_of(conn: &mut DbConn, req: &PublicBookingRequest) -> ApiResult<Option<SearchFilters>> {
    match req.rdv_invitation_token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => Ok(Some(invitation(conn, token, &req.organisation_ids, &req.referent_ids)?)),
        None => Ok(None),
    }
}

/// Booked minutes of each agent on the slot's day: the least loaded gets the RDV.
fn loads(conn: &mut DbConn, agents: &[i32], day_start: DateTime<Utc>) -> ApiResult<Vec<(i32, i64)>> {
    let rows = rdv_reads::agent_times_between(
        conn,
        agents,
        day_start.naive_utc(),
        (day_start + Duration::days(1)).naive_utc(),
    )?;
    Ok(agents
        .iter()
        .map(|a| (*a, rows.iter().filter(|r| r.0 == *a).map(|r| (r.2 - r.1).num_minutes()).sum()))
        .collect())
}

/// The next public slots from `from` (two weeks), for a 409.
pub(crate) fn next_public(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<(Vec<Creneau>, Vec<Agent>)> {
    let zone = tz(&o.organisation.time_zone);
    let slots = public_slots(conn, o, lieu_id, from, from + Duration::days(14), now)?;
    let slots = &slots[..slots.len().min(NEXT_OFFERED)];
    let creneaux = slots.iter().map(|s| creneau(s, zone)).collect();
    Ok((creneaux, first_names(conn, slots.iter().map(|s| s.agent_id))?))
}

/// How many next slots (or sessions) a 409 offers.
const NEXT_OFFERED: usize = 5;

/// The public does not choose the agent: only first names are shown.
fn first_names(conn: &mut DbConn, ids: impl Iterator<Item = i32>) -> ApiResult<Vec<Agent>> {
    let ids: std::collections::BTreeSet<i32> = ids.collect();
    let rows = agents_by_id(conn, &ids.into_iter().collect::<Vec<_>>())?;
    let mut out: Vec<Agent> =
        rows.values().map(|a| Agent { email: None, last_name: String::new(), ..a.to_dto() }).collect();
    out.sort_by_key(|a| a.id.0);
    Ok(out)
}

/// The next sessions of a collective motif with seats left (after one was found full).
fn next_sessions(
    conn: &mut DbConn,
    o: &Offered,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<(Vec<Creneau>, Vec<Agent>)> {
    let zone = tz(&o.organisation.time_zone);
    let horizon = from + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS);
    let rows = public_sessions(conn, o, None, from, horizon, now)?;
    let rows = &rows[..rows.len().min(NEXT_OFFERED)];
    let agents_of = rdv::agents_of(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    let creneaux: Vec<Creneau> = rows
        .iter()
        .filter_map(|r| {
            let agent = agents_of.get(&r.id).and_then(|a| a.first().copied())?;
            Some(Creneau {
                starts_at: Utc.from_utc_datetime(&r.starts_at).with_timezone(&zone).fixed_offset(),
                ends_at: Utc.from_utc_datetime(&r.ends_at).with_timezone(&zone).fixed_offset(),
                agent_id: AgentId(agent),
                lieu_id: r.lieu_id,
                rdv_id: Some(r.id),
                seats_left: rdv_shared::booking::seats_left(r.users_count, r.max_participants_count),
            })
        })
        .collect();
    let agents = first_names(conn, creneaux.iter().map(|c| c.agent_id.0))?;
    Ok((creneaux, agents))
}

/// What the usager sees of an RDV.
pub(crate) fn render(conn: &mut DbConn, r: &RdvRow, status: &str, now: DateTime<Utc>) -> ApiResult<PublicRdv> {
    let m = motif::find(conn, r.motif_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let org = organisation::find(conn, r.organisation_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let l = match r.lieu_id {
        Some(id) => lieu::find(conn, id)?,
        None => None,
    };
    let zone = tz(&org.time_zone);
    let starts = Utc.from_utc_datetime(&r.starts_at);
    Ok(PublicRdv {
        starts_at: starts.with_timezone(&zone).fixed_offset(),
        ends_at: Utc.from_utc_datetime(&r.ends_at).with_timezone(&zone).fixed_offset(),
        motif_name: m.name.clone(),
        location_type: m.location(),
        lieu_name: l.as_ref().map(|l| l.name.clone()),
        lieu_address: l.as_ref().map(|l| l.address.clone()),
        organisation_name: org.name.clone(),
        instruction_for_rdv: m.instruction_for_rdv.clone(),
        status: status.to_owned(),
        cancellable: status == RdvStatus::Unknown.as_str()
            && m.rdvs_cancellable_by_user
            && can_cancel_online(starts, now),
        cancel_warning: m
            .custom_cancel_warning_message
            .clone()
            .unwrap_or_else(|| "Voulez-vous vraiment annuler ce RDV ?".to_owned()),
        reschedulable: false,
        waiting_list_offered: false,
        on_waiting_list: false,
    })
}

/// The participation of `user_id` in `rdv_id` gets the token's digest (the token itself is
/// only ever shown to the usager).
fn set_token(conn: &mut DbConn, rdv_id: i32, user_id: i32, token: &str) -> ApiResult<()> {
    Ok(rdv::set_cancel_token_digest(conn, rdv_id, user_id, &digest(token))?)
}

/// Joins the collective session `req.rdv_id` (reference §3.11): its agents are locked, then
/// the session is re-read and must still be offered with a seat left. `None`: full or gone.
fn join_session(
    conn: &mut DbConn,
    author: &Author,
    (o, req, invited): (&Offered, &PublicBookingRequest, Option<i32>),
    now: DateTime<Utc>,
) -> ApiResult<Option<(RdvRow, i32)>> {
    let rdv_id = req.rdv_id.ok_or_else(|| ApiError::field("rdv_id", "blank"))?;
    let agents = rdv::agents_of(conn, &[rdv_id])?.remove(&rdv_id).unwrap_or_default();
    lock_agents(conn, &agents)?;
    let Some(session) = rdv::find(conn, rdv_id)?.filter(|r| r.motif_id == o.motif.id) else {
        return Err(ApiError::NotFound("rdv"));
    };
    let start = Utc.from_utc_datetime(&session.starts_at);
    let still = public_sessions(conn, o, session.lieu_id, start, start + Duration::seconds(1), now)?;
    if !still.iter().any(|r| r.id == rdv_id) {
        return Ok(None);
    }
    let user_id = usager_for(conn, author, o.organisation.id, req, invited)?;
    let participations = rdv::participations_of(conn, &[rdv_id])?.remove(&rdv_id).unwrap_or_default();
    if let Some(mine) = participations.iter().find(|p| p.user_id == user_id) {
        if !matches!(mine.status(), RdvStatus::Excused | RdvStatus::Revoked) {
            return Err(ApiError::field_message(
                "base",
                "already_registered",
                "Vous êtes déjà inscrit(e) à cette séance.".into(),
            ));
        }
        // Cancelled earlier, registering again: the same participation becomes active again
        // (a session has one participation per usager), and the seat is taken back.
        let row = rdv::update_participation(conn, author, mine, Some(RdvStatus::Unknown), None, None, true)?;
        return Ok(Some((row, user_id)));
    }
    let mut users: Vec<i32> = participations.iter().map(|p| p.user_id).collect();
    users.push(user_id);
    let changes = RdvChanges {
        user_ids: Some(users),
        send_notifications: o.motif.visibility_type == VisibilityType::VisibleAndNotified.as_str(),
        ..Default::default()
    };
    Ok(Some((rdv::update(conn, author, &session, &changes)?, user_id)))
}

/// The agents free at `start` for the motif (at the lieu), as the public search finds them,
/// in booking order: the least booked that day first, ties drawn at random.
pub(crate) fn free_agents_in_order(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<i32>> {
    let zone = tz(&o.organisation.time_zone);
    let local_day = start.with_timezone(&zone).date_naive();
    let day_start = rdv_shared::recurrence::to_utc(zone, local_day.and_time(chrono::NaiveTime::MIN)).unwrap_or(start);
    let day_end = day_start + Duration::days(1);
    let scope = o.public_scope(lieu_id);
    let plages = crate::services::slot_search::plages_of_motifs(conn, &[o.motif.id], &scope, day_start, day_end)?;
    let free: Vec<i32> =
        crate::services::slot_search::slots_between(conn, &[o.target()], &plages, &scope, day_start, day_end, now)?
            .into_iter()
            .filter(|f| f.slot.starts_at == start && f.slot.lieu_id == lieu_id)
            .map(|f| f.slot.agent_id)
            .collect();
    let mut remaining = loads(conn, &free, day_start)?;
    let mut order = Vec::with_capacity(remaining.len());
    while let Some(agent) = pick_agent(&remaining, u64::from(rand::rngs::OsRng.next_u32())) {
        order.push(agent);
        remaining.retain(|(a, _)| *a != agent);
    }
    Ok(order)
}

/// Locks `agent` and keeps the lock if it is free over `[start, end)`; if it was taken meanwhile,
/// lets go of it at once (the lock is taken in a savepoint, and rolling back to it releases the
/// row lock). Holding a taken agent while locking the next one deadlocked on PostgreSQL: two
/// requests trying the same agents in opposite orders each held one and waited for the other's.
pub(crate) fn hold_if_free(conn: &mut DbConn, agent: i32, start: DateTime<Utc>, end: DateTime<Utc>) -> ApiResult<bool> {
    let held = write_tx(conn, |s| {
        lock_agents(s, &[agent])?;
        if agent_taken(s, agent, start, end)? {
            // Any error rolls the savepoint back, releasing the lock; this one means "taken".
            return Err(ApiError::SlotTaken { warnings: Vec::new(), creneaux: Vec::new(), agents: Vec::new() });
        }
        Ok(())
    });
    match held {
        Ok(()) => Ok(true),
        Err(ApiError::SlotTaken { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Has `agent` an RDV in a blocking status overlapping `[start, end)`? The overlap query of the
/// slot search, run after the agent's lock is held.
fn agent_taken(conn: &mut DbConn, agent: i32, start: DateTime<Utc>, end: DateTime<Utc>) -> ApiResult<bool> {
    Ok(!rdv::blocking_overlaps(conn, &[agent], start.naive_utc(), end.naive_utc())?.is_empty())
}

/// The RDV and participation a token opens, else 404.
fn by_token(conn: &mut DbConn, token: &str) -> ApiResult<(RdvRow, i32, String)> {
    let found = rdv::by_cancel_token_digest(conn, &digest(token.trim()))?;
    let (rdv_id, participation_id, status) = found.ok_or(ApiError::NotFound("rdv"))?;
    let r = rdv::find(conn, rdv_id)?.ok_or(ApiError::NotFound("rdv"))?;
    Ok((r, participation_id, status))
}

/// What the usager sends to book, checked for shape by the handler.
pub struct Booking {
    /// `None`: an invited usager without an address (their invitation's organisations decide).
    pub place: Option<Place>,
    pub req: PublicBookingRequest,
    /// `Idempotency-Key` (scope `public`).
    pub idem: Option<Idempotency>,
}

/// Books the slot (or joins the session) of `b`: 409 `creneau_indisponible` with the next
/// slots when it was just taken; the same booking again for a retry with the same key.
pub fn book(conn: &mut DbConn, config: &Config, b: Booking, now: DateTime<Utc>) -> ApiResult<PublicBookingResponse> {
    let Booking { place, req, idem } = b;
    let author = Author::system(PUBLIC_AUTHOR);
    let inv = invitation_of(conn, &req)?;
    let invited = inv.as_ref().and_then(|i| i.invited);
    let o = offered_motif(conn, place.as_ref(), inv.as_ref(), req.motif_id)?;
    let lieu_id = req.lieu_id.filter(|_| o.motif.needs_lieu() && !o.motif.collectif);
    let start = req.starts_at.with_timezone(&Utc);
    let ends = start + Duration::minutes(i64::from(o.motif.default_duration_in_min));
    let token = {
        let mut bytes = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    // Outside the write transaction (so concurrent bookings do not queue behind it): the
    // agents free at that start by every rule of the search, fairest first.
    let order = if o.motif.collectif { Vec::new() } else { free_agents_in_order(conn, &o, lieu_id, start, now)? };
    let outcome = write_tx(conn, |c| {
        if let Some(rdv_id) = idem.as_ref().map(|i| i.earlier(c)).transpose()?.flatten() {
            // A retry: the same RDV, with a fresh token (only the digest is stored).
            let r = rdv::find(c, rdv_id)?.ok_or(ApiError::NotFound("rdv"))?;
            let user_id = usager_for(c, &author, o.organisation.id, &req, invited)?;
            set_token(c, rdv_id, user_id, &token)?;
            return Ok::<_, ApiError>(Some(r));
        }
        if o.motif.collectif {
            let Some((row, user_id)) = join_session(c, &author, (&o, &req, invited), now)? else { return Ok(None) };
            set_token(c, row.id, user_id, &token)?;
            if invited.is_some() {
                rdv::mark_invited(c, row.id, user_id)?;
            }
            let before = notifications::snapshot(c, &row)?.without_user(user_id);
            notifications::rdv_changed(c, config, Some(before), row.id, ChangeAuthor::Usager, now)?;
            if let Some(i) = &idem {
                i.remember(c, row.id)?;
            }
            return Ok(Some(row));
        }
        // Only the agent about to be booked is locked, then re-checked: another booking
        // committed since the search is seen here, and the next free agent is tried.
        for agent in &order {
            if !hold_if_free(c, *agent, start, ends)? {
                continue;
            }
            let user_id = usager_for(c, &author, o.organisation.id, &req, invited)?;
            let starts_at = truncate_micros(start.naive_utc());
            let new = NewRdv {
                organisation_id: o.organisation.id,
                motif_id: o.motif.id,
                lieu_id,
                starts_at,
                ends_at: truncate_micros(ends.naive_utc()),
                context: None,
                name: None,
                max_participants_count: None,
                notify: true,
                created_by_type: "User",
                created_by_id: Some(user_id),
                origin: if invited.is_some() { RdvOrigin::Invitation } else { RdvOrigin::User },
                agent_ids: vec![*agent],
                user_ids: vec![user_id],
                send_notifications: o.motif.visibility_type == VisibilityType::VisibleAndNotified.as_str(),
            };
            let row = rdv::create(c, &author, &new)?;
            set_token(c, row.id, user_id, &token)?;
            if invited.is_some() {
                rdv::mark_invited(c, row.id, user_id)?;
            }
            notifications::rdv_changed(c, config, None, row.id, ChangeAuthor::Usager, now)?;
            if let Some(i) = &idem {
                i.remember(c, row.id)?;
            }
            return Ok(Some(row));
        }
        Ok(None)
    })?;
    let Some(row) = outcome else {
        // Taken meanwhile (or the session is full): the next ones, read after the transaction.
        let (creneaux, agents) = if o.motif.collectif {
            next_sessions(conn, &o, start.max(now), now)?
        } else {
            next_public(conn, &o, lieu_id, start.max(now), now)?
        };
        return Err(ApiError::SlotTaken { warnings: Vec::new(), creneaux, agents });
    };
    Ok(PublicBookingResponse { rdv: render(conn, &row, RdvStatus::Unknown.as_str(), now)?, token })
}

/// The confirmation page's RDV, by the usager's token.
pub fn show(conn: &mut DbConn, token: &str, now: DateTime<Utc>) -> ApiResult<PublicRdvResponse> {
    let (r, _, status) = by_token(conn, token)?;
    Ok(PublicRdvResponse { rdv: render(conn, &r, &status, now)? })
}

/// Cancels the usager's participation (status `excused`) until 4 hours before, when the motif
/// allows it; 422 otherwise.
pub fn cancel(conn: &mut DbConn, config: &Config, token: &str, now: DateTime<Utc>) -> ApiResult<PublicRdvResponse> {
    let (r, participation_id, status) = by_token(conn, token)?;
    if !render(conn, &r, &status, now)?.cancellable {
        return Err(ApiError::field_message(
            "base",
            "not_cancellable",
            "Ce rendez-vous ne peut plus être annulé en ligne (moins de 4 heures avant, ou déjà annulé) : contactez le service.".into(),
        ));
    }
    // Only the usager's own participation: in a collective session the others stay booked;
    // an individual RDV follows its single participation (reference V2 statuses).
    let p = rdv::find_participation(conn, participation_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let author = Author::system(PUBLIC_AUTHOR);
    let collective = motif::find(conn, r.motif_id)?.is_some_and(|m| m.collectif);
    let row = write_tx(conn, |c| {
        let before = notifications::snapshot(c, &r)?;
        let row = rdv::update_participation(c, &author, &p, Some(RdvStatus::Excused), None, None, collective)?;
        notifications::rdv_changed(c, config, Some(before), r.id, ChangeAuthor::Usager, now)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(PublicRdvResponse { rdv: render(conn, &row, RdvStatus::Excused.as_str(), now)? })
}
