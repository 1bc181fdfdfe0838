//! What the agenda handlers share: finding the agent a plage or absence is for, the agents the
//! caller may see, each agent's zone, and rendering plages and absences.

use chrono_tz::Tz;
use rdv_shared::access::{can_see_agent, Actor};
use rdv_shared::dto::{LieuBrief, MotifBrief};
use rdv_shared::{dto, ServiceId};

use crate::db::models::absence::AbsenceRow;
use crate::db::models::agent::{agents_by_id, first_organisations, AgentRow};
use crate::db::models::lieu::{lieux_by_id, LieuRow};
use crate::db::models::motif::{motifs_by_id, MotifRow};
use crate::db::models::organisation::{organisations_by_id, OrganisationRow};
use crate::db::models::plage::PlageRow;
use crate::db::models::{agent, plage};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub const DEFAULT_TZ: &str = "Europe/Paris";

pub fn tz(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Europe::Paris)
}

/// The agent a plage or absence is for: `agent_id`, else `agent_email`, else the caller.
/// Unknown → 404 `{"not_found": "agent"}` (reference B2).
pub fn target_agent(
    conn: &mut DbConn,
    caller: &AgentRow,
    agent_id: Option<i32>,
    agent_email: Option<&str>,
) -> ApiResult<AgentRow> {
    let found = match (agent_id, agent_email.map(str::trim).filter(|e| !e.is_empty())) {
        (Some(id), _) => agent::find(conn, id)?,
        (None, Some(email)) => agent::find_by_email(conn, &email.to_lowercase())?,
        (None, None) => return Ok(caller.clone()),
    };
    found.filter(|a| a.deleted_at.is_none()).ok_or(ApiError::NotFound("agent"))
}

/// The agents `actor` sees (themselves included), optionally within one organisation.
pub fn visible_agent_ids(conn: &mut DbConn, actor: &Actor, me: i32, within: Option<i32>) -> ApiResult<Vec<i32>> {
    let orgs: Vec<i32> =
        actor.memberships.iter().map(|m| m.organisation_id.0).filter(|o| within.is_none_or(|w| w == *o)).collect();
    let candidates: Vec<i32> = agent::live_agents_of(conn, &orgs, me)?.into_iter().map(|a| a.id).collect();
    let facts = agent::facts_of(conn, &candidates)?;
    Ok(candidates
        .into_iter()
        .filter(|id| {
            (*id == me && within.is_none())
                || facts.get(id).is_some_and(|f| can_see_agent(actor, f, within.map(rdv_shared::OrganisationId)))
        })
        .collect())
}

/// Agents of the caller's territories whose agenda `keep` accepts (for grant-aware lists).
pub fn territory_agents_where(
    conn: &mut DbConn,
    viewer: &rdv_shared::access::Viewer,
    me: i32,
    keep: impl Fn(&rdv_shared::access::AgentFacts) -> bool,
) -> ApiResult<Vec<i32>> {
    let territories: Vec<i32> = viewer.actor.memberships.iter().map(|m| m.territory_id.0).collect();
    let orgs = agent::organisations_of_territories(conn, &territories)?;
    let ids: Vec<i32> = agent::live_agents_of(conn, &orgs, me)?.into_iter().map(|a| a.id).collect();
    let facts = agent::facts_of(conn, &ids)?;
    Ok(ids.into_iter().filter(|id| facts.get(id).is_some_and(&keep)).collect())
}

pub fn motif_brief(m: &MotifRow) -> MotifBrief {
    MotifBrief {
        id: m.id,
        name: m.name.clone(),
        color: m.color.clone(),
        service_id: ServiceId(m.service_id),
        location_type: m.location(),
        collectif: m.collectif,
        default_duration_in_min: m.default_duration_in_min,
    }
}

pub fn lieu_brief(l: &LieuRow) -> LieuBrief {
    LieuBrief { id: l.id, name: l.name.clone(), address: l.address.clone() }
}

/// Plages as the API renders them, with their agent, organisation, lieu and motifs.
pub fn render_plages(conn: &mut DbConn, rows: &[PlageRow]) -> ApiResult<Vec<dto::PlageOuverture>> {
    let ids: Vec<i32> = rows.iter().map(|p| p.id).collect();
    let motif_ids = plage::motif_ids_of(conn, &ids)?;
    let all_motifs: Vec<i32> = motif_ids.values().flatten().copied().collect();
    let motifs = motifs_by_id(conn, &all_motifs)?;
    let lieux = lieux_by_id(conn, &rows.iter().filter_map(|p| p.lieu_id).collect::<Vec<_>>())?;
    let orgs = organisations_by_id(conn, &rows.iter().map(|p| p.organisation_id).collect::<Vec<_>>())?;
    let agents = agents_by_id(conn, &rows.iter().map(|p| p.agent_id).collect::<Vec<_>>())?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let (Some(org), Some(agent)) = (orgs.get(&p.organisation_id), agents.get(&p.agent_id)) else {
            return Err(ApiError::Internal(anyhow::anyhow!("plage {} without agent or organisation", p.id)));
        };
        let rule = p.rule();
        out.push(dto::PlageOuverture {
            id: p.id,
            agent: agent.to_dto(),
            organisation: org.to_dto(),
            lieu: p.lieu_id.and_then(|l| lieux.get(&l)).map(lieu_brief),
            motifs: motif_ids
                .get(&p.id)
                .map(|ms| ms.iter().filter_map(|m| motifs.get(m)).map(motif_brief).collect())
                .unwrap_or_default(),
            title: p.title.clone(),
            first_day: p.first_day,
            start_time: p.start_time,
            end_time: p.end_time,
            rrule: rule.as_ref().map(|r| r.rrule(tz(&org.time_zone))),
            recurrence: rule,
            ical_uid: format!("plage_ouverture_{}@RDV Solidarités", p.id),
            time_zone: org.time_zone.clone(),
        });
    }
    Ok(out)
}

/// Absences as API v1 renders them, plus their rule and zone.
pub fn render_absences(conn: &mut DbConn, rows: &[AbsenceRow]) -> ApiResult<Vec<dto::Absence>> {
    let agent_ids: Vec<i32> = rows.iter().map(|a| a.agent_id).collect();
    let agents = agents_by_id(conn, &agent_ids)?;
    let firsts = first_organisations(conn, &agent_ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let Some(agent) = agents.get(&a.agent_id) else {
            return Err(ApiError::Internal(anyhow::anyhow!("absence {} without agent", a.id)));
        };
        let org = firsts.get(&a.agent_id);
        let zone = org.map_or(DEFAULT_TZ, |o| o.time_zone.as_str()).to_owned();
        let rule = a.rule();
        out.push(dto::Absence {
            id: a.id,
            agent: agent.to_dto(),
            organisation: org.map(OrganisationRow::to_dto),
            title: a.title.clone(),
            first_day: a.first_day,
            start_time: a.start_time,
            end_day: a.end_day,
            end_time: a.end_time,
            rrule: rule.as_ref().map(|r| r.rrule(tz(&zone))),
            recurrence: rule,
            ical_uid: format!("absence_{}@RDV Solidarités", a.id),
            time_zone: zone,
        });
    }
    Ok(out)
}
