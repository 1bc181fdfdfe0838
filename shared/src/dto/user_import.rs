//! Bulk usager import bodies: a CSV or XLSX file, a column mapping, a job with progress and a
//! per-row report (issue 4; the reference had no import, reference-domain.md §7.1).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{OrganisationId, UserId};

/// `POST /api/v1/users/imports`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserImportRequest {
    pub organisation_id: OrganisationId,
    /// `…​.csv` or `….xlsx`: the extension says how to read the file.
    pub filename: String,
    /// The file, base64-encoded.
    pub content_base64: String,
    /// Usager field → column header. Absent fields are looked up by their usual headers
    /// ("Nom", "Prénom", "Date de naissance", "Téléphone", "Email", "Adresse", "N° CAF"…).
    #[serde(default)]
    pub mapping: BTreeMap<String, String>,
}

/// The fate of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportRowStatus {
    /// A new usager.
    Created,
    /// An existing usager (same email, or same names + birth date, or same names + phone): attached, not duplicated.
    Matched,
    /// Created, but looks like an existing usager (same phone): check it.
    Warning,
    /// Nothing done; see `message`.
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportRowReport {
    /// Line in the file (the header is line 1).
    pub line: u32,
    pub status: ImportRowStatus,
    pub user_id: Option<UserId>,
    pub first_name: String,
    pub last_name: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserImport {
    pub id: i32,
    pub organisation_id: OrganisationId,
    pub filename: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    pub total_rows: i32,
    pub done_rows: i32,
    pub created_count: i32,
    pub matched_count: i32,
    pub warning_count: i32,
    pub error_count: i32,
    /// Why the whole file was refused (unreadable file, missing columns).
    pub failure: Option<String>,
    pub rows: Vec<ImportRowReport>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserImportResponse {
    pub user_import: UserImport,
}
