//! Bulk usager import: `POST /api/v1/users/imports` (a CSV or XLSX file, base64 in JSON, and an
//! optional column mapping) starts a job processed in the background; `GET
//! /api/v1/users/imports/{id}` gives progress and the per-row report, also as CSV.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::Engine;
use rdv_shared::dto::{CreateUserImportRequest, UserImportResponse};

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::extract::json_with_limit;
use crate::services;
use crate::services::usager_imports::readable_job;
use crate::state::AppState;

/// Files up to 15 MiB (base64 makes the body a third larger): a 10 000-row XLSX is ~0.5 MiB.
const IMPORT_BODY_LIMIT: usize = 20 * 1024 * 1024;

/// Starts an import into an organisation (its admins). The file is read at once: an unreadable
/// file, an unknown format or missing name columns answer 422 with the reason. Rows are then
/// processed in the background; poll the job for progress.
#[utoipa::path(
    tag = "users",
    request_body = CreateUserImportRequest,
    responses(
        (status = 200, body = UserImportResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 413, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/users/imports")]
pub async fn create_user_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body: CreateUserImportRequest = json_with_limit(&req, payload, IMPORT_BODY_LIMIT).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.content_base64.trim())
        .map_err(|_| ApiError::field("content_base64", "invalid"))?;
    let author = auth.agent.author();
    let started = super::with_conn(&state, move |conn| {
        services::usager_imports::create_user_import(conn, &auth.agent, body, bytes)
    })
    .await?;
    let job = started.job.clone();
    services::usager_imports::run_in_background(state.pool.clone(), author, started);
    Ok(HttpResponse::Ok().json(UserImportResponse { user_import: job.to_dto() }))
}

/// An import's progress (`done_rows` / `total_rows`), counts and per-row report.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = UserImportResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/imports/{id}")]
pub async fn get_user_import(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let job = super::with_conn(&state, move |conn| readable_job(conn, id, auth.agent.id)).await?;
    Ok(HttpResponse::Ok().json(UserImportResponse { user_import: job.to_dto() }))
}

/// The per-row report as a `;`-separated CSV (UTF-8 with BOM, opens in spreadsheet software).
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/imports/{id}/report.csv")]
pub async fn get_user_import_report(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let csv =
        super::with_conn(&state, move |conn| services::usager_imports::get_user_import_report(conn, &auth.agent, id))
            .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"import-usagers-{id}.csv\"")))
        .body(csv))
}
