//! RDV server library: everything the `rdv` binary runs, exposed so integration tests can start
//! the real server on a real database. See docs/ARCHITECTURE.md for the map.

pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod geocoder;
pub mod openapi;
pub mod openapi_domain;
pub mod openapi_examples;
pub mod outbox;
pub mod request_context;
pub mod routes;
pub mod security_headers;
pub mod seed;
pub mod server;
pub mod services;
pub mod spa;
pub mod state;
