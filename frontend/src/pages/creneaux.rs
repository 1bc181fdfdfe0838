//! "Trouver un créneau" (`/creneaux`, seed 003 "recherche de créneau côté agent"): motif, lieu,
//! agent, team and a start date → a week of free slots per lieu and day, each lieu with its
//! next availability; one click opens the RDV form prefilled with that slot. Collective
//! motifs list their sessions with seats left.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use rdv_shared::dto::{CreneauxLieu, CreneauxResponse};

use crate::api;
use crate::client;
use crate::ctx::use_ctx;
use crate::dates::{long_day, parse_day, short_day, today};

/// What the search asks for.
#[derive(Clone, PartialEq)]
struct Criteria {
    motif: String,
    lieu: String,
    agent: String,
    team: String,
    from: NaiveDate,
}

impl Criteria {
    /// The week from `from`, with the chosen filters.
    fn search(&self) -> client::CreneauxSearch<'_> {
        client::CreneauxSearch {
            motif_id: &self.motif,
            from: self.from,
            to: self.from + Duration::days(6),
            lieu_id: &self.lieu,
            agent_id: &self.agent,
            team_id: &self.team,
        }
    }
}

#[component]
pub fn CreneauxPage() -> impl IntoView {
    let ctx = use_ctx();
    let org = ctx.org_id();
    let q = use_query_map().get_untracked();
    let motif = RwSignal::new(q.get("motif").unwrap_or_default());
    let lieu = RwSignal::new(q.get("lieu").unwrap_or_default());
    let agent = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let from = RwSignal::new(today().to_string());
    let criteria: RwSignal<Option<Criteria>> = RwSignal::new(None);

    let session = ctx.session.clone();
    let setup = LocalResource::new(move || {
        let session = session.clone();
        async move {
            let motifs = client::list_motifs(&session, org, false).await?;
            let lieux = client::list_lieux(&session, org).await?;
            let agents = client::list_agents(&session, Some(org)).await?;
            let o = client::get_organisation(&session, org).await?;
            let teams =
                client::list_teams(&session, o.organisation.territory_id.0).await.map(|t| t.teams).unwrap_or_default();
            Ok::<_, api::ApiError>((motifs.motifs, lieux.lieux, agents.agents, teams))
        }
    });
    let session = ctx.session.clone();
    let results = LocalResource::new(move || {
        let session = session.clone();
        let c = criteria.get();
        async move {
            match c {
                None => Ok(None),
                Some(c) => client::list_creneaux(&session, &c.search()).await.map(Some),
            }
        }
    });
    let search = move |day: Option<NaiveDate>| {
        let day = day.or_else(|| parse_day(&from.get_untracked())).unwrap_or_else(today);
        from.set(day.to_string());
        criteria.set(Some(Criteria {
            motif: motif.get_untracked(),
            lieu: lieu.get_untracked(),
            agent: agent.get_untracked(),
            team: team.get_untracked(),
            from: day,
        }));
    };

    view! {
        <main class="page">
            <h1>"Trouver un créneau"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || setup.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok((motifs, lieux, agents, teams)) => {
                        let motifs: Vec<_> = motifs.into_iter().filter(|m| m.active).collect();
                        if motif.get_untracked().is_empty() {
                            if let Some(m) = motifs.first() { motif.set(m.id.to_string()); }
                        }
                        view! {
                            <form class="card form" data-testid="creneaux-form" on:submit=move |ev| { ev.prevent_default(); search(None); }>
                                <label for="cr-motif">"Motif"</label>
                                <select id="cr-motif" prop:value=move || motif.get() on:change=move |ev| motif.set(event_target_value(&ev))>
                                    {motifs.iter().map(|m| view! { <option value=m.id.to_string()>{format!("{} ({} min)", m.name, m.default_duration_in_min)}</option> }).collect_view()}
                                </select>
                                <div class="row">
                                    <span>
                                        <label for="cr-lieu">"Lieu"</label>
                                        <select id="cr-lieu" prop:value=move || lieu.get() on:change=move |ev| lieu.set(event_target_value(&ev))>
                                            <option value="">"Tous les lieux"</option>
                                            {lieux.iter().filter(|l| l.availability == rdv_shared::enums::LieuAvailability::Enabled).map(|l| view! { <option value=l.id.to_string()>{l.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </span>
                                    <span>
                                        <label for="cr-agent">"Agent"</label>
                                        <select id="cr-agent" prop:value=move || agent.get() on:change=move |ev| agent.set(event_target_value(&ev))>
                                            <option value="">"Tous les agents"</option>
                                            {agents.iter().map(|a| view! { <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option> }).collect_view()}
                                        </select>
                                    </span>
                                    {(!teams.is_empty()).then(|| view! {
                                        <span>
                                            <label for="cr-team">"Équipe"</label>
                                            <select id="cr-team" prop:value=move || team.get() on:change=move |ev| team.set(event_target_value(&ev))>
                                                <option value="">"Toutes les équipes"</option>
                                                {teams.iter().map(|t| view! { <option value=t.id.to_string()>{t.name.clone()}</option> }).collect_view()}
                                            </select>
                                        </span>
                                    })}
                                    <span>
                                        <label for="cr-from">"À partir du"</label>
                                        <input id="cr-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                                    </span>
                                </div>
                                <div class="actions"><button type="submit">"Rechercher"</button></div>
                            </form>
                        }.into_any()
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p aria-live="polite">"Recherche…"</p> }>
                {move || results.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(None) => view! { <p class="muted">"Choisissez un motif puis lancez la recherche."</p> }.into_any(),
                    Ok(Some(res)) => view! { <Results res=res org=org on_day=Callback::new(move |d| search(Some(d)))/> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// The week's results: navigation, then one card per lieu and the collective sessions.
#[component]
fn Results(res: CreneauxResponse, org: i32, on_day: Callback<NaiveDate>) -> impl IntoView {
    let first = res.from.date_naive();
    let motif = res.motif.id;
    let sessions = res.collective_sessions.clone();
    let empty = res.lieux.is_empty() && sessions.is_empty();
    // Slots name their agent by id; the response lists each agent once.
    let names: std::sync::Arc<HashMap<i32, String>> = std::sync::Arc::new(
        res.agents
            .iter()
            .map(|a| (a.id.0, rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)))
            .collect(),
    );
    view! {
        <section aria-live="polite" data-testid="creneaux-results">
            <div class="row toolbar">
                <button type="button" class="secondary" on:click=move |_| on_day.run(first - Duration::days(7))>"← Semaine précédente"</button>
                <strong>{format!("Du {} au {}", long_day(first), long_day(first + Duration::days(6)))}</strong>
                <button type="button" class="secondary" on:click=move |_| on_day.run(first + Duration::days(7))>"Semaine suivante →"</button>
            </div>
            {empty.then(|| view! { <p class="muted">"Aucune plage d'ouverture ne propose ce motif : aucun créneau."</p> })}
            {res.lieux.into_iter().map(|l| {
                let names = names.clone();
                view! { <LieuCard lieu=l names=names org=org motif=motif on_day=on_day/> }
            }).collect_view()}
            {(!sessions.is_empty()).then(|| view! {
                <div class="card">
                    <h2>"Ateliers et séances collectives"</h2>
                    <ul>
                        {sessions.into_iter().map(|s| {
                            let places = s.seats_left.map_or("places illimitées".to_owned(), |n| format!("{n} place(s) restante(s)"));
                            let what = format!("{} {} — {} ({places})", short_day(s.starts_at.date_naive()), s.starts_at.format("%H:%M"), s.name.clone().unwrap_or_default());
                            view! { <li><a href=format!("/rdvs/{}", s.rdv_id)>{what}</a></li> }
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </section>
    }
}

#[component]
fn LieuCard(
    lieu: CreneauxLieu,
    names: std::sync::Arc<HashMap<i32, String>>,
    org: i32,
    motif: i32,
    on_day: Callback<NaiveDate>,
) -> impl IntoView {
    let name = lieu.lieu.as_ref().map_or("Sans lieu (téléphone, domicile, visio)".to_owned(), |l| l.name.clone());
    let next = lieu.next_availability;
    let has_days = !lieu.days.is_empty();
    view! {
        <div class="card" data-testid="creneaux-lieu">
            <h2>{name}</h2>
            {match (has_days, next) {
                (true, _) => ().into_any(),
                (false, Some(n)) => view! {
                    <p>"Prochaine disponibilité : "
                        <button type="button" class="link" on:click=move |_| on_day.run(n.date_naive())>
                            {format!("{} à {}", long_day(n.date_naive()), n.format("%H:%M"))}
                        </button>
                    </p>
                }.into_any(),
                (false, None) => view! { <p class="muted">"Aucune disponibilité dans les 6 prochains mois."</p> }.into_any(),
            }}
            {lieu.days.into_iter().map(|d| view! {
                <h3>{long_day(d.date)}</h3>
                <div class="slot-list">
                    {d.creneaux.into_iter().map(|c| {
                        let who = names.get(&c.agent_id.0).cloned().unwrap_or_default();
                        let href = format!(
                            "/rdvs/nouveau?organisation={org}&agent={}&lieu={}&motifs={motif}&debut={}",
                            c.agent_id.0,
                            c.lieu_id.map(|l| l.to_string()).unwrap_or_default(),
                            api::encode(&c.starts_at.to_rfc3339()),
                        );
                        view! { <a class="slot" href=href title=format!("Réserver avec {who}")>{format!("{} · {who}", c.starts_at.format("%H:%M"))}</a> }
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
    }
}
