//! Notifications of an RDV: the receipts of every delivery attempt, and "Envoyer un rappel
//! maintenant". The use cases are `services::notifications`.

use actix_web::{get, post, web, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{ReceiptsResponse, ReminderResponse};
use rdv_shared::pagination::normalise_page;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, PageQuery};
use crate::services::notifications;
use crate::state::AppState;

/// The notifications sent about an RDV, one receipt per delivery attempt (channel `mail` or
/// `sms`, event, recipient, result `sent` / `delivered` / `failed` with the provider's
/// message), newest first. Read level on the RDV.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path), PageQuery),
    responses(
        (status = 200, body = ReceiptsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/rdvs/{id}/receipts")]
pub async fn list_rdv_receipts(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, page) = (path.into_inner(), normalise_page(query.0.page));
    let body = super::with_conn(&state, move |conn| notifications::receipts(conn, &auth.agent, id, page)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The notifications a usager was sent (as recipient, or through their responsible), about
/// the RDVs the caller can read, newest first.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path), PageQuery),
    responses(
        (status = 200, body = ReceiptsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/{id}/receipts")]
pub async fn list_user_receipts(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, page) = (path.into_inner(), normalise_page(query.0.page));
    let body = super::with_conn(&state, move |conn| notifications::user_receipts(conn, &auth.agent, id, page)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// "Envoyer un rappel maintenant": queues the reminder to every participant whose reminder
/// switch is on, by their usual channels. Write level on the RDV; 422 for a past or cancelled
/// RDV.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = ReminderResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/rdvs/{id}/reminder")]
pub async fn send_rdv_reminder(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let queued =
        super::with_conn(&state, move |conn| notifications::send_reminder(conn, &config, &auth.agent, id, Utc::now()))
            .await?;
    Ok(HttpResponse::Ok().json(ReminderResponse { queued }))
}
