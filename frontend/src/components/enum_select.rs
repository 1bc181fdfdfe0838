//! A `<select>` over one of the shared closed vocabularies (location type, bookable by…),
//! showing French labels and storing the typed value.

use leptos::prelude::*;

#[component]
pub fn EnumSelect<T>(
    id: &'static str,
    value: RwSignal<T>,
    options: &'static [T],
    label: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <select
            id=id
            on:change=move |ev| {
                if let Some(v) = parse(&event_target_value(&ev)) {
                    value.set(v);
                }
            }
        >
            {options
                .iter()
                .map(|o| {
                    let o = *o;
                    view! { <option value=key(o) selected=move || value.get() == o>{label(o)}</option> }
                })
                .collect_view()}
        </select>
    }
}
