//! Motif (appointment type) bodies and their validation (reference §1.5).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::enums::{BookableBy, LocationType, SectorisationLevel, VisibilityType};
use crate::pagination::Meta;
use crate::validation::{self, Errors};
use crate::{OrganisationId, ServiceId};

/// Public booking delays are bounded as in RDV-Solidarités: at least 30 minutes ahead…
pub const MIN_BOOKING_DELAY_FLOOR: i32 = 30 * 60;
/// …and at most a year ahead.
pub const MAX_BOOKING_DELAY_CEILING: i32 = 366 * 24 * 3600;

/// A motif category (RSA orientation, etc.).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifCategory {
    pub id: i32,
    pub name: String,
    pub short_name: String,
}

/// A motif as the API renders it: the reference's API v1 fields plus every setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Motif {
    pub id: i32,
    pub organisation_id: OrganisationId,
    pub service_id: ServiceId,
    pub motif_category: Option<MotifCategory>,
    pub name: String,
    /// CSS colour of its RDVs in agendas, `#rrggbb`.
    pub color: String,
    pub default_duration_in_min: i32,
    /// Minutes between two slot starts in slot search; `null`: the duration (back to back).
    pub slot_step_in_min: Option<i32>,
    pub location_type: LocationType,
    pub bookable_by: BookableBy,
    /// API v1 compatibility: `bookable_by` is `everyone` or `agents_and_prescripteurs_and_invited_users`.
    pub bookable_publicly: bool,
    pub collectif: bool,
    /// Seconds.
    pub min_public_booking_delay: i32,
    /// Seconds.
    pub max_public_booking_delay: i32,
    pub visibility_type: VisibilityType,
    pub sectorisation_level: SectorisationLevel,
    pub follow_up: bool,
    pub for_secretariat: bool,
    pub instruction_for_rdv: Option<String>,
    pub restriction_for_rdv: Option<String>,
    pub custom_cancel_warning_message: Option<String>,
    pub rdvs_editable_by_user: bool,
    pub rdvs_cancellable_by_user: bool,
    /// `false` once deleted (soft delete).
    pub active: bool,
    pub deleted_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifResponse {
    pub motif: Motif,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifsResponse {
    pub motifs: Vec<Motif>,
    pub meta: Meta,
}

/// Every editable setting of a motif, validated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifSettings {
    pub name: String,
    pub service_id: ServiceId,
    pub motif_category_id: Option<i32>,
    pub color: String,
    pub default_duration_in_min: i32,
    pub slot_step_in_min: Option<i32>,
    pub location_type: LocationType,
    pub bookable_by: BookableBy,
    pub collectif: bool,
    pub min_public_booking_delay: i32,
    pub max_public_booking_delay: i32,
    pub visibility_type: VisibilityType,
    pub sectorisation_level: SectorisationLevel,
    pub follow_up: bool,
    pub for_secretariat: bool,
    pub instruction_for_rdv: Option<String>,
    pub restriction_for_rdv: Option<String>,
    pub custom_cancel_warning_message: Option<String>,
    pub rdvs_editable_by_user: bool,
    pub rdvs_cancellable_by_user: bool,
}

/// `POST /api/v1/organisations/{organisation_id}/motifs`: `name`, `service_id` and `color` are
/// required; every other setting has the reference's default.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMotifRequest {
    pub name: String,
    pub service_id: ServiceId,
    pub color: String,
    pub motif_category_id: Option<i32>,
    /// Default 30.
    pub default_duration_in_min: Option<i32>,
    /// Minutes between two slot starts, shorter than the duration (default: the duration).
    pub slot_step_in_min: Option<i32>,
    /// Default `public_office`.
    pub location_type: Option<LocationType>,
    /// Default `agents`.
    pub bookable_by: Option<BookableBy>,
    pub collectif: Option<bool>,
    /// Seconds, default 1800.
    pub min_public_booking_delay: Option<i32>,
    /// Seconds, default 7 889 238 (≈ 3 months).
    pub max_public_booking_delay: Option<i32>,
    pub visibility_type: Option<VisibilityType>,
    pub sectorisation_level: Option<SectorisationLevel>,
    pub follow_up: Option<bool>,
    pub for_secretariat: Option<bool>,
    pub instruction_for_rdv: Option<String>,
    pub restriction_for_rdv: Option<String>,
    pub custom_cancel_warning_message: Option<String>,
    pub rdvs_editable_by_user: Option<bool>,
    pub rdvs_cancellable_by_user: Option<bool>,
}

