//! "Synchroniser mon agenda" on "Mon compte": the agent's secret calendar link for Outlook,
//! Thunderbird or a phone — create it (shown once, with a webcal:// link and "Copier"), see
//! when a calendar last read it, revoke it.

use leptos::prelude::*;

use rdv_shared::dto::{CalendarFeedCreatedResponse, CreateCalendarFeedRequest};

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::local_date_time;

#[component]
pub fn CalendarSection() -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let current = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move { client::get_calendar_feed(&s).await.map(|r| r.calendar_feed) }
    });
    let details = RwSignal::new(false);
    let plages = RwSignal::new(false);
    let created: RwSignal<Option<CalendarFeedCreatedResponse>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    let create = {
        let session = ctx.session.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let s = session.clone();
            let body = CreateCalendarFeedRequest {
                with_details: details.get_untracked(),
                with_plages: plages.get_untracked(),
            };
            leptos::task::spawn_local(async move {
                match client::create_calendar_feed(&s, &body).await {
                    Ok(r) => {
                        created.set(Some(r));
                        outcome.set(Some(Ok(
                            "Lien créé : ajoutez-le à votre agenda. Il ne sera plus affiché ensuite.".into(),
                        )));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let revoke = {
        let session = ctx.session.clone();
        move |_| {
            let question = "Révoquer le lien ? Les agendas abonnés ne seront plus mis à jour.";
            if !web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false) {
                return;
            }
            let s = session.clone();
            leptos::task::spawn_local(async move {
                let res = client::delete_calendar_feed(&s).await;
                created.set(None);
                outcome.set(Some(
                    res.map(|_| "Lien révoqué : votre agenda ne sera plus mis à jour.".to_owned())
                        .map_err(|e| e.message_fr()),
                ));
                refresh.update(|n| *n += 1);
            });
        }
    };
    let copy = move |_| {
        if let (Some(c), Some(w)) = (created.get_untracked(), web_sys::window()) {
            let _ = w.navigator().clipboard().write_text(&c.url);
            outcome.set(Some(Ok("Lien copié.".into())));
        }
    };
    view! {
        <section class="card" aria-labelledby="calendar-title" data-testid="calendar-feed">
            <h2 id="calendar-title">"Synchroniser mon agenda"</h2>
            <p class="muted">"Vos RDV et indisponibilités dans Outlook, Thunderbird ou l'agenda de votre téléphone, mis à jour automatiquement (de 3 mois en arrière à 12 mois en avant). Le lien est secret : ne le partagez pas."</p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || current.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                    Ok(None) => view! { <p>"Aucun lien actif."</p> }.into_any(),
                    Ok(Some(f)) => view! {
                        <p>{format!("Lien actif depuis le {}{}{}.", local_date_time(f.created_at),
                            if f.with_details { ", avec les noms des usagers" } else { ", sans les noms des usagers" },
                            if f.with_plages { ", plages d'ouverture comprises" } else { "" })}
                            <br/>{f.last_read_at.map_or("Pas encore lu par un agenda.".to_owned(), |t| format!("Dernière lecture par un agenda : {}.", local_date_time(t)))}</p>
                        <button type="button" class="danger" on:click=revoke.clone()>"Révoquer le lien"</button>
                    }.into_any(),
                })}
            </Transition>
            {move || created.get().map(|c| view! {
                <div class="card">
                    <label for="calendar-url">"Lien d'abonnement"</label>
                    <input id="calendar-url" readonly prop:value=c.url.clone() class="break"/>
                    <div class="actions">
                        <button type="button" on:click=copy>"Copier le lien"</button>
                        <a class="button secondary" href=c.webcal_url.clone()>"Ouvrir dans mon agenda"</a>
                    </div>
                </div>
            })}
            <form class="form" on:submit=create>
                <label class="check"><input type="checkbox" bind:checked=details/>"Avec détails (noms des usagers dans les événements)"</label>
                <label class="check"><input type="checkbox" bind:checked=plages/>"Inclure mes plages d'ouverture"</label>
                <Status outcome=outcome/>
                <button type="submit">"Créer un nouveau lien"</button>
            </form>
        </section>
    }
}
