//! The usagers' booking app: the public routes only, without any agent or admin screen.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(rdv_frontend::public_app::PublicApp);
}
