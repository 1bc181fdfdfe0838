//! Bodies of the rdv-insertion namespace (`/api/rdvinsertion/…`, reference-api-v1.md §3.13) and
//! of the public links (L1, §3.12).

use serde::{Deserialize, Serialize};

use super::MotifCategory;

/// I1: `{"creneau_availability": true}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreneauAvailabilityResponse {
    pub creneau_availability: bool,
}

/// I2: link a usager to organisations (only those of the rdv_insertion verticale).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserProfilesRequest {
    pub user_id: i32,
    pub organisation_ids: Vec<i32>,
}

/// I3: make agents referents of a usager (only agents of an rdv_insertion organisation).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateReferentAssignationsRequest {
    pub user_id: i32,
    pub agent_ids: Vec<i32>,
}

/// I5.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMotifCategoryRequest {
    pub name: String,
    pub short_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifCategoryResponse {
    pub motif_category: MotifCategory,
}

/// I6: enable a category on the organisation's territory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMotifCategoryTerritoryRequest {
    pub motif_category_short_name: String,
    pub organisation_id: i32,
}

/// A territory with its enabled motif categories (I6's answer).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TerritoryCategories {
    pub id: i32,
    pub departement_number: String,
    pub motif_categories: Vec<MotifCategory>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TerritoryCategoriesResponse {
    pub territory: TerritoryCategories,
}

/// L1: an organisation's booking page, for départements' own sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicLink {
    pub external_id: String,
    pub public_link: String,
}

/// L1: `{"public_links": [...]}` (no meta, as the reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicLinksResponse {
    pub public_links: Vec<PublicLink>,
}
