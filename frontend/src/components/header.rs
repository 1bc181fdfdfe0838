//! The top bar: brand, organisation switcher, the agent's name, sign-out.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use rdv_shared::dto::Me;

use crate::api;
use crate::app::SessionSignal;
use crate::session;

#[component]
pub fn Header(me: Me, organisation: RwSignal<Option<i32>>) -> impl IntoView {
    let session = expect_context::<SessionSignal>();
    let navigate = use_navigate();
    let full_name = me.full_name();
    let roles = me.roles.clone();

    let on_change = move |ev: leptos::ev::Event| {
        if let Ok(id) = event_target_value(&ev).parse::<i32>() {
            session::save_organisation(id);
            organisation.set(Some(id));
        }
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        let current = session.get_untracked();
        leptos::task::spawn_local(async move {
            if let Some(s) = current {
                api::sign_out(&s).await;
            }
            session::clear();
            session.set(None);
            navigate("/connexion", Default::default());
        });
    };

    view! {
        <header class="topbar">
            <span class="brand">"RDV Solidarités"</span>
            <label class="sr-only" for="organisation-switcher">"Organisation"</label>
            <select id="organisation-switcher" on:change=on_change>
                {roles
                    .into_iter()
                    .map(|r| {
                        let id = r.organisation_id.0;
                        view! {
                            <option value=id.to_string() selected=move || organisation.get() == Some(id)>
                                {r.organisation_name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <span class="agent-name" data-testid="agent-name">{full_name}</span>
            <button class="secondary" on:click=sign_out>"Se déconnecter"</button>
        </header>
    }
}
