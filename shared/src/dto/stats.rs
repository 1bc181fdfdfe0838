//! Statistics (`GET /api/v1/organisations/{id}/stats`, `/territories/{id}/stats`, `/stats/me`,
//! `/public/stats`): counts of the RDVs the caller may read in detail, per status, origin,
//! service, location type, week and motif. The public answer has no per-motif figures and no
//! personal data of any kind.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rdv_search::StatusCounts;

/// One named figure: `key` is stable (an enum value or an id), `label` is French.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: i64,
}

/// One week (Monday to Sunday in the organisation's zone) of RDVs by their start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WeekStats {
    /// The week's Monday.
    pub week: NaiveDate,
    pub total: i64,
    pub by_status: StatusCounts,
    /// Every origin, zeros included, in `RdvOrigin::ALL` order.
    pub by_origin: Vec<Count>,
    pub by_service: Vec<Count>,
    pub by_location_type: Vec<Count>,
    /// Absences non excusées / (honorés + absences non excusées); `null` with neither.
    pub noshow_rate: Option<f64>,
}

/// One motif's figures (the no-show rate per motif).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifStats {
    pub motif_id: i32,
    pub name: String,
    pub service: String,
    pub total: i64,
    pub seen: i64,
    pub noshow: i64,
    pub noshow_rate: Option<f64>,
}

/// One organisation's totals (territory and public statistics).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OrganisationStats {
    pub organisation_id: i32,
    pub name: String,
    pub total: i64,
    pub by_status: StatusCounts,
}

/// Notifications sent about these RDVs, per channel and result (receipts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NotificationStats {
    /// `mail`, `sms` or `webhook`.
    pub channel: String,
    /// The receipt's result (`sent`, `failed`…).
    pub result: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: i64,
    pub by_status: StatusCounts,
    pub by_origin: Vec<Count>,
    pub by_service: Vec<Count>,
    pub by_location_type: Vec<Count>,
    /// Every week of the range, empty ones included.
    pub weekly: Vec<WeekStats>,
    /// Most RDVs first (empty in the public statistics).
    pub by_motif: Vec<MotifStats>,
    /// Per organisation (territory and public statistics; one line otherwise).
    pub organisations: Vec<OrganisationStats>,
    /// Notification receipts of these RDVs (empty in the public statistics).
    pub notifications: Vec<NotificationStats>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StatsResponse {
    pub stats: Stats,
}