impl CreateMotifRequest {
    pub fn into_settings(self) -> MotifSettings {
        MotifSettings {
            name: self.name,
            service_id: self.service_id,
            motif_category_id: self.motif_category_id,
            color: self.color,
            default_duration_in_min: self.default_duration_in_min.unwrap_or(30),
            slot_step_in_min: self.slot_step_in_min,
            location_type: self.location_type.unwrap_or(LocationType::PublicOffice),
            bookable_by: self.bookable_by.unwrap_or(BookableBy::Agents),
            collectif: self.collectif.unwrap_or(false),
            min_public_booking_delay: self.min_public_booking_delay.unwrap_or(MIN_BOOKING_DELAY_FLOOR),
            max_public_booking_delay: self.max_public_booking_delay.unwrap_or(7_889_238),
            visibility_type: self.visibility_type.unwrap_or(VisibilityType::VisibleAndNotified),
            sectorisation_level: self.sectorisation_level.unwrap_or(SectorisationLevel::Departement),
            follow_up: self.follow_up.unwrap_or(false),
            for_secretariat: self.for_secretariat.unwrap_or(false),
            instruction_for_rdv: self.instruction_for_rdv,
            restriction_for_rdv: self.restriction_for_rdv,
            custom_cancel_warning_message: self.custom_cancel_warning_message,
            rdvs_editable_by_user: self.rdvs_editable_by_user.unwrap_or(true),
            rdvs_cancellable_by_user: self.rdvs_cancellable_by_user.unwrap_or(true),
        }
    }
}

impl From<MotifSettings> for CreateMotifRequest {
    /// The creation request that yields exactly these settings.
    fn from(s: MotifSettings) -> Self {
        CreateMotifRequest {
            name: s.name,
            service_id: s.service_id,
            color: s.color,
            motif_category_id: s.motif_category_id,
            default_duration_in_min: Some(s.default_duration_in_min),
            slot_step_in_min: s.slot_step_in_min,
            location_type: Some(s.location_type),
            bookable_by: Some(s.bookable_by),
            collectif: Some(s.collectif),
            min_public_booking_delay: Some(s.min_public_booking_delay),
            max_public_booking_delay: Some(s.max_public_booking_delay),
            visibility_type: Some(s.visibility_type),
            sectorisation_level: Some(s.sectorisation_level),
            follow_up: Some(s.follow_up),
            for_secretariat: Some(s.for_secretariat),
            instruction_for_rdv: s.instruction_for_rdv,
            restriction_for_rdv: s.restriction_for_rdv,
            custom_cancel_warning_message: s.custom_cancel_warning_message,
            rdvs_editable_by_user: Some(s.rdvs_editable_by_user),
            rdvs_cancellable_by_user: Some(s.rdvs_cancellable_by_user),
        }
    }
}

