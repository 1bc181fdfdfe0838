//! Agent bodies: the API v1 agent, and the signed-in agent's profile (`/api/v1/me`).

use serde::{Deserialize, Serialize};

use crate::access::AccessLevel;
use crate::pagination::Meta;
use crate::{AgentId, OrganisationId, ServiceId, TerritoryId};

/// An agent as RDV-Solidarités' API v1 renders it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: AgentId,
    /// Null for intervenants, who have no login.
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    /// Kept for API v1 compatibility; always null (no InclusionConnect here).
    pub inclusion_connect_open_id_sub: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgentsResponse {
    pub agents: Vec<Agent>,
    pub meta: Meta,
}

/// A service of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub short_name: String,
}

/// One of the signed-in agent's roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MyRole {
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub access_level: AccessLevel,
}

/// The signed-in agent with what the SPA needs to build its shell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Me {
    pub id: AgentId,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub roles: Vec<MyRole>,
    pub services: Vec<Service>,
    /// Territories where the agent is "Admin de territoire".
    pub territorial_admin_of: Vec<TerritoryId>,
}

/// How an agent is named everywhere: "Camille Martin", or the last name alone.
pub fn display_name(first_name: Option<&str>, last_name: &str) -> String {
    match first_name.map(str::trim) {
        Some(first) if !first.is_empty() => format!("{first} {last_name}"),
        _ => last_name.to_owned(),
    }
}

impl Me {
    pub fn full_name(&self) -> String {
        display_name(self.first_name.as_deref(), &self.last_name)
    }
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn display_name_table() {
        assert_eq!(display_name(Some("Camille"), "Martin"), "Camille Martin");
        assert_eq!(display_name(Some(" "), "Martin"), "Martin");
        assert_eq!(display_name(None, "Salle de pesée"), "Salle de pesée");
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub agent: Me,
}

/// Notification levels and display preferences of an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgentPreferences {
    pub rdv_notifications_level: crate::enums::RdvNotificationsLevel,
    pub plage_ouverture_notification_level: crate::enums::NotificationLevel,
    pub absence_notification_level: crate::enums::NotificationLevel,
    pub display_saturdays: bool,
}

/// Where an agent's invitation stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InvitationStatus {
    /// `pending`, `accepted`, `expired`, `revoked`, or `none` (intervenants, CLI-created agents).
    pub state: String,
    pub invited_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub accepted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Everything an admin screen shows about an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgentDetail {
    pub id: AgentId,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub roles: Vec<MyRole>,
    pub services: Vec<Service>,
    pub territorial_admin_of: Vec<TerritoryId>,
    pub preferences: AgentPreferences,
    pub invitation: InvitationStatus,
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgentDetailResponse {
    pub agent: AgentDetail,
}

/// The invitation link, shown once to the inviting admin so it can be handed over another way
/// when the email is lost (seed 002, RDV-S #1721).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InvitationLink {
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /api/v1/organisations/{organisation_id}/agents` response.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InviteAgentResponse {
    pub agent: AgentDetail,
    /// Null when no invitation was needed (an intervenant, or an agent who already has an account).
    pub invitation: Option<InvitationLink>,
}

/// `POST /api/v1/organisations/{organisation_id}/agents`: invite an agent by email (or add an
/// intervenant, who has no email), with a role and services.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteAgentRequest {
    /// Required except for intervenants.
    pub email: Option<String>,
    pub first_name: Option<String>,
    /// Required for intervenants; optional otherwise (the agent fills it in when accepting).
    pub last_name: Option<String>,
    pub access_level: AccessLevel,
    pub service_ids: Vec<ServiceId>,
}

/// `PATCH /api/v1/agents/{id}`: profile (the agent or a manager), services (managers), preferences
/// (the agent). Absent fields unchanged; `service_ids` replaces the set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAgentRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub service_ids: Option<Vec<ServiceId>>,
    pub rdv_notifications_level: Option<crate::enums::RdvNotificationsLevel>,
    pub plage_ouverture_notification_level: Option<crate::enums::NotificationLevel>,
    pub absence_notification_level: Option<crate::enums::NotificationLevel>,
    pub display_saturdays: Option<bool>,
}

/// `PATCH /api/v1/agents/{id}/roles/{organisation_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleRequest {
    pub access_level: AccessLevel,
}

/// What the invitation page shows before the agent chooses a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InvitationPreview {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: String,
    pub organisation_name: String,
    pub invited_by: Option<String>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InvitationPreviewResponse {
    pub invitation: InvitationPreview,
}

/// `POST /api/v1/invitations/{token}/accept`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}
