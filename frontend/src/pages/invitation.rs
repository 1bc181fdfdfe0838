//! Accepting an invitation (`/invitation/:token`): the invited agent sees who invited them where,
//! gives their name, chooses a password, and is signed in.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::dto::{AcceptInvitationRequest, InvitationPreview};
use rdv_shared::validation::{message_fr, password_strength};

use crate::api::{self, ApiError};
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::session;
use crate::session::SessionSignal;

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = LocalResource::new(move || {
        let t = token();
        async move { client::get_invitation(&t).await.map(|r| r.invitation) }
    });
    view! {
        <main class="login">
            <h1>"RDV Solidarités"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    preview
                        .get()
                        .map(|r| match r {
                            Ok(p) => view! { <Accept preview=p token=token()/> }.into_any(),
                            Err(ApiError::NotFound) => {
                                view! {
                                    <p class="error" role="alert">
                                        "Ce lien d'invitation n'est plus valable (déjà utilisé, expiré ou remplacé). Demandez une nouvelle invitation à votre administrateur."
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn Accept(preview: InvitationPreview, token: String) -> impl IntoView {
    let session_signal = expect_context::<SessionSignal>();
    let navigate = use_navigate();
    let first_name = RwSignal::new(preview.first_name.clone().unwrap_or_default());
    let last_name = RwSignal::new(preview.last_name.clone());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let outcome: Outcome = RwSignal::new(None);
    let email = preview.email.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        if let Err(code) = password_strength(&pw) {
            outcome.set(Some(Err(format!("Le mot de passe {}.", message_fr(code)))));
            return;
        }
        if pw != confirm.get_untracked() {
            outcome.set(Some(Err("Les deux mots de passe ne sont pas identiques.".into())));
            return;
        }
        let body = AcceptInvitationRequest {
            password: pw.clone(),
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
        };
        let (token, email, navigate) = (token.clone(), email.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            let accepted = client::accept_invitation(&token, &body).await;
            match accepted {
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
                Ok(_) => match api::sign_in(&email, &pw).await {
                    Ok(s) => {
                        session::save(&s);
                        session_signal.set(Some(s));
                        navigate("/", Default::default());
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                },
            }
        });
    };
    view! {
        <p>
            {preview.invited_by.clone().map(|w| format!("{w} vous invite")).unwrap_or_else(|| "Vous êtes invité·e".into())}
            " à rejoindre " <strong>{preview.organisation_name.clone()}</strong> "."
        </p>
        <form on:submit=on_submit novalidate>
            <label for="accept-email">"Adresse e-mail"</label>
            <input id="accept-email" type="email" readonly value=preview.email.clone()/>
            <label for="accept-first">"Prénom"</label>
            <input id="accept-first" autocomplete="given-name" required bind:value=first_name/>
            <label for="accept-last">"Nom"</label>
            <input id="accept-last" autocomplete="family-name" required bind:value=last_name/>
            <label for="accept-password">"Choisissez un mot de passe"</label>
            <input id="accept-password" type="password" autocomplete="new-password" required bind:value=password aria-describedby="pw-help"/>
            <p id="pw-help" class="help">"Au moins 12 caractères, dont un chiffre, une majuscule et un caractère spécial."</p>
            <label for="accept-confirm">"Confirmez le mot de passe"</label>
            <input id="accept-confirm" type="password" autocomplete="new-password" required bind:value=confirm/>
            <Status outcome=outcome/>
            <button type="submit">"Activer mon compte"</button>
        </form>
    }
}
