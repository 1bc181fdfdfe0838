//! Statistics (issue 17): an organisation's, the signed-in agent's, a territory's and the public
//! page's; the use cases are `services::stats`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use rdv_shared::dto::StatsResponse;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::stats;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day (YYYY-MM-DD); default: 1 January of this year.
    pub from: Option<NaiveDate>,
    /// Last day, included; default: 31 December of this year. At most five years after `from`.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicStatsQuery {
    /// A territory (default: all).
    pub territory_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An organisation's statistics: the RDVs the caller may read in detail there, by status,
/// origin, service, location type, week and motif, and their notifications.
#[utoipa::path(
    tag = "stats",
    params(("id" = i32, Path), StatsQuery),
    responses(
        (status = 200, body = StatsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/organisations/{id}/stats")]
pub async fn get_organisation_stats(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let (id, ApiQuery(q)) = (path.into_inner(), query);
    let stats = super::with_conn(&state, move |conn| {
        stats::organisation_stats(conn, &auth.agent, id, (q.from, q.to), Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(StatsResponse { stats }))
}

/// A territory's statistics per organisation (its territorial admins): every RDV, counts only.
#[utoipa::path(
    tag = "stats",
    params(("id" = i32, Path), StatsQuery),
    responses(
        (status = 200, body = StatsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/territories/{id}/stats")]
pub async fn get_territory_stats(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let (id, ApiQuery(q)) = (path.into_inner(), query);
    let stats =
        super::with_conn(&state, move |conn| stats::territory_stats(conn, &auth.agent, id, (q.from, q.to), Utc::now()))
            .await?;
    Ok(HttpResponse::Ok().json(StatsResponse { stats }))
}

/// The signed-in agent's own RDVs, in all their organisations.
#[utoipa::path(
    tag = "stats",
    params(StatsQuery),
    responses((status = 200, body = StatsResponse), (status = 422, body = rdv_shared::dto::ValidationError)),
)]
#[get("/stats/me")]
pub async fn get_my_stats(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let stats =
        super::with_conn(&state, move |conn| stats::my_stats(conn, &auth.agent, (q.from, q.to), Utc::now())).await?;
    Ok(HttpResponse::Ok().json(StatsResponse { stats }))
}

/// Public statistics of a territory (or all): counts only, no personal data, no per-motif figures.
#[utoipa::path(
    tag = "stats",
    params(PublicStatsQuery),
    responses(
        (status = 200, body = StatsResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
        (status = 429, body = rdv_shared::dto::MessagesError),
    ),
)]
#[get("/public/stats")]
pub async fn get_public_stats(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PublicStatsQuery>,
) -> ApiResult<HttpResponse> {
    super::public_limit(&state, &req).await?;
    let ApiQuery(q) = query;
    let stats =
        super::with_conn(&state, move |conn| stats::public_stats(conn, q.territory_id, (q.from, q.to), Utc::now()))
            .await?;
    // Figures of past weeks change little: let browsers and proxies keep them five minutes.
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=300")).json(StatsResponse { stats }))
}
