//! Organisation bodies.

use serde::{Deserialize, Serialize};

use crate::pagination::Meta;
use crate::{OrganisationId, TerritoryId};

/// An organisation as the API renders it. The reference's fields (`id`, `email`, `name`,
/// `phone_number`, `verticale`) plus `territory_id` and `time_zone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: OrganisationId,
    pub email: Option<String>,
    pub name: String,
    pub phone_number: Option<String>,
    pub territory_id: TerritoryId,
    /// IANA zone in which the organisation's wall-clock hours are read.
    #[cfg_attr(feature = "server", schema(example = "Europe/Paris"))]
    pub time_zone: String,
    /// Always `rdv_solidarites` here; kept for API v1 compatibility.
    pub verticale: String,
    pub website: Option<String>,
    /// Opening hours, free text ("Du lundi au vendredi, 9h–12h et 13h30–17h").
    pub horaires: Option<String>,
    /// Id in the département's own information system; unique within the territory.
    pub external_id: Option<String>,
    /// Plages d'ouverture may fall on Saturdays (never on Sundays; seed 002).
    pub allow_saturday_openings: bool,
}

/// `POST /api/v1/organisations` (territorial admins of the territory).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisationRequest {
    pub territory_id: TerritoryId,
    pub name: String,
    /// IANA zone, default `Europe/Paris`.
    pub time_zone: Option<String>,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub horaires: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OrganisationResponse {
    pub organisation: Organisation,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OrganisationsResponse {
    pub organisations: Vec<Organisation>,
    pub meta: Meta,
}

/// `PATCH /api/v1/organisations/{id}`: every field optional; absent fields are left alone.
/// `phone_number` and `email` are cleared by `null` or an empty string.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisationRequest {
    pub name: Option<String>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub phone_number: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    pub time_zone: Option<String>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub website: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub horaires: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub external_id: Option<Option<String>>,
    /// Allow plages d'ouverture on Saturdays (admins of the organisation).
    #[serde(default)]
    pub allow_saturday_openings: Option<bool>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}
