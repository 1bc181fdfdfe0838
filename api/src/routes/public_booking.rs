//! Public booking, no account: book a slot found by the public search, show and cancel it by
//! the usager's token. The use case is `services::booking`; these handlers add the per-IP limit
//! and check the request's shape.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{PublicBookingRequest, PublicBookingResponse, PublicRdvResponse};
use rdv_shared::sectorisation::Place;

use super::public_limit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{idempotency_key, ApiJson};
use crate::services::booking::{self, Booking};
use crate::services::Idempotency;
use crate::state::AppState;

/// Books a slot found by the public search. 409 `creneau_indisponible` with the next slots when
/// it was just taken; `Idempotency-Key` makes a retry return the same booking.
#[utoipa::path(tag = "public", request_body = PublicBookingRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the same booking")),
    responses((status = 200, body = PublicBookingResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 409, body = rdv_shared::dto::SlotTakenError), (status = 422, body = rdv_shared::dto::ValidationError),
        (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/rdvs")]
pub async fn create_public_rdv(
    state: web::Data<AppState>,
    http: HttpRequest,
    body: ApiJson<PublicBookingRequest>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let ApiJson(req) = body;
    let idem = idempotency_key(&http)?.map(|key| Idempotency::of("public".to_owned(), key, &req));
    let invited = req.rdv_invitation_token.as_deref().is_some_and(|t| !t.trim().is_empty());
    let place = if invited && req.city_code.trim().is_empty() {
        None
    } else {
        Some(
            Place::from_codes(&req.city_code, req.street_ban_id.as_deref())
                .ok_or_else(|| ApiError::field("city_code", "invalid"))?,
        )
    };
    // An invited usager is known: no identity to type.
    for (field, value) in [("first_name", &req.first_name), ("last_name", &req.last_name)] {
        if !invited && value.trim().is_empty() {
            return Err(ApiError::field(field, "blank"));
        }
    }
    let booking = Booking { place, req, idem };
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| booking::book(conn, &config, booking, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The confirmation page's RDV.
#[utoipa::path(tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public/rdvs/{token}")]
pub async fn get_public_rdv(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let token = path.into_inner();
    let body = super::with_conn(&state, move |conn| booking::show(conn, &token, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Cancels (status `excused`) until 4 hours before, when the motif allows it; 422 otherwise.
#[utoipa::path(tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = PublicRdvResponse), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[post("/public/rdvs/{token}/cancel")]
pub async fn cancel_public_rdv(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &http).await?;
    let token = path.into_inner();
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| booking::cancel(conn, &config, &token, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(body))
}
