//! Territory page sections for territorial admins: teams (name and members) and the agents'
//! territorial rights (territorial admin and the three access-right flags), saved as they change.

use std::sync::Arc;

use leptos::prelude::*;

use rdv_shared::dto::{AccessRights, Agent, Team, TeamRequest, UpdateAccessRightsRequest};
use rdv_shared::AgentId;

use crate::api;
use crate::client;
use crate::components::data_table::{Column, DataTable, Search};
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

fn agent_name(agents: &[Agent], id: AgentId) -> String {
    agents
        .iter()
        .find(|a| a.id == id)
        .map(|a| rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name))
        .unwrap_or_else(|| format!("agent {id}"))
}

#[component]
pub fn TeamsSection(territory_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let data = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move {
            let teams = client::list_teams(&s, territory_id).await?.teams;
            let agents = client::list_agents(&s, None).await?.agents;
            Ok::<_, api::ApiError>((teams, agents))
        }
    });
    let name = RwSignal::new(String::new());
    let members = RwSignal::new(Vec::<AgentId>::new());
    let outcome: Outcome = RwSignal::new(None);
    let create = {
        let session = ctx.session.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let s = session.clone();
            let body = TeamRequest { name: Some(name.get_untracked()), agent_ids: Some(members.get_untracked()) };
            leptos::task::spawn_local(async move {
                match client::create_team(&s, territory_id, &body).await {
                    Ok(r) => {
                        outcome.set(Some(Ok(format!("Équipe « {} » créée.", r.team.name))));
                        name.set(String::new());
                        members.set(Vec::new());
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let remove = {
        let session = ctx.session.clone();
        move |team: Team| {
            let s = session.clone();
            leptos::task::spawn_local(async move {
                match client::delete_team(&s, team.id).await {
                    Ok(()) => refresh.update(|n| *n += 1),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    view! {
        <section class="card" aria-labelledby="teams-title">
            <h2 id="teams-title">"Équipes"</h2>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    let remove = remove.clone();
                    data.get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                            Ok((teams, agents)) => {
                                let picker = agents.clone();
                                view! {
                                    <ul class="teams">
                                        {teams
                                            .into_iter()
                                            .map(|t| {
                                                let names = t.agent_ids.iter().map(|id| agent_name(&agents, *id)).collect::<Vec<_>>().join(", ");
                                                let remove = remove.clone();
                                                let team = t.clone();
                                                view! {
                                                    <li>
                                                        <strong>{t.name.clone()}</strong>
                                                        " — "
                                                        {if names.is_empty() { "aucun membre".to_owned() } else { names }}
                                                        " "
                                                        <button type="button" class="link" on:click=move |_| remove(team.clone())>"Supprimer"</button>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                    <details>
                                        <summary>"Nouvelle équipe"</summary>
                                        <fieldset class="services">
                                            <legend>"Membres"</legend>
                                            {picker
                                                .into_iter()
                                                .map(|a| {
                                                    let id = a.id;
                                                    let label = format!("{} {}", a.first_name.unwrap_or_default(), a.last_name);
                                                    view! {
                                                        <label class="check">
                                                            <input
                                                                type="checkbox"
                                                                prop:checked=move || members.with(|m| m.contains(&id))
                                                                on:change=move |ev| {
                                                                    let on = event_target_checked(&ev);
                                                                    members.update(|m| {
                                                                        m.retain(|x| *x != id);
                                                                        if on {
                                                                            m.push(id);
                                                                        }
                                                                    });
                                                                }
                                                            />
                                                            {label}
                                                        </label>
                                                    }
                                                })
                                                .collect_view()}
                                        </fieldset>
                                    </details>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            <form class="form" on:submit=create>
                <label for="team-name">"Nom de la nouvelle équipe"</label>
                <input id="team-name" required bind:value=name/>
                <Status outcome=outcome/>
                <button type="submit">"Créer l'équipe"</button>
            </form>
        </section>
    }
}

#[component]
pub fn RightsSection(territory_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let data = LocalResource::new(move || {
        let s = session.clone();
        async move {
            let rights = client::list_access_rights(&s, territory_id).await?.access_rights;
            let agents = client::list_agents(&s, None).await?.agents;
            Ok::<_, api::ApiError>((rights, agents))
        }
    });
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let save = Arc::new(move |body: UpdateAccessRightsRequest, agent: AgentId| {
        let s = session.clone();
        leptos::task::spawn_local(async move {
            let res = client::update_access_rights(&s, territory_id, agent.0, &body).await;
            outcome.set(Some(res.map(|_| "Droits enregistrés.".to_owned()).map_err(|e| e.message_fr())));
        });
    });
    // Each agent's rights with their name.
    let rows = Signal::derive(move || {
        data.get().map(|r| {
            r.map(|(rights, agents)| {
                rights.into_iter().map(|r| (agent_name(&agents, r.agent_id), r)).collect::<Vec<_>>()
            })
        })
    });
    type Get = fn(&AccessRights) -> bool;
    type Set = fn(&mut UpdateAccessRightsRequest, bool);
    let flags: [(&'static str, &'static str, Get, Set); 4] = [
        ("Admin de territoire", "admin de territoire", |r| r.territorial_admin, |b, v| b.territorial_admin = Some(v)),
        (
            "Gérer les équipes",
            "gérer les équipes",
            |r| r.allow_to_manage_teams,
            |b, v| b.allow_to_manage_teams = Some(v),
        ),
        (
            "Gérer les droits",
            "gérer les droits",
            |r| r.allow_to_manage_access_rights,
            |b, v| b.allow_to_manage_access_rights = Some(v),
        ),
        (
            "Inviter des agents",
            "inviter des agents",
            |r| r.allow_to_invite_agents,
            |b, v| b.allow_to_invite_agents = Some(v),
        ),
    ];
    let mut columns = vec![Column::new("Agent", |(name, _): &(String, AccessRights)| name.clone().into_any())
        .sorted_by(|(name, _)| name.clone())];
    for (header, what, get, set) in flags {
        let save = save.clone();
        columns.push(Column::new(header, move |(name, r): &(String, AccessRights)| {
            let (save, id) = (save.clone(), r.agent_id);
            view! {
                <input
                    type="checkbox"
                    aria-label=format!("{name} : {what}")
                    prop:checked=get(r)
                    on:change=move |ev| {
                        let mut body = UpdateAccessRightsRequest::default();
                        set(&mut body, event_target_checked(&ev));
                        save(body, id);
                    }
                />
            }
            .into_any()
        }));
    }
    let search = Search::new("rights-search", "Nom de l'agent", |(name, _): &(String, AccessRights)| name.clone());
    view! {
        <section class="card" aria-labelledby="rights-title">
            <h2 id="rights-title">"Droits d'accès du territoire"</h2>
            <Status outcome=outcome/>
            <DataTable rows=rows columns=columns search=search/>
        </section>
    }
}
