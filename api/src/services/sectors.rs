//! Sectorisation (reference-domain.md §1.10, §8.3): sectors, their zones (a city or a street),
//! their attributions (an organisation or one of its agents), the CSV/XLSX zone import with a
//! dry run, the zone export, and the sectorisation test for an address.

use std::collections::BTreeSet;

use rdv_shared::access::{can_manage_territory, can_read_territory};
use rdv_shared::dto::{
    CreateSectorAttributionRequest, CreateSectorRequest, CreateZoneRequest, PublicPlace, SectorAttributionResponse,
    SectorResponse, SectorisationTestMotif, SectorisationTestResponse, SectorsResponse, ZoneImportReport,
    ZoneImportRequest, ZoneImportRow, ZoneResponse, ZonesResponse,
};
use rdv_shared::enums::SectorisationLevel;
use rdv_shared::pagination::Meta;
use rdv_shared::sectorisation::{bookable_agents, validate_zone, zone_matches, Place, ZoneLevel};
use rdv_shared::validation::Errors;
use rdv_shared::{OrganisationId, TerritoryId};

use crate::db::models::agent::{agents_by_id, AgentRow};
use crate::db::models::sector::{AttributionRow, NewZone, SectorRow, ZoneRow};
use crate::db::models::territory::TerritoryRow;
use crate::db::models::{agent, membership, motif, organisation, sector, territory, user_import};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;

/// The territory, if the caller may read (`manage = false`) or manage it; 404 otherwise.
pub fn territory_for(conn: &mut DbConn, agent_id: i32, id: i32, manage: bool) -> ApiResult<TerritoryRow> {
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

/// Column of a header, by any of its accepted names.
pub fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = rdv_shared::usager::fold(h).replace([' ', '-'], "_");
        names.contains(&h.as_str())
    })
}

/// Lists a territory's sectors with their zone counts and attributions.
pub fn list_sectors(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::SectorsResponse> {
    territory_for(conn, caller.id, id, false)?;
    let rows = sector::of_territory(conn, id)?;
    let sectors = sector::render(conn, &rows)?;
    let total = sectors.len() as i64;
    Ok(SectorsResponse { sectors, meta: Meta::new(1, total) })
}

/// Creates a sector (territorial admins); `human_id` is unique in the territory.
pub fn create_sector(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<CreateSectorRequest>,
) -> ApiResult<rdv_shared::dto::SectorResponse> {
    territory_for(conn, caller.id, id, true)?;
    let req = req.parse()?;
    let (name, human_id) = (req.name.trim().to_owned(), req.human_id.trim().to_owned());
    let mut e = Errors::default();
    e.check("name", rdv_shared::validation::required_text(&name, 255));
    e.check("human_id", rdv_shared::validation::required_text(&human_id, 100));
    if !e.is_empty() {
        return Err(ApiError::Validation(e));
    }
    let row = write_tx(conn, |c| {
        if sector::human_id_taken(c, id, &human_id)? {
            return Err(ApiError::field("human_id", "taken"));
        }
        Ok::<_, ApiError>(sector::create(c, &caller.author(), id, &name, &human_id)?)
    })?;
    Ok(SectorResponse { sector: sector::render(conn, &[row])?.remove(0) })
}

/// Deletes a sector with its zones and attributions. 204.
pub fn delete_sector(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let (s, _) = sector_for(conn, caller.id, id, true)?;
    write_tx(conn, |c| Ok::<_, ApiError>(sector::delete(c, &caller.author(), &s)?))
}

/// Lists a sector's zones.
pub fn list_zones(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::ZonesResponse> {
    sector_for(conn, caller.id, id, false)?;
    let zones: Vec<_> = sector::zones_of(conn, id)?.iter().map(|z| z.to_dto()).collect();
    let total = zones.len() as i64;
    Ok(ZonesResponse { zones, meta: Meta::new(1, total) })
}

/// Adds a zone (a whole city, or one street with its BAN id) to a sector.
pub fn create_zone(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<CreateZoneRequest>,
) -> ApiResult<rdv_shared::dto::ZoneResponse> {
    let (_, t) = sector_for(conn, caller.id, id, true)?;
    let req = req.parse()?;
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
        Ok::<_, ApiError>(sector::create_zone(c, &caller.author(), &z)?)
    })?;
    Ok(ZoneResponse { zone: row.to_dto() })
}

/// Removes a zone. 204.
pub fn delete_zone(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let z = sector::find_zone(conn, id)?.ok_or(ApiError::NotFound("zone"))?;
    sector_for(conn, caller.id, z.sector_id, true)?;
    write_tx(conn, |c| Ok::<_, ApiError>(sector::delete_zone(c, &caller.author(), &z)?))
}

