//! A usager's booked RDV (`/prendre-rdv/rdv/:token`, no account): the details, and
//! "Annuler ce rendez-vous" until 4 hours before when the motif allows it (reference §4.7).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use rdv_shared::dto::PublicRdv;

use crate::api::ApiError;
use crate::client;
use crate::dates::long_day;

#[component]
pub fn PublicRdvPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let rdv: RwSignal<Option<Result<PublicRdv, ApiError>>> = RwSignal::new(None);
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move |_| {
        let t = token();
        leptos::task::spawn_local(async move {
            rdv.set(Some(client::get_public_rdv(&t).await.map(|r| r.rdv)));
        });
    });
    let cancel = move |warning: String| {
        let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&warning).ok()).unwrap_or(false);
        if !confirmed {
            return;
        }
        let t = token();
        leptos::task::spawn_local(async move {
            match client::cancel_public_rdv(&t).await {
                Ok(r) => {
                    message.set(Some("Votre rendez-vous est annulé.".into()));
                    rdv.set(Some(Ok(r.rdv)));
                }
                Err(e) => message.set(Some(e.message_fr())),
            }
        });
    };
    view! {
        <main class="page public">
            <h1>"Mon rendez-vous"</h1>
            {move || message.get().map(|m| view! { <p role="status" class="card">{m}</p> })}
            {move || rdv.get().map(|r| match r {
                Err(ApiError::NotFound) => view! { <p class="error" role="alert">"Ce lien ne correspond à aucun rendez-vous."</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                Ok(r) => view! { <PublicRdvCard rdv=r on_cancel=cancel/> }.into_any(),
            })}
        </main>
    }
}

/// What a usager sees of their RDV, with "Annuler ce rendez-vous" when it still can be.
/// `on_cancel` gets the motif's warning to confirm.
#[component]
pub fn PublicRdvCard(rdv: PublicRdv, on_cancel: impl Fn(String) + Clone + Send + Sync + 'static) -> impl IntoView {
    let r = rdv;
    let cancelled = r.status != rdv_shared::enums::RdvStatus::Unknown.as_str();
    let warning = r.cancel_warning.clone();
    view! {
        <section class="card" data-testid="public-rdv">
            <p><strong>{format!("{} à {}", long_day(r.starts_at.date_naive()), r.starts_at.format("%H:%M"))}</strong></p>
            <p>{r.motif_name.clone()}" — "{r.organisation_name.clone()}</p>
            {r.lieu_name.clone().map(|n| view! { <p>{n}" — "{r.lieu_address.clone().unwrap_or_default()}</p> })}
            {r.instruction_for_rdv.clone().map(|i| view! { <p class="muted">{i}</p> })}
            {cancelled.then(|| view! { <p class="warning">"Ce rendez-vous est annulé."</p> })}
            {r.cancellable.then(|| view! {
                <button type="button" class="danger" on:click=move |_| on_cancel(warning.clone())>"Annuler ce rendez-vous"</button>
            })}
            {(!r.cancellable && !cancelled).then(|| view! { <p class="muted">"Pour annuler moins de 4 heures avant, contactez directement le service."</p> })}
        </section>
    }
}
