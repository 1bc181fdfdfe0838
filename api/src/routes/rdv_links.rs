//! The usager's link in a notification (`/r/{token}` in the SPA): open after the name check,
//! cancel, move to another slot, join or leave the waiting list. No account; limited per IP
//! like the other public pages. The use cases are `services::rdv_links`,
//! `services::rescheduling` and `services::waiting_list`.

use actix_web::{post, put, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{
    PublicCreneauxResponse, PublicRdvResponse, RdvLinkCreneauxRequest, RdvLinkRequest, RdvLinkRescheduleRequest,
    RdvLinkWaitingListRequest,
};

use super::public_limit;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::services::{rdv_links, rescheduling, waiting_list};
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
    public_limit(&state, &http).await?;
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
    public_limit(&state, &http).await?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| {
        rdv_links::cancel(conn, &config, &token, &req.last_name_initials, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The slots the RDV of a link may move to (same motif and lieu, any agent, within the motif's
/// booking delays), when its motif lets usagers move their RDVs and it is more than 2 days
/// ahead (422 `not_reschedulable` otherwise).
#[utoipa::path(tag = "public", params(("token" = String, Path)), request_body = RdvLinkCreneauxRequest,
    responses((status = 200, body = PublicCreneauxResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/links/{token}/creneaux")]
pub async fn list_rdv_link_creneaux(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<RdvLinkCreneauxRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let body = super::with_conn(&state, move |conn| {
        rescheduling::creneaux(conn, &token, &req.last_name_initials, (&req.from, &req.to), Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Moves the RDV of a link to one of those slots, with the agent free then; 409
/// `creneau_indisponible` with the next slots when it was just taken. The usager and the agents
/// are told as for any change.
#[utoipa::path(tag = "public", params(("token" = String, Path)), request_body = RdvLinkRescheduleRequest,
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 409, body = rdv_shared::dto::SlotTakenError),
        (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/links/{token}/reschedule")]
pub async fn reschedule_rdv_link(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<RdvLinkRescheduleRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| {
        rescheduling::reschedule(conn, &config, &token, &req.last_name_initials, req.starts_at, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Joins (`waiting: true`) or leaves the waiting list of the RDV of a link: the usager is told
/// (at most once a day, three times in all) when an earlier slot frees up. Offered for RDVs more
/// than 7 days ahead that the usager may move, in a lieu (422 `waiting_list_unavailable`).
#[utoipa::path(tag = "public", params(("token" = String, Path)), request_body = RdvLinkWaitingListRequest,
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[put("/public/links/{token}/waiting_list")]
pub async fn update_rdv_link_waiting_list(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
    body: ApiJson<RdvLinkWaitingListRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let (token, ApiJson(req)) = (path.into_inner(), body);
    let body = super::with_conn(&state, move |conn| {
        waiting_list::set(conn, &token, &req.last_name_initials, req.waiting, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
