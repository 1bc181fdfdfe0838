//! Typed client of the REST API. Every call the SPA makes goes through here, with the shared DTOs.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use rdv_shared::dto::{headers, SignInRequest, ValidationError};

use crate::session::Session;

/// What can go wrong, as the SPA needs to tell the agent.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Wrong credentials, or the session ended.
    Unauthorized,
    Forbidden,
    NotFound,
    /// 422: the field errors and their French sentences.
    Invalid(ValidationError),
    /// 409 on a booking: the slot was just taken; the next free ones come with it.
    SlotTaken(rdv_shared::dto::SlotTakenError),
    /// Another 409 (an idempotency key reused…), with its message.
    Conflict(String),
    TooManyRequests(Option<u64>),
    Server(u16),
    Network,
}

impl ApiError {
    pub fn message_fr(&self) -> String {
        match self {
            ApiError::Unauthorized => "Email ou mot de passe incorrect.".into(),
            ApiError::Forbidden => "Vous n'avez pas les droits suffisants pour cette action.".into(),
            ApiError::NotFound => "Élément introuvable.".into(),
            ApiError::Invalid(v) => {
                if v.error_messages.is_empty() {
                    "Certains champs ne sont pas valides.".into()
                } else {
                    v.error_messages.iter().map(|m| humanise(m)).collect::<Vec<_>>().join(" · ")
                }
            }
            ApiError::SlotTaken(e) => french(&e.message),
            ApiError::Conflict(m) => french(m),
            ApiError::TooManyRequests(Some(s)) => format!("Trop de tentatives. Réessayez dans {s} secondes."),
            ApiError::TooManyRequests(None) => "Trop de tentatives. Réessayez dans une minute.".into(),
            ApiError::Server(code) => format!("Le serveur a rencontré une erreur ({code}). Réessayez plus tard."),
            ApiError::Network => "Impossible de joindre le serveur. Vérifiez votre connexion.".into(),
        }
    }
}

impl ApiError {
    /// The benign errors of a 422, to show with a "confirm" button.
    pub fn warnings(&self) -> Vec<rdv_shared::dto::Warning> {
        match self {
            ApiError::Invalid(v) => v.warnings.clone(),
            ApiError::SlotTaken(e) => e.warnings.clone(),
            _ => Vec::new(),
        }
    }
}

/// The French half of a bilingual "français / English" message.
fn french(message: &str) -> String {
    message.split(" / ").next().unwrap_or(message).to_owned()
}

/// The API's "<field> <message>" sentences with the field in French.
fn humanise(message: &str) -> String {
    const FIELDS: [(&str, &str); 16] = [
        ("first_day ", "Le premier jour "),
        ("recurrence.until ", "La date de fin de répétition "),
        ("recurrence ", "La répétition "),
        ("end_time ", "L'heure de fin "),
        ("end_day ", "Le dernier jour "),
        ("title ", "Le titre "),
        ("motif_ids ", "Les motifs "),
        ("motif_id ", "Le motif "),
        ("lieu_id ", "Le lieu "),
        ("user_ids ", "Les usagers "),
        ("agent_ids ", "Les agents "),
        ("status ", "Le statut "),
        ("duration_in_min ", "La durée "),
        ("max_participants_count ", "Le nombre de places "),
        ("context ", "Le contexte "),
        ("base ", "Ce RDV "),
    ];
    FIELDS
        .iter()
        .find(|(en, _)| message.starts_with(en))
        .map(|(en, fr)| format!("{fr}{}", &message[en.len()..]))
        .unwrap_or_else(|| message.to_owned())
}

async fn check(res: Response) -> Result<Response, ApiError> {
    match res.status() {
        200..=299 => Ok(res),
        401 => Err(ApiError::Unauthorized),
        403 => Err(ApiError::Forbidden),
        404 => Err(ApiError::NotFound),
        422 => Err(res.json::<ValidationError>().await.map(ApiError::Invalid).unwrap_or(ApiError::Server(422))),
        409 => {
            let text = res.text().await.unwrap_or_default();
            Err(match serde_json::from_str::<rdv_shared::dto::SlotTakenError>(&text) {
                Ok(e) => ApiError::SlotTaken(e),
                Err(_) => ApiError::Conflict(
                    serde_json::from_str::<rdv_shared::dto::MessagesError>(&text)
                        .ok()
                        .and_then(|m| m.errors.into_iter().next())
                        .unwrap_or_else(|| "Conflit avec une autre modification.".into()),
                ),
            })
        }
        429 => Err(ApiError::TooManyRequests(res.headers().get("retry-after").and_then(|v| v.parse().ok()))),
        code => {
            let _ = res.text().await; // complete the request
            Err(ApiError::Server(code))
        }
    }
}

/// A value for a query string (`q=marie%20dupont`).
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).as_string().unwrap_or_default()
}

fn authed(builder: RequestBuilder, session: &Session) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {}", session.token))
}

/// `GET path` → JSON.
pub async fn get<T: DeserializeOwned>(session: &Session, path: &str) -> Result<T, ApiError> {
    let res = authed(Request::get(path), session).send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

/// `METHOD path` with a JSON body → JSON.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    session: &Session,
    method: &str,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let builder = match method {
        "POST" => Request::post(path),
        "PATCH" => Request::patch(path),
        "DELETE" => Request::delete(path),
        _ => Request::put(path),
    };
    let res = authed(builder, session)
        .json(body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

/// `POST path` without a body, for actions that answer without one (202/204).
pub async fn post_empty(session: &Session, path: &str) -> Result<(), ApiError> {
    let res = authed(Request::post(path), session).send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    let _ = res.text().await;
    Ok(())
}

/// `DELETE path` (204 expected).
pub async fn delete(session: &Session, path: &str) -> Result<(), ApiError> {
    let res = authed(Request::delete(path), session).send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    let _ = res.text().await;
    Ok(())
}

/// `GET path` → raw bytes (file downloads).
pub async fn get_bytes(session: &Session, path: &str) -> Result<Vec<u8>, ApiError> {
    let res = authed(Request::get(path), session).send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.binary().await.map_err(|_| ApiError::Network)
}

/// Unauthenticated calls (invitation pages).
pub async fn get_public<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let res = Request::get(path).send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

pub async fn post_public<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let res =
        Request::post(path).json(body).map_err(|_| ApiError::Network)?.send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

/// Unauthenticated PUT (the waiting list of a usager's link).
pub async fn put_public<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let res =
        Request::put(path).json(body).map_err(|_| ApiError::Network)?.send().await.map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

/// Unauthenticated POST with an `Idempotency-Key` (public booking).
pub async fn post_public_with_key<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    key: &str,
) -> Result<T, ApiError> {
    let res = Request::post(path)
        .header("Idempotency-Key", key)
        .json(body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    res.json::<T>().await.map_err(|_| ApiError::Server(res.status()))
}

/// `POST /auth/sign_in`: here rather than in `client` because the token comes back in headers.
pub async fn sign_in(email: &str, password: &str) -> Result<Session, ApiError> {
    let body = SignInRequest { email: email.to_owned(), password: password.to_owned() };
    let res = Request::post("/api/v1/auth/sign_in")
        .json(&body)
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    let res = check(res).await?;
    let h = |name: &str| res.headers().get(name).unwrap_or_default();
    let session = Session {
        token: h(headers::ACCESS_TOKEN),
        client: h(headers::CLIENT),
        uid: h(headers::UID),
        expiry: h(headers::EXPIRY).parse().unwrap_or(0),
    };
    let _ = res.text().await;
    if session.token.is_empty() {
        return Err(ApiError::Server(res.status()));
    }
    Ok(session)
}
