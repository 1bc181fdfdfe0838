//! What is checked before an agent writes an RDV (reference-domain.md §4.2): hard errors (422)
//! and benign ones returned as `warnings` until the caller confirms with `ignore_benign_errors`.
//! A conflict in an agenda the caller cannot read is reported without any detail.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use rdv_shared::access::{AgendaLevel, EventFacts, Viewer};
use rdv_shared::dto::Warning;
use rdv_shared::enums::LieuAvailability;
use rdv_shared::recurrence::occurrences;
use rdv_shared::{AgentId, OrganisationId, ServiceId};

use crate::db::models::agent::first_organisations;
use crate::db::models::motif::{motifs_by_id, MotifRow};
use crate::db::models::organisation::{organisations_by_id, OrganisationRow};
use crate::db::models::rdv::MAX_DURATION_MIN;
use crate::db::models::{absence, agent, lieu, membership, plage, rdv, rdv_reads, user};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;

/// An RDV as it would be after the write.
pub struct Candidate<'a> {
    /// The RDV being changed (excluded from its own conflicts).
    pub rdv_id: Option<i32>,
    pub organisation: &'a OrganisationRow,
    pub motif: &'a MotifRow,
    pub lieu_id: Option<i32>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub agent_ids: &'a [i32],
    pub user_ids: &'a [i32],
    pub name: Option<&'a str>,
    pub max_participants_count: Option<i32>,
}

/// Hard errors: duration, agents of the organisation, usagers of the organisation, a referent
/// for a follow-up motif, lieu, seats, and an identical RDV.
pub fn hard_errors(conn: &mut DbConn, c: &Candidate<'_>) -> ApiResult<()> {
    let minutes = (c.ends_at - c.starts_at).num_minutes();
    if minutes <= 0 || minutes > i64::from(MAX_DURATION_MIN) {
        return Err(ApiError::field("duration_in_min", "inclusion"));
    }
    if c.agent_ids.is_empty() {
        return Err(ApiError::field("agent_ids", "blank"));
    }
    let members = membership::members_among(conn, c.organisation.id, c.agent_ids)?;
    if c.agent_ids.iter().any(|a| !members.contains(a)) {
        return Err(ApiError::field("agent_ids", "inclusion"));
    }
    if !c.motif.collectif && c.user_ids.is_empty() {
        return Err(ApiError::field("user_ids", "blank"));
    }
    let known = user::live_among_in_organisation(conn, c.organisation.id, c.user_ids)?;
    if c.user_ids.iter().any(|u| !known.contains(u)) {
        return Err(ApiError::field("user_ids", "inclusion"));
    }
    if c.motif.organisation_id != c.organisation.id || c.motif.deleted_at.is_some() {
        return Err(ApiError::field("motif_id", "inclusion"));
    }
    // A follow-up motif ("RDV de suivi") is held by one of each usager's referents (§3.9).
    if c.motif.follow_up && !c.motif.collectif {
        let mut referents = Vec::with_capacity(c.user_ids.len());
        for u in c.user_ids {
            referents.push(crate::db::models::user_links::referent_ids(conn, *u)?);
        }
        if !rdv_shared::invitation::follow_up_respected(true, c.agent_ids, &referents) {
            return Err(ApiError::field_message(
                "agent_ids",
                "not_referent",
                "Ce motif est un RDV de suivi : il doit être pris avec un agent référent de l'usager.".into(),
            ));
        }
    }
    let on_site = c.motif.needs_lieu();
    match c.lieu_id {
        None if on_site => return Err(ApiError::field("lieu_id", "required_on_site")),
        None => {}
        Some(id) => {
            let ok = lieu::find(conn, id)?.is_some_and(|l| {
                l.organisation_id == c.organisation.id && l.availability() != LieuAvailability::Disabled
            });
            if !ok {
                return Err(ApiError::field("lieu_id", "inclusion"));
            }
        }
    }
    if c.motif.collectif {
        if c.max_participants_count.is_some_and(|m| m <= 0) {
            return Err(ApiError::field("max_participants_count", "greater_than"));
        }
        if c.max_participants_count.is_some_and(|m| c.user_ids.len() > usize::try_from(m).unwrap_or(0)) {
            return Err(ApiError::field("max_participants_count", "full"));
        }
    }
    if identical_exists(conn, c)? {
        return Err(ApiError::field("base", "identical"));
    }
    Ok(())
}

fn identical_exists(conn: &mut DbConn, c: &Candidate<'_>) -> ApiResult<bool> {
    let same = rdv_reads::same_slot(conn, c.organisation.id, c.motif.id, c.starts_at, c.ends_at)?;
    let same: Vec<i32> = same.into_iter().filter(|id| Some(*id) != c.rdv_id).collect();
    if same.is_empty() {
        return Ok(false);
    }
    let rows = rdv::find_many(conn, &same)?;
    let agents = rdv::agents_of(conn, &same)?;
    let parts = rdv::participations_of(conn, &same)?;
    let mut want_agents = c.agent_ids.to_vec();
    want_agents.sort_unstable();
    let mut want_users = c.user_ids.to_vec();
    want_users.sort_unstable();
    Ok(rows.iter().any(|r| {
        let mut u: Vec<i32> = parts.get(&r.id).map(|l| l.iter().map(|p| p.user_id).collect()).unwrap_or_default();
        u.sort_unstable();
        r.lieu_id == c.lieu_id && agents.get(&r.id).cloned().unwrap_or_default() == want_agents && u == want_users
    }))
}

