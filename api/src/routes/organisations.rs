//! `/api/v1/organisations`: list, show, update (reference-api-v1.md O1–O3).

use actix_web::{get, patch, post, web, HttpResponse};
use rdv_shared::dto::{
    CreateOrganisationRequest, OrganisationResponse, OrganisationsResponse, UpdateOrganisationRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, PageQuery};
use crate::services;
use crate::state::AppState;

/// Lists the organisations where the caller has a role, by id.
#[utoipa::path(
    tag = "organisations",
    params(PageQuery),
    responses(
        (status = 200, body = OrganisationsResponse),
    ),
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = normalise_page(query.0.page);
    let (rows, total) =
        super::with_conn(&state, move |conn| services::organisations::list_organisations(conn, &auth.agent, page))
            .await?;
    Ok(HttpResponse::Ok().json(OrganisationsResponse {
        organisations: rows.iter().map(|o| o.to_dto()).collect(),
        meta: Meta::new(page, total),
    }))
}

/// Shows one organisation of the caller.
#[utoipa::path(
    tag = "organisations",
    params(("id" = i32, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row =
        super::with_conn(&state, move |conn| services::organisations::get_organisation(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}

/// Updates an organisation (its admins only). Absent fields are left unchanged; `phone_number`
/// and `email` are cleared by `null` or `""`.
#[utoipa::path(
    tag = "organisations",
    params(("id" = i32, Path, description = "Organisation id")),
    request_body = UpdateOrganisationRequest,
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 413, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i32>,
    body: ApiJson<UpdateOrganisationRequest>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let ApiJson(req) = body;
    let row =
        super::with_conn(&state, move |conn| services::organisations::update_organisation(conn, &auth.agent, id, req))
            .await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}

/// Creates an organisation in a territory (its territorial admins). The creator gets no role in
/// it: they add its agents next (as the reference).
#[utoipa::path(
    tag = "organisations",
    request_body = CreateOrganisationRequest,
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreateOrganisationRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let row =
        super::with_conn(&state, move |conn| services::organisations::create_organisation(conn, &auth.agent, req))
            .await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}
