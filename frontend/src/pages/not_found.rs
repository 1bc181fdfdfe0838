//! Unknown SPA paths.

use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="page">
            <div class="card">
                <h1>"Page introuvable"</h1>
                <p><a href="/">"Retour à l'accueil"</a></p>
            </div>
        </main>
    }
}
