//! The public statistics page (`/stats`, no sign-in): a territory's figures (`?territoire=ID`)
//! or every territory's, by week, origin, service and location type — counts only, no personal
//! data and no per-motif figures (the API leaves them out).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::client;
use crate::components::stats_view::StatsView;
use crate::pages::stats::{range_of, RangePicker};

#[component]
pub fn PublicStatsPage() -> impl IntoView {
    let query = use_query_map();
    let territory = move || query.with(|q| q.get("territoire").and_then(|t| t.parse::<i32>().ok()));
    let range = move || query.with(|q| range_of(|k| q.get(k)));
    let stats = LocalResource::new(move || {
        let (t, (from, to)) = (territory(), range());
        async move { client::get_public_stats(t, from, to).await }
    });
    let base = Signal::derive(move || match territory() {
        Some(t) => format!("/stats?territoire={t}"),
        None => "/stats?".to_owned(),
    });
    view! {
        <main class="page public">
            <h1>"Statistiques de RDV Solidarités"</h1>
            <p class="help">"Rendez-vous pris dans les services sociaux du département, par semaine. Aucune donnée personnelle."</p>
            {move || { let (from, to) = range(); view! { <RangePicker base=base from=from to=to/> } }}
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(r) => {
                        let name = territory().map_or_else(|| "tous".to_owned(), |t| format!("territoire-{t}"));
                        view! { <StatsView stats=r.stats list=None name=name/> }.into_any()
                    }
                })}
            </Transition>
        </main>
    }
}
