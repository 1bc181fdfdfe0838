//! Slot search (`GET /api/v1/creneaux`) and the 409 a booking gets when its slot was just
//! taken. Instants are RFC 3339 in the motif's organisation's zone; days are local dates there.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dto::{Agent, LieuBrief, MotifBrief};
use crate::OrganisationId;

/// One free slot: an agent free for the motif's duration from `starts_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Creneau {
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub agent: Agent,
    /// `null` for motifs that need no lieu (phone, home, visio).
    pub lieu_id: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreneauxDay {
    pub date: NaiveDate,
    pub creneaux: Vec<Creneau>,
}

/// The slots of one lieu in the window, day by day, and its next availability (the first slot
/// from `from`, looked for up to 6 months ahead when the window has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreneauxLieu {
    /// `null` for motifs that need no lieu.
    pub lieu: Option<LieuBrief>,
    pub days: Vec<CreneauxDay>,
    pub next_availability: Option<DateTime<FixedOffset>>,
}

/// A collective session with seats left: for collective motifs, these are the "slots"
/// (reference §3.11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CollectiveSession {
    pub rdv_id: i32,
    pub name: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub lieu: Option<LieuBrief>,
    pub agents: Vec<Agent>,
    pub users_count: i32,
    pub max_participants_count: Option<i32>,
    /// `null`: unlimited.
    pub seats_left: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreneauxResponse {
    pub motif: MotifBrief,
    pub organisation_id: OrganisationId,
    pub time_zone: String,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    /// Lieux with a plage for the motif (restricted to `lieu_ids` when given), soonest first.
    pub lieux: Vec<CreneauxLieu>,
    pub collective_sessions: Vec<CollectiveSession>,
    /// The earliest of the lieux' next availabilities.
    pub next_availability: Option<DateTime<FixedOffset>>,
}

/// 409 on a booking whose slot is no longer free: what happened, and the next free slots of
/// the same motif for the same agents (or lieu, on the public side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SlotTakenError {
    /// `creneau_indisponible`.
    pub error: String,
    pub message: String,
    /// What is in the way (readable details only for agendas the caller may read).
    pub warnings: Vec<crate::dto::Warning>,
    pub creneaux: Vec<Creneau>,
}
