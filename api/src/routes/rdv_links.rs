//! The usager's link in a notification (`/r/{token}` in the SPA): open after the name check,
//! cancel. No account; limited per IP like the other public pages. The use cases are
//! `services::rdv_links`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{PublicRdvResponse, RdvLinkRequest};

use super::public_limit;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::services::rdv_links;
use crate::state::AppState;

/// The RDV of a link, once the first three letters of the recipient's last name are given
/// (422 `last_name_initials` otherwise; 404 for an unknown or expired link).
#[utoipa::path(tag = "public", params(("token" = String, Path)), request_body = RdvLinkRequest,
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/links/{token}")]
pub async fn open_rdv_link(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<RdvLinkRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http)?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let body = super::with_conn(&state, move |conn| rdv_links::open(conn, &token, &req.last_name_initials, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Cancels the RDV for the link's recipient and their relatives (status `excused`), until 4
/// hours before when the motif allows it; 422 otherwise.
#[utoipa::path(tag = "public", params(("token" = String, Path)), request_body = RdvLinkRequest,
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/links/{token}/cancel")]
pub async fn cancel_rdv_link(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<RdvLinkRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http)?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| {
        rdv_links::cancel(conn, &config, &token, &req.last_name_initials, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
