//! `PATCH /api/v1/participations/{id}` (reference-api-v1.md V2): one participant's status and
//! notification switches; the RDV's status is recomputed and the RDV returned.

use actix_web::{patch, web, HttpResponse};
use chrono::{TimeZone, Utc};

use rdv_shared::access::AgendaLevel;
use rdv_shared::dto::{RdvResponse, UpdateParticipationRequest};
use rdv_shared::rdv::{refusal, timing, Target};

use super::agenda_support::tz;
use super::rdv_render::render;
use super::rdvs::load_rdv;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::{motif, organisation, rdv};
use crate::db::write_tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

/// Changes one participation: `{"participation": {"status": "seen"}}` or flat `{"status": "seen"}`,
/// plus `send_lifecycle_notifications` / `send_reminder_notification`. Same status: no change.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    request_body = UpdateParticipationRequest,
    responses(
        (status = 200, body = RdvResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/participations/{id}")]
pub async fn update_participation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<UpdateParticipationRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let changes = body.0.changes();
    if changes.status.is_none()
        && changes.send_lifecycle_notifications.is_none()
        && changes.send_reminder_notification.is_none()
    {
        return Err(ApiError::field("participation", "blank"));
    }
    let rdv = super::with_conn(&state, move |conn| {
        let now = Utc::now();
        let p = rdv::find_participation(conn, id)?.ok_or(ApiError::NotFound("participation"))?;
        let viewer = super::viewer::load(conn, auth.agent.id)?;
        let row = load_rdv(conn, &viewer, p.rdv_id, AgendaLevel::Write).map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound("participation"),
            other => other,
        })?;
        let org = organisation::find(conn, row.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
        let collective = motif::find(conn, row.motif_id)?.is_some_and(|m| m.collectif);
        if let Some(status) = changes.status.filter(|s| *s != p.status()) {
            let when = timing(Utc.from_utc_datetime(&row.starts_at), now, tz(&org.time_zone));
            if let Some(code) = refusal(Target::Participation, status, when) {
                return Err(ApiError::field("status", code));
            }
        }
        let updated = write_tx(conn, |c| {
            Ok::<_, ApiError>(rdv::update_participation(
                c,
                &auth.agent.author(),
                &p,
                changes.status,
                changes.send_lifecycle_notifications,
                changes.send_reminder_notification,
                collective,
            )?)
        })?;
        Ok(render(conn, &[updated], now)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(RdvResponse { rdv }))
}
