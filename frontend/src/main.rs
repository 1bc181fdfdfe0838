//! RDV's single-page app: French UI for agents, built with Leptos (client-side rendering).
//! It talks only to the public REST API (`api.rs`), with the DTOs of the shared crate.

mod api;
mod app;
mod client;
mod components;
mod ctx;
mod dates;
mod download;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
