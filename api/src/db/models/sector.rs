//! Sectors, zones and sector attributions (reference-domain.md §1.10). Writes are audited; the
//! public search reads the zones of an address with one indexed query (`city_code`).

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::{Sector, SectorAttribution, Zone};
use rdv_shared::sectorisation::{Attribution, ZoneFacts, ZoneLevel};
use rdv_shared::{OrganisationId, TerritoryId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{agents, sector_attributions, sectors, zones};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = sectors)]
pub struct SectorRow {
    pub id: i32,
    pub territory_id: i32,
    pub name: String,
    pub human_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = zones)]
pub struct ZoneRow {
    pub id: i32,
    pub sector_id: i32,
    pub level: String,
    pub city_name: String,
    pub city_code: String,
    pub street_name: Option<String>,
    pub street_ban_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = sector_attributions)]
pub struct AttributionRow {
    pub id: i32,
    pub sector_id: i32,
    pub organisation_id: i32,
    pub level: String,
    pub agent_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

impl ZoneRow {
    pub fn level(&self) -> ZoneLevel {
        ZoneLevel::parse(&self.level).unwrap_or(ZoneLevel::City)
    }
    pub fn facts(&self) -> ZoneFacts {
        ZoneFacts {
            sector_id: self.sector_id,
            level: self.level(),
            city_code: self.city_code.clone(),
            street_ban_id: self.street_ban_id.clone(),
        }
    }
    pub fn to_dto(&self) -> Zone {
        Zone {
            id: self.id,
            sector_id: self.sector_id,
            level: self.level(),
            city_name: self.city_name.clone(),
            city_code: self.city_code.clone(),
            street_name: self.street_name.clone(),
            street_ban_id: self.street_ban_id.clone(),
        }
    }
}

impl AttributionRow {
    pub fn facts(&self) -> Attribution {
        Attribution { sector_id: self.sector_id, organisation_id: self.organisation_id, agent_id: self.agent_id }
    }
    fn to_dto(&self, names: &HashMap<i32, String>) -> SectorAttribution {
        SectorAttribution {
            id: self.id,
            sector_id: self.sector_id,
            organisation_id: OrganisationId(self.organisation_id),
            level: self.level.clone(),
            agent_id: self.agent_id,
            agent_name: self.agent_id.and_then(|a| names.get(&a).cloned()),
        }
    }
}

/// Attributions as the API shows them, with their agents' names (one query).
pub fn attribution_dtos(conn: &mut DbConn, rows: &[AttributionRow]) -> QueryResult<Vec<SectorAttribution>> {
    let ids: Vec<i32> = rows.iter().filter_map(|a| a.agent_id).collect();
    let names: HashMap<i32, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        agents::table
            .filter(agents::id.in_ids(&ids))
            .select((agents::id, agents::first_name, agents::last_name))
            .load::<(i32, Option<String>, String)>(conn)?
            .into_iter()
            .map(|(id, first, last)| (id, rdv_shared::dto::display_name(first.as_deref(), &last)))
            .collect()
    };
    Ok(rows.iter().map(|a| a.to_dto(&names)).collect())
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<SectorRow>> {
    sectors::table.find(id).select(SectorRow::as_select()).get_result(conn).optional()
}

pub fn find_zone(conn: &mut DbConn, id: i32) -> QueryResult<Option<ZoneRow>> {
    zones::table.find(id).select(ZoneRow::as_select()).get_result(conn).optional()
}

pub fn find_attribution(conn: &mut DbConn, id: i32) -> QueryResult<Option<AttributionRow>> {
    sector_attributions::table.find(id).select(AttributionRow::as_select()).get_result(conn).optional()
}

pub fn of_territory(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<SectorRow>> {
    sectors::table
        .filter(sectors::territory_id.eq(territory_id))
        .order(sectors::human_id)
        .select(SectorRow::as_select())
        .load(conn)
}

pub fn zones_of(conn: &mut DbConn, sector_id: i32) -> QueryResult<Vec<ZoneRow>> {
    zones::table
        .filter(zones::sector_id.eq(sector_id))
        .order((zones::city_name, zones::street_name, zones::id))
        .select(ZoneRow::as_select())
        .load(conn)
}

/// Sectors as the API shows them: zone counts and attributions read in two queries.
pub fn render(conn: &mut DbConn, rows: &[SectorRow]) -> QueryResult<Vec<Sector>> {
    let ids: Vec<i32> = rows.iter().map(|s| s.id).collect();
    let counts: Vec<(i32, i64)> = zones::table
        .filter(zones::sector_id.in_ids(&ids))
        .group_by(zones::sector_id)
        .select((zones::sector_id, diesel::dsl::count_star()))
        .load(conn)?;
    let attributions: Vec<AttributionRow> = sector_attributions::table
        .filter(sector_attributions::sector_id.in_ids(&ids))
        .order(sector_attributions::id)
        .select(AttributionRow::as_select())
        .load(conn)?;
    let attributions = attribution_dtos(conn, &attributions)?;
    Ok(rows
        .iter()
        .map(|s| Sector {
            id: s.id,
            territory_id: TerritoryId(s.territory_id),
            name: s.name.clone(),
            human_id: s.human_id.clone(),
            zones_count: counts.iter().find(|(id, _)| *id == s.id).map_or(0, |(_, n)| *n),
            attributions: attributions.iter().filter(|a| a.sector_id == s.id).cloned().collect(),
        })
        .collect())
}

pub fn create(
    conn: &mut DbConn,
    author: &Author,
    territory_id: i32,
    name: &str,
    human_id: &str,
) -> QueryResult<SectorRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(sectors::table)
        .values((
            sectors::territory_id.eq(territory_id),
            sectors::name.eq(name),
            sectors::human_id.eq(human_id),
            sectors::created_at.eq(now),
            sectors::updated_at.eq(now),
        ))
        .returning(sectors::id)
        .get_result(conn)?;
    let row = sectors::table.find(id).select(SectorRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Sector", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

/// Deletes a sector with its zones and attributions (cascade), audited.
pub fn delete(conn: &mut DbConn, author: &Author, before: &SectorRow) -> QueryResult<()> {
    diesel::delete(zones::table.filter(zones::sector_id.eq(before.id))).execute(conn)?;
    diesel::delete(sector_attributions::table.filter(sector_attributions::sector_id.eq(before.id))).execute(conn)?;
    diesel::delete(sectors::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "Sector", before.id, Event::Destroy, Some(before), None)
}

/// A zone to write (validated by `rdv_shared::sectorisation::validate_zone`).
pub struct NewZone<'a> {
    pub sector_id: i32,
    pub level: ZoneLevel,
    pub city_name: &'a str,
    pub city_code: &'a str,
    pub street_name: Option<&'a str>,
    pub street_ban_id: Option<&'a str>,
}

/// Is this city (city zone) or street (street zone) already in the sector?
pub fn zone_exists(conn: &mut DbConn, z: &NewZone<'_>) -> QueryResult<bool> {
    let mut q = zones::table
        .filter(zones::sector_id.eq(z.sector_id))
        .filter(zones::level.eq(z.level.as_str()))
        .filter(zones::city_code.eq(z.city_code))
        .into_boxed();
    if let Some(street) = z.street_ban_id {
        q = q.filter(zones::street_ban_id.eq(street));
    }
    Ok(q.select(zones::id).get_result::<i32>(conn).optional()?.is_some())
}

pub fn create_zone(conn: &mut DbConn, author: &Author, z: &NewZone<'_>) -> QueryResult<ZoneRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(zones::table)
        .values((
            zones::sector_id.eq(z.sector_id),
            zones::level.eq(z.level.as_str()),
            zones::city_name.eq(z.city_name),
            zones::city_code.eq(z.city_code),
            zones::street_name.eq(z.street_name),
            zones::street_ban_id.eq(z.street_ban_id),
            zones::created_at.eq(now),
            zones::updated_at.eq(now),
        ))
        .returning(zones::id)
        .get_result(conn)?;
    let row = zones::table.find(id).select(ZoneRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Zone", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn delete_zone(conn: &mut DbConn, author: &Author, before: &ZoneRow) -> QueryResult<()> {
    diesel::delete(zones::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "Zone", before.id, Event::Destroy, Some(before), None)
}

pub fn create_attribution(
    conn: &mut DbConn,
    author: &Author,
    sector_id: i32,
    organisation_id: i32,
    agent_id: Option<i32>,
) -> QueryResult<AttributionRow> {
    let id: i32 = diesel::insert_into(sector_attributions::table)
        .values((
            sector_attributions::sector_id.eq(sector_id),
            sector_attributions::organisation_id.eq(organisation_id),
            sector_attributions::level.eq(if agent_id.is_some() { "agent" } else { "organisation" }),
            sector_attributions::agent_id.eq(agent_id),
            sector_attributions::created_at.eq(now_utc()),
        ))
        .returning(sector_attributions::id)
        .get_result(conn)?;
    let row = sector_attributions::table.find(id).select(AttributionRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "SectorAttribution", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn delete_attribution(conn: &mut DbConn, author: &Author, before: &AttributionRow) -> QueryResult<()> {
    diesel::delete(sector_attributions::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "SectorAttribution", before.id, Event::Destroy, Some(before), None)
}

/// The zones of a city (all sectors; the caller keeps its territory's) and the attributions of
/// the sectors they belong to: two indexed queries for a public search.
pub fn for_city(conn: &mut DbConn, city_code: &str) -> QueryResult<(Vec<ZoneFacts>, Vec<Attribution>)> {
    let zone_rows: Vec<ZoneRow> =
        zones::table.filter(zones::city_code.eq(city_code)).select(ZoneRow::as_select()).load(conn)?;
    let sector_ids: Vec<i32> = zone_rows.iter().map(|z| z.sector_id).collect();
    let attributions: Vec<AttributionRow> = sector_attributions::table
        .filter(sector_attributions::sector_id.in_ids(&sector_ids))
        .select(AttributionRow::as_select())
        .load(conn)?;
    Ok((zone_rows.iter().map(ZoneRow::facts).collect(), attributions.iter().map(AttributionRow::facts).collect()))
}

/// The zones of these sectors in one city, by sector then street.
pub fn zones_in_city(conn: &mut DbConn, sector_ids: &[i32], city_code: &str) -> QueryResult<Vec<ZoneRow>> {
    zones::table
        .filter(zones::sector_id.in_ids(sector_ids))
        .filter(zones::city_code.eq(city_code))
        .order((zones::sector_id, zones::street_name, zones::id))
        .select(ZoneRow::as_select())
        .load(conn)
}

/// Every zone of these sectors.
pub fn zones_of_sectors(conn: &mut DbConn, sector_ids: &[i32]) -> QueryResult<Vec<ZoneRow>> {
    zones::table.filter(zones::sector_id.in_ids(sector_ids)).select(ZoneRow::as_select()).load(conn)
}

/// The attributions of these sectors.
pub fn attributions_of(conn: &mut DbConn, sector_ids: &[i32]) -> QueryResult<Vec<AttributionRow>> {
    sector_attributions::table
        .filter(sector_attributions::sector_id.in_ids(sector_ids))
        .select(AttributionRow::as_select())
        .load(conn)
}

/// Is this human id already a sector of the territory?
pub fn human_id_taken(conn: &mut DbConn, territory_id: i32, human_id: &str) -> QueryResult<bool> {
    let found: Option<i32> = sectors::table
        .filter(sectors::territory_id.eq(territory_id))
        .filter(sectors::human_id.eq(human_id))
        .select(sectors::id)
        .get_result(conn)
        .optional()?;
    Ok(found.is_some())
}
