//! The home page (`/`): a welcome and the agent's organisation, until the agenda lands.

use leptos::prelude::*;

use crate::ctx::use_ctx;

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = use_ctx();
    let first = ctx.me.first_name.clone().unwrap_or_else(|| ctx.me.last_name.clone());
    let current = ctx.clone();
    view! {
        <main class="page">
            <div class="card">
                <h1>"Bonjour " {first}</h1>
                <p data-testid="current-organisation">
                    {move || {
                        current
                            .role()
                            .map(|r| format!("Organisation : {}", r.organisation_name))
                            .unwrap_or_else(|| "Aucune organisation".into())
                    }}
                </p>
                <p>"Votre agenda arrive bientôt ici."</p>
            </div>
        </main>
    }
}
