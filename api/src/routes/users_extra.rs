//! Usager features beyond API v1: as-you-type search with masked results from the territory's
//! other organisations, duplicate candidates, merge, and the RGPD export.

use actix_web::{get, post, web, HttpResponse};
use rdv_shared::dto::{
    DuplicatesRequest, DuplicatesResponse, MergeUsersRequest, UserExport, UserResponse, UserSearchResponse,
};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Body};
use crate::services;
use crate::services::usager_tools::SearchUsersQuery;
use crate::state::AppState;

/// As-you-type usager search: ranked matches of the caller's scope in full, then up to 10
/// matches of the other organisations of its territories, masked (birth date, phone and e-mail
/// partially hidden, reference-domain.md §2.6); attach one with `POST /user_profiles`.
#[utoipa::path(
    tag = "users",
    params(SearchUsersQuery),
    responses(
        (status = 200, body = UserSearchResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/users/search")]
pub async fn search_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<SearchUsersQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let limit = query.limit.unwrap_or(20).clamp(1, 50);
    let body =
        super::with_conn(&state, move |conn| services::usager_tools::search_users(conn, &auth.agent, query, limit))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Would these values duplicate an existing usager? The SPA asks while the form is filled in,
/// before creating; the same warnings come back with the create and update answers.
#[utoipa::path(
    tag = "users",
    request_body = DuplicatesRequest,
    responses(
        (status = 200, body = DuplicatesResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/users/duplicates")]
pub async fn list_user_duplicates(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<DuplicatesRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let body =
        super::with_conn(&state, move |conn| services::usager_tools::list_user_duplicates(conn, &auth.agent, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Merges `merged_user_id` into this usager ("Fusionner deux usagers"): chosen fields are taken
/// from the merged record, its organisations, referents and relatives move here, then it is
/// anonymised. Both must be visible to the caller. Audited.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    request_body = MergeUsersRequest,
    responses(
        (status = 200, body = UserResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/users/{id}/merge")]
pub async fn merge_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<MergeUsersRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let user =
        super::with_conn(&state, move |conn| services::usager_tools::merge_users(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(UserResponse { user }))
}

/// RGPD: everything held on one usager, every field whatever the toggles, with its audit trail
/// (admins of one of its organisations).
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = UserExport),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/{id}/export")]
pub async fn export_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::usager_tools::export_user(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Disposition", format!("attachment; filename=\"usager-{id}.json\"")))
        .json(body))
}

/// Who outside the usager's organisations read its record, RDVs or notifications (agents who see
/// it through the territory's shared visibility), newest first: admins of one of its
/// organisations. Repeated reads within ten minutes are logged once.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path), crate::extract::PageQuery),
    responses(
        (status = 200, body = rdv_shared::dto::UsagerReadsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/{id}/reads")]
pub async fn list_user_reads(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: crate::extract::ApiQuery<crate::extract::PageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, page) = (path.into_inner(), rdv_shared::pagination::normalise_page(query.0.page));
    let body = super::with_conn(&state, move |conn| services::usagers::list_reads(conn, &auth.agent, id, page)).await?;
    Ok(HttpResponse::Ok().json(body))
}
