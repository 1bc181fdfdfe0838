//! Plages d'ouverture (reference-domain.md §1.7, §2.3), in API v1's style: list, create, show,
//! update, delete. Overlaps with the agent's other plages are warnings the caller confirms with
//! `ignore_benign_errors` (reference `PlageOuvertureOverlap`); Sundays are refused, Saturdays
//! too unless the organisation opens then (seed 002).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use rdv_shared::dto::{CreatePlageRequest, PlageOuvertureResponse, PlageOuverturesResponse, UpdatePlageRequest};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Body};
use crate::services;
use crate::services::plages::ListPlagesQuery;
use crate::state::AppState;

/// Lists the plages the caller may read (their own, their services' colleagues', all of the
/// organisations they administer), newest first.
#[utoipa::path(
    tag = "plage_ouvertures",
    params(ListPlagesQuery),
    responses(
        (status = 200, body = PlageOuverturesResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/plage_ouvertures")]
pub async fn list_plage_ouvertures(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListPlagesQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (plages, total) =
        super::with_conn(&state, move |conn| services::plages::list_plage_ouvertures(conn, &auth.agent, query, page))
            .await?;
    Ok(HttpResponse::Ok().json(PlageOuverturesResponse { plage_ouvertures: plages, meta: Meta::new(page, total) }))
}

/// Creates a plage for `agent_id` / `agent_email` (default: oneself) in an organisation the
/// agent belongs to. 422 with `warnings` on overlap until confirmed.
#[utoipa::path(
    tag = "plage_ouvertures",
    request_body = CreatePlageRequest,
    responses(
        (status = 200, body = PlageOuvertureResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/plage_ouvertures")]
pub async fn create_plage_ouverture(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreatePlageRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let config = state.config.clone();
    let plage =
        super::with_conn(&state, move |conn| services::plages::create_plage_ouverture(conn, &config, &auth.agent, req))
            .await?;
    Ok(HttpResponse::Ok().json(PlageOuvertureResponse { plage_ouverture: plage }))
}

/// Shows a plage.
#[utoipa::path(
    tag = "plage_ouvertures",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = PlageOuvertureResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/plage_ouvertures/{id}")]
pub async fn get_plage_ouverture(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let plage =
        super::with_conn(&state, move |conn| services::plages::get_plage_ouverture(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(PlageOuvertureResponse { plage_ouverture: plage }))
}

/// Updates a plage (its agent and organisation stay).
#[utoipa::path(
    tag = "plage_ouvertures",
    params(("id" = i32, Path)),
    request_body = UpdatePlageRequest,
    responses(
        (status = 200, body = PlageOuvertureResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/plage_ouvertures/{id}")]
pub async fn update_plage_ouverture(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdatePlageRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let plage = super::with_conn(&state, move |conn| {
        services::plages::update_plage_ouverture(conn, &config, &auth.agent, id, req)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PlageOuvertureResponse { plage_ouverture: plage }))
}

/// Deletes a plage (204). Its past RDVs stay.
#[utoipa::path(
    tag = "plage_ouvertures",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/plage_ouvertures/{id}")]
pub async fn delete_plage_ouverture(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    super::with_conn(&state, move |conn| services::plages::delete_plage_ouverture(conn, &config, &auth.agent, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
