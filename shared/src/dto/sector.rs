//! Sectorisation bodies (reference-domain.md §1.10): sectors of a territory, their zones (a
//! city or one street), their attributions (an organisation, or one agent of it), and the zone
//! import's per-row report.

use serde::{Deserialize, Serialize};

use crate::pagination::Meta;
use crate::sectorisation::ZoneLevel;
use crate::{OrganisationId, TerritoryId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorAttribution {
    pub id: i32,
    pub sector_id: i32,
    pub organisation_id: OrganisationId,
    /// `organisation` or `agent`.
    pub level: String,
    pub agent_id: Option<i32>,
    /// The agent's display name (level agent).
    pub agent_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Sector {
    pub id: i32,
    pub territory_id: TerritoryId,
    pub name: String,
    /// Unique in the territory; the zone import names sectors by it.
    pub human_id: String,
    pub zones_count: i64,
    pub attributions: Vec<SectorAttribution>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorResponse {
    pub sector: Sector,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorsResponse {
    pub sectors: Vec<Sector>,
    pub meta: Meta,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSectorRequest {
    pub name: String,
    pub human_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Zone {
    pub id: i32,
    pub sector_id: i32,
    pub level: ZoneLevel,
    pub city_name: String,
    /// INSEE code.
    pub city_code: String,
    pub street_name: Option<String>,
    /// BAN street id, `<city code>_<fantoir>`.
    pub street_ban_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ZoneResponse {
    pub zone: Zone,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ZonesResponse {
    pub zones: Vec<Zone>,
    pub meta: Meta,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateZoneRequest {
    pub level: ZoneLevel,
    pub city_name: String,
    pub city_code: String,
    #[serde(default)]
    pub street_name: Option<String>,
    #[serde(default)]
    pub street_ban_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSectorAttributionRequest {
    pub organisation_id: OrganisationId,
    /// Absent: the whole organisation serves the sector; present: only this agent of it.
    #[serde(default)]
    pub agent_id: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorAttributionResponse {
    pub sector_attribution: SectorAttribution,
}

/// `POST /api/v1/territories/{id}/zones/import`: a `.csv` or `.xlsx` with the columns
/// `secteur` (a sector's `human_id`), `commune`, `code_insee`, and for street zones `rue` and
/// `id_ban_rue`; `dry_run: true` reports without writing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ZoneImportRequest {
    pub filename: String,
    pub content_base64: String,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ZoneImportRow {
    /// Line in the file (the header is line 1).
    pub line: u32,
    /// `created` (or `to_create` in a dry run), `already`, `error`.
    pub status: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ZoneImportReport {
    pub dry_run: bool,
    pub created: usize,
    pub already: usize,
    pub errors: usize,
    pub rows: Vec<ZoneImportRow>,
}

/// One motif of the territory bookable outside the agents' own screens, as an address gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorisationTestMotif {
    pub motif_id: i32,
    pub name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub sectorisation_level: crate::enums::SectorisationLevel,
    /// Offered at this address (level département always; organisation when the organisation
    /// serves a matching sector; agent when at least one of its agents does).
    pub offered: bool,
    /// Level agent: the only agents who may be booked there; `null` = every agent of the motif.
    pub agents: Option<Vec<crate::dto::Agent>>,
}

/// `GET /api/v1/territories/{id}/sectorisation_test`: the sectors an address falls in (with
/// the zones that matched) and, motif by motif, what it is offered (reference "Test de
/// sectorisation").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SectorisationTestResponse {
    pub place: crate::dto::PublicPlace,
    pub zones: Vec<Zone>,
    pub sectors: Vec<Sector>,
    pub motifs: Vec<SectorisationTestMotif>,
}
