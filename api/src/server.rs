//! Starting the HTTP server: open the pool, migrate, bind, serve.

use std::net::TcpListener;

use actix_web::{web, HttpServer};

use crate::app;
use crate::config::Config;
use crate::db;
use crate::routes::docs::OpenApiJson;
use crate::state::AppState;

/// Opens the database, applies pending migrations and returns the shared state.
pub fn prepare(config: Config) -> anyhow::Result<web::Data<AppState>> {
    let (pool, backend) = db::open_pool(&config.database_url, config.pool_size)?;
    let applied = db::run_migrations(&mut *pool.get()?)?;
    for name in applied {
        tracing::info!(migration = %name, "migration applied");
    }
    Ok(web::Data::new(AppState::new(pool, backend, config)))
}

/// Serves on an already bound listener until stopped.
pub fn run(
    state: web::Data<AppState>,
    listener: TcpListener,
    workers: usize,
) -> anyhow::Result<actix_web::dev::Server> {
    let doc = web::Data::new(OpenApiJson(crate::openapi::to_json(&app::openapi())?));
    let server = HttpServer::new(move || app::build(state.clone(), doc.clone()))
        .workers(workers)
        // Headers must arrive within 10 s, and a closing client gets 5 s to go; bodies have
        // their own limit (`Config::body_read_timeout`, in the extractors).
        .client_request_timeout(std::time::Duration::from_secs(10))
        .client_disconnect_timeout(std::time::Duration::from_secs(5))
        .listen(listener)?
        .run();
    Ok(server)
}
