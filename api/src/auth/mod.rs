//! Authentication: passwords (argon2id), API tokens (JWT + revocable row), the
//! [`Authenticated`] extractor, and sign-in rate limiting.
//!
//! A request authenticates with `Authorization: Bearer <jwt>` or with devise_token_auth's
//! header trio `access-token` (the JWT) + `client` + `uid` (the agent's email), which existing
//! RDV-Solidarités integrators send — also in the gem's single-header form
//! `Authorization: Bearer <base64 of {"access-token", "client", "uid", …}>`. Either way the JWT must verify, its row in `auth_tokens`
//! must be neither revoked nor expired, and the agent must not be deleted.
//!
//! Partners (rdv-insertion) may instead sign requests with the shared secret ([`partner`]): a
//! request carrying `X-Agent-Auth-Signature` (even empty) is judged on that signature alone,
//! everywhere under `/api/v1` except `/api/v1/auth/*`.

pub mod partner;
pub mod password;
pub mod rate_limit;
pub mod token;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use rdv_shared::dto::headers;

use crate::db::models::agent::{self, AgentRow};
use crate::db::models::auth_token::{self, AuthTokenRow};
use crate::db::now_utc;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in agent and the token they used (`None` for a partner-signed request).
pub struct Authenticated {
    pub agent: AgentRow,
    pub token: Option<AuthTokenRow>,
}

/// Credentials as presented by the request.
struct Presented {
    jwt: String,
    client: Option<String>,
    uid: Option<String>,
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers().get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn presented(req: &HttpRequest) -> Option<Presented> {
    if let Some(auth) = header(req, "authorization") {
        let (scheme, value) = auth.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let value = value.trim();
        // A JWT has two dots; anything else may be devise_token_auth's base64-encoded trio.
        if value.matches('.').count() == 2 {
            return Some(Presented { jwt: value.to_owned(), client: None, uid: None });
        }
        return devise_bearer(value);
    }
    let jwt = header(req, headers::ACCESS_TOKEN)?;
    Some(Presented { jwt, client: Some(header(req, headers::CLIENT)?), uid: Some(header(req, headers::UID)?) })
}

/// Decodes `base64({"access-token": …, "client": …, "uid": …, …})`.
fn devise_bearer(value: &str) -> Option<Presented> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(value).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    Some(Presented {
        jwt: field(headers::ACCESS_TOKEN)?,
        client: Some(field(headers::CLIENT)?),
        uid: Some(field(headers::UID)?),
    })
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let partner_signature =
            header_raw(req, partner::SIGNATURE_HEADER).filter(|_| !req.path().starts_with("/api/v1/auth/"));
        if let Some(signature) = partner_signature {
            let uid = header(req, headers::UID);
            return Box::pin(partner_auth(state, uid, signature));
        }
        let creds = presented(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState missing")))?;
            let creds = creds.ok_or(ApiError::Unauthorized)?;
            let claims = state.tokens.verify(&creds.jwt).ok_or(ApiError::Unauthorized)?;
            let pool = state.pool.clone();
            let found = web::block(move || -> Result<Option<(AuthTokenRow, AgentRow)>, ApiError> {
                let mut conn = pool.get()?;
                Ok(auth_token::find_active_with_agent(&mut conn, &claims.jti, now_utc())?)
            })
            .await??;
            let (token, agent) = found.ok_or(ApiError::Unauthorized)?;
            // The trio must be consistent: the client id issued with this token, the agent's email.
            if creds.client.as_ref().is_some_and(|c| *c != token.client)
                || creds.uid.as_ref().is_some_and(|u| Some(u.to_lowercase()) != agent.email)
            {
                return Err(ApiError::Unauthorized);
            }
            Ok(Authenticated { agent, token: Some(token) })
        })
    }
}

/// An agent authenticated by the partner signature only (`/api/rdvinsertion/…`, reference §1.2):
/// a token is not enough there.
pub struct PartnerSigned(pub AgentRow);

impl FromRequest for PartnerSigned {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let Some(signature) = header_raw(req, partner::SIGNATURE_HEADER) else {
            return Box::pin(std::future::ready(Err(ApiError::Unauthorized)));
        };
        let uid = header(req, headers::UID);
        Box::pin(async move { partner_auth(state, uid, signature).await.map(|a| PartnerSigned(a.agent)) })
    }
}

/// A header's value even when empty (an empty signature still selects partner mode).
fn header_raw(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers().get(name).map(|v| v.to_str().unwrap_or("").trim().to_owned())
}

async fn partner_auth(
    state: Option<web::Data<AppState>>,
    uid: Option<String>,
    signature: String,
) -> Result<Authenticated, ApiError> {
    let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState missing")))?;
    let secret = state.config.partner_shared_secret.clone().ok_or(ApiError::Unauthorized)?;
    let email = uid.map(|u| rdv_shared::validation::normalise_email(&u)).ok_or(ApiError::Unauthorized)?;
    let pool = state.pool.clone();
    let agent = web::block(move || -> Result<Option<AgentRow>, ApiError> {
        let mut conn = pool.get()?;
        Ok(agent::find_by_email(&mut conn, &email)?)
    })
    .await??
    .ok_or(ApiError::Unauthorized)?;
    if !partner::verify(&secret, &agent, &signature) {
        return Err(ApiError::Unauthorized);
    }
    Ok(Authenticated { agent, token: None })
}
