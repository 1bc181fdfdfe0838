//! Agenda access grants (issue 6): list, create, delete, copy one agent's grants to another,
//! and "who sees this agenda and why" — every rule from `shared::access::grants`.

use std::collections::HashMap;

use chrono::TimeZone;
use rdv_shared::access::{
    access_reason, can_manage_grant, can_see_agent, default_reason, grant_label, AgendaLevel, GrantNames, GrantRule,
    GrantTarget, Grantee, GranteeType, TargetType,
};
use rdv_shared::dto::{AgendaAccess, AgendaAccessResponse, AgendaGrant, CopyGrantsRequest, CopyGrantsResponse};
use rdv_shared::pagination::page_in_memory;
use rdv_shared::{AgentId, OrganisationId, ServiceId, TerritoryId};
use serde::Deserialize;

use crate::db::models::agenda_grant::{level_text, GrantRow};
use crate::db::models::agent::{agents_by_id, AgentRow};
use crate::db::models::organisation::organisations_by_id;
use crate::db::models::{agenda_grant, agent, service, territory_admin};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListGrantsQuery {
    /// `agent`, `team` or `service`.
    pub grantee_type: Option<String>,
    pub grantee_id: Option<i32>,
    /// `agent`, `service` or `organisation`.
    pub target_type: Option<String>,
    pub target_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// The organisations (with territories) whose agendas a target opens; 422 when it names nothing.
pub fn covered(conn: &mut DbConn, t: &GrantTarget) -> ApiResult<Vec<(OrganisationId, TerritoryId)>> {
    let bad = || ApiError::field("target", "inclusion");
    let orgs: Vec<i32> = match t.kind {
        TargetType::Agent => {
            let owner = agent::facts(conn, t.id)?;
            if owner.memberships.is_empty() {
                return Err(bad());
            }
            match t.organisation_id {
                Some(o) if owner.is_member_of(o) => vec![o.0],
                Some(_) => return Err(bad()),
                None => owner.memberships.iter().map(|m| m.organisation_id.0).collect(),
            }
        }
        TargetType::Service => {
            let known = service::all(conn)?.iter().any(|s| s.id == t.id);
            match t.organisation_id {
                Some(o) if known => vec![o.0],
                _ => return Err(bad()),
            }
        }
        TargetType::Organisation => vec![t.id],
    };
    let found = organisations_by_id(conn, &orgs)?;
    if found.len() != orgs.len() {
        return Err(bad());
    }
    Ok(orgs.iter().filter_map(|o| found.get(o)).map(|o| (OrganisationId(o.id), TerritoryId(o.territory_id))).collect())
}

fn check_grantee(conn: &mut DbConn, g: &Grantee) -> ApiResult<()> {
    let ok = match g.kind {
        GranteeType::Agent => agent::find(conn, g.id)?.is_some_and(|a| a.deleted_at.is_none()),
        GranteeType::Team => territory_admin::find_team(conn, g.id)?.is_some(),
        GranteeType::Service => service::all(conn)?.iter().any(|s| s.id == g.id),
    };
    let org_ok = match g.organisation_id {
        Some(o) => crate::db::models::organisation::find(conn, o.0)?.is_some(),
        None => true,
    };
    if ok && org_ok {
        Ok(())
    } else {
        Err(ApiError::field("grantee", "inclusion"))
    }
}

/// The French label of a grant ("who → what : level"), with the names it needs read here.
pub fn label(conn: &mut DbConn, rule: &GrantRule) -> ApiResult<String> {
    let mut names = GrantNames {
        services: service::all(conn)?.into_iter().map(|s| (s.id, s.short_name)).collect(),
        ..GrantNames::default()
    };
    let agent_ids: Vec<i32> = [(rule.grantee.kind == GranteeType::Agent).then_some(rule.grantee.id)]
        .into_iter()
        .chain([(rule.target.kind == TargetType::Agent).then_some(rule.target.id)])
        .flatten()
        .collect();
    names.agents = agents_by_id(conn, &agent_ids)?
        .into_values()
        .map(|a| (a.id, rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)))
        .collect();
    if rule.grantee.kind == GranteeType::Team {
        if let Some(t) = territory_admin::find_team(conn, rule.grantee.id)? {
            names.teams.insert(t.id, t.name);
        }
    }
    let org_ids: Vec<i32> = [rule.grantee.organisation_id, rule.target.organisation_id]
        .into_iter()
        .flatten()
        .map(|o| o.0)
        .chain((rule.target.kind == TargetType::Organisation).then_some(rule.target.id))
        .collect();
    names.organisations = crate::db::models::organisation::organisations_by_id(conn, &org_ids)?
        .into_values()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(grant_label(rule, &names))
}

pub fn to_dto(conn: &mut DbConn, row: &GrantRow) -> ApiResult<Option<AgendaGrant>> {
    let Some(rule) = row.rule() else { return Ok(None) };
    Ok(Some(AgendaGrant {
        id: row.id,
        label: label(conn, &rule)?,
        rule,
        origin: row.origin.clone(),
        created_by_agent_id: row.created_by_agent_id.map(AgentId),
        created_at: chrono::Utc.from_utc_datetime(&row.created_at).fixed_offset(),
    }))
}

