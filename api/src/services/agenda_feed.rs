//! The agenda feed (`GET /api/v1/agenda`): for each requested agent, RDVs, plage and absence
//! occurrences and public holidays in a bounded window, each event projected to the caller's
//! level (shared `access::agenda`). A fixed number of queries whatever the number of agents:
//! one per kind of event, each an index range on (agent, time). Also the agent picker: the
//! agendas the caller may open.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rdv_shared::access::{AgendaLevel, EventFacts, Viewer};
use rdv_shared::creneaux::parse_bound;
use rdv_shared::dto::{AgendaEvent, AgendaResponse, AgentAgenda, EventKind, Holiday, UserBrief};
use rdv_shared::holidays::holidays;
use rdv_shared::recurrence::occurrences;
use rdv_shared::{dto, AgentId, OrganisationId, ServiceId, UserId};

use crate::db::models::agent::{agents_by_id, first_organisations};
use crate::db::models::lieu::lieux_by_id;
use crate::db::models::motif::motifs_by_id;
use crate::db::models::organisation::organisations_by_id;
use crate::db::models::{absence, agent, plage, rdv, user};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::{lieu_brief, motif_brief, territory_agents_where, tz, DEFAULT_TZ};
use crate::services::viewer;

/// Longest window the feed serves.
pub const MAX_WINDOW_DAYS: i64 = 42;
/// Most agents side by side.
pub const MAX_AGENTS: usize = 30;

/// The window asked for: RFC 3339 instants or dates (midnight in `time_zone`).
#[derive(Debug, Clone)]
pub struct FeedQuery {
    pub from: String,
    pub to: String,
    /// Zone of the returned instants and of bare dates (default: the caller's first
    /// organisation's).
    pub time_zone: Option<String>,
}

/// The agendas of `agent_ids` (at most [`MAX_AGENTS`], each one the caller may open) over the
/// window, in the caller's zone.
pub fn feed_for(conn: &mut DbConn, caller_id: i32, agent_ids: &[i32], query: &FeedQuery) -> ApiResult<AgendaResponse> {
    let agent_ids = agent_ids.to_vec();
    let viewer = crate::services::viewer::load(conn, caller_id)?;
    let zone_name = match &query.time_zone {
        Some(z) if z.parse::<Tz>().is_ok() => z.clone(),
        Some(_) => return Err(ApiError::field("time_zone", "invalid")),
        None => first_organisations(conn, &[caller_id])?
            .remove(&caller_id)
            .map_or_else(|| DEFAULT_TZ.to_owned(), |o| o.time_zone),
    };
    let zone = tz(&zone_name);
    let from = parse_bound(&query.from, zone, false).ok_or_else(|| ApiError::field("from", "invalid"))?;
    let to = parse_bound(&query.to, zone, false).ok_or_else(|| ApiError::field("to", "invalid"))?;
    if to <= from {
        return Err(ApiError::field("to", "after_start"));
    }
    if to - from > Duration::days(MAX_WINDOW_DAYS) {
        return Err(ApiError::field("to", "too_long"));
    }
    let owners = agent::facts_of(conn, &agent_ids)?;
    let rows = agents_by_id(conn, &agent_ids)?;
    for id in &agent_ids {
        if rows.get(id).is_none_or(|a| a.deleted_at.is_some()) {
            return Err(ApiError::NotFound("agent"));
        }
        if !owners.get(id).is_some_and(|o| viewer.can_open(o)) {
            return Err(ApiError::forbidden());
        }
    }
    let mut events = feed(conn, &viewer, &agent_ids, &owners, from, to)?;
    let holidays = holidays_of(conn, &agent_ids, from, to, zone)?;
    let agendas = agent_ids
        .iter()
        .filter_map(|id| rows.get(id))
        .map(|a| {
            let mut list = events.remove(&a.id).unwrap_or_default();
            for e in &mut list {
                e.starts_at = e.starts_at.with_timezone(&zone).fixed_offset();
                e.ends_at = e.ends_at.with_timezone(&zone).fixed_offset();
            }
            list.sort_by_key(|x| x.starts_at);
            AgentAgenda { agent: a.to_dto(), events: list, holidays: holidays.get(&a.id).cloned().unwrap_or_default() }
        })
        .collect();
    Ok(AgendaResponse {
        from: from.with_timezone(&zone).fixed_offset(),
        to: to.with_timezone(&zone).fixed_offset(),
        time_zone: zone_name,
        agendas,
    })
}

