//! `/api/v1/auth/*`: sign in, validate a token, sign out — devise_token_auth-compatible
//! (reference-api-v1.md §1.1), with JWTs that sign-out really revokes.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use rdv_shared::dto::{
    headers, PasswordResetRequest, PasswordResetRequested, ResetPasswordRequest, SessionsRevoked, SignInRequest,
    SignInResponse, SuccessResponse, ValidateTokenResponse,
};
use rdv_shared::validation::normalise_email;

use crate::auth::rate_limit;
use crate::auth::token::Claims;
use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::services;
use crate::services::sessions::auth_agent;
use crate::state::AppState;

/// Signs an agent in. The token comes back in the `access-token`, `client`, `uid`, `expiry` and
/// `token-type` response headers (and as `Authorization: Bearer …`); send either the trio or the
/// bearer header on later calls. Attempts are limited per IP and per email (429 + `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = SignInRequest,
    responses(
        (status = 200, body = SignInResponse, headers(
            ("access-token" = String, description = "The API token (a JWT)"),
            ("token-type" = String, description = "Always `Bearer`"),
            ("client" = String, description = "Client id bound to this token"),
            ("expiry" = i64, description = "Expiry, unix seconds"),
            ("uid" = String, description = "The agent's email"),
        )),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, description = "Wrong email or password", body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
        (status = 429, description = "Too many attempts", body = rdv_shared::dto::MessagesError, headers(("Retry-After" = u64))),
    )
)]
#[post("/auth/sign_in")]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<SignInRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(SignInRequest { email, password }) = body;
    let email = normalise_email(&email);
    let ip = super::client_ip(&req);
    let keys = rate_limit::sign_in_keys(
        &ip,
        &email,
        state.config.sign_in_per_minute_ip,
        state.config.sign_in_per_minute_email,
    );
    let ttl = state.config.token_ttl;
    let (agent, token) = super::with_conn(&state, move |conn| {
        // Counted in the database: every server of it enforces one limit.
        rate_limit::check_shared(conn, &keys, crate::db::now_utc())?
            .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
        services::sessions::sign_in(conn, email, password, ttl)
    })
    .await?;

    let claims = Claims {
        sub: agent.id.to_string(),
        jti: token.jti.clone(),
        iat: token.created_at.and_utc().timestamp(),
        exp: token.expires_at.and_utc().timestamp(),
    };
    let jwt = state.tokens.sign(&claims)?;
    Ok(HttpResponse::Ok()
        .insert_header((headers::ACCESS_TOKEN, jwt.clone()))
        .insert_header((headers::TOKEN_TYPE, "Bearer"))
        .insert_header((headers::CLIENT, token.client.clone()))
        .insert_header((headers::EXPIRY, claims.exp.to_string()))
        .insert_header((headers::UID, agent.email.clone().unwrap_or_default()))
        .insert_header(("authorization", format!("Bearer {jwt}")))
        .json(SignInResponse { data: auth_agent(&agent) }))
}

/// Checks a token; integrators compare `data.uid` with the `uid` they hold.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = ValidateTokenResponse),
    ),
)]
#[get("/auth/validate_token")]
pub async fn validate_token(auth: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(ValidateTokenResponse { success: true, data: auth_agent(&auth.agent) })
}

/// Revokes the token used for this request; it answers 401 afterwards.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = SuccessResponse),
    ),
)]
#[delete("/auth/sign_out")]
pub async fn sign_out(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    // Partner-signed requests have no token to revoke (and are not accepted under /auth anyway).
    let token = auth.token.ok_or(ApiError::Unauthorized)?;
    let author = auth.agent.author();
    super::with_conn(&state, move |conn| services::sessions::sign_out(conn, token, author)).await?;
    Ok(HttpResponse::Ok().json(SuccessResponse { success: true }))
}

/// Asks for a password reset link by email. The answer is the same whether the email belongs to
/// an agent or not; attempts count against the sign-in limits (429 + `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 200, body = PasswordResetRequested),
        (status = 422, body = rdv_shared::dto::ValidationError),
        (status = 429, body = rdv_shared::dto::MessagesError),
    ),
)]
#[post("/auth/password")]
pub async fn create_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let email = normalise_email(&body.0.email);
    let ip = super::client_ip(&req);
    let keys: Vec<(String, u32)> = rate_limit::sign_in_keys(
        &ip,
        &email,
        state.config.sign_in_per_minute_ip,
        state.config.sign_in_per_minute_email,
    )
    .into_iter()
    .map(|(k, n)| (format!("password_reset:{k}"), n))
    .collect();
    let config = state.config.clone();
    super::with_conn(&state, move |conn| {
        rate_limit::check_shared(conn, &keys, crate::db::now_utc())?
            .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
        services::password_resets::request_reset(conn, &config, &email)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PasswordResetRequested {
        success: true,
        message: services::password_resets::REQUESTED_MESSAGE.to_owned(),
    }))
}

/// Sets a new password with the emailed token (once, within an hour). Every session of the agent
/// ends; they sign in again with the new password.
#[utoipa::path(
    tag = "auth",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, body = SuccessResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[put("/auth/password")]
pub async fn update_password(
    state: web::Data<AppState>,
    body: ApiJson<ResetPasswordRequest>,
) -> ApiResult<HttpResponse> {
    let req = body.0;
    super::with_conn(&state, move |conn| services::password_resets::reset(conn, &req)).await?;
    Ok(HttpResponse::Ok().json(SuccessResponse { success: true }))
}

/// Signs the agent out everywhere: every token of theirs (this one included) stops working.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = SessionsRevoked),
    ),
)]
#[delete("/auth/sessions")]
pub async fn delete_sessions(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let agent = auth.agent;
    let revoked =
        super::with_conn(&state, move |conn| services::password_resets::sign_out_everywhere(conn, &agent)).await?;
    Ok(HttpResponse::Ok().json(SessionsRevoked { success: true, revoked }))
}
