//! Plages d'ouverture, absences and the agenda feed (`GET /api/v1/agenda`).
//!
//! Times of day are wall-clock `HH:MM[:SS]` read in the organisation's zone (absences: in the
//! zone of the agent's first organisation); instants are RFC 3339 with that zone's offset.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::access::AgendaLevel;
use crate::dto::user::nullable;
use crate::dto::{Agent, Organisation};
use crate::enums::{LocationType, RdvStatus};
use crate::pagination::Meta;
use crate::recurrence::Recurrence;
use crate::{AgentId, OrganisationId, ServiceId, UserId};

/// A motif as agendas show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MotifBrief {
    pub id: i32,
    pub name: String,
    pub color: String,
    pub service_id: ServiceId,
    pub location_type: LocationType,
    pub collectif: bool,
    pub default_duration_in_min: i32,
}

/// A lieu as agendas show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LieuBrief {
    pub id: i32,
    pub name: String,
    pub address: String,
}

/// A plage d'ouverture: when an agent receives for some motifs at a lieu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlageOuverture {
    pub id: i32,
    pub agent: Agent,
    pub organisation: Organisation,
    pub lieu: Option<LieuBrief>,
    pub motifs: Vec<MotifBrief>,
    pub title: String,
    pub first_day: NaiveDate,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "09:00:00"))]
    pub start_time: NaiveTime,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "12:00:00"))]
    pub end_time: NaiveTime,
    /// `null`: once.
    pub recurrence: Option<Recurrence>,
    /// iCalendar RRULE of `recurrence` (reference format, no trailing `;`).
    pub rrule: Option<String>,
    pub ical_uid: String,
    /// The organisation's zone, in which the times are read.
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlageOuvertureResponse {
    pub plage_ouverture: PlageOuverture,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlageOuverturesResponse {
    pub plage_ouvertures: Vec<PlageOuverture>,
    pub meta: Meta,
}

/// `POST /api/v1/plage_ouvertures`. The agent by `agent_id` or `agent_email` (default: oneself).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePlageRequest {
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    #[serde(default)]
    pub agent_email: Option<String>,
    pub organisation_id: OrganisationId,
    /// Required when one of the motifs is on site.
    #[serde(default)]
    pub lieu_id: Option<i32>,
    pub motif_ids: Vec<i32>,
    pub title: String,
    pub first_day: NaiveDate,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "09:00"))]
    pub start_time: NaiveTime,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "12:00"))]
    pub end_time: NaiveTime,
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// Confirms the warnings (overlap with another plage of the agent…).
    #[serde(default)]
    pub ignore_benign_errors: bool,
}

/// `PATCH /api/v1/plage_ouvertures/{id}`: any field; `null` clears `lieu_id` or `recurrence`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePlageRequest {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub lieu_id: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motif_ids: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub start_time: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub end_time: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<Recurrence>))]
    pub recurrence: Option<Option<Recurrence>>,
    #[serde(default)]
    pub ignore_benign_errors: bool,
}

/// An absence ("indisponibilité"), as API v1 renders it plus `recurrence` and `time_zone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Absence {
    pub id: i32,
    pub agent: Agent,
    /// The agent's first organisation (legacy field of API v1); an absence applies everywhere.
    pub organisation: Option<Organisation>,
    pub title: String,
    pub first_day: NaiveDate,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "08:00:00"))]
    pub start_time: NaiveTime,
    pub end_day: NaiveDate,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "18:00:00"))]
    pub end_time: NaiveTime,
    pub recurrence: Option<Recurrence>,
    pub rrule: Option<String>,
    pub ical_uid: String,
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AbsenceResponse {
    pub absence: Absence,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AbsencesResponse {
    pub absences: Vec<Absence>,
    pub meta: Meta,
}

/// `POST /api/v1/absences` (reference B2): the agent by `agent_id`, else `agent_email`
/// (default: oneself); `end_day` defaults to `first_day`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreateAbsenceRequest {
    #[serde(default)]
    pub agent_id: Option<AgentId>,
    #[serde(default)]
    pub agent_email: Option<String>,
    pub title: String,
    pub first_day: NaiveDate,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "08:00"))]
    pub start_time: NaiveTime,
    #[serde(default)]
    pub end_day: Option<NaiveDate>,
    #[cfg_attr(feature = "server", schema(value_type = String, example = "18:00"))]
    pub end_time: NaiveTime,
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

/// `PATCH /api/v1/absences/{id}` (reference B4) plus `recurrence`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateAbsenceRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub start_time: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_day: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub end_time: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<Recurrence>))]
    pub recurrence: Option<Option<Recurrence>>,
}

/// What an agenda event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Rdv,
    Plage,
    Absence,
}

/// A usager as agendas name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserBrief {
    pub id: UserId,
    pub full_name: String,
}

/// One event of an agent's agenda, projected to the viewer's `level`: at `busy` it carries no
/// id, title, usager, motif, context or status (the lieu only for on-site motifs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaEvent {
    pub kind: EventKind,
    pub level: AgendaLevel,
    /// The RDV's, plage's or absence's id (absent at `busy`).
    pub id: Option<i32>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub organisation_id: Option<OrganisationId>,
    /// Usager names or collective title for RDVs, the title of plages and absences; "Occupé" /
    /// "Indisponible" at `busy`.
    pub title: String,
    pub color: Option<String>,
    pub lieu: Option<LieuBrief>,
    pub status: Option<RdvStatus>,
    pub motif: Option<MotifBrief>,
    /// Plages: the motifs offered.
    pub motifs: Vec<MotifBrief>,
    pub users: Vec<UserBrief>,
    pub collectif: bool,
    pub users_count: Option<i32>,
    pub max_participants_count: Option<i32>,
    /// Plages and absences: part of a recurrence.
    pub recurring: bool,
}

/// A public holiday of the agent's territories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// One agent's column of the agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgentAgenda {
    pub agent: Agent,
    pub events: Vec<AgendaEvent>,
    pub holidays: Vec<Holiday>,
}

/// `GET /api/v1/agenda`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaResponse {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// The zone instants are rendered in (the viewer's first organisation unless `time_zone`
    /// was asked for).
    pub time_zone: String,
    pub agendas: Vec<AgentAgenda>,
}
