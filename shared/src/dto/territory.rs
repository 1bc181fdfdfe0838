//! Territory settings, the service catalogue, and audit history bodies.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::pagination::Meta;
use crate::{AgentId, ServiceId, TerritoryId};

/// A territory (département) and its settings (reference §1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Territory {
    pub id: TerritoryId,
    pub name: String,
    pub departement_number: String,
    #[serde(flatten)]
    pub settings: TerritorySettings,
    /// Services offered in this territory.
    pub service_ids: Vec<ServiceId>,
}

/// The usager field toggles and RDV settings of a territory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TerritorySettings {
    pub enable_notes_field: bool,
    pub enable_caisse_affiliation_field: bool,
    pub enable_affiliation_number_field: bool,
    pub enable_family_situation_field: bool,
    pub enable_number_of_children_field: bool,
    pub enable_logement_field: bool,
    pub enable_case_number: bool,
    pub enable_address_details: bool,
    /// Free-text "Contexte" on RDVs.
    pub enable_context_field: bool,
    /// Usagers visible from every organisation of the territory ("décloisonnement").
    pub visible_users_throughout_the_territory: bool,
    /// "Numéro de dossier PMI" on usagers.
    pub enable_pmi_case_number_field: bool,
    /// Notes kept and shown but no longer writable (seed 003).
    pub notes_frozen: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TerritoryResponse {
    pub territory: Territory,
}

/// `PATCH /api/v1/territories/{id}` (territorial admins): absent fields unchanged;
/// `service_ids` replaces the set of offered services.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTerritoryRequest {
    pub name: Option<String>,
    pub departement_number: Option<String>,
    pub enable_notes_field: Option<bool>,
    pub enable_caisse_affiliation_field: Option<bool>,
    pub enable_affiliation_number_field: Option<bool>,
    pub enable_family_situation_field: Option<bool>,
    pub enable_number_of_children_field: Option<bool>,
    pub enable_logement_field: Option<bool>,
    pub enable_case_number: Option<bool>,
    pub enable_address_details: Option<bool>,
    pub enable_context_field: Option<bool>,
    pub visible_users_throughout_the_territory: Option<bool>,
    pub enable_pmi_case_number_field: Option<bool>,
    pub notes_frozen: Option<bool>,
    pub service_ids: Option<Vec<ServiceId>>,
}

impl UpdateTerritoryRequest {
    pub fn apply(&self, mut s: TerritorySettings) -> TerritorySettings {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { s.$f = v; } )*};
        }
        set!(
            enable_notes_field,
            enable_caisse_affiliation_field,
            enable_affiliation_number_field,
            enable_family_situation_field,
            enable_number_of_children_field,
            enable_logement_field,
            enable_case_number,
            enable_address_details,
            enable_context_field,
            visible_users_throughout_the_territory,
            enable_pmi_case_number_field,
            notes_frozen
        );
        s
    }
}

/// A service of the catalogue, with the caller's territories that offer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CatalogueService {
    pub id: ServiceId,
    pub name: String,
    pub short_name: String,
    /// Among the caller's territories, those offering this service.
    pub offered_in_territory_ids: Vec<TerritoryId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ServicesResponse {
    pub services: Vec<CatalogueService>,
    pub meta: Meta,
}

/// One audit version: who changed what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Version {
    pub id: i32,
    pub item_type: String,
    pub item_id: i32,
    /// `create`, `update` or `destroy`.
    pub event: String,
    pub author_agent_id: Option<AgentId>,
    /// "Camille Martin", or the system author (`cli`, `seed`).
    pub author_name: String,
    pub created_at: DateTime<FixedOffset>,
    /// `{"field": [before, after]}`.
    #[cfg_attr(feature = "server", schema(value_type = Object))]
    pub changes: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct VersionsResponse {
    pub versions: Vec<Version>,
    pub meta: Meta,
}

/// A team of agents within a territory (used to filter slot searches).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Team {
    pub id: i32,
    pub territory_id: TerritoryId,
    pub name: String,
    pub agent_ids: Vec<AgentId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TeamResponse {
    pub team: Team,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TeamsResponse {
    pub teams: Vec<Team>,
    pub meta: Meta,
}

/// Create (`name` required) or update (absent fields unchanged) a team; `agent_ids` replaces the members.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    pub name: Option<String>,
    pub agent_ids: Option<Vec<AgentId>>,
}

/// An agent's territorial rights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AccessRights {
    pub agent_id: AgentId,
    pub territorial_admin: bool,
    pub allow_to_manage_teams: bool,
    pub allow_to_manage_access_rights: bool,
    pub allow_to_invite_agents: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AccessRightsResponse {
    pub access_rights: AccessRights,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AccessRightsListResponse {
    pub access_rights: Vec<AccessRights>,
    pub meta: Meta,
}

/// `PATCH /api/v1/territories/{id}/access_rights/{agent_id}`: absent fields unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAccessRightsRequest {
    pub territorial_admin: Option<bool>,
    pub allow_to_manage_teams: Option<bool>,
    pub allow_to_manage_access_rights: Option<bool>,
    pub allow_to_invite_agents: Option<bool>,
}

/// The territory's SMS provider (Brevo's transactional SMS API or compatible). The API key is
/// never shown back, only whether one is set. Without a URL, the server's settings apply
/// (`RDV_SMS_URL`), and without those, SMS are written to files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SmsSettings {
    pub sms_provider_url: Option<String>,
    /// Sender name shown on phones: letters and digits, 11 at most.
    pub sms_sender: Option<String>,
    pub sms_api_key_set: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SmsSettingsResponse {
    pub sms_settings: SmsSettings,
}

/// Changes to the SMS provider: an absent field is unchanged, an empty string clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateSmsSettingsRequest {
    pub sms_provider_url: Option<String>,
    pub sms_sender: Option<String>,
    pub sms_api_key: Option<String>,
}

/// A sender name operators accept: 1 to 11 letters, digits or spaces, starting with a letter.
pub fn valid_sms_sender(s: &str) -> bool {
    (1..=11).contains(&s.chars().count())
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}