/// The agendas the caller may open (the agent picker): colleagues of their organisations and
/// every agenda a grant opens, in their territories, by name.
pub fn agents_open_to(conn: &mut DbConn, caller_id: i32) -> ApiResult<Vec<dto::Agent>> {
    let viewer = viewer::load(conn, caller_id)?;
    let ids = territory_agents_where(conn, &viewer, caller_id, |f| viewer.can_open(f))?;
    let mut open: Vec<_> = agents_by_id(conn, &ids)?.into_values().map(|a| a.to_dto()).collect();
    open.sort_by_key(|a| (a.last_name.to_lowercase(), a.first_name.clone().unwrap_or_default().to_lowercase()));
    Ok(open)
}

fn busy_event(kind: EventKind, level: AgendaLevel, s: DateTime<Utc>, e: DateTime<Utc>, title: &str) -> AgendaEvent {
    AgendaEvent {
        kind,
        level,
        id: None,
        starts_at: s.fixed_offset(),
        ends_at: e.fixed_offset(),
        organisation_id: None,
        title: title.to_owned(),
        color: None,
        lieu: None,
        status: None,
        motif: None,
        motifs: Vec::new(),
        users: Vec::new(),
        collectif: false,
        users_count: None,
        max_participants_count: None,
        recurring: false,
    }
}

