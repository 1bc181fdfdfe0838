//! The agenda feed and the agent picker: the use cases are `services::agenda_feed`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use rdv_shared::dto::AgendaResponse;
use rdv_shared::pagination::Meta;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::extract::{query_ints, ApiQuery};
use crate::services::agenda_feed::{self, FeedQuery, MAX_AGENTS};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgendaQuery {
    /// Start of the window: RFC 3339, or a date (midnight in `time_zone`).
    pub from: String,
    /// End of the window (exclusive), same formats; at most 42 days after `from`.
    pub to: String,
    /// Zone of the returned instants and of bare dates (default: the caller's first organisation's).
    pub time_zone: Option<String>,
}

/// The week agenda of one or several agents.
#[utoipa::path(
    tag = "agenda",
    params(
        AgendaQuery,
        ("agent_ids[]" = Option<Vec<i32>>, Query, description = "Agents side by side (default: oneself), at most 30")
    ),
    responses(
        (status = 200, body = AgendaResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/agenda")]
pub async fn get_agenda(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: ApiQuery<AgendaQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let mut agent_ids = query_ints(&req, "agent_ids")?;
    agent_ids.dedup();
    if agent_ids.is_empty() {
        agent_ids.push(auth.agent.id);
    }
    if agent_ids.len() > MAX_AGENTS {
        return Err(ApiError::field("agent_ids[]", "too_long"));
    }
    let q = FeedQuery { from: q.from, to: q.to, time_zone: q.time_zone };
    let body = super::with_conn(&state, move |conn| agenda_feed::feed_for(conn, auth.agent.id, &agent_ids, &q)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The agendas the caller may open (the agent picker): colleagues of their organisations and
/// every agenda a grant opens, in their territories, by name.
#[utoipa::path(
    tag = "agenda",
    responses(
        (status = 200, body = rdv_shared::dto::AgentsResponse),
    ),
)]
#[get("/agenda/agents")]
pub async fn list_agenda_agents(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let agents = super::with_conn(&state, move |conn| agenda_feed::agents_open_to(conn, auth.agent.id)).await?;
    let total = i64::try_from(agents.len()).unwrap_or(i64::MAX);
    Ok(HttpResponse::Ok().json(rdv_shared::dto::AgentsResponse { agents, meta: Meta::new(1, total) }))
}
