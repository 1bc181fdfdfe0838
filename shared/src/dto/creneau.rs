//! Slot search (`GET /api/v1/creneaux`) and the 409 a booking gets when its slot was just
//! taken. Instants are RFC 3339 in the motif's organisation's zone; days are local dates there.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dto::{Agent, LieuBrief, MotifBrief};
use crate::{AgentId, OrganisationId};

/// The same text as chrono's own `Serialize` (RFC 3339, seconds unless there is a fraction),
/// formatted into a `String` first: chrono writes digit by digit, and through serde_json's
/// escaping writer each digit cost a call (a week of slots has over a thousand instants; this
/// was a fifth of a search's CPU in callgrind).
fn rfc3339<S: serde::Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// One free slot: an agent free for the motif's duration from `starts_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Creneau {
    #[serde(serialize_with = "rfc3339")]
    pub starts_at: DateTime<FixedOffset>,
    #[serde(serialize_with = "rfc3339")]
    pub ends_at: DateTime<FixedOffset>,
    /// The agent free then: one of the response's `agents` (listed once, not in every slot).
    pub agent_id: AgentId,
    /// `null` for motifs that need no lieu (phone, home, visio).
    pub lieu_id: Option<i32>,
    /// Collective motifs (in a 409 for a full session): the session to join instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rdv_id: Option<i32>,
    /// Collective motifs: seats left in that session (`null`: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats_left: Option<i32>,
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
    /// The agents the slots name (`agent_id`), each once.
    pub agents: Vec<Agent>,
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
    /// The agents `creneaux` name (on the public side: first names only).
    #[serde(default)]
    pub agents: Vec<Agent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_instants_serialise_as_chrono_does() {
        for text in ["2026-11-30T09:00:00+01:00", "2026-11-30T09:00:00.250+01:00", "2027-03-28T03:30:00-03:00"] {
            let t = DateTime::parse_from_rfc3339(text).unwrap();
            let c = Creneau {
                starts_at: t,
                ends_at: t,
                agent_id: AgentId(1),
                lieu_id: None,
                rdv_id: None,
                seats_left: None,
            };
            let json = serde_json::to_value(&c).unwrap();
            assert_eq!(json["starts_at"], serde_json::to_value(t).unwrap());
            assert_eq!(serde_json::from_value::<Creneau>(json).unwrap(), c);
        }
    }
}
