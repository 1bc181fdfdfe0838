//! `ApiError`: every failure a handler can return, rendered as the documented JSON bodies
//! (docs/API-DESIGN.md). Statuses are fixed per variant. Internal causes are logged (with the
//! request id of the surrounding span) and never sent to the client.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use rdv_shared::dto::{ForbiddenError, MessagesError, NotFoundError, ValidationError};
use rdv_shared::validation::Errors;

pub type ApiResult<T> = Result<T, ApiError>;

pub const UNAUTHORIZED_MESSAGE: &str = "Vous devez vous connecter ou vous inscrire pour continuer.";
pub const BAD_CREDENTIALS_MESSAGE: &str = "Email ou mot de passe incorrect. / Invalid email or password.";
pub const FORBIDDEN_MESSAGE: &str = "Vous n'avez pas les droits suffisants pour effectuer cette action.";
pub const INTERNAL_MESSAGE: &str = "Une erreur interne est survenue. / An internal error occurred.";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: missing, invalid, expired or revoked credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// 401 on sign-in: wrong email or password.
    #[error("bad credentials")]
    BadCredentials,
    /// 403 with a French explanation.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 404 `{"not_found": "<resource>"}`.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// 400: the request cannot be read (malformed JSON…).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 413: body above the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body did not arrive in time (408; the connection is closed).
    #[error("request body timed out")]
    RequestTimeout,
    /// 415: not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: field validation failed.
    #[error("validation failed: {0:?}")]
    Validation(Errors),
    /// 422 with benign errors only: resend with `ignore_benign_errors: true` to confirm.
    #[error("benign errors: {0:?}")]
    Warnings(Vec<rdv_shared::dto::Warning>),
    /// 409: the slot was taken meanwhile; the next free ones are offered.
    #[error("slot taken")]
    SlotTaken {
        warnings: Vec<rdv_shared::dto::Warning>,
        creneaux: Vec<rdv_shared::dto::Creneau>,
        /// The agents `creneaux` name.
        agents: Vec<rdv_shared::dto::Agent>,
    },
    /// 409: an `Idempotency-Key` already used with another request body.
    #[error("idempotency key reused")]
    IdempotencyConflict,
    /// 429 with `Retry-After`.
    #[error("too many requests, retry in {retry_after_secs}s")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the database is unreachable.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected failure. The cause is logged, never shown.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    /// 422 on a single field.
    pub fn field(field: &str, code: &str) -> Self {
        let mut errors = Errors::default();
        errors.add(field, code);
        ApiError::Validation(errors)
    }

    /// 422 on a single field with a specific sentence (file problems, "user doit exister"…).
    pub fn field_message(field: &str, code: &str, message: String) -> Self {
        let mut errors = Errors::default();
        errors.fields.entry(field.to_owned()).or_default().push(rdv_shared::validation::FieldError::new(code));
        errors.messages.push(message);
        ApiError::Validation(errors)
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden(FORBIDDEN_MESSAGE)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

fn messages(list: &[&str]) -> MessagesError {
    MessagesError { errors: list.iter().map(|s| (*s).to_owned()).collect() }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::Warnings(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::SlotTaken { .. } | ApiError::IdempotencyConflict => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized => res.json(messages(&[UNAUTHORIZED_MESSAGE])),
            ApiError::BadCredentials => res.json(messages(&[BAD_CREDENTIALS_MESSAGE])),
            ApiError::Forbidden(msg) => res.json(ForbiddenError {
                errors: vec![BTreeMap::from([("base".to_owned(), "forbidden".to_owned())])],
                error_messages: vec![(*msg).to_owned()],
            }),
            ApiError::NotFound(resource) => res.json(NotFoundError { not_found: (*resource).to_owned() }),
            ApiError::BadRequest(msg) => res.json(MessagesError { errors: vec![msg.clone()] }),
            ApiError::PayloadTooLarge => {
                res.json(messages(&["Le corps de la requête est trop volumineux. / Request body too large."]))
            }
            ApiError::RequestTimeout => {
                res.insert_header(("connection", "close"));
                res.json(messages(&["Le corps de la requête n'est pas arrivé à temps. / Request body timed out."]))
            }
            ApiError::UnsupportedMediaType => res.json(messages(&[
                "Le corps de la requête doit être du JSON (Content-Type: application/json). / Body must be JSON.",
            ])),
            ApiError::Validation(errors) => res.json(ValidationError {
                success: false,
                errors: errors.fields.clone(),
                error_messages: errors.messages.clone(),
                warnings: Vec::new(),
            }),
            ApiError::Warnings(warnings) => res.json(ValidationError {
                success: false,
                errors: BTreeMap::from([(
                    "base".to_owned(),
                    vec![rdv_shared::validation::FieldError::new("benign_errors")],
                )]),
                error_messages: warnings.iter().map(|w| w.message.clone()).collect(),
                warnings: warnings.clone(),
            }),
            ApiError::SlotTaken { warnings, creneaux, agents } => res.json(rdv_shared::dto::SlotTakenError {
                error: "creneau_indisponible".to_owned(),
                message: if creneaux.is_empty() {
                    "Ce créneau n'est plus disponible. / This slot is no longer available.".to_owned()
                } else {
                    "Ce créneau n'est plus disponible : voici les prochains créneaux libres. / This slot is no longer \
                     available: here are the next free ones."
                        .to_owned()
                },
                warnings: warnings.clone(),
                creneaux: creneaux.clone(),
                agents: agents.clone(),
            }),
            ApiError::IdempotencyConflict => res.json(messages(&[
                "Cette clé d'idempotence a déjà servi pour une autre requête. / This Idempotency-Key was used with \
                 another request.",
            ])),
            ApiError::TooManyRequests { retry_after_secs } => res
                .insert_header((header::RETRY_AFTER, retry_after_secs.to_string()))
                .json(messages(&["Trop de tentatives. Merci de patienter. / Too many attempts, please wait."])),
            ApiError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                res.json(messages(&["Service momentanément indisponible. / Service temporarily unavailable."]))
            }
            ApiError::Internal(cause) => {
                tracing::error!(cause = format!("{cause:#}"), "internal error");
                res.json(messages(&[INTERNAL_MESSAGE]))
            }
        }
    }
}
