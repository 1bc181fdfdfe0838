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
}
