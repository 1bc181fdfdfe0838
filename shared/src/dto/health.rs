//! `GET /health` body.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub version: String,
}

/// `GET /health/ready` body: can this server do its work, and is the outbox being delivered?
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Readiness {
    /// `ok`, or `degraded` when the oldest due message waits longer than `RDV_OUTBOX_MAX_LAG_SECS`
    /// (workers stopped or a provider down): monitoring alerts on it; the server still serves.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    pub version: String,
    pub outbox: OutboxHealth,
}

/// The outbox queue as every server sees it (one queue for all servers of a database).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OutboxHealth {
    /// Messages and jobs due now or earlier, not yet delivered (scheduled reminders not counted).
    pub due: i64,
    /// Age in seconds of the oldest of them (0 when none).
    pub oldest_due_age_seconds: i64,
    /// Messages that exhausted their retries (see `rdv outbox`).
    pub failed: i64,
    /// The age above which the status is `degraded`.
    pub max_lag_seconds: i64,
}
