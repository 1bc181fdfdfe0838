//! The state every handler and worker reaches: the connection pool, the configuration, the
//! signing keys, the in-process public rate limiter (SQLite) and the outgoing HTTP client. Kept apart from the
//! route table (`app.rs`) so that handlers and services depend on it without depending on the
//! list of handlers.

use std::sync::Arc;

use crate::auth::rate_limit::IpLimiter;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::{Backend, Pool};

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub backend: Backend,
    pub config: Arc<Config>,
    pub tokens: TokenKeys,
    /// The public booking pages, per client IP, on SQLite (PostgreSQL counts in the database:
    /// `auth::rate_limit`).
    pub public_limiter: IpLimiter,
    /// Outgoing HTTP (geocoder), one connection pool for the process.
    pub http: reqwest::Client,
}

impl AppState {
    pub fn new(pool: Pool, backend: Backend, config: Config) -> Self {
        AppState {
            pool,
            backend,
            tokens: TokenKeys::new(&config.jwt_secret),
            public_limiter: IpLimiter::new(config.public_per_minute_ip),
            http: reqwest::Client::new(),
            config: Arc::new(config),
        }
    }
}
