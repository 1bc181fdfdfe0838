//! RDV's single-page apps (Leptos, client-side rendering), French UI. They talk only to the
//! public REST API (`api.rs`), with the DTOs of the shared crate.
//!
//! Two entry points share these modules, and each wasm holds only what its routes reach:
//! - `src/main.rs` → `frontend.js`: the agents' app, every route ([`app::App`]);
//! - `src/bin/public.rs` → `public.js`: the usagers' booking pages only ([`public_app::PublicApp`]:
//!   `/prendre-rdv`, its confirmation, `/org/:id`, the RDV link `/r/:token`), small enough for a
//!   phone on a slow network. The server picks the page (`api/src/spa.rs`).

pub mod api;
pub mod app;
pub mod client;
pub mod components;
pub mod ctx;
pub mod dates;
pub mod download;
pub mod pages;
pub mod public_app;
pub mod session;
