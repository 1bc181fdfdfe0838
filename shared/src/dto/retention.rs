//! Data retention (RGPD) bodies: a territory's policy, its next and last runs, and what a run
//! deleted (`GET`/`PUT /api/v1/territories/{id}/retention`, `rdv retention --dry-run`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long a territory keeps its personal data, in days (bounds: `rdv_shared::retention::BOUNDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionPolicy {
    /// RDVs are deleted this many days after they started (365–1825, default 730).
    #[cfg_attr(feature = "server", schema(minimum = 365, maximum = 1825))]
    pub rdv_days: i32,
    /// Usagers with no RDV left and no change for this many days are anonymised (365–1825, default 730).
    #[cfg_attr(feature = "server", schema(minimum = 365, maximum = 1825))]
    pub inactive_usager_days: i32,
    /// Notification receipts are deleted after this many days (180–1825, default 730).
    #[cfg_attr(feature = "server", schema(minimum = 180, maximum = 1825))]
    pub receipt_days: i32,
}

/// `{"retention_policy": …}`: the body of `PUT /api/v1/territories/{id}/retention`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionPolicyRequest {
    pub retention_policy: RetentionPolicy,
}

/// What one run deleted (or, for a dry run, would delete) in one territory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionCounts {
    pub rdvs_deleted: i64,
    pub usagers_anonymised: i64,
    pub usagers_deleted: i64,
    pub receipts_deleted: i64,
}

/// What one run deleted platform-wide (records not tied to one territory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PlatformRetentionCounts {
    /// Receipts of no organisation (agents' messages), kept as the default policy says.
    pub unattached_receipts_deleted: i64,
    /// Usagers already anonymised (no organisation left) whose last RDV is gone: row deleted.
    pub anonymised_usagers_deleted: i64,
    pub versions_deleted: i64,
    pub version_authors_blanked: i64,
    /// Logged reads of usagers by other organisations, kept as long as personal versions.
    pub usager_reads_deleted: i64,
    pub auth_tokens_deleted: i64,
    pub password_resets_deleted: i64,
    pub idempotency_keys_deleted: i64,
    pub exports_deleted: i64,
    pub outbox_rows_deleted: i64,
    pub webhook_deliveries_deleted: i64,
}

/// One territory's line of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TerritoryRetention {
    pub territory_id: i32,
    pub territory_name: String,
    pub policy: RetentionPolicy,
    pub counts: RetentionCounts,
}

/// A whole run: per territory, then platform-wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionReport {
    pub dry_run: bool,
    /// The instant the cutoffs were computed from.
    pub as_of: DateTime<Utc>,
    pub territories: Vec<TerritoryRetention>,
    pub platform: PlatformRetentionCounts,
}

/// A logged run, as the territory screen shows it (its territory's counts only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionRun {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub counts: RetentionCounts,
}

/// `GET /api/v1/territories/{id}/retention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionSettings {
    pub retention_policy: RetentionPolicy,
    /// The reference's defaults.
    pub defaults: RetentionPolicy,
    /// Smallest allowed values.
    pub minimum: RetentionPolicy,
    /// Largest allowed values.
    pub maximum: RetentionPolicy,
    /// Versions holding personal data are deleted after this many days (platform-wide).
    pub personal_version_days: i64,
    /// Every version is deleted after this many days (platform-wide).
    pub version_max_days: i64,
    /// When the next daily run starts.
    pub next_run_at: DateTime<Utc>,
    /// The last real run, with this territory's counts.
    pub last_run: Option<RetentionRun>,
}
