//! Lieux: members of an organisation list them, its admins create and edit them
//! (reference-domain.md §1.6, §2.7). Disabling (`availability: disabled`) is the soft delete.

use actix_web::{get, patch, post, web, HttpResponse};
use serde::Deserialize;

use rdv_shared::access::{can_list_lieux, can_manage_lieux};
use rdv_shared::dto::{CreateLieuRequest, LieuFields, LieuResponse, LieuxResponse, UpdateLieuRequest};
use rdv_shared::enums::LieuAvailability;
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::OrganisationId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::{agent, lieu};
use crate::db::write_tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLieuxQuery {
    /// Only lieux of this availability (default: all).
    pub availability: Option<LieuAvailability>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Lists an organisation's lieux by name (its members).
#[utoipa::path(
    tag = "lieux",
    params(("organisation_id" = i32, Path), ListLieuxQuery),
    responses(
        (status = 200, body = LieuxResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations/{organisation_id}/lieux")]
pub async fn list_lieux(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListLieuxQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (rows, total) = super::with_conn(&state, move |conn| {
        let (_, actor) = super::organisation_and_actor(conn, org_id, auth.agent.id)?;
        if !can_list_lieux(&actor, OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        Ok(lieu::page_of(conn, org_id, query.availability, page)?)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(LieuxResponse { lieux: rows.iter().map(|l| l.to_dto()).collect(), meta: Meta::new(page, total) }))
}

/// Creates a lieu (admins of the organisation). `availability` is `enabled` (default) or `single_use`.
#[utoipa::path(
    tag = "lieux",
    params(("organisation_id" = i32, Path)),
    request_body = CreateLieuRequest,
    responses(
        (status = 200, body = LieuResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/organisations/{organisation_id}/lieux")]
pub async fn create_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<CreateLieuRequest>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiJson(req) = body;
    let row = super::with_conn(&state, move |conn| {
        let (_, actor) = super::organisation_and_actor(conn, org_id, auth.agent.id)?;
        if !can_manage_lieux(&actor, OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let fields = LieuFields {
            name: req.name,
            address: req.address,
            phone_number: req.phone_number,
            latitude: req.latitude,
            longitude: req.longitude,
            availability: req.availability.unwrap_or(LieuAvailability::Enabled),
        }
        .normalised();
        let mut errors = fields.validate();
        if fields.availability == LieuAvailability::Disabled {
            errors.add("availability", "inclusion");
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        write_tx(conn, |c| Ok(lieu::create(c, &auth.agent.author(), org_id, &fields)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}

/// Loads a lieu the actor may at least list (404 otherwise: its existence is not revealed).
fn visible_lieu(
    conn: &mut crate::db::DbConn,
    id: i32,
    agent_id: i32,
) -> ApiResult<(lieu::LieuRow, rdv_shared::access::Actor)> {
    let row = lieu::find(conn, id)?.ok_or(ApiError::NotFound("lieu"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_list_lieux(&actor, OrganisationId(row.organisation_id)) {
        return Err(ApiError::NotFound("lieu"));
    }
    Ok((row, actor))
}

/// Shows a lieu (members of its organisation).
#[utoipa::path(
    tag = "lieux",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = LieuResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/lieux/{id}")]
pub async fn get_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let (row, _) = super::with_conn(&state, move |conn| visible_lieu(conn, id, auth.agent.id)).await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}

/// Updates a lieu (admins). A lieu cannot become, nor stop being, single-use.
#[utoipa::path(
    tag = "lieux",
    params(("id" = i32, Path)),
    request_body = UpdateLieuRequest,
    responses(
        (status = 200, body = LieuResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/lieux/{id}")]
pub async fn update_lieu(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<UpdateLieuRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let row = super::with_conn(&state, move |conn| {
        let (before, actor) = visible_lieu(conn, id, auth.agent.id)?;
        if !can_manage_lieux(&actor, OrganisationId(before.organisation_id)) {
            return Err(ApiError::forbidden());
        }
        let old = before.fields();
        let fields = LieuFields {
            name: req.name.unwrap_or(old.name),
            address: req.address.unwrap_or(old.address),
            phone_number: req.phone_number.unwrap_or(old.phone_number),
            latitude: req.latitude.unwrap_or(old.latitude),
            longitude: req.longitude.unwrap_or(old.longitude),
            availability: req.availability.unwrap_or(old.availability),
        }
        .normalised();
        let mut errors = fields.validate();
        let single_use_change =
            (old.availability == LieuAvailability::SingleUse) != (fields.availability == LieuAvailability::SingleUse);
        if single_use_change {
            errors.add("availability", "inclusion");
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        write_tx(conn, |c| Ok(lieu::update(c, &auth.agent.author(), &before, &fields)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(LieuResponse { lieu: row.to_dto() }))
}
