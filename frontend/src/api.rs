//! Typed client of the REST API. Every call the SPA makes is here, with the shared DTOs.

use gloo_net::http::{Request, Response};
use rdv_shared::dto::{headers, Me, MeResponse, SignInRequest};

use crate::session::Session;

/// What can go wrong, as the SPA needs to tell the agent.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Wrong credentials, or the session ended.
    Unauthorized,
    TooManyRequests(Option<u64>),
    Server(u16),
    Network,
}

impl ApiError {
    pub fn message_fr(&self) -> String {
        match self {
            ApiError::Unauthorized => "Email ou mot de passe incorrect.".into(),
            ApiError::TooManyRequests(Some(s)) => format!("Trop de tentatives. Réessayez dans {s} secondes."),
            ApiError::TooManyRequests(None) => "Trop de tentatives. Réessayez dans une minute.".into(),
            ApiError::Server(code) => format!("Le serveur a rencontré une erreur ({code}). Réessayez plus tard."),
            ApiError::Network => "Impossible de joindre le serveur. Vérifiez votre connexion.".into(),
        }
    }
}

fn check(res: &Response) -> Result<(), ApiError> {
    match res.status() {
        200..=299 => Ok(()),
        401 => Err(ApiError::Unauthorized),
        429 => Err(ApiError::TooManyRequests(res.headers().get("retry-after").and_then(|v| v.parse().ok()))),
        code => Err(ApiError::Server(code)),
    }
}

fn bearer(session: &Session) -> String {
    format!("Bearer {}", session.token)
}

pub async fn sign_in(email: &str, password: &str) -> Result<Session, ApiError> {
    let body = SignInRequest { email: email.to_owned(), password: password.to_owned() };
    let res = Request::post("/api/v1/auth/sign_in")
        .json(&body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    check(&res)?;
    let h = |name: &str| res.headers().get(name).unwrap_or_default();
    let session = Session {
        token: h(headers::ACCESS_TOKEN),
        client: h(headers::CLIENT),
        uid: h(headers::UID),
        expiry: h(headers::EXPIRY).parse().unwrap_or(0),
    };
    if session.token.is_empty() {
        return Err(ApiError::Server(res.status()));
    }
    Ok(session)
}

pub async fn me(session: &Session) -> Result<Me, ApiError> {
    let res = Request::get("/api/v1/me")
        .header("Authorization", &bearer(session))
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    check(&res)?;
    res.json::<MeResponse>().await.map(|r| r.agent).map_err(|_| ApiError::Server(res.status()))
}

/// Revokes the token server-side. Failures are ignored: the SPA forgets the token anyway.
pub async fn sign_out(session: &Session) {
    if let Ok(res) = Request::delete("/api/v1/auth/sign_out").header("Authorization", &bearer(session)).send().await {
        // Read the body so the request is complete before the page moves on.
        let _ = res.text().await;
    }
}
