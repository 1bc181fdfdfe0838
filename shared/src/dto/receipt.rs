//! Notification receipts: one per delivery attempt (reference §1.9), shown on the RDV page.

use serde::{Deserialize, Serialize};

use crate::pagination::Meta;

/// One attempt to deliver a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub id: i32,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
    /// `mail` or `sms`.
    pub channel: String,
    /// `rdv_created`, `rdv_updated`, `rdv_cancelled`, `rdv_upcoming_reminder`…
    pub event: String,
    /// Email address or phone number (E.164).
    pub recipient: String,
    /// `sent`, `delivered` or `failed`.
    pub result: String,
    /// The provider's message when it failed.
    pub error_message: Option<String>,
    /// The email's subject or the SMS text.
    pub content: String,
    /// SMS segments billed.
    pub sms_count: Option<i32>,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReceiptsResponse {
    pub receipts: Vec<Receipt>,
    pub meta: Meta,
}

/// What "Envoyer un rappel maintenant" queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ReminderResponse {
    /// Messages queued (emails and SMS).
    pub queued: usize,
}
