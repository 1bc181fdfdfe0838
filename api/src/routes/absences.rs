//! Absences ("indisponibilités"), API v1 compatible (reference-api-v1.md §3.8) plus recurrence:
//! whoever "sees" the agent manages them (reference-domain.md §2.3).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use rdv_shared::dto::{AbsenceResponse, AbsencesResponse, CreateAbsenceRequest, UpdateAbsenceRequest};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Body};
use crate::services;
use crate::services::absences::ListAbsencesQuery;
use crate::state::AppState;

/// Lists the absences of the agents the caller sees, newest first.
#[utoipa::path(
    tag = "absences",
    params(ListAbsencesQuery),
    responses(
        (status = 200, body = AbsencesResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/absences")]
pub async fn list_absences(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListAbsencesQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (absences, total) =
        super::with_conn(&state, move |conn| services::absences::list_absences(conn, &auth.agent, query, page)).await?;
    Ok(HttpResponse::Ok().json(AbsencesResponse { absences, meta: Meta::new(page, total) }))
}

/// Creates an absence for `agent_id`, else `agent_email`, else oneself (reference B2).
#[utoipa::path(
    tag = "absences",
    request_body = CreateAbsenceRequest,
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/absences")]
pub async fn create_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreateAbsenceRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let config = state.config.clone();
    let absence =
        super::with_conn(&state, move |conn| services::absences::create_absence(conn, &config, &auth.agent, req))
            .await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Shows an absence.
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/absences/{id}")]
pub async fn get_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let absence = super::with_conn(&state, move |conn| services::absences::get_absence(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Updates an absence (reference B4, plus `recurrence`).
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    request_body = UpdateAbsenceRequest,
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/absences/{id}")]
pub async fn update_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateAbsenceRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let absence =
        super::with_conn(&state, move |conn| services::absences::update_absence(conn, &config, &auth.agent, id, req))
            .await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Deletes an absence (204).
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/absences/{id}")]
pub async fn delete_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    super::with_conn(&state, move |conn| services::absences::delete_absence(conn, &config, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
