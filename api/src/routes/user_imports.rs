//! Bulk usager import: `POST /api/v1/users/imports` (a CSV or XLSX file, base64 in JSON, and an
//! optional column mapping) starts a job processed in the background; `GET
//! /api/v1/users/imports/{id}` gives progress and the per-row report, also as CSV.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use base64::Engine;

use rdv_shared::access::can_import_usagers;
use rdv_shared::dto::{CreateUserImportRequest, UserImportResponse};
use rdv_shared::OrganisationId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::{agent, organisation, user_import};
use crate::error::{ApiError, ApiResult};
use crate::extract::json_with_limit;

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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 413, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
    let org_id = body.organisation_id.0;
    let agent_id = auth.agent.id;
    let filename = body.filename.clone();
    let (job, sheet) = super::with_conn(&state, move |conn| {
        organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
        let actor = agent::facts(conn, agent_id)?;
        if !can_import_usagers(&actor, OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let sheet =
            user_import::read_file(&filename, &bytes).map_err(|msg| ApiError::field_message("file", "invalid", msg))?;
        // Mapping problems are the file's problems too: report them now, not in the job.
        rdv_shared::usager::import::resolve_mapping(&sheet.headers, &body.mapping)
            .map_err(|msg| ApiError::field_message("mapping", "invalid", msg))?;
        let job = user_import::create_job(conn, org_id, Some(agent_id), &filename, sheet.rows.len())?;
        Ok((job, (sheet, body.mapping)))
    })
    .await?;
    let pool = state.pool.clone();
    let author = auth.agent.author();
    let job_id = job.id;
    std::thread::spawn(move || {
        let (sheet, mapping) = sheet;
        let result = pool
            .get()
            .map_err(anyhow::Error::from)
            .and_then(|mut conn| user_import::run(&mut conn, &author, job_id, &sheet, &mapping, |_, _| {}));
        if let Err(e) = result {
            tracing::error!(job_id, error = format!("{e:#}"), "user import failed");
        }
    });
    Ok(HttpResponse::Ok().json(UserImportResponse { user_import: job.to_dto() }))
}

/// The job and whether the caller may read it (admins of its organisation).
fn readable_job(conn: &mut crate::db::DbConn, id: i32, agent_id: i32) -> ApiResult<user_import::ImportRow> {
    let job = user_import::find(conn, id)?.ok_or(ApiError::NotFound("user_import"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_import_usagers(&actor, OrganisationId(job.organisation_id)) {
        return Err(ApiError::NotFound("user_import"));
    }
    Ok(job)
}

/// An import's progress (`done_rows` / `total_rows`), counts and per-row report.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = UserImportResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/users/imports/{id}/report.csv")]
pub async fn get_user_import_report(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let csv = super::with_conn(&state, move |conn| {
        let job = readable_job(conn, id, auth.agent.id)?;
        Ok(user_import::report_csv(&job)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"import-usagers-{id}.csv\"")))
        .body(csv))
}
