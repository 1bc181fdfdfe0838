//! Root component: the session context and the router (one route per page).

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::pages::{home::HomePage, login::LoginPage, not_found::NotFoundPage};
use crate::session::{self, Session};

/// The signed-in session, `None` when signed out; provided to every page.
pub type SessionSignal = RwSignal<Option<Session>>;

#[component]
pub fn App() -> impl IntoView {
    let session: SessionSignal = RwSignal::new(session::load());
    provide_context(session);
    view! {
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/connexion") view=LoginPage/>
            </Routes>
        </Router>
    }
}
