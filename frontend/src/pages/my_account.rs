//! "Mon compte" (`/mon-compte`): the agent's own name and preferences — which notifications they
//! receive, whether agendas show Saturdays — and the link that syncs their own calendar.

use leptos::prelude::*;

use rdv_shared::dto::{AgentDetail, UpdateAgentRequest};
use rdv_shared::enums::{NotificationLevel, RdvNotificationsLevel};

use crate::client;
use crate::components::enum_select::EnumSelect;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::pages::my_calendar::CalendarSection;

#[component]
pub fn MyAccountPage() -> impl IntoView {
    let ctx = use_ctx();
    let id = ctx.me.id.0;
    let session = ctx.session.clone();
    let agent = LocalResource::new(move || {
        let s = session.clone();
        async move { client::get_agent(&s, id).await.map(|r| r.agent) }
    });
    view! {
        <main class="page">
            <h1>"Mon compte"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    agent.get()
                        .map(|r| match r {
                            Ok(a) => view! { <Preferences agent=a/> }.into_any(),
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
            <CalendarSection/>
            <SignOutEverywhere/>
        </main>
    }
}

#[component]
fn Preferences(agent: AgentDetail) -> impl IntoView {
    let ctx = use_ctx();
    let id = agent.id.0;
    let first_name = RwSignal::new(agent.first_name.clone().unwrap_or_default());
    let last_name = RwSignal::new(agent.last_name.clone());
    let rdv = RwSignal::new(agent.preferences.rdv_notifications_level);
    let plages = RwSignal::new(agent.preferences.plage_ouverture_notification_level);
    let absences = RwSignal::new(agent.preferences.absence_notification_level);
    let saturdays = RwSignal::new(agent.preferences.display_saturdays);
    let outcome: Outcome = RwSignal::new(None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let body = UpdateAgentRequest {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            service_ids: None,
            rdv_notifications_level: Some(rdv.get_untracked()),
            plage_ouverture_notification_level: Some(plages.get_untracked()),
            absence_notification_level: Some(absences.get_untracked()),
            display_saturdays: Some(saturdays.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let res = client::update_agent(&session, id, &body).await;
            outcome.set(Some(res.map(|_| "Préférences enregistrées.".to_owned()).map_err(|e| e.message_fr())));
        });
    };
    view! {
        <form class="card form" on:submit=on_submit>
            <p>{agent.email.clone().unwrap_or_default()}</p>
            <div class="row">
                <span>
                    <label for="me-first">"Prénom"</label>
                    <input id="me-first" bind:value=first_name/>
                </span>
                <span>
                    <label for="me-last">"Nom"</label>
                    <input id="me-last" required bind:value=last_name/>
                </span>
            </div>
            <fieldset>
                <legend>"Notifications par email"</legend>
                <label for="me-rdv">"Rendez-vous"</label>
                <EnumSelect id="me-rdv" value=rdv options=RdvNotificationsLevel::ALL label=RdvNotificationsLevel::label_fr key=RdvNotificationsLevel::as_str parse=RdvNotificationsLevel::parse/>
                <label for="me-plages">"Plages d'ouverture"</label>
                <EnumSelect id="me-plages" value=plages options=NotificationLevel::ALL label=NotificationLevel::label_fr key=NotificationLevel::as_str parse=NotificationLevel::parse/>
                <label for="me-absences">"Indisponibilités"</label>
                <EnumSelect id="me-absences" value=absences options=NotificationLevel::ALL label=NotificationLevel::label_fr key=NotificationLevel::as_str parse=NotificationLevel::parse/>
            </fieldset>
            <fieldset>
                <legend>"Agenda"</legend>
                <label class="check"><input type="checkbox" bind:checked=saturdays/>"Afficher les samedis"</label>
            </fieldset>
            <Status outcome=outcome/>
            <button type="submit">"Enregistrer"</button>
        </form>
    }
}

/// Ends every session of the agent (a lost phone, a shared computer), then back to sign-in.
#[component]
fn SignOutEverywhere() -> impl IntoView {
    let ctx = use_ctx();
    let session = expect_context::<crate::session::SessionSignal>();
    let navigate = leptos_router::hooks::use_navigate();
    let outcome: Outcome = RwSignal::new(None);
    let on_click = move |_| {
        let (s, navigate) = (ctx.session.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            match client::sign_out_everywhere(&s).await {
                Ok(_) => {
                    crate::session::clear();
                    session.set(None);
                    navigate("/connexion", Default::default());
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Sécurité"</h2>
            <p>"Fermez toutes vos sessions ouvertes (autres ordinateurs, téléphone, outils connectés avec votre compte), celle-ci comprise."</p>
            <button type="button" class="secondary" on:click=on_click>"Se déconnecter de tous les appareils"</button>
            <Status outcome=outcome/>
        </section>
    }
}
