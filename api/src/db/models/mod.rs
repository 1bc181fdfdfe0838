//! Rows, inserts and queries, one module per table family. Write functions take an
//! [`crate::audit::Author`] and record the audit version themselves; call them inside
//! [`crate::db::write_tx`].

pub mod absence;
pub mod agenda_grant;
pub mod agent;
pub mod auth_token;
pub mod calendar_feed;
pub mod export;
pub mod file_attente;
pub mod idempotency;
pub mod invitation;
pub mod lieu;
pub mod membership;
pub mod motif;
pub mod motif_category;
pub mod organisation;
pub mod outbox;
pub mod password_reset;
pub mod plage;
pub mod rate_limit;
pub mod rdv;
pub mod rdv_link;
pub mod rdv_reads;
pub mod rdv_search;
pub mod retention;
pub mod sector;
pub mod service;
pub mod territory;
pub mod territory_admin;
pub mod usager_read;
pub mod user;
pub mod user_import;
pub mod user_links;
pub mod user_search;
pub mod version;
pub mod webhook;
