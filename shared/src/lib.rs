//! RDV's shared domain crate: what the API server and the SPA must agree on.
//!
//! It owns the typed ids, the request/response bodies of the REST API (`dto`), the field
//! validation rules (`validation`) and the access rules (`access`). It is pure: no I/O, no
//! database, no clock reads (callers pass `now`), so it compiles to wasm32 for the SPA.
//! OpenAPI derives sit behind the `server` feature, which only the `api` crate enables.

pub mod access;
pub mod agenda;
pub mod booking;
pub mod creneaux;
pub mod dto;
pub mod enums;
pub mod export;
pub mod holidays;
pub mod ids;
pub mod input_domain;
pub mod invitation;
pub mod listing;
pub mod notify;
pub mod pagination;
pub mod rdv;
pub mod recurrence;
pub mod retention;
pub mod sectorisation;
pub mod self_service;
pub mod slots;
pub mod stats;
pub mod time;
pub mod usager;
pub mod validation;
pub mod webhooks;

pub use ids::*;