fn warn(code: &str, message: String) -> Warning {
    Warning { code: code.to_owned(), message }
}

/// The benign errors of `c` as seen by `viewer`.
pub fn warnings(conn: &mut DbConn, viewer: &Viewer, c: &Candidate<'_>, now: DateTime<Utc>) -> ApiResult<Vec<Warning>> {
    let zone = tz(&c.organisation.time_zone);
    let start = Utc.from_utc_datetime(&c.starts_at);
    let end = Utc.from_utc_datetime(&c.ends_at);
    let hm = |t: NaiveDateTime| Utc.from_utc_datetime(&t).with_timezone(&zone).format("%H:%M").to_string();
    let mut out = Vec::new();
    if start < now {
        out.push(warn("in_the_past", "Ce rendez-vous commence dans le passé.".into()));
    }
    if c.motif.collectif && c.name.is_some_and(|n| n.chars().count() > 50) {
        out.push(warn("name_too_long", "L'intitulé dépasse 50 caractères : il sera tronqué dans les SMS.".into()));
    }
    let agents = agent::facts_of(conn, c.agent_ids)?;
    let names = crate::db::models::agent::agents_by_id(conn, c.agent_ids)?;
    let name_of = |id: i32| {
        names.get(&id).map(|a| rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)).unwrap_or_default()
    };

    // Other RDVs of the agents.
    let mut spans: Vec<rdv::BusySpan> = rdv::blocking_overlaps(conn, c.agent_ids, c.starts_at, c.ends_at)?
        .into_iter()
        .filter(|b| Some(b.rdv_id) != c.rdv_id)
        .collect();
    spans.sort_by_key(|b| (b.starts_at, b.rdv_id));
    let rows: HashMap<i32, rdv::RdvRow> = rdv::find_many(conn, &spans.iter().map(|b| b.rdv_id).collect::<Vec<_>>())?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let others: Vec<(i32, &rdv::RdvRow)> =
        spans.iter().filter_map(|b| rows.get(&b.rdv_id).map(|r| (b.agent_id, r))).collect();
    let other_ids: Vec<i32> = others.iter().map(|(_, r)| r.id).collect();
    let other_agents = rdv::agents_of(conn, &other_ids)?;
    let other_motifs = motifs_by_id(conn, &others.iter().map(|(_, r)| r.motif_id).collect::<Vec<_>>())?;
    let other_facts = agent::facts_of(conn, &other_agents.values().flatten().copied().collect::<Vec<_>>())?;
    for (agent_id, r) in others {
        let services: Vec<ServiceId> =
            other_motifs.get(&r.motif_id).map(|m| ServiceId(m.service_id)).into_iter().collect();
        let ids: Vec<AgentId> =
            other_agents.get(&r.id).map(|v| v.iter().map(|a| AgentId(*a)).collect()).unwrap_or_default();
        let owners: Vec<_> = ids.iter().filter_map(|a| other_facts.get(&a.0)).collect();
        let level = viewer.event_level(
            &EventFacts { organisation_id: OrganisationId(r.organisation_id), service_ids: &services, agent_ids: &ids },
            &owners,
        );
        if level >= AgendaLevel::Read {
            let motif = other_motifs.get(&r.motif_id).map(|m| m.name.as_str()).unwrap_or("");
            out.push(warn(
                "rdv_overlap",
                format!("{} a déjà un RDV de {} à {} ({motif}).", name_of(agent_id), hm(r.starts_at), hm(r.ends_at)),
            ));
        } else {
            out.push(warn(
                "hidden_conflict",
                format!(
                    "{} est déjà occupé(e) sur ce créneau (agenda dont vous ne voyez pas le détail).",
                    name_of(agent_id)
                ),
            ));
        }
    }

    // Absences and plages over the RDV's day(s).
    let from_day = (c.starts_at - Duration::days(1)).date();
    let to_day = (c.ends_at + Duration::days(1)).date();
    let firsts = first_organisations(conn, c.agent_ids)?;
    for a in absence::in_window(conn, c.agent_ids, from_day, to_day)? {
        let rule = a.rule();
        let a_zone = firsts.get(&a.agent_id).map_or(chrono_tz::Europe::Paris, |o| tz(&o.time_zone));
        if occurrences(&a.schedule(rule.as_ref()), a_zone, start, end).is_empty() {
            continue;
        }
        let visible = agents.get(&a.agent_id).is_some_and(|f| viewer.absence_level(f) >= AgendaLevel::Read);
        let what = if visible { format!(" (« {} »)", a.title) } else { String::new() };
        out.push(warn("absence_overlap", format!("{} est indisponible sur ce créneau{what}.", name_of(a.agent_id))));
    }
    let plages = plage::in_window(conn, c.agent_ids, from_day, to_day)?;
    let plage_orgs = organisations_by_id(conn, &plages.iter().map(|p| p.organisation_id).collect::<Vec<_>>())?;
    // Collective RDVs are sessions of their own, never inside plages (reference §1.7).
    for &agent_id in c.agent_ids.iter().filter(|_| !c.motif.collectif) {
        let covered = plages.iter().filter(|p| p.agent_id == agent_id).any(|p| {
            let rule = p.rule();
            let p_zone = plage_orgs.get(&p.organisation_id).map_or(zone, |o| tz(&o.time_zone));
            occurrences(&p.schedule(rule.as_ref()), p_zone, start, end).iter().any(|(s, e)| *s <= start && end <= *e)
        });
        if !covered {
            out.push(warn(
                "outside_plages",
                format!("Ce créneau est en dehors des plages d'ouverture de {}.", name_of(agent_id)),
            ));
        }
    }

    // The same usager the same day.
    let local_day = start.with_timezone(&zone).date_naive();
    let day_start = rdv_shared::recurrence::to_utc(zone, local_day.and_time(chrono::NaiveTime::MIN))
        .map_or(c.starts_at, |t| t.naive_utc());
    let day_end = day_start + Duration::days(1);
    let same_day: Vec<(i32, rdv::RdvRow)> = rdv_reads::of_users_between(conn, c.user_ids, day_start, day_end)?
        .into_iter()
        .filter(|(_, r)| Some(r.id) != c.rdv_id)
        .collect();
    if !same_day.is_empty() {
        let mut users: Vec<i32> = same_day.iter().map(|(u, _)| *u).collect();
        users.dedup();
        let found = crate::db::models::user::find_many(conn, &users)?;
        let who: Vec<String> = found.iter().map(|u| format!("{} {}", u.first_name, u.last_name)).collect();
        out.push(warn("same_day_rdv", format!("{} a déjà un rendez-vous ce jour-là.", who.join(", "))));
    }
    Ok(out)
}

