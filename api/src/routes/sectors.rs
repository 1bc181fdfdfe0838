//! Sectorisation management for territorial admins (reference-domain.md §1.10): sectors, their
//! zones (a city or a street), their attributions (an organisation or one of its agents), and
//! the CSV/XLSX zone import with a dry run and a per-row report. Members of the territory's
//! organisations may read.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use base64::Engine;
use diesel::prelude::*;

use rdv_shared::access::{can_manage_territory, can_read_territory};
use rdv_shared::dto::{
    CreateSectorAttributionRequest, CreateSectorRequest, CreateZoneRequest, SectorAttributionResponse, SectorResponse,
    SectorsResponse, ZoneImportReport, ZoneImportRequest, ZoneImportRow, ZoneResponse, ZonesResponse,
};
use rdv_shared::pagination::Meta;
use rdv_shared::sectorisation::{validate_zone, ZoneLevel};
use rdv_shared::validation::Errors;
use rdv_shared::TerritoryId;

use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::sector::{self, NewZone, SectorRow};
use crate::db::models::territory::{self, TerritoryRow};
use crate::db::models::{agent, organisation, user_import};
use crate::db::schema::{agent_roles, sectors};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::{json_with_limit, ApiJson};

const IMPORT_BODY_LIMIT: usize = 20 * 1024 * 1024;

/// The territory, if the caller may read (`manage = false`) or manage it; 404 otherwise.
pub(crate) fn territory_for(conn: &mut DbConn, agent_id: i32, id: i32, manage: bool) -> ApiResult<TerritoryRow> {
    let t = territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, agent_id)?;
    let tid = TerritoryId(id);
    if !can_read_territory(&actor, tid) {
        return Err(ApiError::NotFound("territory"));
    }
    if manage && !can_manage_territory(&actor, tid) {
        return Err(ApiError::forbidden());
    }
    Ok(t)
}

fn sector_for(conn: &mut DbConn, agent_id: i32, id: i32, manage: bool) -> ApiResult<(SectorRow, TerritoryRow)> {
    let s = sector::find(conn, id)?.ok_or(ApiError::NotFound("sector"))?;
    let t = territory_for(conn, agent_id, s.territory_id, manage).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("sector"),
        other => other,
    })?;
    Ok((s, t))
}

