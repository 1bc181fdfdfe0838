//! RDV lists: an organisation's (API v1 V1, with its `starts_after` / `starts_before`), a
//! usager's history, and an agent's "RDV à renseigner" (past, still unknown; seed 001). Every
//! list holds only RDVs the caller may read, and its counts only those.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::RdvsResponse;
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services;
use crate::services::rdv_lists::OrganisationRdvsQuery;
use crate::state::AppState;

/// A page of RDVs, each nested object serialised once (`services::rdv_json`): the bytes of
/// `RdvsResponse`.
fn page_response(rdvs: &[rdv_shared::dto::Rdv], meta: Meta) -> ApiResult<HttpResponse> {
    let body = services::rdv_json::rdvs_page(rdvs, &meta).map_err(|e| crate::error::ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().content_type(actix_web::http::header::ContentType::json()).body(body))
}

/// An organisation's RDVs by start. Unknown organisations and those where the caller has no
/// role answer an empty list (reference V1). Basic agents get their services' RDVs and their own.
#[utoipa::path(
    tag = "rdvs",
    params(("organisation_id" = i32, Path), OrganisationRdvsQuery),
    responses(
        (status = 200, body = RdvsResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/organisations/{organisation_id}/rdvs")]
pub async fn list_organisation_rdvs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<OrganisationRdvsQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (rdvs, total) = super::with_conn(&state, move |conn| {
        services::rdv_lists::list_organisation_rdvs(conn, &auth.agent, org_id, query, page)
    })
    .await?;
    page_response(&rdvs, Meta::new(page, total))
}

/// A usager's RDVs, most recent first: only those the caller may read (an RDV the caller sees
/// as busy is not revealed).
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path), crate::extract::PageQuery),
    responses(
        (status = 200, body = RdvsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/{id}/rdvs")]
pub async fn list_user_rdvs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<crate::extract::PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let page = normalise_page(query.0.page);
    let (rdvs, total) =
        super::with_conn(&state, move |conn| services::rdv_lists::list_user_rdvs(conn, &auth.agent, id, page)).await?;
    page_response(&rdvs, Meta::new(page, total))
}

/// "RDV à renseigner": the caller's own ended RDVs still in status unknown, oldest first;
/// `meta.total_count` is the count to show.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path), crate::extract::PageQuery),
    responses(
        (status = 200, body = RdvsResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/agents/{id}/rdvs_to_fill")]
pub async fn list_rdvs_to_fill(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<crate::extract::PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let page = normalise_page(query.0.page);
    let (rdvs, total) =
        super::with_conn(&state, move |conn| services::rdv_lists::list_rdvs_to_fill(conn, &auth.agent, id, page))
            .await?;
    page_response(&rdvs, Meta::new(page, total))
}