/// Warnings meaning an agent of the RDV is already taken at that time.
const TAKEN: [&str; 2] = ["rdv_overlap", "hidden_conflict"];

/// Turns warnings into the answer: none → go on; an agent already taken → 409 (the slot was
/// booked meanwhile: of concurrent bookings of one slot, exactly one gets through, issue 7),
/// whose next free slots [`offer_next_slots`] adds once the transaction is over; other benign
/// errors → 422 until confirmed with `ignore_benign_errors` (deliberate overbooking stays
/// possible, as in the reference, but only on purpose).
pub fn refuse(w: Vec<Warning>) -> ApiResult<()> {
    if w.is_empty() {
        return Ok(());
    }
    if w.iter().any(|x| TAKEN.contains(&x.code.as_str())) {
        return Err(ApiError::SlotTaken { warnings: w, creneaux: Vec::new(), agents: Vec::new() });
    }
    Err(ApiError::Warnings(w))
}

/// A 409 from [`refuse`] gets the next free slots of the motif for the same agents and lieu;
/// run after the write transaction, so the search does not hold the agents' locks (or
/// SQLite's single writer). Other errors pass through.
pub fn offer_next_slots(conn: &mut DbConn, e: ApiError, c: &Candidate<'_>, now: DateTime<Utc>) -> ApiError {
    match e {
        ApiError::SlotTaken { warnings, .. } => match next_free(conn, c, now) {
            Ok((creneaux, agents)) => ApiError::SlotTaken { warnings, creneaux, agents },
            Err(other) => other,
        },
        other => other,
    }
}

/// How many next slots a 409 offers.
const NEXT_OFFERED: usize = 5;

/// The first free slots of the candidate's motif from its start, for its agents (and lieu).
fn next_free(
    conn: &mut DbConn,
    c: &Candidate<'_>,
    now: DateTime<Utc>,
) -> ApiResult<(Vec<rdv_shared::dto::Creneau>, Vec<rdv_shared::dto::Agent>)> {
    use crate::services::slot_search::{self, Scope};
    let target = crate::services::creneaux::target_of(conn, c.motif.clone(), c.organisation)?;
    let zone = target.zone;
    let scope = Scope {
        agent_ids: Some(c.agent_ids.to_vec()),
        lieu_ids: c.lieu_id.filter(|_| !c.motif.collectif).map(|l| vec![l]),
        public: false,
    };
    let from = Utc.from_utc_datetime(&c.starts_at).max(now);
    let to = from + Duration::days(14);
    let targets = [target];
    let plages = slot_search::plages_of_motifs(conn, &[c.motif.id], &scope, from, to)?;
    let mut found = slot_search::slots_between(conn, &targets, &plages, &scope, from, to, now)?;
    found.truncate(NEXT_OFFERED);
    crate::services::creneaux::render_creneaux(conn, &found, zone)
}
