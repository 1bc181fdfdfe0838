//! `GET /health`: liveness plus a database round-trip, for load balancers and `just run`.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::Health;

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
