//! `GET /api/v1/agents`: the agents the caller may see (reference-api-v1.md G1).

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;

use rdv_shared::access::can_see_agent;
use rdv_shared::dto::AgentsResponse;
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::OrganisationId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::agent;
use crate::error::ApiResult;
use crate::extract::ApiQuery;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAgentsQuery {
    /// Only agents of this organisation. Ignored when the caller has no role there (as the reference).
    pub organisation_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Lists agents visible to the caller, by creation order: secretaries see their organisations'
/// agents, admins their organisation's, territorial admins their territory's, basic agents
/// those sharing a service in their organisations.
#[utoipa::path(
    tag = "agents",
    params(ListAgentsQuery),
    responses(
        (status = 200, body = AgentsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/agents")]
pub async fn list_agents(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListAgentsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (agents, total) = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
        let territorial_orgs = agent::organisations_of_territories(
            conn,
            &actor.territorial_admin_of.iter().map(|t| t.0).collect::<Vec<_>>(),
        )?;
        let mut org_ids: Vec<i32> =
            actor.memberships.iter().map(|m| m.organisation_id.0).chain(territorial_orgs).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let within = query.organisation_id.filter(|o| org_ids.contains(o)).map(OrganisationId);
        let candidates = agent::live_agents_of(conn, &org_ids, auth.agent.id)?;
        let facts = agent::facts_of(conn, &candidates.iter().map(|a| a.id).collect::<Vec<_>>())?;
        let visible: Vec<_> = candidates
            .into_iter()
            .filter(|a| facts.get(&a.id).is_some_and(|f| can_see_agent(&actor, f, within)))
            .collect();
        let (page_items, total) = rdv_shared::pagination::page_in_memory(visible, page);
        Ok((page_items.iter().map(|a| a.to_dto()).collect::<Vec<_>>(), total))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AgentsResponse { agents, meta: Meta::new(page, total) }))
}
