//! Territory administration: teams (`/api/v1/territories/{id}/teams`, `/api/v1/teams/{id}`) and
//! territorial rights (`/api/v1/territories/{id}/access_rights`). Managed by territorial admins
//! and the holders of the matching access-right flag (reference-domain.md §1.3, §2.8).

use actix_web::{delete, get, patch, post, web, HttpResponse};

use rdv_shared::access::{can_manage_access_rights, can_manage_teams, can_read_territory, Actor};
use rdv_shared::dto::{
    AccessRights, AccessRightsListResponse, AccessRightsResponse, TeamRequest, TeamResponse, TeamsResponse,
    UpdateAccessRightsRequest,
};
use rdv_shared::pagination::Meta;
use rdv_shared::validation::{self, Errors};
use rdv_shared::TerritoryId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::territory_admin::{self as ta, TeamRow};
use crate::db::models::{agent, territory};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

/// The territory (404 when unknown or not readable by the actor) and the actor's facts.
fn readable_territory(conn: &mut DbConn, id: i32, actor_id: i32) -> ApiResult<Actor> {
    territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, actor_id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    Ok(actor)
}

/// Validates a team request; returns the trimmed name (if any) and the member ids.
fn checked_team(
    conn: &mut DbConn,
    territory_id: i32,
    req: &TeamRequest,
    except: Option<i32>,
    creating: bool,
) -> ApiResult<(Option<String>, Option<Vec<i32>>)> {
    let mut errors = Errors::default();
    let name = req.name.as_deref().map(str::trim).map(str::to_owned);
    match &name {
        Some(n) => {
            errors.check("name", validation::required_text(n, 255));
            if errors.is_empty() && ta::team_name_taken(conn, territory_id, n, except)? {
                errors.add("name", "taken");
            }
        }
        None if creating => errors.add("name", "blank"),
        None => {}
    }
    let members = match &req.agent_ids {
        Some(ids) => {
            let mut ids: Vec<i32> = ids.iter().map(|a| a.0).collect();
            ids.sort_unstable();
            ids.dedup();
            // Every member works in the territory (reference: agents of a team share it).
            let allowed = ta::agents_of_territory(conn, territory_id)?;
            if ids.iter().any(|id| !allowed.contains(id)) {
                errors.add("agent_ids", "inclusion");
            }
            Some(ids)
        }
        None => None,
    };
    if errors.is_empty() {
        Ok((name, members))
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Lists a territory's teams with their members (its organisations' members may read them).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = TeamsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/territories/{id}/teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        readable_territory(conn, id, auth.agent.id)?;
        let rows = ta::teams_of(conn, id)?;
        let teams = rows.iter().map(|t| ta::team_dto(conn, t)).collect::<Result<Vec<_>, _>>()?;
        let total = teams.len() as i64;
        Ok(TeamsResponse { teams, meta: Meta::new(1, total) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Creates a team (territorial admins, "manage teams" right).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    request_body = TeamRequest,
    responses(
        (status = 200, body = TeamResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/territories/{id}/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<TeamRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let actor = readable_territory(conn, id, auth.agent.id)?;
        if !can_manage_teams(&actor, TerritoryId(id)) {
            return Err(ApiError::forbidden());
        }
        let (name, members) = checked_team(conn, id, &req, None, true)?;
        let author = auth.agent.author();
        let row = write_tx(conn, |c| {
            let row = ta::create_team(c, &author, id, name.as_deref().unwrap_or_default())?;
            ta::set_members(c, &author, row.id, &members.unwrap_or_default())?;
            Ok::<_, ApiError>(row)
        })?;
        Ok(TeamResponse { team: ta::team_dto(conn, &row)? })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn managed_team(conn: &mut DbConn, id: i32, actor_id: i32) -> ApiResult<TeamRow> {
    let team = ta::find_team(conn, id)?.ok_or(ApiError::NotFound("team"))?;
    let actor = agent::facts(conn, actor_id)?;
    if !can_read_territory(&actor, TerritoryId(team.territory_id)) {
        return Err(ApiError::NotFound("team"));
    }
    if !can_manage_teams(&actor, TerritoryId(team.territory_id)) {
        return Err(ApiError::forbidden());
    }
    Ok(team)
}

/// Renames a team and/or replaces its members.
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    request_body = TeamRequest,
    responses(
        (status = 200, body = TeamResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<TeamRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let before = managed_team(conn, id, auth.agent.id)?;
        let (name, members) = checked_team(conn, before.territory_id, &req, Some(id), false)?;
        let author = auth.agent.author();
        let row = write_tx(conn, |c| {
            let row = match &name {
                Some(n) => ta::rename_team(c, &author, &before, n)?,
                None => before.clone(),
            };
            if let Some(ids) = &members {
                ta::set_members(c, &author, id, ids)?;
            }
            Ok::<_, ApiError>(row)
        })?;
        Ok(TeamResponse { team: ta::team_dto(conn, &row)? })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Deletes a team (its agents stay).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[delete("/teams/{id}")]
pub async fn delete_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let before = managed_team(conn, id, auth.agent.id)?;
        write_tx(conn, |c| Ok::<_, ApiError>(ta::delete_team(c, &auth.agent.author(), &before)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists the territorial rights of the territory's agents (territorial admins, "manage access rights").
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AccessRightsListResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/territories/{id}/access_rights")]
pub async fn list_access_rights(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        let actor = readable_territory(conn, id, auth.agent.id)?;
        if !can_manage_access_rights(&actor, TerritoryId(id)) {
            return Err(ApiError::forbidden());
        }
        let agents = ta::agents_of_territory(conn, id)?;
        let rights = ta::rights_of(conn, id, &agents)?;
        let total = rights.len() as i64;
        Ok(AccessRightsListResponse { access_rights: rights, meta: Meta::new(1, total) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Changes an agent's territorial rights. The three flags: territorial admins and "manage access
/// rights" holders; territorial admin itself: territorial admins only, and the territory keeps one.
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path), ("agent_id" = i32, Path)),
    request_body = UpdateAccessRightsRequest,
    responses(
        (status = 200, body = AccessRightsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/territories/{id}/access_rights/{agent_id}")]
pub async fn update_access_rights(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    body: ApiJson<UpdateAccessRightsRequest>,
) -> ApiResult<HttpResponse> {
    let (id, agent_id) = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let actor = readable_territory(conn, id, auth.agent.id)?;
        if !can_manage_access_rights(&actor, TerritoryId(id)) {
            return Err(ApiError::forbidden());
        }
        if !ta::agents_of_territory(conn, id)?.contains(&agent_id) {
            return Err(ApiError::NotFound("agent"));
        }
        let before = ta::rights_of(conn, id, &[agent_id])?.pop().unwrap_or_default();
        let after = AccessRights {
            agent_id: before.agent_id,
            territorial_admin: req.territorial_admin.unwrap_or(before.territorial_admin),
            allow_to_manage_teams: req.allow_to_manage_teams.unwrap_or(before.allow_to_manage_teams),
            allow_to_manage_access_rights: req
                .allow_to_manage_access_rights
                .unwrap_or(before.allow_to_manage_access_rights),
            allow_to_invite_agents: req.allow_to_invite_agents.unwrap_or(before.allow_to_invite_agents),
        };
        if after.territorial_admin != before.territorial_admin {
            if !actor.territorial_admin_of.contains(&TerritoryId(id)) {
                return Err(ApiError::forbidden());
            }
            if !after.territorial_admin && ta::territorial_admin_count(conn, id)? <= 1 {
                return Err(ApiError::field("territorial_admin", "last_admin"));
            }
        }
        write_tx(conn, |c| Ok::<_, ApiError>(ta::set_rights(c, &auth.agent.author(), id, &before, &after)?))?;
        Ok(AccessRightsResponse { access_rights: after })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
