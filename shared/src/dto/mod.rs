//! Request and response bodies of the REST API, one module per resource.
//!
//! Envelopes follow RDV-Solidarités' API v1: a single object under its singular name
//! (`{"organisation": {…}}`), a list under its plural name with `meta`. See docs/API-DESIGN.md.

pub mod agenda;
pub mod agenda_grant;
pub mod agent;
pub mod auth;
pub mod calendar_feed;
pub mod creneau;
pub mod error;
pub mod export;
pub mod health;
pub mod lieu;
pub mod motif;
pub mod organisation;
pub mod public;
pub mod rdv;
pub mod rdv_search;
pub mod rdvinsertion;
pub mod receipt;
pub mod retention;
pub mod sector;
pub mod stats;
pub mod territory;
pub mod user;
pub mod user_import;
pub mod webhook;

pub use agenda::*;
pub use agenda_grant::*;
pub use agent::*;
pub use auth::*;
pub use calendar_feed::*;
pub use creneau::*;
pub use error::*;
pub use export::*;
pub use health::*;
pub use lieu::*;
pub use motif::*;
pub use organisation::*;
pub use public::*;
pub use rdv::*;
pub use rdv_search::*;
pub use rdvinsertion::*;
pub use receipt::*;
pub use retention::*;
pub use sector::*;
pub use stats::*;
pub use territory::*;
pub use user::*;
pub use user_import::*;
pub use webhook::*;
