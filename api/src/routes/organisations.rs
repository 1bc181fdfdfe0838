//! `/api/v1/organisations`: list, show, update (reference-api-v1.md O1–O3).

use actix_web::{get, patch, post, web, HttpResponse};
use rdv_shared::dto::{
    CreateOrganisationRequest, OrganisationResponse, OrganisationsResponse, UpdateOrganisationRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Body};
use crate::services;
use crate::state::AppState;

/// O1's query: a page, and an address to keep only the organisations serving it.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListOrganisationsQuery {
    /// Page number, from 1 (100 items a page).
    pub page: Option<i64>,
    /// INSEE code: only the organisations attributed to the sectors of that city (the sector
    /// with the fewest organisations), as the reference.
    pub city_code: Option<String>,
    /// BAN street id, refines `city_code`.
    pub street_ban_id: Option<String>,
    /// Accepted and ignored without `city_code`, as the reference (also `department_number`).
    pub departement_number: Option<String>,
    #[param(ignore = true)]
    pub department_number: Option<String>,
}

/// Lists the organisations where the caller has a role, by id; with `city_code` (and
/// `street_ban_id`), only those serving that address.
#[utoipa::path(
    tag = "organisations",
    params(ListOrganisationsQuery),
    responses(
        (status = 200, body = OrganisationsResponse),
    ),
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListOrganisationsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let page = normalise_page(q.page);
    let place = match q.city_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(
            rdv_shared::sectorisation::Place::from_codes(code, q.street_ban_id.as_deref())
                .ok_or_else(|| crate::error::ApiError::field("city_code", "invalid"))?,
        ),
        None => None,
    };
    let (rows, total) = super::with_conn(&state, move |conn| {
        services::organisations::list_organisations(conn, &auth.agent, place.as_ref(), page)
    })
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
    req: Body<UpdateOrganisationRequest>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
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
