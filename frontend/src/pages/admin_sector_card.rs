//! One sector on the sectorisation page: its zones (whole communes or single streets, each
//! removable), its attributions (an organisation, or one agent of it, each removable), the
//! forms that add them, and the sector's deletion.

use leptos::prelude::*;

use rdv_shared::dto::{CreateSectorAttributionRequest, CreateZoneRequest, Organisation, Sector};
use rdv_shared::sectorisation::ZoneLevel;
use rdv_shared::OrganisationId;

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

fn confirm(message: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(false)
}

#[component]
pub fn SectorCard(sector: Sector, orgs: Vec<Organisation>, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let id = sector.id;
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let remove_sector = move |_| {
        if !confirm("Supprimer ce secteur, ses zones et ses attributions ?") {
            return;
        }
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match client::delete_sector(&s, id).await {
                Ok(()) => refresh.update(|n| *n += 1),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let org_name = {
        let orgs = orgs.clone();
        move |o: i32| orgs.iter().find(|x| x.id.0 == o).map_or(format!("organisation {o}"), |x| x.name.clone())
    };
    let session = ctx.session.clone();
    let attributions = sector
        .attributions
        .iter()
        .map(|a| {
            let label = match (a.agent_id, &a.agent_name) {
                (None, _) => format!("{} (toute l'organisation)", org_name(a.organisation_id.0)),
                (Some(_), Some(name)) => format!("{name} — {}", org_name(a.organisation_id.0)),
                (Some(agent), None) => format!("agent n° {agent} — {}", org_name(a.organisation_id.0)),
            };
            let (aid, s) = (a.id, session.clone());
            let remove = move |_| {
                let s = s.clone();
                leptos::task::spawn_local(async move {
                    match client::delete_sector_attribution(&s, aid).await {
                        Ok(()) => refresh.update(|n| *n += 1),
                        Err(e) => outcome.set(Some(Err(e.message_fr()))),
                    }
                });
            };
            view! { <li>{label.clone()}" "<button type="button" class="link" aria-label=format!("Retirer l'attribution {label}") on:click=remove>"Retirer"</button></li> }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="sector">
            <h2>{format!("{} ({})", sector.name, sector.human_id)}</h2>
            <h3>"Attribué à"</h3>
            {if sector.attributions.is_empty() { Some(view! { <p class="muted">"Personne pour l'instant."</p> }) } else { None }}
            <ul>{attributions}</ul>
            <Attribute id=id orgs=orgs refresh=refresh outcome=outcome/>
            <Zones id=id count=sector.zones_count refresh=refresh outcome=outcome/>
            <Status outcome=outcome/>
            <div class="actions"><button type="button" class="danger" on:click=remove_sector>"Supprimer le secteur"</button></div>
        </section>
    }
}

/// "Attribuer à" an organisation, or to one of its agents (sectorisation level agent).
#[component]
fn Attribute(id: i32, orgs: Vec<Organisation>, refresh: RwSignal<u32>, outcome: Outcome) -> impl IntoView {
    let ctx = use_ctx();
    let org = RwSignal::new(orgs.first().map(|o| o.id.0.to_string()).unwrap_or_default());
    let agent = RwSignal::new(String::new());
    let session = ctx.session.clone();
    let agents = LocalResource::new(move || {
        let (s, o) = (session.clone(), org.get());
        async move {
            let Ok(o) = o.parse::<i32>() else { return Ok(Vec::new()) };
            client::list_agents(&s, Some(o)).await.map(|r| r.agents)
        }
    });
    let session = ctx.session.clone();
    let attribute = move |_| {
        let Ok(o) = org.get_untracked().parse() else { return };
        let body = CreateSectorAttributionRequest {
            organisation_id: OrganisationId(o),
            agent_id: agent.get_untracked().parse().ok(),
        };
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match client::create_sector_attribution(&s, id, &body).await {
                Ok(_) => refresh.update(|n| *n += 1),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <div class="row">
            <span>
                <label for=format!("attr-org-{id}")>"Organisation"</label>
                <select id=format!("attr-org-{id}") prop:value=move || org.get() on:change=move |ev| { org.set(event_target_value(&ev)); agent.set(String::new()); }>
                    {orgs.iter().map(|o| view! { <option value=o.id.0.to_string()>{o.name.clone()}</option> }).collect_view()}
                </select>
            </span>
            <span>
                <label for=format!("attr-agent-{id}")>"Agent"</label>
                <select id=format!("attr-agent-{id}") prop:value=move || agent.get() on:change=move |ev| agent.set(event_target_value(&ev))>
                    <option value="">"Toute l'organisation"</option>
                    <Transition fallback=|| ()>
                        {move || agents.get().and_then(Result::ok).map(|list| list.into_iter().map(|a| view! {
                            <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option>
                        }).collect_view())}
                    </Transition>
                </select>
            </span>
            <span><button type="button" class="secondary" on:click=attribute>"Attribuer"</button></span>
        </div>
    }
}

/// The sector's zones, and the form adding a commune or a street.
#[component]
fn Zones(id: i32, count: i64, refresh: RwSignal<u32>, outcome: Outcome) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let zones = LocalResource::new(move || {
        refresh.get();
        let s = session.clone();
        async move { client::list_zones(&s, id).await.map(|r| r.zones) }
    });
    let street = RwSignal::new(false);
    let city = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let street_name = RwSignal::new(String::new());
    let ban = RwSignal::new(String::new());
    let session = ctx.session.clone();
    let add_zone = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_street = street.get_untracked();
        let body = CreateZoneRequest {
            level: if is_street { ZoneLevel::Street } else { ZoneLevel::City },
            city_name: city.get_untracked(),
            city_code: code.get_untracked(),
            street_name: is_street.then(|| street_name.get_untracked()),
            street_ban_id: is_street.then(|| ban.get_untracked()),
        };
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match client::create_zone(&s, id, &body).await {
                Ok(_) => {
                    street_name.set(String::new());
                    ban.set(String::new());
                    outcome.set(Some(Ok("Zone ajoutée.".into())));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let session = ctx.session.clone();
    view! {
        <details>
            <summary>{format!("{count} zone(s)")}</summary>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || zones.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"Aucune zone."</p> }.into_any(),
                    Ok(list) => view! {
                        <table>
                            <thead><tr><th>"Commune"</th><th>"Code INSEE"</th><th>"Rue"</th><th><span class="sr-only">"Action"</span></th></tr></thead>
                            <tbody>{list.into_iter().map(|z| {
                                let (zid, s) = (z.id, session.clone());
                                let remove = move |_| {
                                    let s = s.clone();
                                    leptos::task::spawn_local(async move {
                                        match client::delete_zone(&s, zid).await {
                                            Ok(()) => refresh.update(|n| *n += 1),
                                            Err(e) => outcome.set(Some(Err(e.message_fr()))),
                                        }
                                    });
                                };
                                let street = match (z.street_name, z.street_ban_id) {
                                    (Some(n), Some(b)) => format!("{n} ({b})"),
                                    _ => "toute la commune".to_owned(),
                                };
                                view! { <tr><td>{z.city_name}</td><td>{z.city_code}</td><td>{street}</td>
                                    <td><button type="button" class="link" on:click=remove>"Retirer"</button></td></tr> }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </details>
        <form class="form" on:submit=add_zone>
            <fieldset class="row">
                <legend>"Ajouter une zone"</legend>
                <label class="check"><input type="radio" name=format!("zone-level-{id}") prop:checked=move || !street.get() on:change=move |_| street.set(false)/>"Commune entière"</label>
                <label class="check"><input type="radio" name=format!("zone-level-{id}") prop:checked=move || street.get() on:change=move |_| street.set(true)/>"Une rue"</label>
            </fieldset>
            <div class="row">
                <span><label for=format!("zone-city-{id}")>"Commune"</label><input id=format!("zone-city-{id}") required bind:value=city/></span>
                <span><label for=format!("zone-code-{id}")>"Code INSEE"</label><input id=format!("zone-code-{id}") required inputmode="numeric" maxlength="5" bind:value=code/></span>
                <Show when=move || street.get()>
                    <span><label for=format!("zone-street-{id}")>"Rue"</label><input id=format!("zone-street-{id}") required bind:value=street_name/></span>
                    <span><label for=format!("zone-ban-{id}")>"Identifiant BAN de la rue"</label><input id=format!("zone-ban-{id}") required placeholder="62041_0420" bind:value=ban/></span>
                </Show>
                <span><button type="submit">{move || if street.get() { "Ajouter la rue" } else { "Ajouter la commune" }}</button></span>
            </div>
        </form>
    }
}
