//! Sign-in, token validation and sign-out bodies (devise_token_auth-compatible).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AgentId;

/// `POST /api/v1/auth/sign_in` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    #[cfg_attr(feature = "server", schema(example = "camille.martin@demo.rdv.fr"))]
    pub email: String,
    #[cfg_attr(feature = "server", schema(example = "Rdv-Demo-2026!"))]
    pub password: String,
}

/// The agent as devise_token_auth renders it in `data` (sign_in, validate_token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AuthAgent {
    pub id: AgentId,
    pub email: String,
    /// Same as `email`; integrators check `data.uid` against the `uid` header.
    pub uid: String,
    /// Always `"email"`.
    pub provider: String,
    pub first_name: Option<String>,
    pub last_name: String,
    pub allow_password_change: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/auth/sign_in` 200 body; the token travels in the response headers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignInResponse {
    pub data: AuthAgent,
}

/// `GET /api/v1/auth/validate_token` 200 body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ValidateTokenResponse {
    pub success: bool,
    pub data: AuthAgent,
}

/// `DELETE /api/v1/auth/sign_out` 200 body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SuccessResponse {
    pub success: bool,
}

/// `POST /api/v1/auth/password` body: ask for a reset link by email (devise_token_auth's route).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PasswordResetRequest {
    pub email: String,
    /// Accepted for compatibility with devise_token_auth clients; the link always opens our page.
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// `PUT /api/v1/auth/password` body: the token from the email and the new password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ResetPasswordRequest {
    pub reset_password_token: String,
    pub password: String,
    pub password_confirmation: String,
}

/// The answer to a reset request: the same whether the email is known or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PasswordResetRequested {
    pub success: bool,
    pub message: String,
}

/// `DELETE /api/v1/auth/sessions`: every session of the agent ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SessionsRevoked {
    pub success: bool,
    /// Sessions (tokens) ended, the current one included.
    pub revoked: i64,
}

/// Names of the devise_token_auth headers, shared by server and SPA.
pub mod headers {
    pub const ACCESS_TOKEN: &str = "access-token";
    pub const TOKEN_TYPE: &str = "token-type";
    pub const CLIENT: &str = "client";
    pub const EXPIRY: &str = "expiry";
    pub const UID: &str = "uid";
}
