//! Organisation settings (`/admin/organisation`): name, contact details, opening hours, time zone,
//! external id — the partner tools' webhooks, and the organisation's history.

use leptos::prelude::*;

use rdv_shared::dto::{Organisation, UpdateOrganisationRequest};

use crate::client;
use crate::components::admin_only::AdminOnly;
use crate::components::history::History;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::pages::admin_webhooks::WebhooksSection;

/// The zones of mainland and overseas départements, for the select.
pub const TIME_ZONES: &[(&str, &str)] = &[
    ("Europe/Paris", "Métropole (Europe/Paris)"),
    ("America/Guadeloupe", "Guadeloupe"),
    ("America/Martinique", "Martinique"),
    ("America/Cayenne", "Guyane"),
    ("Indian/Reunion", "La Réunion"),
    ("Indian/Mayotte", "Mayotte"),
    ("America/Miquelon", "Saint-Pierre-et-Miquelon"),
];

#[component]
pub fn OrganisationPage() -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id = ctx.org_id();
                    view! { <OrganisationForm id=id/> }
                }
            }
        </AdminOnly>
    }
}

#[component]
fn OrganisationForm(id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let org = LocalResource::new(move || {
        let s = session.clone();
        async move { client::get_organisation(&s, id).await.map(|r| r.organisation) }
    });
    view! {
        <main class="page">
            <h1>"Paramètres de l'organisation"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    org.get()
                        .map(|r| match r {
                            Ok(o) => view! { <Form org=o/> }.into_any(),
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn Form(org: Organisation) -> impl IntoView {
    let ctx = use_ctx();
    let id = org.id.0;
    let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
    let name = RwSignal::new(org.name.clone());
    let phone = text(&org.phone_number);
    let email = text(&org.email);
    let website = text(&org.website);
    let horaires = text(&org.horaires);
    let external_id = text(&org.external_id);
    let time_zone = RwSignal::new(org.time_zone.clone());
    let saturdays = RwSignal::new(org.allow_saturday_openings);
    let outcome: Outcome = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let body = UpdateOrganisationRequest {
            name: Some(name.get_untracked()),
            phone_number: Some(Some(phone.get_untracked())),
            email: Some(Some(email.get_untracked())),
            time_zone: Some(time_zone.get_untracked()),
            website: Some(Some(website.get_untracked())),
            horaires: Some(Some(horaires.get_untracked())),
            external_id: Some(Some(external_id.get_untracked())),
            allow_saturday_openings: Some(saturdays.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let res = client::update_organisation(&session, id, &body).await;
            outcome.set(Some(res.map(|_| "Modifications enregistrées.".to_owned()).map_err(|e| e.message_fr())));
            refresh.update(|n| *n += 1);
        });
    };
    view! {
        <form class="card form" on:submit=on_submit>
            <label for="org-name">"Nom"</label>
            <input id="org-name" required bind:value=name/>
            <label for="org-phone">"Téléphone"</label>
            <input id="org-phone" type="tel" bind:value=phone/>
            <label for="org-email">"Email de contact"</label>
            <input id="org-email" type="email" bind:value=email/>
            <label for="org-website">"Site web"</label>
            <input id="org-website" type="url" placeholder="https://" bind:value=website/>
            <label for="org-horaires">"Horaires d'ouverture"</label>
            <textarea id="org-horaires" rows="3" bind:value=horaires></textarea>
            <label for="org-tz">"Fuseau horaire"</label>
            <select id="org-tz" on:change=move |ev| time_zone.set(event_target_value(&ev))>
                {TIME_ZONES
                    .iter()
                    .map(|(tz, label)| {
                        let tz = *tz;
                        view! { <option value=tz selected=move || time_zone.get() == tz>{*label}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="org-external">"Identifiant dans le SI du département"</label>
            <input id="org-external" bind:value=external_id/>
            <label class="check"><input type="checkbox" bind:checked=saturdays/>
                "Ouvert le samedi (autorise les plages d'ouverture le samedi ; jamais le dimanche)"</label>
            <Status outcome=outcome/>
            <button type="submit">"Enregistrer"</button>
        </form>
        <WebhooksSection organisation_id=id/>
        <History item_type="Organisation" item_id=id refresh=refresh/>
    }
}
