//! The signed-in layout: loads the agent, provides [`Ctx`], shows the header, then the page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

use rdv_shared::dto::Me;

use crate::api::ApiError;
use crate::client;
use crate::components::header::Header;
use crate::ctx::Ctx;
use crate::session::SessionSignal;
use crate::session::{self, Session};

#[component]
pub fn Shell() -> impl IntoView {
    let session = expect_context::<SessionSignal>();
    move || match session.get() {
        None => view! { <Redirect path="/connexion"/> }.into_any(),
        Some(s) => view! { <Loaded session=s/> }.into_any(),
    }
}

#[component]
fn Loaded(session: Session) -> impl IntoView {
    let signal = expect_context::<SessionSignal>();
    let for_fetch = session.clone();
    let me = LocalResource::new(move || {
        let s = for_fetch.clone();
        async move { client::get_me(&s).await }
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
            {move || {
                me.get()
                    .map(|result| match result {
                        Ok(me) => view! { <WithCtx session=session.clone() me=me/> }.into_any(),
                        Err(ApiError::Unauthorized) => view! { <p class="loading">"Session expirée…"</p> }.into_any(),
                        Err(e) => {
                            view! {
                                <main class="page">
                                    <p class="error" role="alert">{e.message_fr()}</p>
                                </main>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn WithCtx(session: Session, me: Me) -> impl IntoView {
    let organisation = RwSignal::new(
        session::load_organisation()
            .filter(|id| me.roles.iter().any(|r| r.organisation_id.0 == *id))
            .or_else(|| me.roles.first().map(|r| r.organisation_id.0)),
    );
    provide_context(Ctx { session, me, organisation });
    view! {
        <Header/>
        <Outlet/>
    }
}
