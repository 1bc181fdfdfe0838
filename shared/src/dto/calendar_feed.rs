//! An agent's calendar feed (agenda sync, issue 16): a secret link their own calendar
//! (Outlook, Thunderbird, a phone) subscribes to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The live feed, without its link (kept only as a digest: shown once, at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CalendarFeed {
    /// Usagers' names in the events.
    pub with_details: bool,
    /// Plages d'ouverture as events too.
    pub with_plages: bool,
    pub created_at: DateTime<Utc>,
    /// When a calendar last read it.
    pub last_read_at: Option<DateTime<Utc>>,
}

/// `GET /me/calendar_feed`: `null` when the agent has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CalendarFeedResponse {
    pub calendar_feed: Option<CalendarFeed>,
}

/// `POST /me/calendar_feed`: a new link (the previous one stops working).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCalendarFeedRequest {
    #[serde(default)]
    pub with_details: bool,
    #[serde(default)]
    pub with_plages: bool,
}

/// The new link, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CalendarFeedCreatedResponse {
    pub calendar_feed: CalendarFeed,
    /// `https://…/calendar/<token>.ics`
    pub url: String,
    /// The same as `webcal://…`, which calendars open as a subscription.
    pub webcal_url: String,
}
