//! Agent-side slot search, `GET /api/v1/creneaux` (reference-domain.md §3.2–3.11; seed 003
//! "recherche de créneau côté agent"): the free slots of one motif in a bounded window, per lieu
//! and local day, each lieu with its next availability, and the collective sessions with seats.
//! Only agents whose agenda the caller may write into for the motif are offered (booking goes
//! through `POST /api/v1/rdvs`, which requires exactly that).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Deserialize;

use rdv_shared::access::{AgendaLevel, AgentFacts, Viewer};
use rdv_shared::booking::{group_by_lieu_and_day, seats_left};
use rdv_shared::dto::{Agent, CollectiveSession, Creneau, CreneauxDay, CreneauxLieu, CreneauxResponse};
use rdv_shared::recurrence::to_utc;
use rdv_shared::{AgentId, OrganisationId, ServiceId};

use super::agenda_support::{agents_by_id, lieu_brief, lieux_by_id, motif_brief, tz};
use super::viewer::{self, agenda_level};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::motif::{self, MotifRow};
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::{agent, organisation, rdv, territory};
use crate::db::schema::agent_teams;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::extract::{query_ints, ApiQuery};
use crate::slot_search::{self, Found, Scope, Target};

/// The longest window one search may ask for.
pub const MAX_WINDOW_DAYS: i64 = 31;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreneauxQuery {
    pub motif_id: i32,
    /// Start: a date (midnight in the organisation's zone) or RFC 3339.
    pub from: String,
    /// End (exclusive), same formats, at most 31 days after `from`. A bare date includes that day.
    pub to: String,
}

/// `from`/`to` as instants: a bare date is a local midnight (`to`: the end of that day).
pub fn parse_bound(v: &str, zone: Tz, field: &str, end_of_day: bool) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| ApiError::field(field, "invalid"))?;
    let day = if end_of_day { day.succ_opt().ok_or_else(|| ApiError::field(field, "invalid"))? } else { day };
    to_utc(zone, day.and_time(chrono::NaiveTime::MIN)).ok_or_else(|| ApiError::field(field, "invalid"))
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
    let ids: BTreeSet<i32> = found.iter().map(|f| f.slot.agent_id).collect();
    let rows = agents_by_id(conn, &ids.into_iter().collect::<Vec<_>>())?;
    let creneaux = found
        .iter()
        .filter(|f| rows.contains_key(&f.slot.agent_id))
        .map(|f| Creneau {
            starts_at: f.slot.starts_at.with_timezone(&zone).fixed_offset(),
            ends_at: f.slot.ends_at.with_timezone(&zone).fixed_offset(),
            agent_id: AgentId(f.slot.agent_id),
            lieu_id: f.slot.lieu_id,
            rdv_id: None,
            seats_left: None,
        })
        .collect();
    let mut agents: Vec<Agent> = rows.values().map(|a| a.to_dto()).collect();
    agents.sort_by_key(|a| a.id.0);
    Ok((creneaux, agents))
}

