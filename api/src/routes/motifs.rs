//! Motifs: admins manage them; agents see the motifs of their services, admins and secretaries
//! all of their organisations' (reference-domain.md §1.5, §2.7). The list keeps API v1's filters;
//! the CSV export is for admins only (seed 001, RDV-S #1781).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;

use rdv_shared::access::{can_export_motifs, can_manage_motifs, can_see_motif, Actor};
use rdv_shared::dto::{
    CreateMotifRequest, MotifCategoriesResponse, MotifResponse, MotifSettings, MotifsResponse, UpdateMotifRequest,
};
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::{OrganisationId, ServiceId};

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::motif::{self, MotifFilter, MotifRow};
use crate::db::models::{agent, organisation, service};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

/// API v1 boolean filters: `1, t, true, on, y, yes` (any case) are true, anything else false.
fn wannabe_bool(v: &Option<String>) -> Option<bool> {
    v.as_ref().map(|s| matches!(s.trim().to_lowercase().as_str(), "1" | "t" | "true" | "on" | "y" | "yes"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMotifsQuery {
    /// `true`: active motifs only; `false`: deleted ones only; absent: both.
    pub active: Option<String>,
    /// `true`: bookable by everyone or invited usagers; `false`: the others.
    pub bookable_publicly: Option<String>,
    pub service_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Services whose motifs the actor sees in `org` (`None`: all of them).
fn visible_services(actor: &Actor, org: OrganisationId) -> Option<Vec<i32>> {
    if can_see_motif(actor, org, ServiceId(-1)) {
        None // admin or secretary: a service nobody has is visible, so every service is
    } else {
        Some(actor.service_ids.iter().map(|s| s.0).collect())
    }
}

/// Lists an organisation's motifs by id, with API v1's filters.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path), ListMotifsQuery),
    responses(
        (status = 200, body = MotifsResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations/{organisation_id}/motifs")]
pub async fn list_motifs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListMotifsQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (motifs, total) = super::with_conn(&state, move |conn| {
        let (org, actor) = super::organisation_and_actor(conn, org_id, auth.agent.id)?;
        if !actor.is_member_of(OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let filter = MotifFilter {
            active: wannabe_bool(&query.active),
            bookable_publicly: wannabe_bool(&query.bookable_publicly),
            service_id: query.service_id,
            visible_services: visible_services(&actor, OrganisationId(org_id)),
        };
        let (rows, total) = motif::list(conn, org_id, &filter, Some(page))?;
        let categories = motif::categories(conn)?;
        let dtos = rows
            .iter()
            .map(|m| m.to_dto(&org.time_zone, categories.iter().find(|c| Some(c.id) == m.motif_category_id)))
            .collect::<Vec<_>>();
        Ok((dtos, total))
    })
    .await?;
    Ok(HttpResponse::Ok().json(MotifsResponse { motifs, meta: Meta::new(page, total) }))
}

/// Database-side rules: the service exists and is not the secretariat, the category exists,
/// the name is free among active motifs of the same service and location type.
fn check_settings(conn: &mut DbConn, org_id: i32, s: &MotifSettings, except: Option<i32>) -> ApiResult<()> {
    let mut errors = s.validate();
    let services = service::all(conn)?;
    match services.iter().find(|x| x.id == s.service_id.0) {
        None => errors.add("service_id", "inclusion"),
        Some(x) if x.short_name == service::SECRETARIAT => errors.add("service_id", "invalid"),
        Some(_) => {}
    }
    if s.motif_category_id.is_some() && motif::category(conn, s.motif_category_id)?.is_none() {
        errors.add("motif_category_id", "inclusion");
    }
    if !errors.fields.contains_key("name") && motif::name_taken(conn, org_id, s, except)? {
        errors.add("name", "taken");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn render(conn: &mut DbConn, row: &MotifRow) -> ApiResult<MotifResponse> {
    let org = organisation::find(conn, row.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let category = motif::category(conn, row.motif_category_id)?;
    Ok(MotifResponse { motif: row.to_dto(&org.time_zone, category.as_ref()) })
}

/// Creates a motif (admins of the organisation). Only `name`, `service_id` and `color` are required.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path)),
    request_body = CreateMotifRequest,
    responses(
        (status = 200, body = MotifResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/organisations/{organisation_id}/motifs")]
pub async fn create_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<CreateMotifRequest>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiJson(req) = body;
    super::with_conn(&state, move |conn| {
        let (_, actor) = super::organisation_and_actor(conn, org_id, auth.agent.id)?;
        if !can_manage_motifs(&actor, OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let settings = req.into_settings().normalised();
        check_settings(conn, org_id, &settings, None)?;
        let row = write_tx(conn, |c| Ok::<_, ApiError>(motif::create(c, &auth.agent.author(), org_id, &settings)?))?;
        render(conn, &row)
    })
    .await
    .map(|body| HttpResponse::Ok().json(body))
}

/// Loads a motif the actor may see (404 otherwise: its existence is not revealed).
fn visible_motif(conn: &mut DbConn, id: i32, agent_id: i32) -> ApiResult<(MotifRow, Actor)> {
    let row = motif::find(conn, id)?.ok_or(ApiError::NotFound("motif"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_see_motif(&actor, OrganisationId(row.organisation_id), ServiceId(row.service_id)) {
        return Err(ApiError::NotFound("motif"));
    }
    Ok((row, actor))
}

/// Shows a motif.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = MotifResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/motifs/{id}")]
pub async fn get_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let (row, _) = visible_motif(conn, id, auth.agent.id)?;
        render(conn, &row)
    })
    .await
    .map(|body| HttpResponse::Ok().json(body))
}

/// Updates a motif (admins); absent fields are unchanged.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    request_body = UpdateMotifRequest,
    responses(
        (status = 200, body = MotifResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/motifs/{id}")]
pub async fn update_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<UpdateMotifRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    super::with_conn(&state, move |conn| {
        let (before, actor) = visible_motif(conn, id, auth.agent.id)?;
        if !can_manage_motifs(&actor, OrganisationId(before.organisation_id)) {
            return Err(ApiError::forbidden());
        }
        let settings = req.apply(before.settings()).normalised();
        check_settings(conn, before.organisation_id, &settings, Some(before.id))?;
        let row = write_tx(conn, |c| Ok::<_, ApiError>(motif::update(c, &auth.agent.author(), &before, &settings)?))?;
        render(conn, &row)
    })
    .await
    .map(|body| HttpResponse::Ok().json(body))
}

/// Deletes a motif (admins). A soft delete: it leaves the lists of active motifs, its RDVs keep it.
#[utoipa::path(
    tag = "motifs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = MotifResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[delete("/motifs/{id}")]
pub async fn delete_motif(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let (before, actor) = visible_motif(conn, id, auth.agent.id)?;
        if !can_manage_motifs(&actor, OrganisationId(before.organisation_id)) {
            return Err(ApiError::forbidden());
        }
        let row = if before.deleted_at.is_some() {
            before
        } else {
            write_tx(conn, |c| Ok::<_, ApiError>(motif::soft_delete(c, &auth.agent.author(), &before)?))?
        };
        render(conn, &row)
    })
    .await
    .map(|body| HttpResponse::Ok().json(body))
}

/// Exports an organisation's motifs as CSV (UTF-8 with BOM, `;`-separated, for Excel). Admins only.
#[utoipa::path(
    tag = "motifs",
    params(("organisation_id" = i32, Path)),
    responses(
        (status = 200, description = "CSV file", content_type = "text/csv", body = String),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations/{organisation_id}/motifs/export.csv")]
pub async fn export_motifs(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let (org_name, csv) = super::with_conn(&state, move |conn| {
        let (org, actor) = super::organisation_and_actor(conn, org_id, auth.agent.id)?;
        if !can_export_motifs(&actor, OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let (rows, _) = motif::list(conn, org_id, &MotifFilter::default(), None)?;
        let services = service::all(conn)?;
        let categories = motif::categories(conn)?;
        Ok((org.name.clone(), motifs_csv(&rows, &services, &categories)?))
    })
    .await?;
    let filename: String = format!("motifs-{org_name}.csv")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", format!("attachment; filename=\"{filename}\"")))
        .body(csv))
}

fn motifs_csv(
    rows: &[MotifRow],
    services: &[service::ServiceRow],
    categories: &[motif::MotifCategoryRow],
) -> ApiResult<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        let header = [
            "id",
            "nom",
            "service",
            "catégorie",
            "couleur",
            "durée (min)",
            "type de RDV",
            "réservation en ligne",
            "collectif",
            "délai minimum (h)",
            "délai maximum (jours)",
            "visibilité",
            "sectorisation",
            "suivi",
            "secrétariat",
            "actif",
        ];
        w.write_record(header).map_err(|e| ApiError::Internal(e.into()))?;
        let yes_no = |b: bool| if b { "oui" } else { "non" };
        for m in rows {
            let s = m.settings();
            let service = services.iter().find(|x| x.id == m.service_id).map(|x| x.short_name.as_str()).unwrap_or("");
            let category =
                categories.iter().find(|c| Some(c.id) == m.motif_category_id).map(|c| c.name.as_str()).unwrap_or("");
            w.write_record([
                m.id.to_string(),
                s.name.clone(),
                service.to_owned(),
                category.to_owned(),
                s.color.clone(),
                s.default_duration_in_min.to_string(),
                s.location_type.label_fr().to_owned(),
                s.bookable_by.label_fr().to_owned(),
                yes_no(s.collectif).to_owned(),
                format!("{:.1}", f64::from(s.min_public_booking_delay) / 3600.0),
                format!("{:.0}", f64::from(s.max_public_booking_delay) / 86400.0),
                s.visibility_type.label_fr().to_owned(),
                s.sectorisation_level.label_fr().to_owned(),
                yes_no(s.follow_up).to_owned(),
                yes_no(s.for_secretariat).to_owned(),
                yes_no(m.deleted_at.is_none()).to_owned(),
            ])
            .map_err(|e| ApiError::Internal(e.into()))?;
        }
        w.flush().map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(out)
}

/// The motif categories a motif can belong to (a global catalogue, e.g. RSA orientation).
#[utoipa::path(
    tag = "motifs",
    responses(
        (status = 200, body = MotifCategoriesResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/motif_categories")]
pub async fn list_motif_categories(state: web::Data<AppState>, _auth: Authenticated) -> ApiResult<HttpResponse> {
    let categories = super::with_conn(&state, |conn| Ok(motif::categories(conn)?)).await?;
    let total = categories.len() as i64;
    Ok(HttpResponse::Ok().json(MotifCategoriesResponse {
        motif_categories: categories.iter().map(|c| c.to_dto()).collect(),
        meta: Meta::new(1, total),
    }))
}
