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

impl Me {
    /// "Camille Martin", or the last name alone.
    pub fn full_name(&self) -> String {
        match &self.first_name {
            Some(first) if !first.is_empty() => format!("{first} {}", self.last_name),
            _ => self.last_name.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub agent: Me,
}
