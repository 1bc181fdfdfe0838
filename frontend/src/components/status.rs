//! The outcome line under a form: an error (`role="alert"`) or a confirmation (`role="status"`).

use leptos::prelude::*;

/// `Err(message)` or `Ok(message)`; `None` shows nothing.
pub type Outcome = RwSignal<Option<Result<String, String>>>;

#[component]
pub fn Status(outcome: Outcome) -> impl IntoView {
    move || {
        outcome.get().map(|o| match o {
            Ok(msg) => view! { <p class="ok" role="status">{msg}</p> }.into_any(),
            Err(msg) => view! { <p class="error" role="alert">{msg}</p> }.into_any(),
        })
    }
}
