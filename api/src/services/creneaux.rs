//! Agent-side slot search (`GET /api/v1/creneaux`, reference-domain.md §3.2–3.11; seed 003
//! "recherche de créneau côté agent"): the free slots of one motif in a bounded window, per lieu
//! and local day, each lieu with its next availability, and the collective sessions with seats.
//! Only agents whose agenda the caller may write into for the motif are offered (booking goes
//! through `POST /api/v1/rdvs`, which requires exactly that). The answer is assembled by
//! `rdv_shared::creneaux`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use rdv_shared::access::{AgendaLevel, AgentFacts, Viewer};
use rdv_shared::booking::seats_left;
use rdv_shared::creneaux::{creneau, group_for_agents, lieux_without_slots, parse_bound};
use rdv_shared::dto::{Agent, CollectiveSession, Creneau, CreneauxResponse};
use rdv_shared::{OrganisationId, ServiceId};

use crate::db::models::agent::{agents_by_id, AgentRow};
use crate::db::models::lieu::lieux_by_id;
use crate::db::models::motif::MotifRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::{agent, motif, organisation, rdv, territory, territory_admin};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::{lieu_brief, motif_brief, tz};
use crate::services::slot_search::{Found, Scope, Target};
use crate::services::viewer::agenda_level;
use crate::services::{slot_search, viewer};

/// The longest window one agent-side search may ask for.
pub const MAX_WINDOW_DAYS: i64 = 31;

/// `[from, to)` from typed bounds (a bare date or RFC 3339), at most `max_days` long; 422 on
/// the field at fault otherwise.
pub fn window(from: &str, to: &str, zone: Tz, max_days: i64) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let from = parse_bound(from, zone, false).ok_or_else(|| ApiError::field("from", "invalid"))?;
    let to = parse_bound(to, zone, true).ok_or_else(|| ApiError::field("to", "invalid"))?;
    if to <= from {
        return Err(ApiError::field("to", "after_start"));
    }
    if to - from > Duration::days(max_days) {
        return Err(ApiError::field("to", "too_long"));
    }
    Ok((from, to))
}

/// The motif as a search target (its organisation's zone and département).
pub fn target_of(conn: &mut DbConn, m: MotifRow, org: &OrganisationRow) -> ApiResult<Target> {
    let departement = territory::find(conn, org.territory_id)?.map(|t| t.departement_number).unwrap_or_default();
    Ok(Target { motif: m, zone: tz(&org.time_zone), departement })
}

/// Agents of `ids` (with plages for the motif) whose agenda the caller may write into, given
/// their access facts.
fn writable(
    viewer: &Viewer,
    facts: &HashMap<i32, AgentFacts>,
    org: i32,
    m: &MotifRow,
    ids: &BTreeSet<i32>,
) -> BTreeSet<i32> {
    ids.iter()
        .copied()
        .filter(|a| {
            facts.get(a).is_some_and(|f| {
                agenda_level(viewer, f, OrganisationId(org), &[ServiceId(m.service_id)]) >= AgendaLevel::Write
            })
        })
        .collect()
}

/// Renders found slots as `Creneau`s, with the agents they name listed once (one query).
pub fn render_creneaux(conn: &mut DbConn, found: &[Found], zone: Tz) -> ApiResult<(Vec<Creneau>, Vec<Agent>)> {
    let rows = named_agents(conn, found)?;
    let creneaux =
        found.iter().filter(|f| rows.contains_key(&f.slot.agent_id)).map(|f| creneau(&f.slot, zone)).collect();
    Ok((creneaux, agent_dtos(&rows)))
}

/// The agents the found slots name, by id (one query).
fn named_agents(conn: &mut DbConn, found: &[Found]) -> ApiResult<HashMap<i32, AgentRow>> {
    let ids: BTreeSet<i32> = found.iter().map(|f| f.slot.agent_id).collect();
    Ok(agents_by_id(conn, &ids.into_iter().collect::<Vec<_>>())?)
}

/// Each agent once, by id.
fn agent_dtos(rows: &HashMap<i32, AgentRow>) -> Vec<Agent> {
    let mut agents: Vec<Agent> = rows.values().map(|a| a.to_dto()).collect();
    agents.sort_by_key(|a| a.id.0);
    agents
}

/// What an agent asks the slot search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub motif_id: i32,
    pub from: String,
    pub to: String,
    pub lieu_ids: Vec<i32>,
    pub agent_ids: Vec<i32>,
    pub team_ids: Vec<i32>,
}

