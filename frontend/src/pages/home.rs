//! The home page (`/`): the agent's shell (header) and a placeholder until the agenda lands.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use rdv_shared::dto::Me;

use crate::api::{self, ApiError};
use crate::app::SessionSignal;
use crate::components::header::Header;
use crate::session::{self, Session};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<SessionSignal>();
    move || match session.get() {
        None => view! { <Redirect path="/connexion"/> }.into_any(),
        Some(s) => view! { <Shell session=s/> }.into_any(),
    }
}

#[component]
fn Shell(session: Session) -> impl IntoView {
    let signal = expect_context::<SessionSignal>();
    let me = LocalResource::new(move || {
        let session = session.clone();
        async move { api::me(&session).await }
    });
    // A revoked or expired token: forget it, which sends the agent back to the login page.
    Effect::new(move |_| {
        if let Some(Err(ApiError::Unauthorized)) = me.get() {
            session::clear();
            signal.set(None);
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading">"Chargement…"</p> }>
            {move || me.get().map(|result| match result {
                Ok(me) => view! { <Welcome me=me/> }.into_any(),
                Err(ApiError::Unauthorized) => view! { <p class="loading">"Session expirée…"</p> }.into_any(),
                Err(e) => view! { <main class="page"><p class="error" role="alert">{e.message_fr()}</p></main> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Welcome(me: Me) -> impl IntoView {
    let first = me.first_name.clone().unwrap_or_else(|| me.last_name.clone());
    let organisation = RwSignal::new(
        session::load_organisation()
            .filter(|id| me.roles.iter().any(|r| r.organisation_id.0 == *id))
            .or_else(|| me.roles.first().map(|r| r.organisation_id.0)),
    );
    let roles = me.roles.clone();
    let current_name = move || {
        organisation
            .get()
            .and_then(|id| roles.iter().find(|r| r.organisation_id.0 == id))
            .map(|r| r.organisation_name.clone())
    };
    view! {
        <Header me=me organisation=organisation/>
        <main class="page">
            <div class="card">
                <h1>"Bonjour " {first}</h1>
                <p data-testid="current-organisation">
                    {move || current_name().map(|n| format!("Organisation : {n}")).unwrap_or_else(|| "Aucune organisation".into())}
                </p>
                <p>"Votre agenda arrive bientôt ici."</p>
            </div>
        </main>
    }
}
