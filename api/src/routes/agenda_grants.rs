//! Agenda access grants (issue 6): list, create, delete, copy from one agent to another, and
//! "who can see this agenda, at what level, and why". Managers: admins of the organisations
//! whose agendas a grant opens, agents with the territory's "manage access rights" right.

use actix_web::{delete, get, post, web, HttpResponse};
use rdv_shared::access::GrantRule;
use rdv_shared::dto::{
    AgendaAccessResponse, AgendaGrantResponse, AgendaGrantsResponse, CopyGrantsRequest, CopyGrantsResponse,
};
use rdv_shared::pagination::{normalise_page, Meta};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::services;
use crate::services::agenda_access::ListGrantsQuery;
use crate::state::AppState;

/// Lists the grants the caller manages or that name them (as grantee or as the agenda's agent),
/// newest first; filters by grantee and target.
#[utoipa::path(
    tag = "agenda_grants",
    params(ListGrantsQuery),
    responses(
        (status = 200, body = AgendaGrantsResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/agenda_grants")]
pub async fn list_agenda_grants(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListGrantsQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(q) = query;
    let page = normalise_page(q.page);
    let (grants, total) =
        super::with_conn(&state, move |conn| services::agenda_access::list_agenda_grants(conn, &auth.agent, q, page))
            .await?;
    Ok(HttpResponse::Ok().json(AgendaGrantsResponse { agenda_grants: grants, meta: Meta::new(page, total) }))
}

/// Creates a grant (the same rule granted again raises its level). Level `busy` ("lecture sans
/// détail"), `read` ("lecture avec détail") or `write`.
#[utoipa::path(
    tag = "agenda_grants",
    request_body = GrantRule,
    responses(
        (status = 200, body = AgendaGrantResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/agenda_grants")]
pub async fn create_agenda_grant(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<GrantRule>,
) -> ApiResult<HttpResponse> {
    let ApiJson(rule) = body;
    let grant =
        super::with_conn(&state, move |conn| services::agenda_access::create_agenda_grant(conn, &auth.agent, rule))
            .await?;
    Ok(HttpResponse::Ok().json(AgendaGrantResponse { agenda_grant: grant }))
}

/// Revokes a grant (204), including a `join` one.
#[utoipa::path(
    tag = "agenda_grants",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/agenda_grants/{id}")]
pub async fn delete_agenda_grant(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| services::agenda_access::delete_agenda_grant(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Copier les accès de X vers Y" (seed 001): the grants whose grantee is agent X, for agent Y.
/// `dry_run: true` previews. Grants the caller does not manage are listed, not copied.
#[utoipa::path(
    tag = "agenda_grants",
    request_body = CopyGrantsRequest,
    responses(
        (status = 200, body = CopyGrantsResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/agenda_grants/copy")]
pub async fn copy_agenda_grants(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CopyGrantsRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let out = super::with_conn(&state, move |conn| services::agenda_access::copy_agenda_grants(conn, &auth.agent, req))
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Who can see this agent's agenda (per organisation of the agent, for RDVs of the agent's own
/// services), at which level and why; and the grants this agent received.
#[utoipa::path(
    tag = "agenda_grants",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AgendaAccessResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/agents/{id}/agenda_access")]
pub async fn get_agenda_access(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body =
        super::with_conn(&state, move |conn| services::agenda_access::get_agenda_access(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}
