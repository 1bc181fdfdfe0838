//! `/api/v1/territories/{id}/retention`: a territory's data retention policy (RGPD), its bounds,
//! next and last run — read by the territory's members, changed by its territorial admins.

use actix_web::{get, put, web, HttpResponse};
use rdv_shared::dto::{RetentionPolicyRequest, RetentionSettings};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::services;
use crate::state::AppState;

/// The territory's retention policy, its bounds, the next daily run and the last run's counts
/// for this territory.
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = RetentionSettings),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/territories/{id}/retention")]
pub async fn get_retention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::retention::get_settings(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Sets the territory's retention policy (territorial admins): days, each within the bounds
/// `GET` shows (422 `greater_than_or_equal_to` / `less_than_or_equal_to` otherwise).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    request_body = RetentionPolicyRequest,
    responses(
        (status = 200, body = RetentionSettings),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[put("/territories/{id}/retention")]
pub async fn update_retention(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<RetentionPolicyRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::retention::update_policy(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}
