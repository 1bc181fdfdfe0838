//! `/api/v1/territories/{id}`: settings of a territory — read by its members, changed by its
//! territorial admins (reference-domain.md §1.2, §2.8) — and `/api/v1/services`, the catalogue.

use actix_web::{get, patch, web, HttpResponse};
use rdv_shared::dto::{
    OrganisationsResponse, ServicesResponse, SmsSettingsResponse, TerritoryResponse, UpdateSmsSettingsRequest,
    UpdateTerritoryRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Body, PageQuery};
use crate::services;
use crate::state::AppState;

/// Shows a territory's settings (members of its organisations and its territorial admins).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = TerritoryResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}")]
pub async fn get_territory(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::territories::get_territory(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Lists every organisation of a territory, by id (its members and territorial admins): what a
/// territorial admin picks from when attributing sectors or granting agendas. `GET
/// /organisations` lists only the caller's own.
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path), PageQuery),
    responses(
        (status = 200, body = OrganisationsResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}/organisations")]
pub async fn list_territory_organisations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let page = normalise_page(query.0.page);
    let (rows, total) = super::with_conn(&state, move |conn| {
        services::territories::list_territory_organisations(conn, &auth.agent, id, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationsResponse {
        organisations: rows.iter().map(|o| o.to_dto()).collect(),
        meta: Meta::new(page, total),
    }))
}

/// Changes a territory's name, number, usager field toggles, RDV settings and offered services
/// (territorial admins).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    request_body = UpdateTerritoryRequest,
    responses(
        (status = 200, body = TerritoryResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/territories/{id}")]
pub async fn update_territory(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateTerritoryRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::territories::update_territory(conn, &auth.agent, id, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The service catalogue, each with the caller's territories that offer it.
#[utoipa::path(
    tag = "territories",
    responses(
        (status = 200, body = ServicesResponse),
    ),
)]
#[get("/services")]
pub async fn list_services(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let services =
        super::with_conn(&state, move |conn| services::territories::list_services(conn, &auth.agent)).await?;
    let total = services.len() as i64;
    Ok(HttpResponse::Ok().json(ServicesResponse { services, meta: Meta::new(1, total) }))
}

/// The territory's SMS provider (territory admins). The API key is never shown, only whether
/// one is set.
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = SmsSettingsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}/sms_settings")]
pub async fn get_sms_settings(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::territories::get_sms_settings(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Sets the territory's SMS provider: URL (Brevo's `…/v3/transactionalSMS/sms` or compatible),
/// API key, sender name. An absent field is unchanged, an empty string clears it (the server's
/// `RDV_SMS_*` settings then apply).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    request_body = UpdateSmsSettingsRequest,
    responses(
        (status = 200, body = SmsSettingsResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/territories/{id}/sms_settings")]
pub async fn update_sms_settings(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateSmsSettingsRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::territories::update_sms_settings(conn, &auth.agent, id, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}
