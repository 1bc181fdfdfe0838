//! "Statistiques" (`/statistiques`): the current organisation's figures (the RDVs the agent may
//! read), the agent's own (`?vue=moi`) and, for territorial admins, the territory's per
//! organisation (`?vue=territoire`). A year (default: this one) or a custom range, in the URL.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::client;
use crate::components::stats_view::StatsView;
use crate::ctx::use_ctx;
use crate::dates::today;

/// The range of the URL: `annee=2026`, or `from` and `to`, else this year.
pub fn range_of(get: impl Fn(&str) -> Option<String>) -> (NaiveDate, NaiveDate) {
    let year = get("annee").and_then(|y| y.parse::<i32>().ok()).unwrap_or_else(|| today().year());
    let day = |k: &str| get(k).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
    match (day("from"), day("to")) {
        (Some(f), Some(t)) => (f, t),
        _ => (
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_else(today),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_else(today),
        ),
    }
}

/// Year buttons and a custom range, navigating to `base` with the range in the URL.
#[component]
pub fn RangePicker(base: Signal<String>, from: NaiveDate, to: NaiveDate) -> impl IntoView {
    let navigate = use_navigate();
    let year = today().year();
    let (f, t) = (RwSignal::new(from.to_string()), RwSignal::new(to.to_string()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        navigate(
            &format!("{}&from={}&to={}", base.get_untracked(), f.get_untracked(), t.get_untracked()),
            Default::default(),
        );
    };
    view! {
        <nav class="tabs" aria-label="Année">
            {(0..4).map(|i| {
                let y = year - i;
                let current = from == NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(from) && to == NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(to);
                view! { <A href=move || format!("{}&annee={y}", base.get()) attr:aria-current=current.then_some("page")>{y.to_string()}</A> }
            }).collect_view()}
        </nav>
        <form class="inline-form" on:submit=on_submit>
            <label for="stats-from">"Du"</label>
            <input id="stats-from" type="date" bind:value=f required/>
            <label for="stats-to">"au"</label>
            <input id="stats-to" type="date" bind:value=t required/>
            <button type="submit" class="secondary">"Afficher"</button>
        </form>
    }
}

#[component]
pub fn StatsPage() -> impl IntoView {
    let ctx = use_ctx();
    let query = use_query_map();
    let view_name = move || query.with(|q| q.get("vue").unwrap_or_default());
    let range = move || query.with(|q| range_of(|k| q.get(k)));
    let territory = ctx.me.territorial_admin_of.first().map(|t| t.0);
    let me_id = ctx.me.id.0;
    let stats = {
        let ctx = ctx.clone();
        LocalResource::new(move || {
            let (session, org, (from, to), which) = (ctx.session.clone(), ctx.org_id(), range(), view_name());
            async move {
                match (which.as_str(), territory) {
                    ("moi", _) => client::get_my_stats(&session, from, to).await,
                    ("territoire", Some(t)) => client::get_territory_stats(&session, t, from, to).await,
                    _ => client::get_organisation_stats(&session, org, from, to).await,
                }
                .map(|r| (r.stats, which, org))
            }
        })
    };
    let base = Signal::derive(move || format!("/statistiques?vue={}", view_name()));
    view! {
        <main class="page">
            <h1>"Statistiques"</h1>
            <nav class="tabs" aria-label="Périmètre">
                <A href="/statistiques" attr:aria-current=move || (view_name().is_empty()).then_some("page")>"Organisation"</A>
                <A href="/statistiques?vue=moi" attr:aria-current=move || (view_name() == "moi").then_some("page")>"Mes RDV"</A>
                {territory.map(|_| view! {
                    <A href="/statistiques?vue=territoire" attr:aria-current=move || (view_name() == "territoire").then_some("page")>"Territoire"</A>
                })}
            </nav>
            {move || { let (from, to) = range(); view! { <RangePicker base=base from=from to=to/> } }}
            <p class="help">"Les chiffres ne comptent que les RDV que vous pouvez consulter en détail. Cliquez un compteur pour voir la liste des RDV."</p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok((s, which, org)) => {
                        let (list, name) = match which.as_str() {
                            "moi" => (Some(format!("agent_ids[]={me_id}")), "moi".to_owned()),
                            "territoire" => (None, "territoire".to_owned()),
                            _ => (Some(format!("organisation_ids[]={org}")), format!("organisation-{org}")),
                        };
                        view! { <StatsView stats=s list=list name=name/> }.into_any()
                    }
                })}
            </Transition>
        </main>
    }
}
