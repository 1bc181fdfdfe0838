//! Webhook endpoints (reference-api-v1.md §3.11, W1–W3) and their delivery log (issue 16).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::pagination::Meta;

/// An endpoint as the API shows it: the reference's four fields, plus whether it is flagged
/// (an event could not be delivered after every retry). The secret is never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: i32,
    pub organisation_id: i32,
    pub target_url: String,
    pub subscriptions: Vec<String>,
    #[serde(default)]
    pub flagged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookEndpointResponse {
    pub webhook_endpoint: WebhookEndpoint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookEndpointsResponse {
    pub webhook_endpoints: Vec<WebhookEndpoint>,
    pub meta: Meta,
}

/// W2 / W3 body. On update every field is optional; `secret` is write-only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointInput {
    #[serde(default)]
    pub target_url: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    /// Among `rdv`, `absence`, `plage_ouverture`, `user`, `user_profile`, `organisation`, `motif`,
    /// `lieu`, `agent`, `agent_role`, `referent_assignation`; default the first three.
    #[serde(default)]
    pub subscriptions: Option<Vec<String>>,
    /// `false`: no replay of the organisation's records as `created` after saving.
    #[serde(default)]
    pub trigger: Option<bool>,
}

/// One delivery attempt of an event to an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i32,
    pub model: String,
    pub event: String,
    pub record_id: i32,
    /// The receiver's HTTP status; `null` when it did not answer.
    pub status_code: Option<i32>,
    pub success: bool,
    pub latency_ms: i32,
    /// The start of the receiver's answer (at most 500 characters).
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookDeliveriesResponse {
    pub webhook_deliveries: Vec<WebhookDelivery>,
    pub meta: Meta,
}