pub fn managed(conn: &mut DbConn, actor: &rdv_shared::access::Actor, rule: &GrantRule) -> ApiResult<bool> {
    Ok(covered(conn, &rule.target).map(|c| can_manage_grant(actor, &c)).unwrap_or(false))
}

/// Lists the grants the caller manages or that name them (as grantee or as the agenda's agent),
/// newest first; filters by grantee and target.
pub fn list_agenda_grants(
    conn: &mut DbConn,
    caller: &AgentRow,
    q: ListGrantsQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::AgendaGrant>, i64)> {
    let viewer = crate::services::viewer::load(conn, caller.id)?;
    let mut territories: Vec<i32> = viewer.actor.memberships.iter().map(|m| m.territory_id.0).collect();
    territories.extend(viewer.actor.territorial_admin_of.iter().map(|t| t.0));
    territories.sort_unstable();
    territories.dedup();
    let mut visible = Vec::new();
    for row in agenda_grant::of_territories(conn, &territories)? {
        let Some(rule) = row.rule() else { continue };
        let matches = q.grantee_type.as_deref().is_none_or(|t| t == row.grantee_type)
            && q.grantee_id.is_none_or(|i| i == row.grantee_id)
            && q.target_type.as_deref().is_none_or(|t| t == row.target_type)
            && q.target_id.is_none_or(|i| i == row.target_id);
        if !matches {
            continue;
        }
        let mine = (rule.grantee.kind == GranteeType::Agent && rule.grantee.id == caller.id)
            || (rule.target.kind == TargetType::Agent && rule.target.id == caller.id);
        if mine || managed(conn, &viewer.actor, &rule)? {
            visible.push(row);
        }
    }
    let (rows, total) = page_in_memory(visible, page);
    let mut out = Vec::new();
    for row in &rows {
        out.extend(to_dto(conn, row)?);
    }
    Ok((out, total))
}

/// Creates a grant (the same rule granted again raises its level). Level `busy` ("lecture sans
/// détail"), `read` ("lecture avec détail") or `write`.
pub fn create_agenda_grant(
    conn: &mut DbConn,
    caller: &AgentRow,
    rule: GrantRule,
) -> ApiResult<rdv_shared::dto::AgendaGrant> {
    if rule.level == AgendaLevel::None {
        return Err(ApiError::field("level", "inclusion"));
    }
    let orgs = covered(conn, &rule.target)?;
    check_grantee(conn, &rule.grantee)?;
    if let Some(s) = rule.motif_service_id {
        if !service::all(conn)?.iter().any(|x| x.id == s.0) {
            return Err(ApiError::field("motif_service_id", "inclusion"));
        }
    }
    let actor = agent::facts(conn, caller.id)?;
    if !can_manage_grant(&actor, &orgs) {
        return Err(ApiError::forbidden());
    }
    let territory = orgs.first().map_or(0, |(_, t)| t.0);
    let row =
        write_tx(conn, |c| Ok::<_, ApiError>(agenda_grant::create(c, &caller.author(), territory, &rule, "manual")?))?;
    to_dto(conn, &row)?.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("grant {} unreadable", row.id)))
}

/// Revokes a grant (204), including a `join` one.
pub fn delete_agenda_grant(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let row = agenda_grant::find(conn, id)?.ok_or(ApiError::NotFound("agenda_grant"))?;
    let actor = agent::facts(conn, caller.id)?;
    let Some(rule) = row.rule() else { return Err(ApiError::NotFound("agenda_grant")) };
    if !managed(conn, &actor, &rule)? {
        return Err(ApiError::forbidden());
    }
    write_tx(conn, |c| Ok::<_, ApiError>(agenda_grant::delete(c, &caller.author(), &row)?))
}

/// "Copier les accès de X vers Y" (seed 001): the grants whose grantee is agent X, for agent Y.
/// `dry_run: true` previews. Grants the caller does not manage are listed, not copied.
pub fn copy_agenda_grants(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: CopyGrantsRequest,
) -> ApiResult<rdv_shared::dto::CopyGrantsResponse> {
    let actor = agent::facts(conn, caller.id)?;
    for id in [req.from_agent_id.0, req.to_agent_id.0] {
        let visible = agent::find(conn, id)?.is_some_and(|a| a.deleted_at.is_none())
            && can_see_agent(&actor, &agent::facts(conn, id)?, None);
        if !visible {
            return Err(ApiError::NotFound("agent"));
        }
    }
    if req.from_agent_id == req.to_agent_id {
        return Err(ApiError::field("to_agent_id", "invalid"));
    }
    let sources = agenda_grant::for_grantee(conn, req.from_agent_id.0, &[], &[])?;
    let mut out = CopyGrantsResponse { dry_run: req.dry_run, created: vec![], already: vec![], not_allowed: vec![] };
    let mut todo = Vec::new();
    for row in sources {
        let Some(rule) = row.rule() else { continue };
        let copy = GrantRule { grantee: Grantee { id: req.to_agent_id.0, ..rule.grantee }, ..rule };
        if !managed(conn, &actor, &rule)? {
            out.not_allowed.push(copy);
        } else if agenda_grant::existing(conn, &copy)?.is_some_and(|e| e.level == level_text(copy.level)) {
            out.already.push(copy);
        } else {
            todo.push((row.territory_id, copy));
            out.created.push(copy);
        }
    }
    if !req.dry_run {
        write_tx(conn, |c| {
            for (territory, rule) in &todo {
                agenda_grant::create(c, &caller.author(), *territory, rule, "manual")?;
            }
            Ok::<_, ApiError>(())
        })?;
    }
    Ok(out)
}

