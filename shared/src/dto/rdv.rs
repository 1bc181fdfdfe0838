//! RDVs and participations: API v1's `rdv` and `participation` objects (reference-api-v1.md
//! §4.6–4.7) plus what the SPA needs (allowed transitions, `notify`, `time_zone`), and the
//! write bodies of `/api/v1/rdvs` and `/api/v1/participations/{id}`.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::dto::user::nullable;
use crate::dto::{Agent, Lieu, Motif, Organisation, User};
use crate::enums::RdvStatus;
use crate::pagination::Meta;
use crate::{AgentId, OrganisationId, UserId};

/// One usager's place in an RDV, with their own status and notification switches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Participation {
    pub id: i32,
    pub status: RdvStatus,
    pub send_lifecycle_notifications: bool,
    pub send_reminder_notification: bool,
    /// Deprecated in API v1: `agent`, `user` or `prescripteur`.
    pub created_by: String,
    pub created_by_type: String,
    pub created_by_id: Option<i32>,
    pub created_by_agent_prescripteur: bool,
    pub user: User,
    /// Statuses an agent may move this participation to now.
    pub transitions: Vec<RdvStatus>,
}

/// An RDV as API v1 renders it (`users` is deprecated: read `participations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Rdv {
    pub id: i32,
    /// Lieu address (on site), the first usager's address (home), else `""`.
    pub address: String,
    pub agents: Vec<Agent>,
    pub cancelled_at: Option<DateTime<FixedOffset>>,
    pub collectif: bool,
    pub context: Option<String>,
    /// Deprecated in API v1: `agent`, `user`, `prescripteur`.
    pub created_by: String,
    pub created_by_id: Option<i32>,
    /// `Agent`, `User` or `Prescripteur`.
    pub created_by_type: String,
    pub created_at: DateTime<FixedOffset>,
    pub duration_in_min: i32,
    pub ends_at: DateTime<FixedOffset>,
    pub lieu: Option<Lieu>,
    pub max_participants_count: Option<i32>,
    pub motif: Motif,
    pub name: Option<String>,
    /// `false` when "ne pas notifier" was chosen at booking time.
    pub notify: bool,
    pub organisation: Organisation,
    pub participations: Vec<Participation>,
    pub starts_at: DateTime<FixedOffset>,
    pub status: RdvStatus,
    /// The organisation's zone.
    pub time_zone: String,
    /// Statuses an agent may move the RDV to now.
    pub transitions: Vec<RdvStatus>,
    /// Deprecated in API v1.
    pub users: Vec<User>,
    /// Participations not excused nor revoked.
    pub users_count: i32,
    pub uuid: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RdvResponse {
    pub rdv: Rdv,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RdvsResponse {
    pub rdvs: Vec<Rdv>,
    pub meta: Meta,
}

/// `POST /api/v1/rdvs`. Individual motifs need at least one usager; collective ones a `name`
/// is usual and `max_participants_count` optional (null: unlimited).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRdvRequest {
    pub organisation_id: OrganisationId,
    pub motif_id: i32,
    /// Required for on-site motifs; a single-use lieu is allowed.
    #[serde(default)]
    pub lieu_id: Option<i32>,
    pub agent_ids: Vec<AgentId>,
    #[serde(default)]
    pub user_ids: Vec<UserId>,
    pub starts_at: DateTime<FixedOffset>,
    /// Default: the motif's duration.
    #[serde(default)]
    pub duration_in_min: Option<i32>,
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub max_participants_count: Option<i32>,
    /// `false`: "ne pas notifier" (no creation, change or reminder notification for this RDV).
    #[serde(default)]
    pub notify: Option<bool>,
    #[serde(default)]
    pub ignore_benign_errors: bool,
}

/// `PATCH /api/v1/rdvs/{id}`: any of the creation fields, and `status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRdvRequest {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub lieu_id: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_ids: Option<Vec<AgentId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<UserId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_in_min: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub context: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>))]
    pub name: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "server", schema(value_type = Option<i32>))]
    pub max_participants_count: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RdvStatus>,
    #[serde(default)]
    pub ignore_benign_errors: bool,
}

/// The fields of a participation an agent changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ParticipationChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RdvStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_lifecycle_notifications: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_reminder_notification: Option<bool>,
}

/// `PATCH /api/v1/participations/{id}` (reference V2): `{"participation": {"status": "seen"}}`
/// or the flat `{"status": "seen"}` rdv-insertion sends.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateParticipationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<ParticipationChanges>,
    #[serde(flatten)]
    pub flat: ParticipationChanges,
}

impl UpdateParticipationRequest {
    /// The wrapped form wins over the flat one.
    pub fn changes(self) -> ParticipationChanges {
        self.participation.unwrap_or(self.flat)
    }
}
