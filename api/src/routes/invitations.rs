//! Public invitation endpoints (no sign-in): preview an invitation, accept it by choosing a
//! password (≥ 12 characters with a digit, an upper-case letter and a symbol, as RDV-S).
//! An unknown, used, revoked or expired token is a 404.

use actix_web::{get, post, web, HttpResponse};
use rdv_shared::dto::{AcceptInvitationRequest, AgentDetailResponse, InvitationPreviewResponse};

use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::services;
use crate::state::AppState;

/// What the invitation page shows: who is invited, where, by whom, until when.
#[utoipa::path(
    tag = "invitations",
    params(("token" = String, Path)),
    responses(
        (status = 200, body = InvitationPreviewResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    )
)]
#[get("/invitations/{token}")]
pub async fn get_invitation(state: web::Data<AppState>, path: web::Path<String>) -> ApiResult<HttpResponse> {
    let token = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::agents::get_invitation(conn, token)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Accepts an invitation: sets the password (and names, if given). The agent can then sign in.
#[utoipa::path(
    tag = "invitations",
    params(("token" = String, Path)),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, body = AgentDetailResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    )
)]
#[post("/invitations/{token}/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: ApiJson<AcceptInvitationRequest>,
) -> ApiResult<HttpResponse> {
    let token = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| services::agents::accept_invitation(conn, token, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}
