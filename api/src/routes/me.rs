//! `GET /api/v1/me`: the signed-in agent with roles, services and territorial roles.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::MeResponse;

use crate::auth::Authenticated;
use crate::db::models::agent;
use crate::error::ApiResult;
use crate::state::AppState;

/// The signed-in agent's profile, used by the SPA to build its shell.
#[utoipa::path(
    tag = "agents",
    responses(
        (status = 200, body = MeResponse),
    ),
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let me = super::with_conn(&state, move |conn| Ok(agent::me(conn, &auth.agent)?)).await?;
    Ok(HttpResponse::Ok().json(MeResponse { agent: me }))
}
