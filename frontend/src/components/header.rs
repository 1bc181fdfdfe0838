//! The top bar: brand, navigation (admin links for admins), organisation switcher, the agent's
//! name, sign-out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::client;
use crate::ctx::use_ctx;
use crate::session;
use crate::session::SessionSignal;

#[component]
pub fn Header() -> impl IntoView {
    let ctx = use_ctx();
    let session = expect_context::<SessionSignal>();
    let navigate = use_navigate();
    let full_name = ctx.me.full_name();
    let roles = ctx.me.roles.clone();
    let organisation = ctx.organisation;
    let admin = {
        let ctx = ctx.clone();
        Memo::new(move |_| ctx.is_admin())
    };
    let territorial = ctx.is_territorial_admin();

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
                client::sign_out(&s).await;
            }
            session::clear();
            session.set(None);
            navigate("/connexion", Default::default());
        });
    };

    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"RDV Solidarités"</A>
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
            <A href="/mon-compte" attr:class="agent-name" attr:title="Mon compte">
                <span data-testid="agent-name">{full_name}</span>
            </A>
            <button class="secondary" on:click=sign_out>"Se déconnecter"</button>
        </header>
        <nav class="mainnav" aria-label="Principal">
            <A href="/agenda">"Agenda"</A>
            <A href="/creneaux">"Trouver un créneau"</A>
            <A href="/usagers">"Usagers"</A>
            <A href="/rdvs">"RDV"</A>
            <A href="/statistiques">"Statistiques"</A>
        </nav>
        <Show when=move || admin.get() || territorial>
            <nav class="adminnav" aria-label="Administration">
                <Show when=move || admin.get()>
                    <A href="/admin/organisation">"Organisation"</A>
                    <A href="/admin/agents">"Agents"</A>
                    <A href="/admin/lieux">"Lieux"</A>
                    <A href="/admin/motifs">"Motifs"</A>
                </Show>
                <Show when=move || territorial>
                    <A href="/admin/territoire">"Territoire"</A>
                    <A href="/admin/secteurs">"Secteurs"</A>
                </Show>
            </nav>
        </Show>
    }
}
