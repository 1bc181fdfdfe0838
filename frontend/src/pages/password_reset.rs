//! Password reset without an account session: "Mot de passe oublié" (`/mot-de-passe-oublie`,
//! asks for the email, always the same answer) and the emailed link's page
//! (`/mot-de-passe/nouveau?token=…`, chooses the new password, then back to sign-in).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use rdv_shared::dto::{PasswordResetRequest, ResetPasswordRequest};

use crate::client;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let answer = RwSignal::new(None::<Result<String, String>>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let body = PasswordResetRequest { email: email.get_untracked(), redirect_url: None };
        leptos::task::spawn_local(async move {
            answer
                .set(Some(client::request_password_reset(&body).await.map(|r| r.message).map_err(|e| e.message_fr())));
            pending.set(false);
        });
    };
    view! {
        <main class="login">
            <h1>"Mot de passe oublié"</h1>
            <p>"Indiquez l'adresse e-mail de votre compte agent : vous recevrez un lien pour choisir un nouveau mot de passe."</p>
            <form on:submit=on_submit>
                <label for="email">"Adresse e-mail"</label>
                <input id="email" type="email" autocomplete="username" required bind:value=email/>
                {move || match answer.get() {
                    Some(Ok(message)) => view! { <p class="success" role="status">{message}</p> }.into_any(),
                    Some(Err(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <button type="submit" disabled=move || pending.get()>"Recevoir un lien"</button>
            </form>
            <p><A href="/connexion">"Retour à la connexion"</A></p>
        </main>
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = ResetPasswordRequest {
            reset_password_token: query.with_untracked(|q| q.get("token").unwrap_or_default()),
            password: password.get_untracked(),
            password_confirmation: confirmation.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match client::reset_password(&body).await {
                Ok(()) => {
                    error.set(None);
                    done.set(true);
                }
                Err(e) => error.set(Some(e.message_fr())),
            }
        });
    };
    view! {
        <main class="login">
            <h1>"Choisir un nouveau mot de passe"</h1>
            <Show
                when=move || done.get()
                fallback=move || view! {
                    <form on:submit=on_submit>
                        <p id="password-rule">"Au moins 12 caractères, dont un chiffre, une majuscule et un caractère spécial."</p>
                        <label for="new-password">"Nouveau mot de passe"</label>
                        <input id="new-password" type="password" autocomplete="new-password" aria-describedby="password-rule" required bind:value=password/>
                        <label for="new-password-confirmation">"Confirmation du mot de passe"</label>
                        <input id="new-password-confirmation" type="password" autocomplete="new-password" required bind:value=confirmation/>
                        <Show when=move || error.with(Option::is_some)>
                            <p class="error" role="alert">{move || error.get()}</p>
                        </Show>
                        <button type="submit">"Enregistrer le mot de passe"</button>
                    </form>
                }
            >
                <p class="success" role="status">"Votre mot de passe est enregistré. Vos autres sessions ont été fermées."</p>
                <p><A href="/connexion">"Se connecter"</A></p>
            </Show>
        </main>
    }
}