/// `PATCH /api/v1/motifs/{id}`: absent fields unchanged; optional texts cleared by `null` or `""`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMotifRequest {
    pub name: Option<String>,
    pub service_id: Option<ServiceId>,
    pub color: Option<String>,
    #[serde(default, deserialize_with = "some_i32")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub motif_category_id: Option<Option<i32>>,
    pub default_duration_in_min: Option<i32>,
    /// `null` goes back to the duration.
    #[serde(default, deserialize_with = "some_i32")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub slot_step_in_min: Option<Option<i32>>,
    pub location_type: Option<LocationType>,
    pub bookable_by: Option<BookableBy>,
    pub collectif: Option<bool>,
    pub min_public_booking_delay: Option<i32>,
    pub max_public_booking_delay: Option<i32>,
    pub visibility_type: Option<VisibilityType>,
    pub sectorisation_level: Option<SectorisationLevel>,
    pub follow_up: Option<bool>,
    pub for_secretariat: Option<bool>,
    #[serde(default, with = "crate::dto::organisation::double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub instruction_for_rdv: Option<Option<String>>,
    #[serde(default, with = "crate::dto::organisation::double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub restriction_for_rdv: Option<Option<String>>,
    #[serde(default, with = "crate::dto::organisation::double_option")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub custom_cancel_warning_message: Option<Option<String>>,
    pub rdvs_editable_by_user: Option<bool>,
    pub rdvs_cancellable_by_user: Option<bool>,
}

fn some_i32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    Option::<i32>::deserialize(d).map(Some)
}

impl UpdateMotifRequest {
    /// The settings after this patch.
    pub fn apply(self, mut s: MotifSettings) -> MotifSettings {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { s.$f = v; } )*};
        }
        set!(
            name,
            service_id,
            color,
            motif_category_id,
            default_duration_in_min,
            slot_step_in_min,
            location_type,
            bookable_by,
            collectif,
            min_public_booking_delay,
            max_public_booking_delay,
            visibility_type,
            sectorisation_level,
            follow_up,
            for_secretariat,
            instruction_for_rdv,
            restriction_for_rdv,
            custom_cancel_warning_message,
            rdvs_editable_by_user,
            rdvs_cancellable_by_user
        );
        s
    }
}

/// `#rgb` or `#rrggbb`.
pub fn color(value: &str) -> Result<(), &'static str> {
    let hex = value.strip_prefix('#').ok_or("invalid")?;
    if matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err("invalid")
    }
}

impl MotifSettings {
    /// Trims texts; blank optional texts become `None`; colours are lower-case.
    pub fn normalised(mut self) -> Self {
        let opt = |v: Option<String>| validation::optional_text(v.as_deref());
        self.name = self.name.trim().to_owned();
        self.color = self.color.trim().to_lowercase();
        self.instruction_for_rdv = opt(self.instruction_for_rdv);
        self.restriction_for_rdv = opt(self.restriction_for_rdv);
        self.custom_cancel_warning_message = opt(self.custom_cancel_warning_message);
        self
    }