/// Searches the free slots of a motif for agents.
#[utoipa::path(
    tag = "creneaux",
    params(
        CreneauxQuery,
        ("lieu_ids[]" = Option<Vec<i32>>, Query, description = "Only these lieux"),
        ("agent_ids[]" = Option<Vec<i32>>, Query, description = "Only these agents"),
        ("team_ids[]" = Option<Vec<i32>>, Query, description = "Only the agents of these teams"),
    ),
    responses(
        (status = 200, body = CreneauxResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/creneaux")]
pub async fn list_creneaux(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: ApiQuery<CreneauxQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let lieu_ids = query_ints(&req, "lieu_ids")?;
    let agent_ids = query_ints(&req, "agent_ids")?;
    let team_ids = query_ints(&req, "team_ids")?;
    let body = super::with_conn(&state, move |conn| {
        let now = Utc::now();
        let m = motif::find(conn, q.motif_id)?.filter(|m| m.deleted_at.is_none()).ok_or(ApiError::NotFound("motif"))?;
        let org = organisation::find(conn, m.organisation_id)?.ok_or(ApiError::NotFound("motif"))?;
        let zone = tz(&org.time_zone);
        let from = parse_bound(&q.from, zone, "from", false)?;
        let to = parse_bound(&q.to, zone, "to", true)?;
        if to <= from {
            return Err(ApiError::field("to", "after_start"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(ApiError::field("to", "too_long"));
        }
        let mut agents: Option<BTreeSet<i32>> = (!agent_ids.is_empty()).then(|| agent_ids.iter().copied().collect());
        if !team_ids.is_empty() {
            let members: Vec<i32> = agent_teams::table
                .filter(agent_teams::team_id.eq_any(&team_ids))
                .select(agent_teams::agent_id)
                .load(conn)?;
            agents.get_or_insert_with(BTreeSet::new).extend(members);
        }
        let scope = Scope {
            agent_ids: agents.map(|a| a.into_iter().collect()),
            lieu_ids: (!lieu_ids.is_empty()).then_some(lieu_ids),
            public: false,
        };
        let target = target_of(conn, m.clone(), &org)?;
        let motif_ids = [m.id];
        let plages =
            slot_search::plages_of_motifs(conn, &motif_ids, &scope, from, slot_search::horizon_end(from, to, now))?;
        let candidates: BTreeSet<i32> = plages.iter().map(|(_, p)| p.agent_id).collect();
        // The caller's facts and the candidates' in the same few queries.
        let (viewer, facts) =
            viewer::load_with_facts(conn, auth.agent.id, &candidates.iter().copied().collect::<Vec<_>>())?;
        let member = viewer.actor.memberships.iter().any(|ms| ms.organisation_id.0 == org.id);
        let allowed = writable(&viewer, &facts, org.id, &m, &candidates);
        if !member && allowed.is_empty() {
            // Not a member and no grant on any of its agendas: the motif is not the caller's to see.
            return Err(ApiError::NotFound("motif"));
        }
        let plages: Vec<_> = plages.into_iter().filter(|(_, p)| allowed.contains(&p.agent_id)).collect();
        let targets = [target];
        let found = slot_search::slots_between(conn, &targets, &plages, &scope, from, to, now)?;
        let needs_lieu = targets[0].motif.location_type == "public_office";
        let lieux_of_plages: BTreeSet<Option<i32>> =
            plages.iter().map(|(_, p)| if needs_lieu { p.lieu_id } else { None }).collect();
        let slots: Vec<_> = found.iter().map(|f| f.slot).collect();
        let grouped = group_by_lieu_and_day(&slots, zone);
        let missing: BTreeSet<Option<i32>> =
            lieux_of_plages.iter().filter(|l| !grouped.contains_key(l)).copied().collect();
        let later = if missing.is_empty() {
            BTreeMap::new()
        } else {
            slot_search::next_availability(conn, &targets, &plages, &scope, to, &missing, now)?
        };
        let lieu_rows = lieux_by_id(conn, &lieux_of_plages.iter().flatten().copied().collect::<Vec<_>>())?;
        let (rendered, agents) = render_creneaux(conn, &found, zone)?;
        let by_slot: HashMap<(DateTime<Utc>, i32, Option<i32>), &Creneau> =
            rendered.iter().map(|c| ((c.starts_at.with_timezone(&Utc), c.agent_id.0, c.lieu_id), c)).collect();
        let mut lieux: Vec<(Option<DateTime<Utc>>, CreneauxLieu)> = lieux_of_plages
            .iter()
            .map(|l| {
                let days: Vec<CreneauxDay> = grouped
                    .get(l)
                    .map(|d| {
                        d.iter()
                            .map(|(date, list)| CreneauxDay {
                                date: *date,
                                creneaux: list
                                    .iter()
                                    .filter_map(|s| {
                                        by_slot.get(&(s.starts_at, s.agent_id, s.lieu_id)).map(|c| (*c).clone())
                                    })
                                    .collect(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let next = grouped
                    .get(l)
                    .and_then(|d| d.values().flatten().map(|s| s.starts_at).min())
                    .or_else(|| later.get(l).copied());
                let lieu = l.and_then(|id| lieu_rows.get(&id)).map(lieu_brief);
                (
                    next,
                    CreneauxLieu { lieu, days, next_availability: next.map(|t| t.with_timezone(&zone).fixed_offset()) },
                )
            })
            .collect();
        lieux.sort_by_key(|(next, l)| (next.is_none(), *next, l.lieu.as_ref().map(|x| x.name.clone())));
        let next_availability =
            lieux.iter().filter_map(|(n, _)| *n).min().map(|t| t.with_timezone(&zone).fixed_offset());
        let collective_sessions =
            if m.collectif { sessions(conn, &viewer, &org, &m, &scope, from.max(now), to, zone)? } else { Vec::new() };
        Ok(CreneauxResponse {
            motif: motif_brief(&m),
            organisation_id: OrganisationId(org.id),
            time_zone: org.time_zone.clone(),
            from: from.with_timezone(&zone).fixed_offset(),
            to: to.with_timezone(&zone).fixed_offset(),
            lieux: lieux.into_iter().map(|(_, l)| l).collect(),
            agents,
            collective_sessions,
            next_availability,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
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
