//! `GET /health`: liveness plus a database round-trip, for load balancers and `just run`;
//! `GET /health/ready`: the same plus the outbox queue (depth, oldest due message), for monitoring.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::{Health, OutboxHealth, Readiness};

use crate::error::ApiResult;
use crate::state::AppState;

/// Checks that the server runs and its database answers.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Server and database are up", body = Health),
        (status = 503, description = "Database unreachable", body = rdv_shared::dto::MessagesError),
    )
)]
#[get("/health")]
pub async fn get_health(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    super::with_conn(&state, |conn| {
        crate::db::ping(conn).map_err(|e| crate::error::ApiError::Unavailable(e.to_string()))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: state.backend.name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// Readiness: the database answers, and the outbox is delivered (queue depth, age of the oldest
/// due message, failures). `degraded` still answers 200: the server serves; monitoring alerts.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Database up; outbox `ok` or `degraded`", body = Readiness),
        (status = 503, description = "Database unreachable", body = rdv_shared::dto::MessagesError),
    )
)]
#[get("/health/ready")]
pub async fn get_readiness(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let now = crate::db::now_utc();
    let (due, oldest, failed) = super::with_conn(&state, move |conn| {
        crate::db::models::outbox::queue_health(conn, now)
            .map_err(|e| crate::error::ApiError::Unavailable(e.to_string()))
    })
    .await?;
    let age = oldest.map_or(0, |t| (now - t).num_seconds().max(0));
    let max_lag = state.config.delivery.max_lag.num_seconds();
    Ok(HttpResponse::Ok().json(Readiness {
        status: if age > max_lag { "degraded" } else { "ok" }.into(),
        database: state.backend.name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
        outbox: OutboxHealth { due, oldest_due_age_seconds: age, failed, max_lag_seconds: max_lag },
    }))
}
