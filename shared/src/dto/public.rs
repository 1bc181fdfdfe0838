//! The public (usager-facing, no account) booking flow (reference-domain.md §8): address →
//! motifs offered there → lieux with next availability → slots → booking with identity and
//! contact → confirmation with a token to cancel until 4 h before.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::enums::LocationType;

/// The address as understood: from the INSEE code, or geocoded from the typed address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicPlace {
    pub departement: String,
    pub city_code: String,
    pub street_ban_id: Option<String>,
    pub label: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Motifs of the same name and kind across organisations, offered as one choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicMotif {
    /// `<name folded>-<location type>`: what the next steps ask for.
    pub key: String,
    pub name: String,
    pub location_type: LocationType,
    pub service_name: String,
    pub collectif: bool,
    /// To accept before booking.
    pub restriction_for_rdv: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicMotifsResponse {
    pub place: PublicPlace,
    pub motifs: Vec<PublicMotif>,
}

/// A lieu where the motif can be booked, with its next availability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicLieu {
    /// `null` for motifs without lieu (phone…): one entry per organisation.
    pub lieu_id: Option<i32>,
    pub name: String,
    pub address: String,
    pub organisation_name: String,
    /// The motif to book there.
    pub motif_id: i32,
    pub next_availability: Option<DateTime<FixedOffset>>,
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicLieuxResponse {
    pub place: PublicPlace,
    pub lieux: Vec<PublicLieu>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicCreneau {
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Collective motifs: the session to join (`rdv_id` of the booking request).
    #[serde(default)]
    pub rdv_id: Option<i32>,
    /// Collective motifs: seats left in the session; `null` when unlimited or not collective.
    #[serde(default)]
    pub seats_left: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicCreneauxResponse {
    pub motif_id: i32,
    pub motif_name: String,
    pub lieu_id: Option<i32>,
    pub time_zone: String,
    /// One per start, whoever the agent (the agent is chosen when booking).
    pub creneaux: Vec<PublicCreneau>,
    /// The first slot from the window's start, up to 6 months (or the motif's booking delay).
    pub next_availability: Option<DateTime<FixedOffset>>,
}

/// `POST /api/v1/public/rdvs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicBookingRequest {
    pub motif_id: i32,
    #[serde(default)]
    pub lieu_id: Option<i32>,
    pub starts_at: DateTime<FixedOffset>,
    /// The usager's address (sectorisation), as in the search; may be empty with an invitation.
    #[serde(default)]
    pub city_code: String,
    #[serde(default)]
    pub street_ban_id: Option<String>,
    /// Required unless `rdv_invitation_token` names the usager.
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub phone_number: String,
    #[serde(default)]
    pub email: Option<String>,
    /// From an invitation (rdv-insertion): books for that usager, who types no identity; the
    /// motifs bookable by invited usagers are offered.
    #[serde(default)]
    pub rdv_invitation_token: Option<String>,
    /// The invitation link's organisations (offered without sectorisation when the address
    /// finds nothing there, as the search did).
    #[serde(default)]
    pub organisation_ids: Vec<i32>,
    /// The invitation link's agents.
    #[serde(default)]
    pub referent_ids: Vec<i32>,
    /// Collective motifs: the session to join (from `/public/creneaux`); required for them.
    #[serde(default)]
    pub rdv_id: Option<i32>,
}

/// What the usager sees of a booked RDV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicRdv {
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub motif_name: String,
    pub location_type: LocationType,
    pub lieu_name: Option<String>,
    pub lieu_address: Option<String>,
    pub organisation_name: String,
    pub instruction_for_rdv: Option<String>,
    /// `unknown` while booked, `excused` once cancelled.
    pub status: String,
    /// Until 4 hours before, when the motif allows it.
    pub cancellable: bool,
    pub cancel_warning: String,
    /// Through the usager's link only: the RDV may be moved to another slot (reference §4.7).
    #[serde(default)]
    pub reschedulable: bool,
    /// Through the usager's link only: the waiting list may be joined (reference §4.6).
    #[serde(default)]
    pub waiting_list_offered: bool,
    /// Through the usager's link only: the usager waits for an earlier slot.
    #[serde(default)]
    pub on_waiting_list: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicBookingResponse {
    pub rdv: PublicRdv,
    /// Shown once: opens the confirmation page and cancels (`/api/v1/public/rdvs/{token}`).
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicRdvResponse {
    pub rdv: PublicRdv,
}

/// Opening or acting on the usager's link in a notification (`/r/{token}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RdvLinkRequest {
    /// The first three letters of the last name of the person the message was sent to.
    pub last_name_initials: String,
}

/// The slots an RDV may be moved to, from its link: the same motif at the same lieu, any agent,
/// within the motif's booking delays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RdvLinkCreneauxRequest {
    pub last_name_initials: String,
    /// A date (local midnight) or RFC 3339.
    pub from: String,
    /// At most 14 days after `from`; a bare date includes that day.
    pub to: String,
}

/// Moves the RDV of a link to one of the slots `…/creneaux` offered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RdvLinkRescheduleRequest {
    pub last_name_initials: String,
    pub starts_at: DateTime<FixedOffset>,
}

/// Joins (`true`) or leaves (`false`) the waiting list of the RDV of a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RdvLinkWaitingListRequest {
    pub last_name_initials: String,
    pub waiting: bool,
}
