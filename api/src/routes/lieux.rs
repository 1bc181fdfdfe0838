//! Lieux: members of an organisation list them, its admins create and edit them
//! (reference-domain.md §1.6, §2.7). Disabling (`availability: disabled`) is the soft delete.

use actix_web::{get, patch, post, web, HttpResponse};
use rdv_shared::dto::{CreateLieuRequest, LieuResponse, LieuxResponse, UpdateLieuRequest};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Body};
use crate::services;
use crate::services::lieux::{visible_lieu, ListLieuxQuery};
use crate::state::AppState;

/// Lists an organisation's lieux by name (its members).
#[utoipa::path(
    tag = "lieux",
    params(("organisation_id" = i32, Path), ListLieuxQuery),
    responses(
        (status = 200, body = LieuxResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/organisations/{organisation_id}/lieux")]
pub async fn list_lieux(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListLieuxQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (rows, total) =
        super::with_conn(&state, move |conn| services::lieux::list_lieux(conn, &auth.agent, org_id, query, page))
            .await?;
    Ok(HttpResponse::Ok()
        .json(LieuxResponse { lieux: rows.iter().map(|l| l.to_dto()).collect(), meta: Meta::new(page, total) }))
}

/// Creates a lieu (admins of the organisation). `availability` is `enabled` (default) or `single_use`.
#[utoipa::path(
    tag = "lieux",
    params(("organisation_id" = i32, Path)),
    request_body = CreateLieuRequest,
    responses(
        (status = 200, body = LieuResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/organisations/{organisation_id}/lieux")]
pub async fn create_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<CreateLieuRequest>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let row =
        super::with_conn(&state, move |conn| services::lieux::create_lieu(conn, &auth.agent, org_id, req)).await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}

/// Shows a lieu (members of its organisation).
#[utoipa::path(
    tag = "lieux",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = LieuResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/lieux/{id}")]
pub async fn get_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let (row, _) = super::with_conn(&state, move |conn| visible_lieu(conn, id, auth.agent.id)).await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}

/// Updates a lieu (admins). A lieu cannot become, nor stop being, single-use.
#[utoipa::path(
    tag = "lieux",
    params(("id" = i32, Path)),
    request_body = UpdateLieuRequest,
    responses(
        (status = 200, body = LieuResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/lieux/{id}")]
pub async fn update_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateLieuRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let row = super::with_conn(&state, move |conn| services::lieux::update_lieu(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}
