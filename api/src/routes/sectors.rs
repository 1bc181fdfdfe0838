//! Sectorisation management for territorial admins (reference-domain.md §1.10): sectors, their
//! zones (a city or a street), their attributions (an organisation or one of its agents), and
//! the CSV/XLSX zone import with a dry run and a per-row report. Members of the territory's
//! organisations may read.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use base64::Engine;
use rdv_shared::dto::{
    CreateSectorAttributionRequest, CreateSectorRequest, CreateZoneRequest, SectorAttributionResponse, SectorResponse,
    SectorsResponse, ZoneImportReport, ZoneImportRequest, ZoneResponse, ZonesResponse,
};

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::extract::{json_with_limit, Body};
use crate::services;
use crate::state::AppState;

const IMPORT_BODY_LIMIT: usize = 20 * 1024 * 1024;

/// Lists a territory's sectors with their zone counts and attributions.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, body = SectorsResponse), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/territories/{id}/sectors")]
pub async fn list_sectors(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::sectors::list_sectors(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Creates a sector (territorial admins); `human_id` is unique in the territory.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateSectorRequest,
    responses((status = 200, body = SectorResponse), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/territories/{id}/sectors")]
pub async fn create_sector(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<CreateSectorRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::sectors::create_sector(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Deletes a sector with its zones and attributions. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[delete("/sectors/{id}")]
pub async fn delete_sector(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::sectors::delete_sector(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists a sector's zones.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, body = ZonesResponse), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/sectors/{id}/zones")]
pub async fn list_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::sectors::list_zones(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Adds a zone (a whole city, or one street with its BAN id) to a sector.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateZoneRequest,
    responses((status = 200, body = ZoneResponse), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/sectors/{id}/zones")]
pub async fn create_zone(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<CreateZoneRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::sectors::create_zone(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes a zone. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[delete("/zones/{id}")]
pub async fn delete_zone(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::sectors::delete_zone(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Attributes a sector to an organisation of the territory, or to one of its agents.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateSectorAttributionRequest,
    responses((status = 200, body = SectorAttributionResponse), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/sectors/{id}/attributions")]
pub async fn create_sector_attribution(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<CreateSectorAttributionRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::sectors::create_sector_attribution(conn, &auth.agent, id, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes an attribution. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[delete("/sector_attributions/{id}")]
pub async fn delete_sector_attribution(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::sectors::delete_sector_attribution(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Imports zones from a `.csv`/`.xlsx` (columns `secteur`, `commune`, `code_insee`, and `rue`,
/// `id_ban_rue` for streets). Every row is checked; with `dry_run` nothing is written. Rows
/// already present are reported as such, so the same file can be imported twice.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = ZoneImportRequest,
    responses((status = 200, body = ZoneImportReport), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 413, body = rdv_shared::dto::MessagesError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/territories/{id}/zones/import")]
pub async fn import_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body: ZoneImportRequest = json_with_limit(&req, payload, IMPORT_BODY_LIMIT).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.content_base64.trim())
        .map_err(|_| ApiError::field("content_base64", "invalid"))?;
    let report =
        super::with_conn(&state, move |conn| services::sectors::import_zones(conn, &auth.agent, id, body, bytes))
            .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Exports the territory's zones as CSV (UTF-8 with BOM, `;`-separated) in the import's own
/// columns, so an export edited in a spreadsheet can be imported back.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, description = "CSV file", content_type = "text/csv", body = String), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/territories/{id}/zones/export.csv")]
pub async fn export_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let csv = super::with_conn(&state, move |conn| services::sectors::export_zones(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", "attachment; filename=\"zones.csv\""))
        .body(csv))
}
