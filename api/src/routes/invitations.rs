//! Public invitation endpoints (no sign-in): preview an invitation, accept it by choosing a
//! password (≥ 12 characters with a digit, an upper-case letter and a symbol, as RDV-S).
//! An unknown, used, revoked or expired token is a 404.

use actix_web::{get, post, web, HttpResponse};

use rdv_shared::dto::{
    display_name, AcceptInvitationRequest, AgentDetailResponse, InvitationPreview, InvitationPreviewResponse,
};
use rdv_shared::validation::{self, Errors};

use crate::app::AppState;
use crate::auth::password;
use crate::db::models::{agent, invitation, membership, organisation};
use crate::db::write_tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

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
    let body = super::with_conn(&state, move |conn| {
        let inv = invitation::find_usable(conn, &token)?.ok_or(ApiError::NotFound("invitation"))?;
        let invited = agent::find(conn, inv.agent_id)?.ok_or(ApiError::NotFound("invitation"))?;
        let org = organisation::find(conn, inv.organisation_id)?.ok_or(ApiError::NotFound("invitation"))?;
        let inviter = match inv.invited_by_agent_id {
            Some(id) => agent::find(conn, id)?.map(|a| display_name(a.first_name.as_deref(), &a.last_name)),
            None => None,
        };
        Ok(InvitationPreviewResponse {
            invitation: InvitationPreview {
                email: invited.email.unwrap_or_default(),
                first_name: invited.first_name,
                last_name: invited.last_name,
                organisation_name: org.name,
                invited_by: inviter,
                expires_at: inv.expires_at.and_utc(),
            },
        })
    })
    .await?;
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
    let body = super::with_conn(&state, move |conn| {
        let inv = invitation::find_usable(conn, &token)?.ok_or(ApiError::NotFound("invitation"))?;
        let before = agent::find(conn, inv.agent_id)?
            .filter(|a| a.deleted_at.is_none())
            .ok_or(ApiError::NotFound("invitation"))?;
        let mut errors = Errors::default();
        errors.check("password", validation::password_strength(&req.password));
        let first_name = validation::optional_text(req.first_name.as_deref()).or(before.first_name.clone());
        let last_name = validation::optional_text(req.last_name.as_deref()).unwrap_or_else(|| before.last_name.clone());
        errors.check("last_name", validation::required_text(&last_name, 255));
        if first_name.is_none() {
            errors.add("first_name", "blank");
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let hash = password::hash(&req.password)?;
        let author = before.author();
        let after = write_tx(conn, |c| {
            let named = membership::update_profile(
                c,
                &author,
                &before,
                first_name.as_deref(),
                &last_name,
                &before.preferences(),
            )?;
            let after = membership::set_password(c, &author, &named, &hash)?;
            invitation::mark_accepted(c, &author, &inv)?;
            Ok::<_, ApiError>(after)
        })?;
        Ok(AgentDetailResponse { agent: membership::detail(conn, &after)? })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
