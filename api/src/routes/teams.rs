//! Territory administration: teams (`/api/v1/territories/{id}/teams`, `/api/v1/teams/{id}`) and
//! territorial rights (`/api/v1/territories/{id}/access_rights`). Managed by territorial admins
//! and the holders of the matching access-right flag (reference-domain.md §1.3, §2.8).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use rdv_shared::dto::{
    AccessRightsListResponse, AccessRightsResponse, TeamRequest, TeamResponse, TeamsResponse, UpdateAccessRightsRequest,
};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::services;
use crate::state::AppState;

/// Lists a territory's teams with their members (its organisations' members may read them).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = TeamsResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}/teams")]
pub async fn list_teams(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::teams::list_teams(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Creates a team (territorial admins, "manage teams" right).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    request_body = TeamRequest,
    responses(
        (status = 200, body = TeamResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/territories/{id}/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<TeamRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::teams::create_team(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Renames a team and/or replaces its members.
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    request_body = TeamRequest,
    responses(
        (status = 200, body = TeamResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<TeamRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::teams::update_team(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Deletes a team (its agents stay).
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/teams/{id}")]
pub async fn delete_team(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::teams::delete_team(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists the territorial rights of the territory's agents (territorial admins, "manage access rights").
#[utoipa::path(
    tag = "teams",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AccessRightsListResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}/access_rights")]
pub async fn list_access_rights(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::teams::list_access_rights(conn, &auth.agent, id)).await?;
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
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/territories/{id}/access_rights/{agent_id}")]
pub async fn update_access_rights(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    req: Body<UpdateAccessRightsRequest>,
) -> ApiResult<HttpResponse> {
    let (id, agent_id) = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        services::teams::update_access_rights(conn, &auth.agent, id, agent_id, req)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
