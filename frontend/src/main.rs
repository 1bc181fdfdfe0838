//! The agents' app: every route (see `lib.rs` for the usagers' lighter entry point).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(rdv_frontend::app::App);
}
