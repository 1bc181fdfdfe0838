//! `/api/v1/user_profiles` (usager ↔ organisation) and `/api/v1/referent_assignations`
//! (usager ↔ referent agent), API v1 compatible (reference-api-v1.md §3.3–3.4).

use actix_web::{delete, post, web, HttpResponse};
use rdv_shared::dto::{
    ReferentAssignationRequest, ReferentAssignationResponse, UserProfileRequest, UserProfileResponse,
};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::services;
use crate::services::usager_links::{ReferentQuery, UserProfileQuery};
use crate::state::AppState;

/// Adds a usager to an organisation of the caller's territories ("ajouter à mon organisation");
/// its family cell follows. A profile that already exists is a 422 `taken`.
#[utoipa::path(
    tag = "users",
    request_body = UserProfileRequest,
    responses(
        (status = 200, body = UserProfileResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/user_profiles")]
pub async fn create_user_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<UserProfileRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let body =
        super::with_conn(&state, move |conn| services::usager_links::create_user_profile(conn, &auth.agent, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes a usager (and, for a responsable, its relatives) from an organisation; leaving the
/// last organisation anonymises the record (reference P2). 204.
#[utoipa::path(
    tag = "users",
    params(UserProfileQuery),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[delete("/user_profiles")]
pub async fn delete_user_profile(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<UserProfileQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    super::with_conn(&state, move |conn| services::usager_links::delete_user_profile(conn, &auth.agent, q)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes an agent a referent of a usager (never twice: 422 `taken`).
#[utoipa::path(
    tag = "users",
    request_body = ReferentAssignationRequest,
    responses(
        (status = 200, body = ReferentAssignationResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/referent_assignations")]
pub async fn create_referent_assignation(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<ReferentAssignationRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        services::usager_links::create_referent_assignation(conn, &auth.agent, req)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes a referent. 204; 404 when the agent is not a referent of the usager.
#[utoipa::path(
    tag = "users",
    params(ReferentQuery),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[delete("/referent_assignations")]
pub async fn delete_referent_assignation(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ReferentQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    super::with_conn(&state, move |conn| services::usager_links::delete_referent_assignation(conn, &auth.agent, q))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