/// Every event of the agents in the window, per agent, projected to the caller's level.
fn feed(
    conn: &mut DbConn,
    viewer: &Viewer,
    agent_ids: &[i32],
    owners: &HashMap<i32, rdv_shared::access::AgentFacts>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<HashMap<i32, Vec<AgendaEvent>>> {
    let mut out: HashMap<i32, Vec<AgendaEvent>> = HashMap::new();
    let (from_n, to_n) = (from.naive_utc(), to.naive_utc());

    // RDVs.
    let rdvs = rdv::of_agents_in_window(conn, agent_ids, from_n, to_n)?;
    let ids: Vec<i32> = rdvs.iter().map(|(_, r)| r.id).collect();
    let rdv_agents = rdv::agents_of(conn, &ids)?;
    let parts = rdv::participations_of(conn, &ids)?;
    let motifs = motifs_by_id(conn, &rdvs.iter().map(|(_, r)| r.motif_id).collect::<Vec<_>>())?;
    let lieux = lieux_by_id(conn, &rdvs.iter().filter_map(|(_, r)| r.lieu_id).collect::<Vec<_>>())?;
    let user_ids: Vec<i32> = parts.values().flatten().map(|p| p.user_id).collect();
    let rdv_owner_facts = agent::facts_of(conn, &rdv_agents.values().flatten().copied().collect::<Vec<_>>())?;
    let names = user::full_names(conn, &user_ids)?;
    for (agent_id, r) in &rdvs {
        let Some(m) = motifs.get(&r.motif_id) else { continue };
        let agents: Vec<AgentId> =
            rdv_agents.get(&r.id).map(|v| v.iter().map(|a| AgentId(*a)).collect()).unwrap_or_default();
        let owners_of_rdv: Vec<_> = agents.iter().filter_map(|a| rdv_owner_facts.get(&a.0)).collect();
        let level = viewer.event_level(
            &EventFacts {
                organisation_id: OrganisationId(r.organisation_id),
                service_ids: &[ServiceId(m.service_id)],
                agent_ids: &agents,
            },
            &owners_of_rdv,
        );
        let (s, e) = (Utc.from_utc_datetime(&r.starts_at), Utc.from_utc_datetime(&r.ends_at));
        let on_site = m.needs_lieu();
        let lieu = r.lieu_id.and_then(|l| lieux.get(&l)).map(lieu_brief);
        let event = match level {
            AgendaLevel::None => continue,
            // A cancelled RDV no longer occupies anyone: nothing to show without details.
            AgendaLevel::Busy if r.status().is_cancelled() => continue,
            AgendaLevel::Busy => {
                AgendaEvent { lieu: lieu.filter(|_| on_site), ..busy_event(EventKind::Rdv, level, s, e, "Occupé") }
            }
            _ => {
                let users: Vec<UserBrief> = parts
                    .get(&r.id)
                    .map(|l| {
                        l.iter()
                            .filter(|p| !p.status().is_cancelled() || !m.collectif)
                            .map(|p| UserBrief {
                                id: UserId(p.user_id),
                                full_name: names.get(&p.user_id).cloned().unwrap_or_default(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let title = if m.collectif {
                    let name = r.name.as_deref().map(|n| format!(" : {n}")).unwrap_or_default();
                    let max = r.max_participants_count.map_or_else(String::new, |x| format!("/{x}"));
                    format!("{}{name} ({}{max})", m.name, r.users_count)
                } else {
                    users.iter().map(|u| u.full_name.as_str()).collect::<Vec<_>>().join(", ")
                };
                AgendaEvent {
                    kind: EventKind::Rdv,
                    level,
                    id: Some(r.id),
                    starts_at: s.fixed_offset(),
                    ends_at: e.fixed_offset(),
                    organisation_id: Some(OrganisationId(r.organisation_id)),
                    title,
                    color: Some(m.color.clone()),
                    lieu,
                    status: Some(r.status()),
                    motif: Some(motif_brief(m)),
                    motifs: Vec::new(),
                    users,
                    collectif: m.collectif,
                    users_count: Some(r.users_count),
                    max_participants_count: r.max_participants_count,
                    recurring: false,
                }
            }
        };
        out.entry(*agent_id).or_default().push(event);
    }

    // Plages, each in its organisation's zone.
    let (from_day, to_day) = ((from - Duration::days(1)).date_naive(), (to + Duration::days(1)).date_naive());
    let plages = plage::in_window(conn, agent_ids, from_day, to_day)?;
    let plage_motifs = plage::motif_ids_of(conn, &plages.iter().map(|p| p.id).collect::<Vec<_>>())?;
    let pmotifs = motifs_by_id(conn, &plage_motifs.values().flatten().copied().collect::<Vec<_>>())?;
    let plieux = lieux_by_id(conn, &plages.iter().filter_map(|p| p.lieu_id).collect::<Vec<_>>())?;
    let porgs = organisations_by_id(conn, &plages.iter().map(|p| p.organisation_id).collect::<Vec<_>>())?;
    for p in &plages {
        let ms: Vec<_> =
            plage_motifs.get(&p.id).map(|v| v.iter().filter_map(|m| pmotifs.get(m)).collect()).unwrap_or_default();
        let services: Vec<ServiceId> = ms.iter().map(|m| ServiceId(m.service_id)).collect();
        let Some(owner) = owners.get(&p.agent_id) else { continue };
        let level = viewer::agenda_level(viewer, owner, OrganisationId(p.organisation_id), &services);
        if level == AgendaLevel::None {
            continue;
        }
        let zone = porgs.get(&p.organisation_id).map_or(chrono_tz::Europe::Paris, |o| tz(&o.time_zone));
        let rule = p.rule();
        let lieu = p.lieu_id.and_then(|l| plieux.get(&l)).map(lieu_brief);
        for (s, e) in occurrences(&p.schedule(rule.as_ref()), zone, from, to) {
            let mut ev = busy_event(EventKind::Plage, level, s, e, "Plage d'ouverture");
            ev.lieu = lieu.clone();
            ev.recurring = rule.is_some();
            ev.organisation_id = Some(OrganisationId(p.organisation_id));
            if level >= AgendaLevel::Read {
                ev.id = Some(p.id);
                ev.title = p.title.clone();
                ev.motifs = ms.iter().map(|m| motif_brief(m)).collect();
            }
            out.entry(p.agent_id).or_default().push(ev);
        }
    }

    // Absences, in the zone of the agent's first organisation.
    let firsts = first_organisations(conn, agent_ids)?;
    for a in absence::in_window(conn, agent_ids, from_day, to_day)? {
        let Some(owner) = owners.get(&a.agent_id) else { continue };
        let level = viewer.absence_level(owner);
        if level == AgendaLevel::None {
            continue;
        }
        let zone = firsts.get(&a.agent_id).map_or(chrono_tz::Europe::Paris, |o| tz(&o.time_zone));
        let rule = a.rule();
        for (s, e) in occurrences(&a.schedule(rule.as_ref()), zone, from, to) {
            let mut ev = busy_event(EventKind::Absence, level, s, e, "Indisponible");
            ev.recurring = rule.is_some();
            if level >= AgendaLevel::Read {
                ev.id = Some(a.id);
                ev.title = a.title.clone();
            }
            out.entry(a.agent_id).or_default().push(ev);
        }
    }
    Ok(out)
}

/// Public holidays in the window for the départements of each agent's organisations.
fn holidays_of(
    conn: &mut DbConn,
    agent_ids: &[i32],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> ApiResult<HashMap<i32, Vec<Holiday>>> {
    let rows = agent::departements_of(conn, agent_ids)?;
    let first = from.with_timezone(&zone).date_naive();
    let last = to.with_timezone(&zone).date_naive();
    let mut out: HashMap<i32, Vec<Holiday>> = HashMap::new();
    let mut seen: HashMap<i32, BTreeSet<NaiveDate>> = HashMap::new();
    for (agent_id, dep) in rows {
        for year in first.year()..=last.year() {
            for (date, name) in holidays(year, &dep) {
                if date >= first && date < last && seen.entry(agent_id).or_default().insert(date) {
                    out.entry(agent_id).or_default().push(Holiday { date, name: name.to_owned() });
                }
            }
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|h| h.date);
    }
    Ok(out)
}
