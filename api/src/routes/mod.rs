//! HTTP handlers, one module per resource. A handler is short: authenticate (extractor) →
//! load the facts and ask `rdv_shared::access` → database work in `web::block` → typed response.
//! Each is described with `#[utoipa::path]`; its function name is its operation id.

pub mod absences;
pub mod agenda;
pub mod agenda_grants;
pub mod agent_admin;
pub mod agents;
pub mod auth;
pub mod calendar;
pub mod creneaux;
pub mod docs;
pub mod exports;
pub mod health;
pub mod invitations;
pub mod lieux;
pub mod me;
pub mod motifs;
pub mod not_found;
pub mod organisations;
pub mod participations;
pub mod plages;
pub mod public_booking;
pub mod public_search;
pub mod rdv_links;
pub mod rdv_lists;
pub mod rdv_search;
pub mod rdvinsertion;
pub mod rdvs;
pub mod receipts;
pub mod retention;
pub mod sectorisation_test;
pub mod sectors;
pub mod stats;
pub mod teams;
pub mod territories;
pub mod user_imports;
pub mod user_links;
pub mod users;
pub mod users_extra;
pub mod versions;
pub mod webhooks;

use actix_web::web;

use crate::db::PooledConn;
use crate::error::ApiError;

/// Runs `f` with a pooled connection on the blocking thread pool, inside the request's tracing
/// span and with its request id (what `f` queues in the outbox keeps it).
pub async fn with_conn<T, F>(state: &web::Data<crate::state::AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = state.pool.clone();
    let (span, request_id) = (tracing::Span::current(), crate::request_context::of_task());
    web::block(move || {
        let _entered = span.enter();
        crate::request_context::on_thread(request_id, || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
    })
    .await?
}

/// The client's IP as the rate limits key it (the socket's peer; empty when unknown).
pub fn client_ip(req: &actix_web::HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()
}

/// 429 once the client's IP is over its quota of the public booking API: counted in the
/// database on PostgreSQL (shared by its servers), in memory on SQLite (one process serves it).
pub async fn public_limit(
    state: &web::Data<crate::state::AppState>,
    req: &actix_web::HttpRequest,
) -> Result<(), ApiError> {
    let ip = client_ip(req);
    let over = |retry_after_secs| ApiError::TooManyRequests { retry_after_secs };
    match state.backend {
        crate::db::Backend::Sqlite(_) => state.public_limiter.check(&ip).map_err(over),
        crate::db::Backend::Postgres(_) => {
            let keys = vec![(format!("public:ip:{ip}"), state.config.public_per_minute_ip.max(1))];
            with_conn(state, move |conn| {
                crate::auth::rate_limit::check_shared(conn, &keys, crate::db::now_utc())?.map_err(over)
            })
            .await
        }
    }
}
