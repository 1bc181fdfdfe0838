//! Agenda access grants (issue 6): list, create, delete, copy from one agent to another, and
//! "who can see this agenda, at what level, and why". Managers: admins of the organisations
//! whose agendas a grant opens, agents with the territory's "manage access rights" right.

use std::collections::HashMap;

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::TimeZone;
use serde::Deserialize;

use rdv_shared::access::{
    can_manage_grant, can_see_agent, AccessLevel, AgendaLevel, GrantRule, GrantTarget, Grantee, GranteeType, TargetType,
};
use rdv_shared::dto::{
    AgendaAccess, AgendaAccessResponse, AgendaGrant, AgendaGrantResponse, AgendaGrantsResponse, CopyGrantsRequest,
    CopyGrantsResponse,
};
use rdv_shared::pagination::{normalise_page, page_in_memory, Meta};
use rdv_shared::{AgentId, OrganisationId, ServiceId, TerritoryId};

use super::agenda_support::{agents_by_id, organisations_by_id};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::agenda_grant::{self, level_text, GrantRow};
use crate::db::models::{agent, service, territory_admin};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

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
fn covered(conn: &mut DbConn, t: &GrantTarget) -> ApiResult<Vec<(OrganisationId, TerritoryId)>> {
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

/// "Julien Lefebvre → agendas PMI de MDS Arras : écriture (RDV CPEF seulement)".
fn label(conn: &mut DbConn, rule: &GrantRule) -> ApiResult<String> {
    let services: HashMap<i32, String> = service::all(conn)?.into_iter().map(|s| (s.id, s.short_name)).collect();
    let agent_name = |conn: &mut DbConn, id: i32| -> ApiResult<String> {
        Ok(agent::find(conn, id)?
            .map(|a| rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name))
            .unwrap_or_else(|| format!("agent {id}")))
    };
    let org_name = |conn: &mut DbConn, id: OrganisationId| -> ApiResult<String> {
        Ok(crate::db::models::organisation::find(conn, id.0)?.map(|o| o.name).unwrap_or_default())
    };
    let service_name = |id: i32| services.get(&id).cloned().unwrap_or_default();
    let who = match rule.grantee.kind {
        GranteeType::Agent => agent_name(conn, rule.grantee.id)?,
        GranteeType::Team => {
            format!("équipe {}", territory_admin::find_team(conn, rule.grantee.id)?.map(|t| t.name).unwrap_or_default())
        }
        GranteeType::Service => format!("agents {}", service_name(rule.grantee.id)),
    };
    let who = match rule.grantee.organisation_id {
        Some(o) => format!("{who} de {}", org_name(conn, o)?),
        None => who,
    };
    let what = match rule.target.kind {
        TargetType::Agent => format!("agenda de {}", agent_name(conn, rule.target.id)?),
        TargetType::Service => format!("agendas {}", service_name(rule.target.id)),
        TargetType::Organisation => format!("tous les agendas de {}", org_name(conn, OrganisationId(rule.target.id))?),
    };
    let what = match (rule.target.kind, rule.target.organisation_id) {
        (TargetType::Organisation, _) | (_, None) => what,
        (_, Some(o)) => format!("{what} de {}", org_name(conn, o)?),
    };
    let level = match rule.level {
        AgendaLevel::Busy => "lecture sans détail",
        AgendaLevel::Read => "lecture avec détail",
        _ => "écriture",
    };
    let only = rule.motif_service_id.map(|s| format!(" (RDV {} seulement)", service_name(s.0))).unwrap_or_default();
    Ok(format!("{who} → {what} : {level}{only}"))
}

