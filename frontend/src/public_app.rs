//! Root of the usagers' booking app (`public.js`): the routes an usager reaches from a link or
//! the département's site, and nothing else, so that a phone downloads no agent screen.
//!
//! The server serves this app for these paths only (`api/src/spa.rs`, `PUBLIC_PREFIXES`); a
//! link to any other path reloads the page, and the server then serves the agents' app.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{
    public_booking::{OrganisationBookingPage, PublicBookingPage},
    public_rdv::PublicRdvPage,
    rdv_link::RdvLinkPage,
};

#[component]
pub fn PublicApp() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <OtherApp/> }>
                <Route path=path!("/prendre-rdv") view=|| view! { <PublicBookingPage/> }/>
                // rdv-insertion's invitation links use the reference's path.
                <Route path=path!("/prendre_rdv") view=|| view! { <PublicBookingPage/> }/>
                <Route path=path!("/org/:id") view=OrganisationBookingPage/>
                <Route path=path!("/prendre-rdv/rdv/:token") view=PublicRdvPage/>
                <Route path=path!("/r/:token") view=RdvLinkPage/>
            </Routes>
        </Router>
    }
}

/// A path of the agents' app, reached by a link: load it from the server.
#[component]
fn OtherApp() -> impl IntoView {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
    view! { <p class="muted">"Chargement…"</p> }
}