/// The free slots of a motif for `agent_id` (the caller): 404 when the motif is not theirs to
/// see (not a member of its organisation and no grant on any of its agendas).
pub fn search(conn: &mut DbConn, agent_id: i32, q: &Search, now: DateTime<Utc>) -> ApiResult<CreneauxResponse> {
    let m = motif::find(conn, q.motif_id)?.filter(|m| m.deleted_at.is_none()).ok_or(ApiError::NotFound("motif"))?;
    let org = organisation::find(conn, m.organisation_id)?.ok_or(ApiError::NotFound("motif"))?;
    let zone = tz(&org.time_zone);
    let (from, to) = window(&q.from, &q.to, zone, MAX_WINDOW_DAYS)?;
    let mut agents: Option<BTreeSet<i32>> = (!q.agent_ids.is_empty()).then(|| q.agent_ids.iter().copied().collect());
    if !q.team_ids.is_empty() {
        agents.get_or_insert_with(BTreeSet::new).extend(territory_admin::members_of_teams(conn, &q.team_ids)?);
    }
    let scope = Scope {
        agent_ids: agents.map(|a| a.into_iter().collect()),
        lieu_ids: (!q.lieu_ids.is_empty()).then(|| q.lieu_ids.clone()),
        public: false,
    };
    let target = target_of(conn, m.clone(), &org)?;
    let plages = slot_search::plages_of_motifs(conn, &[m.id], &scope, from, slot_search::horizon_end(from, to, now))?;
    let candidates: BTreeSet<i32> = plages.iter().map(|(_, p)| p.agent_id).collect();
    // The caller's facts and the candidates' in the same few queries.
    let (viewer, facts) = viewer::load_with_facts(conn, agent_id, &candidates.iter().copied().collect::<Vec<_>>())?;
    let member = viewer.actor.memberships.iter().any(|ms| ms.organisation_id.0 == org.id);
    let allowed = writable(&viewer, &facts, org.id, &m, &candidates);
    if !member && allowed.is_empty() {
        return Err(ApiError::NotFound("motif"));
    }
    let plages: Vec<_> = plages.into_iter().filter(|(_, p)| allowed.contains(&p.agent_id)).collect();
    let needs_lieu = target.needs_lieu();
    let targets = [target];
    let found = slot_search::slots_between(conn, &targets, &plages, &scope, from, to, now)?;
    let lieux_of_plages: BTreeSet<Option<i32>> =
        plages.iter().map(|(_, p)| if needs_lieu { p.lieu_id } else { None }).collect();
    let named = named_agents(conn, &found)?;
    let slots: Vec<_> = found.iter().map(|f| f.slot).filter(|s| named.contains_key(&s.agent_id)).collect();
    let missing = lieux_without_slots(&lieux_of_plages, &slots);
    let later = if missing.is_empty() {
        BTreeMap::new()
    } else {
        slot_search::next_availability(conn, &targets, &plages, &scope, to, &missing, now)?
    };
    let briefs = lieux_by_id(conn, &lieux_of_plages.iter().flatten().copied().collect::<Vec<_>>())?
        .into_iter()
        .map(|(id, l)| (id, lieu_brief(&l)))
        .collect();
    let (lieux, next) = group_for_agents(&lieux_of_plages, &slots, &later, &briefs, zone);
    let collective_sessions =
        if m.collectif { sessions(conn, &viewer, &org, &m, &scope, from.max(now), to, zone)? } else { Vec::new() };
    Ok(CreneauxResponse {
        motif: motif_brief(&m),
        organisation_id: OrganisationId(org.id),
        time_zone: org.time_zone.clone(),
        from: from.with_timezone(&zone).fixed_offset(),
        to: to.with_timezone(&zone).fixed_offset(),
        lieux,
        agents: agent_dtos(&named),
        collective_sessions,
        next_availability: next.map(|t| t.with_timezone(&zone).fixed_offset()),
    })
}

/// Collective sessions of the motif with seats, whose agents the caller may write for.
#[allow(clippy::too_many_arguments)]
fn sessions(
    conn: &mut DbConn,
    viewer: &Viewer,
    org: &OrganisationRow,
    m: &MotifRow,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> ApiResult<Vec<CollectiveSession>> {
    let rows = slot_search::collective_sessions(conn, &[m.id], scope, from, to)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let agents_of = rdv::agents_of(conn, &ids)?;
    let all: BTreeSet<i32> = agents_of.values().flatten().copied().collect();
    let facts = agent::facts_of(conn, &all.iter().copied().collect::<Vec<_>>())?;
    let allowed = writable(viewer, &facts, org.id, m, &all);
    let agent_rows = agents_by_id(conn, &all.iter().copied().collect::<Vec<_>>())?;
    let lieux = lieux_by_id(conn, &rows.iter().filter_map(|r| r.lieu_id).collect::<Vec<_>>())?;
    let at = |t| Utc.from_utc_datetime(&t).with_timezone(&zone).fixed_offset();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let agents = agents_of.get(&r.id).cloned().unwrap_or_default();
            if agents.is_empty() || !agents.iter().all(|a| allowed.contains(a)) {
                return None;
            }
            if scope.agent_ids.as_ref().is_some_and(|want| !agents.iter().any(|a| want.contains(a))) {
                return None;
            }
            Some(CollectiveSession {
                rdv_id: r.id,
                name: r.name.clone(),
                starts_at: at(r.starts_at),
                ends_at: at(r.ends_at),
                lieu: r.lieu_id.and_then(|l| lieux.get(&l)).map(lieu_brief),
                agents: agents.iter().filter_map(|a| agent_rows.get(a)).map(|a| a.to_dto()).collect(),
                users_count: r.users_count,
                max_participants_count: r.max_participants_count,
                seats_left: seats_left(r.users_count, r.max_participants_count),
            })
        })
        .collect())
}