fn to_dto(conn: &mut DbConn, row: &GrantRow) -> ApiResult<Option<AgendaGrant>> {
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

fn managed(conn: &mut DbConn, actor: &rdv_shared::access::Actor, rule: &GrantRule) -> ApiResult<bool> {
    Ok(covered(conn, &rule.target).map(|c| can_manage_grant(actor, &c)).unwrap_or(false))
}

/// Lists the grants the caller manages or that name them (as grantee or as the agenda's agent),
/// newest first; filters by grantee and target.
#[utoipa::path(
    tag = "agenda_grants",
    params(ListGrantsQuery),
    responses(
        (status = 200, body = AgendaGrantsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/agenda_grants")]
pub async fn list_agenda_grants(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListGrantsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let page = normalise_page(q.page);
    let (grants, total) = super::with_conn(&state, move |conn| {
        let viewer = super::viewer::load(conn, auth.agent.id)?;
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
            let mine = (rule.grantee.kind == GranteeType::Agent && rule.grantee.id == auth.agent.id)
                || (rule.target.kind == TargetType::Agent && rule.target.id == auth.agent.id);
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
    })
    .await?;
    Ok(HttpResponse::Ok().json(AgendaGrantsResponse { agenda_grants: grants, meta: Meta::new(page, total) }))
}

/// Creates a grant (the same rule granted again raises its level). Level `busy` ("lecture sans
/// détail"), `read` ("lecture avec détail") or `write`.
#[utoipa::path(
    tag = "agenda_grants",
    request_body = GrantRule,
    responses(
        (status = 200, body = AgendaGrantResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/agenda_grants")]
pub async fn create_agenda_grant(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<GrantRule>,
) -> ApiResult<HttpResponse> {
    let ApiJson(rule) = body;
    let grant = super::with_conn(&state, move |conn| {
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
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_manage_grant(&actor, &orgs) {
            return Err(ApiError::forbidden());
        }
        let territory = orgs.first().map_or(0, |(_, t)| t.0);
        let row = write_tx(conn, |c| {
            Ok::<_, ApiError>(agenda_grant::create(c, &auth.agent.author(), territory, &rule, "manual")?)
        })?;
        to_dto(conn, &row)?.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("grant {} unreadable", row.id)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AgendaGrantResponse { agenda_grant: grant }))
}

/// Revokes a grant (204), including a `join` one.
#[utoipa::path(
    tag = "agenda_grants",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[delete("/agenda_grants/{id}")]
pub async fn delete_agenda_grant(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let row = agenda_grant::find(conn, id)?.ok_or(ApiError::NotFound("agenda_grant"))?;
        let actor = agent::facts(conn, auth.agent.id)?;
        let Some(rule) = row.rule() else { return Err(ApiError::NotFound("agenda_grant")) };
        if !managed(conn, &actor, &rule)? {
            return Err(ApiError::forbidden());
        }
        write_tx(conn, |c| Ok::<_, ApiError>(agenda_grant::delete(c, &auth.agent.author(), &row)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Copier les accès de X vers Y" (seed 001): the grants whose grantee is agent X, for agent Y.
/// `dry_run: true` previews. Grants the caller does not manage are listed, not copied.
#[utoipa::path(
    tag = "agenda_grants",
    request_body = CopyGrantsRequest,
    responses(
        (status = 200, body = CopyGrantsResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/agenda_grants/copy")]
pub async fn copy_agenda_grants(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CopyGrantsRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let out = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
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
        let mut out =
            CopyGrantsResponse { dry_run: req.dry_run, created: vec![], already: vec![], not_allowed: vec![] };
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
                    agenda_grant::create(c, &auth.agent.author(), *territory, rule, "manual")?;
                }
                Ok::<_, ApiError>(())
            })?;
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Who can see this agent's agenda (per organisation of the agent, for RDVs of the agent's own
/// services), at which level and why; and the grants this agent received.
#[utoipa::path(
    tag = "agenda_grants",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AgendaAccessResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/agents/{id}/agenda_access")]
pub async fn get_agenda_access(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
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
                            territory_facts
                                .insert(agent::facts_of(conn, &agents.iter().map(|a| a.id).collect::<Vec<_>>())?)
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
            let v = super::viewer::load(conn, c)?;
            for &org in &orgs {
                let level = super::viewer::agenda_level(&v, &owner, OrganisationId(org), &services);
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
                let (reason, grant_id) = if default >= level {
                    (default_reason(&v.actor, c == id, OrganisationId(org)), None)
                } else {
                    let best = grants.iter().filter_map(|g| g.rule().map(|r| (g.id, r))).find(|(_, r)| {
                        r.level == level
                            && rdv_shared::access::grantee_includes(&r.grantee, &v.actor, &v.team_ids)
                            && rdv_shared::access::target_covers(&r.target, &owner, Some(OrganisationId(org)))
                    });
                    match best {
                        Some((gid, r)) => (label(conn, &r)?, Some(gid)),
                        None => ("accès".to_owned(), None),
                    }
                };
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
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn default_reason(actor: &rdv_shared::access::Actor, itself: bool, org: OrganisationId) -> String {
    if itself {
        "soi-même".into()
    } else if actor.is_admin_of(org) {
        "administrateur de l'organisation".into()
    } else if actor.is_secretary && actor.membership(org).is_some_and(|m| m.access_level == AccessLevel::Basic) {
        "secrétariat".into()
    } else {
        "membre de l'organisation (lecture sans détail)".into()
    }
}