/// Who can see this agent's agenda (per organisation of the agent, for RDVs of the agent's own
/// services), at which level and why; and the grants this agent received.
pub fn get_agenda_access(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
) -> ApiResult<rdv_shared::dto::AgendaAccessResponse> {
    let actor = agent::facts(conn, caller.id)?;
    let owner = agent::facts(conn, id)?;
    if agent::find(conn, id)?.is_none_or(|a| a.deleted_at.is_some()) || !can_see_agent(&actor, &owner, None) {
        return Err(ApiError::NotFound("agent"));
    }
    let orgs: Vec<i32> = owner.memberships.iter().map(|m| m.organisation_id.0).collect();
    let mut candidates: Vec<i32> = agent::live_agents_of(conn, &orgs, id)?.into_iter().map(|a| a.id).collect();
    // Grantees of grants opening this agenda (agents named directly; teams and services expand).
    let territories: Vec<i32> = owner.memberships.iter().map(|m| m.territory_id.0).collect();
    let grants = agenda_grant::of_territories(conn, &territories)?;
    // The territory's agents with their services, read once for every service grantee.
    let mut territory_facts: Option<HashMap<i32, rdv_shared::access::AgentFacts>> = None;
    for g in grants.iter().filter_map(GrantRow::rule) {
        if !rdv_shared::access::target_covers(&g.target, &owner, None) {
            continue;
        }
        match g.grantee.kind {
            GranteeType::Agent => candidates.push(g.grantee.id),
            GranteeType::Team => candidates.extend(territory_admin::member_ids(conn, g.grantee.id)?),
            GranteeType::Service => {
                let facts = match &territory_facts {
                    Some(f) => f,
                    None => {
                        let territory_orgs = agent::organisations_of_territories(conn, &territories)?;
                        let agents = agent::live_agents_of(conn, &territory_orgs, id)?;
                        territory_facts.insert(agent::facts_of(conn, &agents.iter().map(|a| a.id).collect::<Vec<_>>())?)
                    }
                };
                candidates.extend(
                    facts.iter().filter(|(_, f)| f.service_ids.contains(&ServiceId(g.grantee.id))).map(|(a, _)| *a),
                );
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let names = agents_by_id(conn, &candidates)?;
    let services: Vec<ServiceId> = owner.service_ids.clone();
    let mut viewers = Vec::new();
    for c in candidates {
        let Some(row) = names.get(&c) else { continue };
        if row.deleted_at.is_some() {
            continue;
        }
        let v = crate::services::viewer::load(conn, c)?;
        for &org in &orgs {
            let level = crate::services::viewer::agenda_level(&v, &owner, OrganisationId(org), &services);
            if level == AgendaLevel::None {
                continue;
            }
            let default = rdv_shared::access::event_level(
                &v.actor,
                &rdv_shared::access::EventFacts {
                    organisation_id: OrganisationId(org),
                    service_ids: &services,
                    agent_ids: &[AgentId(id)],
                },
            );
            let grant = if default >= level {
                None
            } else {
                let best = grants.iter().filter_map(|g| g.rule().map(|r| (g.id, r))).find(|(_, r)| {
                    r.level == level
                        && rdv_shared::access::grantee_includes(&r.grantee, &v.actor, &v.team_ids)
                        && rdv_shared::access::target_covers(&r.target, &owner, Some(OrganisationId(org)))
                });
                match best {
                    Some((gid, r)) => Some((gid, label(conn, &r)?)),
                    None => None,
                }
            };
            let (reason, grant_id) =
                access_reason(level, default, default_reason(&v.actor, c == id, OrganisationId(org)), grant);
            viewers.push(AgendaAccess {
                agent_id: AgentId(c),
                agent_name: rdv_shared::dto::display_name(row.first_name.as_deref(), &row.last_name),
                organisation_id: OrganisationId(org),
                level,
                reason,
                grant_id,
            });
        }
    }
    let teams = agenda_grant::team_ids(conn, id)?;
    let service_ids: Vec<i32> = owner.service_ids.iter().map(|s| s.0).collect();
    let mut grants_received = Vec::new();
    for row in agenda_grant::for_grantee(conn, id, &teams, &service_ids)? {
        grants_received.extend(to_dto(conn, &row)?);
    }
    Ok(AgendaAccessResponse { viewers, grants_received })
}
