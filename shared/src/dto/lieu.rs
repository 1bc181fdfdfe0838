//! Lieu (place) bodies.

use serde::{Deserialize, Serialize};

use crate::dto::organisation::double_option;
use crate::enums::LieuAvailability;
use crate::pagination::Meta;
use crate::validation::{self, Errors};
use crate::OrganisationId;

/// A place where RDVs happen (reference §1.6, API v1 §4.5 plus coordinates and availability).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Lieu {
    pub id: i32,
    pub organisation_id: OrganisationId,
    pub name: String,
    pub address: String,
    pub phone_number: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub availability: LieuAvailability,
    /// API v1 compatibility: `availability == single_use`.
    pub single_use: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LieuResponse {
    pub lieu: Lieu,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LieuxResponse {
    pub lieux: Vec<Lieu>,
    pub meta: Meta,
}

/// `POST /api/v1/organisations/{organisation_id}/lieux`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateLieuRequest {
    pub name: String,
    pub address: String,
    pub phone_number: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `enabled` (default) or `single_use`.
    pub availability: Option<LieuAvailability>,
}

/// `PATCH /api/v1/lieux/{id}`: absent fields unchanged; `availability: disabled` is the soft delete.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateLieuRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    #[serde(default, with = "double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub phone_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::dto::lieu::some_f64")]
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub latitude: Option<Option<f64>>,
    #[serde(default, deserialize_with = "crate::dto::lieu::some_f64")]
    #[cfg_attr(feature = "server", schema(value_type = Option<f64>))]
    pub longitude: Option<Option<f64>>,
    pub availability: Option<LieuAvailability>,
}

/// `null` → `Some(None)` (clear), absent → `None` (unchanged).
pub fn some_f64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

/// The full set of a lieu's editable fields, validated together.
#[derive(Debug, Clone, PartialEq)]
pub struct LieuFields {
    pub name: String,
    pub address: String,
    pub phone_number: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub availability: LieuAvailability,
}

impl LieuFields {
    /// Trims texts and turns blank optional texts into `None`.
    pub fn normalised(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.address = self.address.trim().to_owned();
        self.phone_number = validation::optional_text(self.phone_number.as_deref());
        self
    }

    pub fn validate(&self) -> Errors {
        let mut e = Errors::default();
        e.check("name", validation::required_text(&self.name, 255));
        e.check("address", validation::required_text(&self.address, 500));
        if let Some(p) = &self.phone_number {
            e.check("phone_number", validation::organisation_phone(p));
        }
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) => {
                e.check("latitude", if (-90.0..=90.0).contains(&lat) { Ok(()) } else { Err("invalid") });
                e.check("longitude", if (-180.0..=180.0).contains(&lon) { Ok(()) } else { Err("invalid") });
            }
            (None, None) => {}
            (None, Some(_)) => e.add("latitude", "blank"),
            (Some(_), None) => e.add("longitude", "blank"),
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> LieuFields {
        LieuFields {
            name: "MDS Arras — site Baudimont".into(),
            address: "12 rue Baudimont, 62000 Arras".into(),
            phone_number: Some("03 21 00 00 00".into()),
            latitude: Some(50.29),
            longitude: Some(2.77),
            availability: LieuAvailability::Enabled,
        }
    }

    #[test]
    fn lieu_validation_table() {
        let cases: Vec<(LieuFields, Option<(&str, &str)>)> = vec![
            (ok(), None),
            (LieuFields { name: " ".into(), ..ok() }, Some(("name", "blank"))),
            (LieuFields { address: "".into(), ..ok() }, Some(("address", "blank"))),
            (LieuFields { phone_number: Some("abc".into()), ..ok() }, Some(("phone_number", "invalid"))),
            (LieuFields { latitude: Some(91.0), ..ok() }, Some(("latitude", "invalid"))),
            (LieuFields { longitude: None, ..ok() }, Some(("longitude", "blank"))),
            (LieuFields { latitude: None, longitude: None, ..ok() }, None),
        ];
        for (fields, expected) in cases {
            let errors = fields.clone().normalised().validate();
            match expected {
                None => assert!(errors.is_empty(), "{fields:?}: {errors:?}"),
                Some((field, code)) => assert_eq!(errors.fields[field][0].error, code, "{fields:?}"),
            }
        }
    }
}
