//! The link in a usager's email or SMS (`/r/:token`, reference §4.9): nothing shows until the
//! first three letters of the last name are typed; then the RDV and, until 4 hours before when
//! the motif allows it, "Annuler ce rendez-vous"; then moving it and the waiting list
//! (`rdv_link_actions`). Phone first: one field, one big button.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use rdv_shared::dto::PublicRdv;

use crate::api::ApiError;
use crate::client;
use crate::pages::public_rdv::PublicRdvCard;
use crate::pages::rdv_link_actions::{MoveRdv, WaitingList};

#[component]
pub fn RdvLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = Signal::derive(move || params.read().get("token").unwrap_or_default());
    // `?modifier=1` (the waiting list's message): the slots open at once.
    let modify = use_query_map().get_untracked().get("modifier").is_some();
    let initials = RwSignal::new(String::new());
    let rdv: RwSignal<Option<PublicRdv>> = RwSignal::new(None);
    let message: RwSignal<Option<Result<String, String>>> = RwSignal::new(None);
    let show_error = move |e: ApiError| {
        let text = match e {
            ApiError::NotFound => "Ce lien ne correspond à aucun rendez-vous, ou il a expiré.".to_owned(),
            other => other.message_fr(),
        };
        message.set(Some(Err(text)));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, typed) = (token.get_untracked(), initials.get_untracked());
        leptos::task::spawn_local(async move {
            match client::open_rdv_link(&t, &typed).await {
                Ok(r) => {
                    message.set(None);
                    rdv.set(Some(r.rdv));
                }
                Err(e) => show_error(e),
            }
        });
    };
    let cancel = move |warning: String| {
        let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&warning).ok()).unwrap_or(false);
        if !confirmed {
            return;
        }
        let (t, typed) = (token.get_untracked(), initials.get_untracked());
        leptos::task::spawn_local(async move {
            match client::cancel_rdv_link(&t, &typed).await {
                Ok(r) => {
                    message.set(Some(Ok(
                        "Votre rendez-vous est annulé. Un email de confirmation vous est envoyé.".into()
                    )));
                    rdv.set(Some(r.rdv));
                }
                Err(e) => show_error(e),
            }
        });
    };
    view! {
        <main class="page public">
            <h1>"Mon rendez-vous"</h1>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p role="status" class="card">{text}</p> }.into_any(),
                Err(text) => view! { <p role="alert" class="error">{text}</p> }.into_any(),
            })}
            {move || match rdv.get() {
                Some(r) => {
                    let (movable, waiting) = (r.reschedulable, r.waiting_list_offered);
                    view! {
                        <PublicRdvCard rdv=r on_cancel=cancel/>
                        {movable.then(|| view! { <MoveRdv token initials rdv message open=modify/> })}
                        {waiting.then(|| view! { <WaitingList token initials rdv message/> })}
                    }.into_any()
                }
                None => view! {
                    <form class="card" on:submit=submit>
                        <p>"Pour protéger vos informations, indiquez d'abord les trois premières lettres de votre nom de famille."</p>
                        <label for="initials">"Trois premières lettres du nom"</label>
                        <input id="initials" name="initials" autocomplete="off" autocapitalize="characters" maxlength="10" required
                            prop:value=move || initials.get() on:input=move |ev| initials.set(event_target_value(&ev))/>
                        <button type="submit" class="big">"Voir mon rendez-vous"</button>
                    </form>
                }.into_any(),
            }}
        </main>
    }
}
