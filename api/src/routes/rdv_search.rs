//! `GET /api/v1/rdvs`: the RDV list over organisations with the reference's filters (issue 17);
//! the use case is `services::rdv_search`. Its filters are `rdv_shared::dto::RdvSearch`, shared
//! with exports and statistics.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{RdvListResponse, RdvSearch};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The request's filters from its query string (`name[]=v`, `name=v` or `a,b`).
pub fn search_from(req: &HttpRequest) -> ApiResult<(RdvSearch, Option<i64>)> {
    crate::extract::check_query_texts(req.query_string().as_bytes())?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let page = match pairs.iter().find(|(k, _)| k == "page") {
        Some((_, v)) => Some(v.trim().parse::<i64>().map_err(|_| ApiError::field("page", "invalid"))?),
        None => None,
    };
    let search = RdvSearch::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(crate::services::rdv_search::invalid)?;
    Ok((search, page))
}

/// RDVs of the caller's organisations (or those picked), with filters, sorted by start and
/// paginated: only RDVs the caller may read in detail (an RDV they see as busy never appears);
/// `counts` gives the whole list per status.
#[utoipa::path(
    tag = "rdvs",
    params(
        ("organisation_ids[]" = Option<Vec<i32>>, Query, description = "Organisations (default: all of the caller's)"),
        ("territory_id" = Option<i32>, Query, description = "Every organisation of this territory the caller may search"),
        ("from" = Option<String>, Query, description = "First day (YYYY-MM-DD, in each organisation's zone)"),
        ("to" = Option<String>, Query, description = "Last day, included"),
        ("status[]" = Option<Vec<String>>, Query, description = "seen, noshow, excused, revoked, unknown_past (à renseigner), unknown_future (à venir)"),
        ("origin[]" = Option<Vec<String>>, Query, description = "agent, user, invitation, file_attente, prescripteur"),
        ("agent_ids[]" = Option<Vec<i32>>, Query, description = "RDVs of one of these agents"),
        ("user_ids[]" = Option<Vec<i32>>, Query, description = "RDVs of one of these usagers"),
        ("lieu_ids[]" = Option<Vec<i32>>, Query),
        ("motif_ids[]" = Option<Vec<i32>>, Query),
        ("service_ids[]" = Option<Vec<i32>>, Query, description = "RDVs of motifs of these services"),
        ("order" = Option<String>, Query, description = "asc (default) or desc, by start"),
        ("page" = Option<i64>, Query, description = "Page number, from 1 (100 RDVs a page)"),
    ),
    responses(
        (status = 200, body = RdvListResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/rdvs")]
pub async fn list_rdvs(state: web::Data<AppState>, auth: Authenticated, req: HttpRequest) -> ApiResult<HttpResponse> {
    let (search, page) = search_from(&req)?;
    let page = normalise_page(page);
    let (rdvs, total, counts) = super::with_conn(&state, move |conn| {
        crate::services::rdv_search::list_rdvs(conn, &auth.agent, search, page, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(RdvListResponse { rdvs, meta: Meta::new(page, total), counts }))
}