    /// The rules that need no database (the server adds: service not Secrétariat, name unique).
    pub fn validate(&self) -> Errors {
        let mut e = Errors::default();
        e.check("name", validation::required_text(&self.name, 255));
        e.check("color", color(&self.color));
        if !(1..=1440).contains(&self.default_duration_in_min) {
            e.add("default_duration_in_min", "invalid");
        }
        // A step is 5 minutes at least (the grid slots start on) and shorter than the duration.
        if self.slot_step_in_min.is_some_and(|m| m < 5 || m % 5 != 0 || m > self.default_duration_in_min) {
            e.add("slot_step_in_min", "invalid");
        }
        if self.min_public_booking_delay < MIN_BOOKING_DELAY_FLOOR {
            e.add("min_public_booking_delay", "greater_than_or_equal_to");
        }
        if self.max_public_booking_delay > MAX_BOOKING_DELAY_CEILING {
            e.add("max_public_booking_delay", "less_than_or_equal_to");
        } else if self.max_public_booking_delay <= self.min_public_booking_delay {
            e.add("max_public_booking_delay", "greater_than");
        }
        if self.collectif && self.location_type != LocationType::PublicOffice {
            // Collective sessions happen on site (reference §1.5).
            e.add("location_type", "invalid");
        }
        if self.follow_up && self.for_secretariat {
            e.add("for_secretariat", "invalid");
        }
        for (field, value, max) in [
            ("instruction_for_rdv", &self.instruction_for_rdv, 5000),
            ("restriction_for_rdv", &self.restriction_for_rdv, 5000),
            ("custom_cancel_warning_message", &self.custom_cancel_warning_message, 1000),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > max) {
                e.add(field, "too_long");
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> MotifSettings {
        CreateMotifRequest {
            name: "Consultation PMI nourrisson".into(),
            service_id: ServiceId(1),
            color: "#1F77B4".into(),
            ..Default::default()
        }
        .into_settings()
    }

    #[test]
    fn defaults_are_the_references() {
        let s = base();
        assert_eq!(s.default_duration_in_min, 30);
        assert_eq!(s.location_type, LocationType::PublicOffice);
        assert_eq!(s.bookable_by, BookableBy::Agents);
        assert_eq!((s.min_public_booking_delay, s.max_public_booking_delay), (1800, 7_889_238));
        assert!(s.rdvs_editable_by_user && s.rdvs_cancellable_by_user);
        assert!(base().normalised().validate().is_empty());
        assert_eq!(base().normalised().color, "#1f77b4");
    }

    #[test]
    fn motif_validation_table() {
        let cases: Vec<(MotifSettings, &str, &str)> = vec![
            (MotifSettings { name: "".into(), ..base() }, "name", "blank"),
            (MotifSettings { color: "blue".into(), ..base() }, "color", "invalid"),
            (MotifSettings { color: "#12345".into(), ..base() }, "color", "invalid"),
            (MotifSettings { default_duration_in_min: 0, ..base() }, "default_duration_in_min", "invalid"),
            (
                MotifSettings { min_public_booking_delay: 60, ..base() },
                "min_public_booking_delay",
                "greater_than_or_equal_to",
            ),
            (
                MotifSettings { min_public_booking_delay: 7200, max_public_booking_delay: 3600, ..base() },
                "max_public_booking_delay",
                "greater_than",
            ),
            (
                MotifSettings { max_public_booking_delay: MAX_BOOKING_DELAY_CEILING + 1, ..base() },
                "max_public_booking_delay",
                "less_than_or_equal_to",
            ),
            (
                MotifSettings { collectif: true, location_type: LocationType::Phone, ..base() },
                "location_type",
                "invalid",
            ),
            (MotifSettings { follow_up: true, for_secretariat: true, ..base() }, "for_secretariat", "invalid"),
            (
                MotifSettings { instruction_for_rdv: Some("x".repeat(5001)), ..base() },
                "instruction_for_rdv",
                "too_long",
            ),
        ];
        for (settings, field, code) in cases {
            let errors = settings.normalised().validate();
            assert_eq!(errors.fields.get(field).map(|v| v[0].error.as_str()), Some(code), "{field}: {errors:?}");
        }
    }

    #[test]
    fn settings_round_trip_through_a_creation_request() {
        let s = MotifSettings {
            location_type: LocationType::Home,
            bookable_by: BookableBy::Everyone,
            follow_up: true,
            rdvs_editable_by_user: false,
            instruction_for_rdv: Some("Carnet de santé".into()),
            motif_category_id: Some(2),
            ..base()
        };
        assert_eq!(CreateMotifRequest::from(s.clone()).into_settings(), s);
    }

    #[test]
    fn patch_changes_only_what_it_names() {
        let patch = UpdateMotifRequest {
            name: Some("Pesée".into()),
            instruction_for_rdv: Some(None),
            motif_category_id: Some(Some(3)),
            ..Default::default()
        };
        let mut before = base();
        before.instruction_for_rdv = Some("Apportez le carnet de santé".into());
        let after = patch.apply(before.clone());
        assert_eq!(after.name, "Pesée");
        assert_eq!(after.instruction_for_rdv, None);
        assert_eq!(after.motif_category_id, Some(3));
        assert_eq!(after.color, before.color);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifCategoriesResponse {
    pub motif_categories: Vec<MotifCategory>,
    pub meta: Meta,
}
