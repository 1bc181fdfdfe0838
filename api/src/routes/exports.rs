//! RDV and participation exports (issue 17): `POST /api/v1/exports` with the list's filters, then
//! follow it, list "Mes exports" and download the file; the use cases are `services::exports`.
//! Only the requester ever sees an export (anyone else: 404).

use actix_web::{get, post, web, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{CreateExportRequest, ExportFormat, ExportKind, ExportResponse, ExportsResponse};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{parse_json, ApiJson, ApiQuery, PageQuery};
use crate::services::exports;
use crate::state::AppState;

#[derive(serde::Deserialize)]
struct What {
    kind: ExportKind,
    format: ExportFormat,
}

/// Starts an export of the RDV list the filters select (`kind`: one line per RDV or per
/// participation; `format`: xlsx or csv). Poll the export for its progress.
#[utoipa::path(
    tag = "exports",
    request_body = CreateExportRequest,
    responses(
        (status = 200, body = ExportResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/exports")]
pub async fn create_export(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    // Read in two parts (serde's `flatten` would name no field in its errors): what to export,
    // then the list's filters, each 422 naming its field.
    let bytes = serde_json::to_vec(&body.0).map_err(|e| crate::error::ApiError::Internal(e.into()))?;
    let what: What = parse_json(&bytes)?;
    let body = CreateExportRequest { kind: what.kind, format: what.format, filters: parse_json(&bytes)? };
    let export =
        super::with_conn(&state, move |conn| exports::create_export(conn, &auth.agent, body, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(ExportResponse { export }))
}

/// "Mes exports": the caller's exports until they expire, newest first.
#[utoipa::path(tag = "exports", params(PageQuery), responses((status = 200, body = ExportsResponse)))]
#[get("/exports")]
pub async fn list_exports(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = normalise_page(query.0.page);
    let (list, total) = super::with_conn(&state, move |conn| exports::list_exports(conn, &auth.agent, page)).await?;
    Ok(HttpResponse::Ok().json(ExportsResponse { exports: list, meta: Meta::new(page, total) }))
}

/// One of the caller's exports, with its progress.
#[utoipa::path(
    tag = "exports",
    params(("id" = i32, Path)),
    responses((status = 200, body = ExportResponse), (status = 404, body = rdv_shared::dto::NotFoundError)),
)]
#[get("/exports/{id}")]
pub async fn get_export(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let export = super::with_conn(&state, move |conn| exports::get_export(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(ExportResponse { export }))
}

/// The file of a finished export (XLSX or CSV), until it expires.
#[utoipa::path(
    tag = "exports",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The file: XLSX, or CSV for a CSV export.", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (Vec<u8> = "text/csv"),
        )),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/exports/{id}/download")]
pub async fn download_export(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let (filename, content_type, bytes) =
        super::with_conn(&state, move |conn| exports::download_export(conn, &auth.agent, id, Utc::now())).await?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{filename}\"")))
        // Personal data: never kept by a browser or a proxy.
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}
