//! Shows its children to admins of the current organisation only; others get a French notice.
//! The API enforces the same rule: this only avoids showing screens that would answer 403.

use leptos::prelude::*;

use crate::ctx::use_ctx;

#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <Show
            when=move || ctx.is_admin()
            fallback=|| {
                view! {
                    <main class="page">
                        <div class="card">
                            <h1>"Accès réservé"</h1>
                            <p role="alert">"Cette page est réservée aux administrateurs de l'organisation."</p>
                        </div>
                    </main>
                }
            }
        >
            {children()}
        </Show>
    }
}
