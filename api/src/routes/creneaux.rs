//! Agent-side slot search, `GET /api/v1/creneaux`: the use case is `services::creneaux`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::CreneauxResponse;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{query_ints, ApiQuery};
use crate::services::creneaux::{self, Search};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreneauxQuery {
    pub motif_id: i32,
    /// Start: a date (midnight in the organisation's zone) or RFC 3339.
    pub from: String,
    /// End (exclusive), same formats, at most 31 days after `from`. A bare date includes that day.
    pub to: String,
}

/// Searches the free slots of a motif for agents.
#[utoipa::path(
    tag = "creneaux",
    params(
        CreneauxQuery,
        ("lieu_ids[]" = Option<Vec<i32>>, Query, description = "Only these lieux"),
        ("agent_ids[]" = Option<Vec<i32>>, Query, description = "Only these agents"),
        ("team_ids[]" = Option<Vec<i32>>, Query, description = "Only the agents of these teams"),
    ),
    responses(
        (status = 200, body = CreneauxResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/creneaux")]
pub async fn list_creneaux(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: ApiQuery<CreneauxQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let search = Search {
        motif_id: q.motif_id,
        from: q.from,
        to: q.to,
        lieu_ids: query_ints(&req, "lieu_ids")?,
        agent_ids: query_ints(&req, "agent_ids")?,
        team_ids: query_ints(&req, "team_ids")?,
    };
    let body = super::with_conn(&state, move |conn| creneaux::search(conn, auth.agent.id, &search, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(body))
}
