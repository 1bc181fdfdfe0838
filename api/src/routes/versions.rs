//! `GET /api/v1/versions?item_type=…&item_id=…`: a record's audit history, newest first, readable
//! by whoever may read the record itself.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::VersionsResponse;
use rdv_shared::pagination::normalise_page;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services;
use crate::services::versions::ListVersionsQuery;
use crate::state::AppState;

/// Item types whose history can be read here.
pub const ITEM_TYPES: &[&str] = &["Organisation", "Territory", "Agent", "Lieu", "Motif", "User"];

/// Lists a record's versions, newest first: date, author, and each changed field before/after.
#[utoipa::path(
    tag = "versions",
    params(ListVersionsQuery),
    responses(
        (status = 200, body = VersionsResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/versions")]
pub async fn list_versions(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListVersionsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let page = normalise_page(q.page);
    let body =
        super::with_conn(&state, move |conn| services::versions::list_versions(conn, &auth.agent, q, page)).await?;
    Ok(HttpResponse::Ok().json(body))
}
