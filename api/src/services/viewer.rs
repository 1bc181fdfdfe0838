//! The caller as agenda rules see them: access facts, teams and the grants naming them
//! (`rdv_shared::access::Viewer`), loaded once per request; and the level on an RDV.

use std::collections::HashMap;

use rdv_shared::access::{AgendaLevel, AgentFacts, EventFacts, Viewer};
use rdv_shared::{AgentId, OrganisationId, ServiceId};

use crate::db::models::agenda_grant::GrantRow;
use crate::db::models::rdv::RdvRow;
use crate::db::models::{agenda_grant, agent, motif, rdv};
use crate::db::DbConn;
use crate::error::ApiResult;

pub fn load(conn: &mut DbConn, agent_id: i32) -> ApiResult<Viewer> {
    Ok(load_with_facts(conn, agent_id, &[])?.0)
}

/// The viewer and, read in the same queries as theirs, the access facts of `others` (the
/// owners of agendas the request is about to check).
pub fn load_with_facts(
    conn: &mut DbConn,
    agent_id: i32,
    others: &[i32],
) -> ApiResult<(Viewer, HashMap<i32, AgentFacts>)> {
    let mut ids = others.to_vec();
    ids.push(agent_id);
    ids.sort_unstable();
    ids.dedup();
    let facts = agent::facts_of(conn, &ids)?;
    let actor = facts.get(&agent_id).cloned().unwrap_or_default();
    let team_ids = agenda_grant::team_ids(conn, agent_id)?;
    let services: Vec<i32> = actor.service_ids.iter().map(|s| s.0).collect();
    let grants =
        agenda_grant::for_grantee(conn, agent_id, &team_ids, &services)?.iter().filter_map(GrantRow::rule).collect();
    Ok((Viewer { actor, team_ids, grants }, facts))
}

/// The viewer's level on an RDV (its organisation, its motif's service, each of its agents).
pub fn rdv_level(conn: &mut DbConn, viewer: &Viewer, row: &RdvRow) -> ApiResult<AgendaLevel> {
    let services: Vec<ServiceId> = motif::find(conn, row.motif_id)?.iter().map(|m| ServiceId(m.service_id)).collect();
    let agent_ids = rdv::agents_of(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    let facts = agent::facts_of(conn, &agent_ids)?;
    let owners: Vec<_> = agent_ids.iter().filter_map(|a| facts.get(a)).collect();
    let typed: Vec<AgentId> = agent_ids.iter().map(|a| AgentId(*a)).collect();
    Ok(viewer.event_level(
        &EventFacts { organisation_id: OrganisationId(row.organisation_id), service_ids: &services, agent_ids: &typed },
        &owners,
    ))
}

/// The viewer's level on `owner`'s agenda for an event of `org` with motifs of `services`.
pub fn agenda_level(
    viewer: &Viewer,
    owner: &rdv_shared::access::AgentFacts,
    org: OrganisationId,
    services: &[ServiceId],
) -> AgendaLevel {
    let ids: Vec<AgentId> = owner.agent_id.into_iter().collect();
    viewer.event_level(&EventFacts { organisation_id: org, service_ids: services, agent_ids: &ids }, &[owner])
}
