//! `PATCH /api/v1/participations/{id}` (reference-api-v1.md V2): one participant's status and
//! notification switches; the RDV's status is recomputed and the RDV returned.

use actix_web::{patch, web, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{RdvResponse, UpdateParticipationRequest};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::services::rdvs;
use crate::state::AppState;

/// Changes one participation: `{"participation": {"status": "seen"}}` or flat `{"status": "seen"}`,
/// plus `send_lifecycle_notifications` / `send_reminder_notification`. Same status: no change.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    request_body = UpdateParticipationRequest,
    responses(
        (status = 200, body = RdvResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/participations/{id}")]
pub async fn update_participation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateParticipationRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let rdv = super::with_conn(&state, move |conn| {
        rdvs::update_participation(conn, &config, &auth.agent, id, req, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(RdvResponse { rdv }))
}
