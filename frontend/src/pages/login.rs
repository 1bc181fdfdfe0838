//! The sign-in page (`/connexion`).

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::session;
use crate::session::SessionSignal;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<SessionSignal>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let navigate = use_navigate();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::sign_in(&email.get_untracked(), &password.get_untracked()).await {
                Ok(s) => {
                    session::save(&s);
                    session.set(Some(s));
                    navigate("/", Default::default());
                }
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e.message_fr()));
                }
            }
            pending.set(false);
        });
    };

    view! {
        <Show when=move || session.with(Option::is_some)>
            <Redirect path="/"/>
        </Show>
        <main class="login">
            <h1>"RDV Solidarités"</h1>
            <p>"Connectez-vous à votre espace agent."</p>
            <form on:submit=on_submit novalidate>
                <label for="email">"Adresse e-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" required bind:value=email/>
                <label for="password">"Mot de passe"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required bind:value=password/>
                <Show when=move || error.with(Option::is_some)>
                    <p class="error" role="alert">{move || error.get()}</p>
                </Show>
                <button type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Connexion…" } else { "Se connecter" }}
                </button>
            </form>
            <p><a href="/mot-de-passe-oublie">"Mot de passe oublié ?"</a></p>
        </main>
    }
}
