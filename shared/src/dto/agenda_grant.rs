//! Agenda access grants over the API (`/api/v1/agenda_grants`, issue 6).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::access::{AgendaLevel, GrantRule};
use crate::pagination::Meta;
use crate::{AgentId, OrganisationId};

/// A grant as stored: the rule, its origin and who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaGrant {
    pub id: i32,
    #[serde(flatten)]
    pub rule: GrantRule,
    /// `join` (made when the agent joined an organisation, seed 001) or `manual`.
    pub origin: String,
    /// Human description, in French: "Julien Lefebvre → agendas PMI de MDS Arras : écriture".
    pub label: String,
    pub created_by_agent_id: Option<AgentId>,
    pub created_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaGrantResponse {
    pub agenda_grant: AgendaGrant,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaGrantsResponse {
    pub agenda_grants: Vec<AgendaGrant>,
    pub meta: Meta,
}

/// `POST /api/v1/agenda_grants/copy`: "copier les accès de X vers Y" (seed 001).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyGrantsRequest {
    pub from_agent_id: AgentId,
    pub to_agent_id: AgentId,
    /// Preview only: nothing is written.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a copy creates (or would create) and what it leaves (already granted, or not yours to
/// manage).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CopyGrantsResponse {
    pub dry_run: bool,
    /// The rules for the new grantee: created, or to be created on a dry run.
    pub created: Vec<GrantRule>,
    /// Already granted to the new grantee.
    pub already: Vec<GrantRule>,
    /// Grants of the source the caller may not manage (not copied).
    pub not_allowed: Vec<GrantRule>,
}

/// One line of "who can see this agenda": an agent, in an organisation of the agenda's agent,
/// at a level, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaAccess {
    pub agent_id: AgentId,
    pub agent_name: String,
    pub organisation_id: OrganisationId,
    /// For RDVs of the agenda's agent's own services.
    pub level: AgendaLevel,
    /// "soi-même", "administrateur", "secrétariat", "même service", "membre de l'organisation",
    /// or the grant's label.
    pub reason: String,
    pub grant_id: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AgendaAccessResponse {
    /// Who can see this agent's agenda.
    pub viewers: Vec<AgendaAccess>,
    /// Grants naming this agent (or their teams / services) as grantee: whose agendas they see.
    pub grants_received: Vec<AgendaGrant>,
}
