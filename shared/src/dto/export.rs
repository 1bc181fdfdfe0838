//! RDV and participation exports (`POST /api/v1/exports`): the request is the RDV list's filters
//! plus what to export and in which format; the answer follows the background job's progress.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::rdv_search::RdvSearch;
use crate::pagination::Meta;

/// One line per RDV, or one per participation (usager of an RDV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Rdvs,
    Participations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Excel 2007+ workbook.
    Xlsx,
    /// UTF-8 with a byte-order mark, `;`-separated (opens in spreadsheet software as is).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Pending,
    Running,
    Done,
    Failed,
}

impl ExportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Rdvs => "rdvs",
            ExportKind::Participations => "participations",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ExportKind::Rdvs, ExportKind::Participations].into_iter().find(|k| k.as_str() == s)
    }
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ExportFormat::Xlsx, ExportFormat::Csv].into_iter().find(|k| k.as_str() == s)
    }
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Pending => "pending",
            ExportStatus::Running => "running",
            ExportStatus::Done => "done",
            ExportStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ExportStatus::Pending, ExportStatus::Running, ExportStatus::Done, ExportStatus::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// `POST /api/v1/exports`: what to export, and the list's filters (`organisation_ids`, `from`,
/// `to`, `status`, …) at the same level.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreateExportRequest {
    pub kind: ExportKind,
    pub format: ExportFormat,
    #[serde(flatten)]
    pub filters: RdvSearch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Export {
    pub id: i32,
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub status: ExportStatus,
    /// `rows_done / row_count`, from 0 to 1 (1 when done, also for an empty export).
    pub progress: f64,
    pub rows_done: i32,
    pub row_count: i32,
    /// As the reference names it: `export-rdv-YYYY-MM-DD-org-000123.xlsx`.
    pub filename: String,
    /// Set once done, until it expires (requester only).
    pub download_url: Option<String>,
    pub failure: Option<String>,
    pub filters: RdvSearch,
    pub created_at: DateTime<FixedOffset>,
    /// The file is deleted then, and the export with it.
    pub expires_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ExportResponse {
    pub export: Export,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ExportsResponse {
    pub exports: Vec<Export>,
    pub meta: Meta,
}
