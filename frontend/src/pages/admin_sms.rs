//! The territory's SMS provider (on `/admin/territoire`): URL, sender name, API key. The key is
//! never shown back; leaving its field empty keeps it.

use leptos::prelude::*;

use rdv_shared::dto::{SmsSettings, UpdateSmsSettingsRequest};

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

#[component]
pub fn SmsSection(territory_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let current = LocalResource::new(move || {
        let s = session.clone();
        async move { client::get_sms_settings(&s, territory_id).await.map(|r| r.sms_settings) }
    });
    view! {
        <Transition fallback=|| view! { <p>"Chargement…"</p> }>
            {move || current.get().map(|r| match r {
                Ok(s) => view! { <SmsForm territory_id=territory_id settings=s/> }.into_any(),
                Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn SmsForm(territory_id: i32, settings: SmsSettings) -> impl IntoView {
    let ctx = use_ctx();
    let url = RwSignal::new(settings.sms_provider_url.clone().unwrap_or_default());
    let sender = RwSignal::new(settings.sms_sender.clone().unwrap_or_default());
    let key = RwSignal::new(String::new());
    let key_set = RwSignal::new(settings.sms_api_key_set);
    let outcome: Outcome = RwSignal::new(None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let typed_key = key.get_untracked();
        let body = UpdateSmsSettingsRequest {
            sms_provider_url: Some(url.get_untracked()),
            sms_sender: Some(sender.get_untracked()),
            // Empty: keep the key already set.
            sms_api_key: (!typed_key.trim().is_empty()).then_some(typed_key),
        };
        leptos::task::spawn_local(async move {
            match client::update_sms_settings(&session, territory_id, &body).await {
                Ok(r) => {
                    key.set(String::new());
                    key_set.set(r.sms_settings.sms_api_key_set);
                    outcome.set(Some(Ok("Fournisseur SMS enregistré.".into())));
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <form class="card form" on:submit=on_submit aria-labelledby="sms-title">
            <h2 id="sms-title">"Envoi des SMS"</h2>
            <p class="muted">"Sans adresse, les SMS partent par le fournisseur configuré sur le serveur. Compatible avec l'API SMS transactionnels de Brevo."</p>
            <label for="sms-url">"Adresse de l'API du fournisseur"</label>
            <input id="sms-url" type="url" placeholder="https://api.brevo.com/v3/transactionalSMS/sms"
                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
            <label for="sms-sender">"Nom d'expéditeur (11 caractères au plus)"</label>
            <input id="sms-sender" maxlength="11" placeholder="RdvSoli"
                prop:value=move || sender.get() on:input=move |ev| sender.set(event_target_value(&ev))/>
            <label for="sms-key">"Clé d'API"</label>
            <input id="sms-key" type="password" autocomplete="off"
                placeholder=move || if key_set.get() { "Clé enregistrée — laisser vide pour la garder" } else { "Aucune clé" }
                prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))/>
            <Status outcome=outcome/>
            <button type="submit">"Valider le fournisseur SMS"</button>
        </form>
    }
}
