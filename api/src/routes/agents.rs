//! `GET /api/v1/agents`: the agents the caller may see (reference-api-v1.md G1).

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::AgentsResponse;
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services;
use crate::services::agents::ListAgentsQuery;
use crate::state::AppState;

/// Lists agents visible to the caller, by creation order: secretaries see their organisations'
/// agents, admins their organisation's, territorial admins their territory's, basic agents
/// those sharing a service in their organisations.
#[utoipa::path(
    tag = "agents",
    params(ListAgentsQuery),
    responses(
        (status = 200, body = AgentsResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/agents")]
pub async fn list_agents(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListAgentsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (agents, total) =
        super::with_conn(&state, move |conn| services::agents::list_agents(conn, &auth.agent, query, page)).await?;
    Ok(HttpResponse::Ok().json(AgentsResponse { agents, meta: Meta::new(page, total) }))
}
