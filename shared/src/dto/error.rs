//! The documented error bodies (docs/API-DESIGN.md), as types so the SPA can parse them and
//! the OpenAPI document can describe them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validation::FieldError;

/// 400, 401, 413, 429, 500: `{"errors": ["…"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MessagesError {
    pub errors: Vec<String>,
}

/// 403: `{"errors": [{"base": "forbidden"}], "error_messages": ["…"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ForbiddenError {
    pub errors: Vec<BTreeMap<String, String>>,
    pub error_messages: Vec<String>,
}

/// A benign error: something the agent should know before confirming (reference
/// `BenignErrors`): an overlap, an absence, a slot outside the plages…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Warning {
    /// Stable code: `rdv_overlap`, `absence_overlap`, `outside_plages`, `same_day_rdv`,
    /// `in_the_past`, `hidden_conflict`, `plage_overlap`, `duration_exceeds_plage`, `name_too_long`.
    pub code: String,
    /// The French sentence shown to the agent.
    pub message: String,
}

/// 404: `{"not_found": "organisation"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NotFoundError {
    pub not_found: String,
}

/// 422: `{"success": false, "errors": {"name": [{"error": "blank"}]}, "error_messages": ["…"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ValidationError {
    pub success: bool,
    pub errors: BTreeMap<String, Vec<FieldError>>,
    pub error_messages: Vec<String>,
    /// Benign errors ("warnings"): the same request sent again with `ignore_benign_errors: true`
    /// goes through. Present only on 422 answers of writes that have them (RDVs, plages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}
