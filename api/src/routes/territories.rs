//! `/api/v1/territories/{id}`: settings of a territory — read by its members, changed by its
//! territorial admins (reference-domain.md §1.2, §2.8) — and `/api/v1/services`, the catalogue.

use actix_web::{get, patch, web, HttpResponse};

use rdv_shared::access::{can_manage_territory, can_read_territory};
use rdv_shared::dto::{
    CatalogueService, OrganisationsResponse, ServicesResponse, TerritoryResponse, UpdateTerritoryRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::validation::{self, Errors};
use rdv_shared::{ServiceId, TerritoryId};

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::{agent, organisation, service, territory};
use crate::db::write_tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

use super::PageQuery;

/// Shows a territory's settings (members of its organisations and its territorial admins).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = TerritoryResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/territories/{id}")]
pub async fn get_territory(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        let row = territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_read_territory(&actor, TerritoryId(id)) {
            return Err(ApiError::NotFound("territory"));
        }
        Ok(TerritoryResponse { territory: row.to_dto(territory::service_ids(conn, id)?) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Lists every organisation of a territory, by id (its members and territorial admins): what a
/// territorial admin picks from when attributing sectors or granting agendas. `GET
/// /organisations` lists only the caller's own.
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path), PageQuery),
    responses(
        (status = 200, body = OrganisationsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/territories/{id}/organisations")]
pub async fn list_territory_organisations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let page = normalise_page(query.0.page);
    let (rows, total) = super::with_conn(&state, move |conn| {
        super::sectors::territory_for(conn, auth.agent.id, id, false)?;
        let ids = agent::organisations_of_territories(conn, &[id])?;
        Ok(organisation::page_of(conn, &ids, page)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationsResponse {
        organisations: rows.iter().map(|o| o.to_dto()).collect(),
        meta: Meta::new(page, total),
    }))
}

/// Changes a territory's name, number, usager field toggles, RDV settings and offered services
/// (territorial admins).
#[utoipa::path(
    tag = "territories",
    params(("id" = i32, Path)),
    request_body = UpdateTerritoryRequest,
    responses(
        (status = 200, body = TerritoryResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/territories/{id}")]
pub async fn update_territory(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<UpdateTerritoryRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let before = territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_read_territory(&actor, TerritoryId(id)) {
            return Err(ApiError::NotFound("territory"));
        }
        if !can_manage_territory(&actor, TerritoryId(id)) {
            return Err(ApiError::forbidden());
        }
        let name = req.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let number = req.departement_number.as_deref().map(str::trim).unwrap_or(&before.departement_number).to_owned();
        let mut errors = Errors::default();
        errors.check("name", validation::required_text(&name, 255));
        errors.check("departement_number", validation::required_text(&number, 3));
        let catalogue = service::all(conn)?;
        let mut wanted: Option<Vec<i32>> = req.service_ids.as_ref().map(|ids| ids.iter().map(|s| s.0).collect());
        if let Some(ids) = &mut wanted {
            ids.sort_unstable();
            ids.dedup();
            if ids.iter().any(|id| !catalogue.iter().any(|s| s.id == *id)) {
                errors.add("service_ids", "inclusion");
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let settings = req.apply(before.settings());
        let author = auth.agent.author();
        let row = write_tx(conn, |c| {
            let row = territory::update(c, &author, &before, &name, &number, &settings)?;
            if let Some(ids) = &wanted {
                territory::set_services(c, &author, id, ids)?;
            }
            Ok::<_, ApiError>(row)
        })?;
        Ok(TerritoryResponse { territory: row.to_dto(territory::service_ids(conn, id)?) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The service catalogue, each with the caller's territories that offer it.
#[utoipa::path(
    tag = "territories",
    responses(
        (status = 200, body = ServicesResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/services")]
pub async fn list_services(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let services = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
        let mut territories: Vec<i32> = actor
            .memberships
            .iter()
            .map(|m| m.territory_id.0)
            .chain(actor.territorial_admin_of.iter().map(|t| t.0))
            .collect();
        territories.sort_unstable();
        territories.dedup();
        let offered = territory::offered_services(conn, &territories)?;
        Ok(service::all(conn)?
            .into_iter()
            .map(|s| CatalogueService {
                id: ServiceId(s.id),
                offered_in_territory_ids: offered
                    .iter()
                    .filter(|(_, sid)| *sid == s.id)
                    .map(|(t, _)| TerritoryId(*t))
                    .collect(),
                name: s.name,
                short_name: s.short_name,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    let total = services.len() as i64;
    Ok(HttpResponse::Ok().json(ServicesResponse { services, meta: Meta::new(1, total) }))
}