/// Lists a territory's sectors with their zone counts and attributions.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, body = SectorsResponse), (status = 401, body = rdv_shared::dto::MessagesError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[get("/territories/{id}/sectors")]
pub async fn list_sectors(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        territory_for(conn, auth.agent.id, id, false)?;
        let rows = sector::of_territory(conn, id)?;
        let sectors = sector::render(conn, &rows)?;
        let total = sectors.len() as i64;
        Ok(SectorsResponse { sectors, meta: Meta::new(1, total) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Creates a sector (territorial admins); `human_id` is unique in the territory.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateSectorRequest,
    responses((status = 200, body = SectorResponse), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[post("/territories/{id}/sectors")]
pub async fn create_sector(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<CreateSectorRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        territory_for(conn, auth.agent.id, id, true)?;
        let (name, human_id) = (req.name.trim().to_owned(), req.human_id.trim().to_owned());
        let mut e = Errors::default();
        e.check("name", rdv_shared::validation::required_text(&name, 255));
        e.check("human_id", rdv_shared::validation::required_text(&human_id, 100));
        if !e.is_empty() {
            return Err(ApiError::Validation(e));
        }
        let row = write_tx(conn, |c| {
            let taken: Option<i32> = sectors::table
                .filter(sectors::territory_id.eq(id))
                .filter(sectors::human_id.eq(&human_id))
                .select(sectors::id)
                .get_result(c)
                .optional()?;
            if taken.is_some() {
                return Err(ApiError::field("human_id", "taken"));
            }
            Ok::<_, ApiError>(sector::create(c, &auth.agent.author(), id, &name, &human_id)?)
        })?;
        Ok(SectorResponse { sector: sector::render(conn, &[row])?.remove(0) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Deletes a sector with its zones and attributions. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[delete("/sectors/{id}")]
pub async fn delete_sector(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let (s, _) = sector_for(conn, auth.agent.id, id, true)?;
        write_tx(conn, |c| Ok::<_, ApiError>(sector::delete(c, &auth.agent.author(), &s)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lists a sector's zones.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, body = ZonesResponse), (status = 401, body = rdv_shared::dto::MessagesError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[get("/sectors/{id}/zones")]
pub async fn list_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| {
        sector_for(conn, auth.agent.id, id, false)?;
        let zones: Vec<_> = sector::zones_of(conn, id)?.iter().map(|z| z.to_dto()).collect();
        let total = zones.len() as i64;
        Ok(ZonesResponse { zones, meta: Meta::new(1, total) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

fn zone_errors(errors: Vec<(&'static str, &'static str)>) -> ApiResult<()> {
    let mut e = Errors::default();
    for (field, code) in errors {
        e.add(field, code);
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(e))
    }
}

/// Adds a zone (a whole city, or one street with its BAN id) to a sector.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateZoneRequest,
    responses((status = 200, body = ZoneResponse), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[post("/sectors/{id}/zones")]
pub async fn create_zone(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<CreateZoneRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let (_, t) = sector_for(conn, auth.agent.id, id, true)?;
        let street_name = req.street_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let street_ban_id = req.street_ban_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        zone_errors(validate_zone(
            &t.departement_number,
            req.level,
            &req.city_code,
            &req.city_name,
            street_name,
            street_ban_id,
        ))?;
        let z = NewZone {
            sector_id: id,
            level: req.level,
            city_name: req.city_name.trim(),
            city_code: req.city_code.trim(),
            street_name: street_name.filter(|_| req.level == ZoneLevel::Street),
            street_ban_id: street_ban_id.filter(|_| req.level == ZoneLevel::Street),
        };
        let row = write_tx(conn, |c| {
            if sector::zone_exists(c, &z)? {
                return Err(ApiError::field(
                    if z.street_ban_id.is_some() { "street_ban_id" } else { "city_code" },
                    "taken",
                ));
            }
            Ok::<_, ApiError>(sector::create_zone(c, &auth.agent.author(), &z)?)
        })?;
        Ok(ZoneResponse { zone: row.to_dto() })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes a zone. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[delete("/zones/{id}")]
pub async fn delete_zone(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let z = sector::find_zone(conn, id)?.ok_or(ApiError::NotFound("zone"))?;
        sector_for(conn, auth.agent.id, z.sector_id, true)?;
        write_tx(conn, |c| Ok::<_, ApiError>(sector::delete_zone(c, &auth.agent.author(), &z)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Attributes a sector to an organisation of the territory, or to one of its agents.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = CreateSectorAttributionRequest,
    responses((status = 200, body = SectorAttributionResponse), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[post("/sectors/{id}/attributions")]
pub async fn create_sector_attribution(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<CreateSectorAttributionRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| {
        let (s, _) = sector_for(conn, auth.agent.id, id, true)?;
        let org = organisation::find(conn, req.organisation_id.0)?
            .filter(|o| o.territory_id == s.territory_id)
            .ok_or_else(|| ApiError::field("organisation_id", "inclusion"))?;
        if let Some(a) = req.agent_id {
            let member: Option<i32> = agent_roles::table
                .filter(agent_roles::agent_id.eq(a))
                .filter(agent_roles::organisation_id.eq(org.id))
                .select(agent_roles::id)
                .get_result(conn)
                .optional()?;
            if member.is_none() {
                return Err(ApiError::field("agent_id", "inclusion"));
            }
        }
        let row = write_tx(conn, |c| {
            Ok::<_, ApiError>(sector::create_attribution(c, &auth.agent.author(), id, org.id, req.agent_id)?)
        })?;
        Ok(SectorAttributionResponse { sector_attribution: sector::attribution_dtos(conn, &[row])?.remove(0) })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Removes an attribution. 204.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 204), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[delete("/sector_attributions/{id}")]
pub async fn delete_sector_attribution(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let a = sector::find_attribution(conn, id)?.ok_or(ApiError::NotFound("sector_attribution"))?;
        sector_for(conn, auth.agent.id, a.sector_id, true)?;
        write_tx(conn, |c| Ok::<_, ApiError>(sector::delete_attribution(c, &auth.agent.author(), &a)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Column of a header, by any of its accepted names.
fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = rdv_shared::usager::fold(h).replace([' ', '-'], "_");
        names.contains(&h.as_str())
    })
}

/// Imports zones from a `.csv`/`.xlsx` (columns `secteur`, `commune`, `code_insee`, and `rue`,
/// `id_ban_rue` for streets). Every row is checked; with `dry_run` nothing is written. Rows
/// already present are reported as such, so the same file can be imported twice.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)), request_body = ZoneImportRequest,
    responses((status = 200, body = ZoneImportReport), (status = 401, body = rdv_shared::dto::MessagesError), (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 413, body = rdv_shared::dto::MessagesError), (status = 422, body = rdv_shared::dto::ValidationError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[post("/territories/{id}/zones/import")]
pub async fn import_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body: ZoneImportRequest = json_with_limit(&req, payload, IMPORT_BODY_LIMIT).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.content_base64.trim())
        .map_err(|_| ApiError::field("content_base64", "invalid"))?;
    let report = super::with_conn(&state, move |conn| {
        let t = territory_for(conn, auth.agent.id, id, true)?;
        let sheet = user_import::read_file(&body.filename, &bytes)
            .map_err(|msg| ApiError::field_message("file", "invalid", msg))?;
        let col = |names: &[&str]| column(&sheet.headers, names);
        let (Some(c_sector), Some(c_city), Some(c_code)) = (
            col(&["secteur", "sector", "sector_id", "human_id"]),
            col(&["commune", "city_name", "ville"]),
            col(&["code_insee", "city_code", "insee"]),
        ) else {
            return Err(ApiError::field_message(
                "file",
                "invalid",
                "Colonnes attendues : secteur, commune, code_insee (et rue, id_ban_rue pour les rues).".into(),
            ));
        };
        let (c_street, c_ban) = (col(&["rue", "street_name", "voie"]), col(&["id_ban_rue", "street_ban_id", "id_ban"]));
        let sectors = sector::of_territory(conn, id)?;
        let author = auth.agent.author();
        write_tx(conn, |c| {
            let mut report =
                ZoneImportReport { dry_run: body.dry_run, created: 0, already: 0, errors: 0, rows: Vec::new() };
            for (line, cells) in &sheet.rows {
                let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty());
                let (human, city, code) =
                    (cell(Some(c_sector)), cell(Some(c_city)).unwrap_or(""), cell(Some(c_code)).unwrap_or(""));
                let (street, ban) = (cell(c_street), cell(c_ban));
                let level = if ban.is_some() || street.is_some() { ZoneLevel::Street } else { ZoneLevel::City };
                let mut row = |status: &str, message: String| {
                    report.rows.push(ZoneImportRow { line: *line, status: status.into(), message });
                };
                let Some(s) = human.and_then(|h| sectors.iter().find(|s| s.human_id == h)) else {
                    row("error", format!("Secteur inconnu : « {} ».", human.unwrap_or("")));
                    continue;
                };
                let problems = validate_zone(&t.departement_number, level, code, city, street, ban);
                if !problems.is_empty() {
                    let text: Vec<String> = problems.iter().map(|(f, e)| format!("{f} : {e}")).collect();
                    row("error", format!("Ligne invalide ({}).", text.join(", ")));
                    continue;
                }
                let z = NewZone {
                    sector_id: s.id,
                    level,
                    city_name: city,
                    city_code: code,
                    street_name: street,
                    street_ban_id: ban,
                };
                if sector::zone_exists(c, &z)? {
                    row("already", format!("Déjà dans le secteur {}.", s.human_id));
                } else if body.dry_run {
                    row("to_create", format!("Sera ajoutée au secteur {}.", s.human_id));
                } else {
                    sector::create_zone(c, &author, &z)?;
                    row("created", format!("Ajoutée au secteur {}.", s.human_id));
                }
            }
            report.created = report.rows.iter().filter(|r| r.status == "created" || r.status == "to_create").count();
            report.already = report.rows.iter().filter(|r| r.status == "already").count();
            report.errors = report.rows.iter().filter(|r| r.status == "error").count();
            Ok::<_, ApiError>(report)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Exports the territory's zones as CSV (UTF-8 with BOM, `;`-separated) in the import's own
/// columns, so an export edited in a spreadsheet can be imported back.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path)),
    responses((status = 200, description = "CSV file", content_type = "text/csv", body = String),
        (status = 401, body = rdv_shared::dto::MessagesError), (status = 404, body = rdv_shared::dto::NotFoundError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
#[get("/territories/{id}/zones/export.csv")]
pub async fn export_zones(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let csv = super::with_conn(&state, move |conn| {
        territory_for(conn, auth.agent.id, id, false)?;
        let rows = sector::of_territory(conn, id)?;
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
        let fail = |e: csv::Error| ApiError::Internal(e.into());
        w.write_record(["secteur", "commune", "code_insee", "rue", "id_ban_rue"]).map_err(fail)?;
        let zone_rows: Vec<sector::ZoneRow> = crate::db::schema::zones::table
            .filter(crate::db::schema::zones::sector_id.eq_any(rows.iter().map(|s| s.id).collect::<Vec<_>>()))
            .select(sector::ZoneRow::as_select())
            .load(conn)?;
        for s in &rows {
            for z in zone_rows.iter().filter(|z| z.sector_id == s.id) {
                let (street, ban) = (z.street_name.as_deref().unwrap_or(""), z.street_ban_id.as_deref().unwrap_or(""));
                w.write_record([s.human_id.as_str(), &z.city_name, &z.city_code, street, ban]).map_err(fail)?;
            }
        }
        w.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", "attachment; filename=\"zones.csv\""))
        .body(csv))
}
