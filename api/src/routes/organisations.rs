//! `/api/v1/organisations`: list, show, update (reference-api-v1.md O1–O3).

use actix_web::{get, patch, post, web, HttpResponse};

use rdv_shared::access::{can_manage_territory, can_read_organisation, can_update_organisation};
use rdv_shared::dto::{
    CreateOrganisationRequest, OrganisationResponse, OrganisationsResponse, UpdateOrganisationRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::validation::{self, Errors};
use rdv_shared::OrganisationId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::{agent, organisation};
use crate::db::write_tx;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

use super::PageQuery;

/// Lists the organisations where the caller has a role, by id.
#[utoipa::path(
    tag = "organisations",
    params(PageQuery),
    responses(
        (status = 200, body = OrganisationsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let page = normalise_page(query.0.page);
    let (rows, total) = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
        let ids: Vec<i32> = actor.memberships.iter().map(|m| m.organisation_id.0).collect();
        Ok(organisation::page_of(conn, &ids, page)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationsResponse {
        organisations: rows.iter().map(|o| o.to_dto()).collect(),
        meta: Meta::new(page, total),
    }))
}

/// Shows one organisation of the caller.
#[utoipa::path(
    tag = "organisations",
    params(("id" = i32, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let row = super::with_conn(&state, move |conn| {
        let row = organisation::find(conn, id)?.ok_or(ApiError::NotFound("organisation"))?;
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_read_organisation(&actor, OrganisationId(id)) {
            return Err(ApiError::forbidden());
        }
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}

/// Updates an organisation (its admins only). Absent fields are left unchanged; `phone_number`
/// and `email` are cleared by `null` or `""`.
#[utoipa::path(
    tag = "organisations",
    params(("id" = i32, Path, description = "Organisation id")),
    request_body = UpdateOrganisationRequest,
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 413, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<i32>,
    body: ApiJson<UpdateOrganisationRequest>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let ApiJson(req) = body;
    let row = super::with_conn(&state, move |conn| {
        let before = organisation::find(conn, id)?.ok_or(ApiError::NotFound("organisation"))?;
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_update_organisation(&actor, OrganisationId(id)) {
            return Err(ApiError::forbidden());
        }
        let changes = validate_update(conn, &before, req)?;
        write_tx(conn, |conn| Ok(organisation::update(conn, &auth.agent.author(), &before, changes)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}

/// Creates an organisation in a territory (its territorial admins). The creator gets no role in
/// it: they add its agents next (as the reference).
#[utoipa::path(
    tag = "organisations",
    request_body = CreateOrganisationRequest,
    responses(
        (status = 200, body = OrganisationResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreateOrganisationRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let row = super::with_conn(&state, move |conn| {
        let actor = agent::facts(conn, auth.agent.id)?;
        if !can_manage_territory(&actor, req.territory_id) {
            return Err(ApiError::forbidden());
        }
        let territory_id = req.territory_id.0;
        let mut errors = Errors::default();
        errors.check("name", validation::required_text(&req.name, 255));
        if errors.is_empty() && organisation::name_taken(conn, territory_id, &req.name, None)? {
            errors.add("name", "taken");
        }
        let time_zone = req
            .time_zone
            .clone()
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| organisation::DEFAULT_TIME_ZONE.into());
        errors.check("time_zone", validation::time_zone(&time_zone).map(|_| ()));
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        write_tx(conn, |conn| {
            let created = organisation::create(conn, &auth.agent.author(), territory_id, &req.name, &time_zone)?;
            // The optional fields go through the update path, so they get the same validation.
            let rest = UpdateOrganisationRequest {
                phone_number: req.phone_number.clone().map(Some),
                email: req.email.clone().map(Some),
                website: req.website.clone().map(Some),
                horaires: req.horaires.clone().map(Some),
                external_id: req.external_id.clone().map(Some),
                ..Default::default()
            };
            let changes = validate_update(conn, &created, rest)?;
            Ok(organisation::update(conn, &auth.agent.author(), &created, changes)?)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(OrganisationResponse { organisation: row.to_dto() }))
}

fn validate_update(
    conn: &mut crate::db::DbConn,
    before: &organisation::OrganisationRow,
    req: UpdateOrganisationRequest,
) -> ApiResult<organisation::OrganisationChanges> {
    let mut errors = Errors::default();
    let name = req.name.map(|n| n.trim().to_owned());
    if let Some(name) = &name {
        errors.check("name", validation::required_text(name, 255));
        if errors.fields.is_empty() && organisation::name_taken(conn, before.territory_id, name, Some(before.id))? {
            errors.add("name", "taken");
        }
    }
    let phone_number = req.phone_number.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(phone)) = &phone_number {
        errors.check("phone_number", validation::organisation_phone(phone));
    }
    let email = req.email.map(|e| validation::optional_text(e.as_deref()).map(|e| validation::normalise_email(&e)));
    if let Some(Some(email)) = &email {
        errors.check("email", validation::email(email));
    }
    if let Some(tz) = &req.time_zone {
        errors.check("time_zone", validation::time_zone(tz.trim()).map(|_| ()));
    }
    let website = req.website.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(url)) = &website {
        errors.check("website", validation::website(url));
    }
    let horaires = req.horaires.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(h)) = &horaires {
        errors.check("horaires", validation::required_text(h, 2000));
    }
    let external_id = req.external_id.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(ext)) = &external_id {
        errors.check("external_id", validation::required_text(ext, 255));
        if organisation::external_id_taken(conn, before.territory_id, ext, Some(before.id))? {
            errors.add("external_id", "taken");
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(organisation::OrganisationChanges {
        name,
        time_zone: req.time_zone.map(|t| t.trim().to_owned()),
        phone_number,
        email,
        website,
        horaires,
        external_id,
        allow_saturday_openings: req.allow_saturday_openings,
    })
}
