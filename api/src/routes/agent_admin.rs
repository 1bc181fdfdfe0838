//! Managing agents (reference-domain.md §1.3, §2.5): invite into an organisation with a role and
//! services, show, edit profile / services / preferences, change or remove a role (an
//! organisation always keeps an admin; the last removal soft-deletes the agent), re-send or
//! revoke an invitation. The invitation link is returned to the inviting admin (seed 002).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use rdv_shared::dto::{
    AgentDetailResponse, InvitationLink, InviteAgentRequest, InviteAgentResponse, UpdateAgentRequest, UpdateRoleRequest,
};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::services;
use crate::state::AppState;

/// Invites an agent into an organisation with a role and services (admins of the organisation,
/// territorial admins, agents with the territory's "invite agents" right). An agent who already
/// has an account just gets the new role. Intervenants have no email and get no invitation.
#[utoipa::path(
    tag = "agents",
    params(("organisation_id" = i32, Path)),
    request_body = InviteAgentRequest,
    responses(
        (status = 200, body = InviteAgentResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/organisations/{organisation_id}/agents")]
pub async fn invite_agent(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<InviteAgentRequest>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let config = state.config.clone();
    let body =
        super::with_conn(&state, move |conn| services::agents::invite_agent(conn, &auth.agent, org_id, req, config))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Shows an agent with roles, services, preferences and invitation state.
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AgentDetailResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/agents/{id}")]
pub async fn get_agent(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::agents::get_agent(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Edits an agent: names (the agent or a manager), services (managers only), preferences (the
/// agent only).
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path)),
    request_body = UpdateAgentRequest,
    responses(
        (status = 200, body = AgentDetailResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/agents/{id}")]
pub async fn update_agent(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateAgentRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| services::agents::update_agent(conn, &auth.agent, id, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Changes an agent's role in an organisation. The organisation keeps at least one admin;
/// intervenants (no login) cannot become agents with a login this way, nor the reverse.
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path), ("organisation_id" = i32, Path)),
    request_body = UpdateRoleRequest,
    responses(
        (status = 200, body = AgentDetailResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/agents/{id}/roles/{organisation_id}")]
pub async fn update_agent_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    req: Body<UpdateRoleRequest>,
) -> ApiResult<HttpResponse> {
    let (id, org_id) = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::agents::update_agent_role(conn, &auth.agent, id, org_id, req))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes an agent from an organisation (not oneself; the last admin stays). Removing the last
/// organisation soft-deletes the agent; their RDVs stay on the usagers' records (seed 002).
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path), ("organisation_id" = i32, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[delete("/agents/{id}/roles/{organisation_id}")]
pub async fn remove_agent_role(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, org_id) = path.into_inner();
    super::with_conn(&state, move |conn| services::agents::remove_agent_role(conn, &auth.agent, id, org_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends a new invitation (the previous links stop working) and returns its link.
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = InvitationLink),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/agents/{id}/invitation")]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let link = super::with_conn(&state, move |conn| services::agents::resend_invitation(conn, &auth.agent, id, config))
        .await?;
    Ok(HttpResponse::Ok().json(link))
}

/// Revokes the agent's pending invitation: its link stops working.
#[utoipa::path(
    tag = "agents",
    params(("id" = i32, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[delete("/agents/{id}/invitation")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::agents::revoke_invitation(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