/// Attributes a sector to an organisation of the territory, or to one of its agents.
pub fn create_sector_attribution(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<CreateSectorAttributionRequest>,
) -> ApiResult<rdv_shared::dto::SectorAttributionResponse> {
    let (s, _) = sector_for(conn, caller.id, id, true)?;
    let req = req.parse()?;
    let org = organisation::find(conn, req.organisation_id.0)?
        .filter(|o| o.territory_id == s.territory_id)
        .ok_or_else(|| ApiError::field("organisation_id", "inclusion"))?;
    if let Some(a) = req.agent_id {
        if membership::members_among(conn, org.id, &[a])?.is_empty() {
            return Err(ApiError::field("agent_id", "inclusion"));
        }
    }
    let row = write_tx(conn, |c| {
        Ok::<_, ApiError>(sector::create_attribution(c, &caller.author(), id, org.id, req.agent_id)?)
    })?;
    Ok(SectorAttributionResponse { sector_attribution: sector::attribution_dtos(conn, &[row])?.remove(0) })
}

/// Removes an attribution. 204.
pub fn delete_sector_attribution(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let a = sector::find_attribution(conn, id)?.ok_or(ApiError::NotFound("sector_attribution"))?;
    sector_for(conn, caller.id, a.sector_id, true)?;
    write_tx(conn, |c| Ok::<_, ApiError>(sector::delete_attribution(c, &caller.author(), &a)?))
}

/// Imports zones from a `.csv`/`.xlsx` (columns `secteur`, `commune`, `code_insee`, and `rue`,
/// `id_ban_rue` for streets). Every row is checked; with `dry_run` nothing is written. Rows
/// already present are reported as such, so the same file can be imported twice.
pub fn import_zones(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    body: ZoneImportRequest,
    bytes: Vec<u8>,
) -> ApiResult<rdv_shared::dto::ZoneImportReport> {
    let t = territory_for(conn, caller.id, id, true)?;
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
    let author = caller.author();
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
}

/// Exports the territory's zones as CSV (UTF-8 with BOM, `;`-separated) in the import's own
/// columns, so an export edited in a spreadsheet can be imported back.
pub fn export_zones(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<Vec<u8>> {
    territory_for(conn, caller.id, id, false)?;
    let rows = sector::of_territory(conn, id)?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    let fail = |e: csv::Error| ApiError::Internal(e.into());
    w.write_record(["secteur", "commune", "code_insee", "rue", "id_ban_rue"]).map_err(fail)?;
    let zone_rows = sector::zones_of_sectors(conn, &rows.iter().map(|s| s.id).collect::<Vec<_>>())?;
    for s in &rows {
        for z in zone_rows.iter().filter(|z| z.sector_id == s.id) {
            let (street, ban) = (z.street_name.as_deref().unwrap_or(""), z.street_ban_id.as_deref().unwrap_or(""));
            w.write_record([s.human_id.as_str(), &z.city_name, &z.city_code, street, ban]).map_err(fail)?;
        }
    }
    w.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))
}

/// What an address gets in the territory: matching zones and sectors, and every motif that is
/// not reserved to agents, with whether it is offered there.
/// The territory is the caller's to manage (checked by the handler before geocoding).
pub fn test_sectorisation(
    conn: &mut DbConn,
    id: i32,
    place: &Place,
    public: PublicPlace,
) -> ApiResult<SectorisationTestResponse> {
    let sector_rows = sector::of_territory(conn, id)?;
    let sector_ids: Vec<i32> = sector_rows.iter().map(|s| s.id).collect();
    let zone_rows = sector::zones_in_city(conn, &sector_ids, &place.city_code)?;
    let matched: Vec<&ZoneRow> = zone_rows.iter().filter(|z| zone_matches(&z.facts(), place)).collect();
    let matched_sectors: BTreeSet<i32> = matched.iter().map(|z| z.sector_id).collect();
    let attributions = sector::attributions_of(conn, &matched_sectors.iter().copied().collect::<Vec<_>>())?;
    let facts: Vec<_> = attributions.iter().map(AttributionRow::facts).collect();
    let orgs = organisation::names_in_territory(conn, id)?;
    let motif_rows = motif::bookable_beyond_agents(conn, &orgs.iter().map(|o| o.0).collect::<Vec<_>>())?;
    let agent_ids: Vec<i32> = facts.iter().filter_map(|a| a.agent_id).collect();
    let agent_rows = agents_by_id(conn, &agent_ids)?;
    let motifs = motif_rows
        .iter()
        .map(|m| {
            let level = SectorisationLevel::parse(&m.sectorisation_level).unwrap_or(SectorisationLevel::Departement);
            let agents = bookable_agents(level, m.organisation_id, &facts);
            SectorisationTestMotif {
                motif_id: m.id,
                name: m.name.clone(),
                organisation_id: OrganisationId(m.organisation_id),
                organisation_name: orgs
                    .iter()
                    .find(|o| o.0 == m.organisation_id)
                    .map(|o| o.1.clone())
                    .unwrap_or_default(),
                sectorisation_level: level,
                offered: agents.as_ref().is_none_or(|a| !a.is_empty()),
                agents: agents
                    .filter(|_| level == SectorisationLevel::Agent)
                    .map(|list| list.iter().filter_map(|a| agent_rows.get(a)).map(|a| a.to_dto()).collect()),
            }
        })
        .collect();
    let sectors_matched: Vec<_> = sector_rows.into_iter().filter(|s| matched_sectors.contains(&s.id)).collect();
    Ok(SectorisationTestResponse {
        place: public,
        zones: matched.iter().map(|z| z.to_dto()).collect(),
        sectors: sector::render(conn, &sectors_matched)?,
        motifs,
    })
}
