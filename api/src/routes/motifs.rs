//! Motifs: admins manage them; agents see the motifs of their services, admins and secretaries
//! all of their organisations' (reference-domain.md §1.5, §2.7). The list keeps API v1's filters;
//! the CSV export is for admins only (seed 001, RDV-S #1781).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use rdv_shared::dto::{CreateMotifRequest, MotifCategoriesResponse, MotifResponse, MotifsResponse, UpdateMotifRequest};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::db::models::motif::{self};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Body};
use crate::services;
use crate::services::motifs::ListMotifsQuery;
use crate::state::AppState;

/// Lists an organisation's motifs by id, with API v1's filters.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path), ListMotifsQuery),
    responses(
        (status = 200, body = MotifsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/organisations/{organisation_id}/motifs")]
pub async fn list_motifs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListMotifsQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (motifs, total) =
        super::with_conn(&state, move |conn| services::motifs::list_motifs(conn, &auth.agent, org_id, query, page))
            .await?;
    Ok(HttpResponse::Ok().json(MotifsResponse { motifs, meta: Meta::new(page, total) }))
}

/// Creates a motif (admins of the organisation). Only `name`, `service_id` and `color` are required.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path)),
    request_body = CreateMotifRequest,
    responses(
        (status = 200, body = MotifResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/organisations/{organisation_id}/motifs")]
pub async fn create_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: Body<CreateMotifRequest>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    super::with_conn(&state, move |conn| services::motifs::create_motif(conn, &auth.agent, org_id, body))
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Shows a motif.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = MotifResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/motifs/{id}")]
pub async fn get_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::motifs::get_motif(conn, &auth.agent, id))
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Updates a motif (admins); absent fields are unchanged.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    request_body = UpdateMotifRequest,
    responses(
        (status = 200, body = MotifResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/motifs/{id}")]
pub async fn update_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: Body<UpdateMotifRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::motifs::update_motif(conn, &auth.agent, id, body))
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Deletes a motif (admins). A soft delete: it leaves the lists of active motifs, its RDVs keep it.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = MotifResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/motifs/{id}")]
pub async fn delete_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::motifs::delete_motif(conn, &auth.agent, id))
        .await
        .map(|body| HttpResponse::Ok().json(body))
}

/// Exports an organisation's motifs as CSV (UTF-8 with BOM, `;`-separated, for Excel). Admins only.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path)),
    responses(
        (status = 200, description = "CSV file", content_type = "text/csv", body = String),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/organisations/{organisation_id}/motifs/export.csv")]
pub async fn export_motifs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let (org_name, csv) =
        super::with_conn(&state, move |conn| services::motifs::export_motifs(conn, &auth.agent, org_id)).await?;
    let filename: String = format!("motifs-{org_name}.csv")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", format!("attachment; filename=\"{filename}\"")))
        .body(csv))
}

/// The motif categories a motif can belong to (a global catalogue, e.g. RSA orientation).
#[utoipa::path(
    tag = "motifs",
    responses(
        (status = 200, body = MotifCategoriesResponse),
    ),
)]
#[get("/motif_categories")]
pub async fn list_motif_categories(state: web::Data<AppState>, _auth: Authenticated) -> ApiResult<HttpResponse> {
    let categories = super::with_conn(&state, |conn| Ok(motif::categories(conn)?)).await?;
    let total = categories.len() as i64;
    Ok(HttpResponse::Ok().json(MotifCategoriesResponse {
        motif_categories: categories.iter().map(|c| c.to_dto()).collect(),
        meta: Meta::new(1, total),
    }))
}
