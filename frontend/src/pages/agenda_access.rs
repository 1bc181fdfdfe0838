//! "Accès aux agendas" of an agent (`/agents/:id/acces`, issue 6): who sees this agenda, at which
//! level and why (default rule or grant, with "Retirer" for grants); the agendas this agent sees
//! through grants; a grant editor (agent / team / service → agent / service / organisation,
//! busy / read / write, optionally only one service's RDVs); and "copier les accès" with a preview.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use rdv_shared::access::{AgendaLevel, GrantRule, GrantTarget, Grantee, GranteeType, TargetType};
use rdv_shared::dto::{
    AgentsResponse, CopyGrantsRequest, CopyGrantsResponse, OrganisationsResponse, ServicesResponse, TeamsResponse,
};
use rdv_shared::{AgentId, OrganisationId, ServiceId};

use crate::api;
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

fn level_fr(l: AgendaLevel) -> &'static str {
    match l {
        AgendaLevel::None => "aucun",
        AgendaLevel::Busy => "Lecture sans détail",
        AgendaLevel::Read => "Lecture avec détail",
        AgendaLevel::Write => "Écriture",
    }
}

/// Everything the editor offers to pick from.
#[derive(Clone)]
struct Choices {
    agents: AgentsResponse,
    services: ServicesResponse,
    teams: TeamsResponse,
    organisations: OrganisationsResponse,
}

#[component]
pub fn AgendaAccessPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let id = move || params.read().get("id").and_then(|v| v.parse::<i32>().ok()).unwrap_or_default();
    let s1 = ctx.session.clone();
    let access = LocalResource::new(move || {
        refresh.track();
        let session = s1.clone();
        let id = id();
        async move { client::get_agenda_access(&session, id).await }
    });
    let s2 = ctx.session.clone();
    let territory = ctx.me.territorial_admin_of.first().map(|t| t.0);
    let choices = LocalResource::new(move || {
        let session = s2.clone();
        async move {
            let agents = client::list_agenda_agents(&session).await?;
            let services = client::list_services(&session).await?;
            let organisations = client::list_organisations(&session).await?;
            let t =
                territory.or_else(|| organisations.organisations.first().map(|o| o.territory_id.0)).unwrap_or_default();
            let teams = client::list_teams(&session, t)
                .await
                .unwrap_or(TeamsResponse { teams: vec![], meta: rdv_shared::pagination::Meta::new(1, 0) });
            Ok::<_, api::ApiError>(Choices { agents, services, teams, organisations })
        }
    });
    let outcome: Outcome = RwSignal::new(None);
    let revoke = {
        let ctx = ctx.clone();
        move |gid: i32| {
            let session = ctx.session.clone();
            leptos::task::spawn_local(async move {
                match client::delete_agenda_grant(&session, gid).await {
                    Ok(()) => {
                        outcome.set(Some(Ok("Accès retiré.".into())));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    view! {
        <main class="page">
            <h1>"Accès aux agendas"</h1>
            <Status outcome=outcome/>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || access.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(a) => {
                        let revoke = revoke.clone();
                        view! {
                            <section class="card">
                                <h2>"Qui voit cet agenda"</h2>
                                <div class="table-wrap"><table data-testid="agenda-viewers">
                                    <thead><tr><th>"Agent"</th><th>"Niveau"</th><th>"Pourquoi"</th><th></th></tr></thead>
                                    <tbody>{a.viewers.into_iter().map(|v| {
                                        let revoke = revoke.clone();
                                        view! { <tr>
                                            <td>{v.agent_name}</td>
                                            <td>{level_fr(v.level)}</td>
                                            <td>{v.reason}</td>
                                            <td>{v.grant_id.map(|g| view! { <button class="link" on:click=move |_| revoke(g)>"Retirer"</button> })}</td>
                                        </tr> }
                                    }).collect_view()}</tbody>
                                </table></div>
                            </section>
                            <section class="card">
                                <h2>"Agendas que cet agent voit par un accès"</h2>
                                <ul data-testid="grants-received">{a.grants_received.into_iter().map(|g| {
                                    let revoke = revoke.clone();
                                    let gid = g.id;
                                    view! { <li>{g.label}" "<button class="link" on:click=move |_| revoke(gid)>"Retirer"</button></li> }
                                }).collect_view()}</ul>
                            </section>
                        }.into_any()
                    }
                })}
            </Transition>
            <Transition>
                {move || choices.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(c) => view! {
                        <GrantEditor choices=c.clone() refresh=refresh/>
                        <CopyGrants from=id() agents=c.agents refresh=refresh/>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
}

fn options(list: Vec<(i32, String)>) -> impl IntoView {
    list.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()
}

#[component]
fn GrantEditor(choices: Choices, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let grantee_kind = RwSignal::new("service".to_owned());
    let grantee_id = RwSignal::new(String::new());
    let target_kind = RwSignal::new("service".to_owned());
    let target_id = RwSignal::new(String::new());
    let target_org =
        RwSignal::new(choices.organisations.organisations.first().map(|o| o.id.0.to_string()).unwrap_or_default());
    let level = RwSignal::new("busy".to_owned());
    let motif_service = RwSignal::new(String::new());
    let outcome: Outcome = RwSignal::new(None);
    let agents: Vec<(i32, String)> = choices
        .agents
        .agents
        .iter()
        .map(|a| (a.id.0, rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)))
        .collect();
    let services: Vec<(i32, String)> =
        choices.services.services.iter().map(|s| (s.id.0, s.short_name.clone())).collect();
    let teams: Vec<(i32, String)> = choices.teams.teams.iter().map(|t| (t.id, t.name.clone())).collect();
    let orgs: Vec<(i32, String)> =
        choices.organisations.organisations.iter().map(|o| (o.id.0, o.name.clone())).collect();
    let (a1, s1, t1) = (agents.clone(), services.clone(), teams.clone());
    let grantee_options = move || match grantee_kind.get().as_str() {
        "agent" => options(a1.clone()).into_any(),
        "team" => options(t1.clone()).into_any(),
        _ => options(s1.clone()).into_any(),
    };
    let (a2, s2, o2) = (agents, services.clone(), orgs.clone());
    let target_options = move || match target_kind.get().as_str() {
        "agent" => options(a2.clone()).into_any(),
        "organisation" => options(o2.clone()).into_any(),
        _ => options(s2.clone()).into_any(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind_g = match grantee_kind.get_untracked().as_str() {
            "agent" => GranteeType::Agent,
            "team" => GranteeType::Team,
            _ => GranteeType::Service,
        };
        let kind_t = match target_kind.get_untracked().as_str() {
            "agent" => TargetType::Agent,
            "organisation" => TargetType::Organisation,
            _ => TargetType::Service,
        };
        let lvl = match level.get_untracked().as_str() {
            "write" => AgendaLevel::Write,
            "read" => AgendaLevel::Read,
            _ => AgendaLevel::Busy,
        };
        let rule = GrantRule {
            grantee: Grantee {
                kind: kind_g,
                id: grantee_id.get_untracked().parse().unwrap_or_default(),
                organisation_id: None,
            },
            target: GrantTarget {
                kind: kind_t,
                id: target_id.get_untracked().parse().unwrap_or_default(),
                organisation_id: (kind_t == TargetType::Service)
                    .then(|| target_org.get_untracked().parse().ok().map(OrganisationId))
                    .flatten(),
            },
            level: lvl,
            motif_service_id: motif_service.get_untracked().parse().ok().map(ServiceId),
        };
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            match client::create_agenda_grant(&session, &rule).await {
                Ok(g) => {
                    outcome.set(Some(Ok(format!("Accès donné : {}", g.agenda_grant.label))));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    // Selects start on their first option: keep the signals in step when the kind changes.
    let first = |list: &[(i32, String)]| list.first().map(|x| x.0.to_string()).unwrap_or_default();
    let (ga, gt, gs) = (
        first(&choices.agents.agents.iter().map(|a| (a.id.0, String::new())).collect::<Vec<_>>()),
        first(&teams),
        first(&services),
    );
    let (ta, to, ts) = (ga.clone(), first(&orgs), gs.clone());
    Effect::new(move |_| {
        grantee_id.set(match grantee_kind.get().as_str() {
            "agent" => ga.clone(),
            "team" => gt.clone(),
            _ => gs.clone(),
        })
    });
    Effect::new(move |_| {
        target_id.set(match target_kind.get().as_str() {
            "agent" => ta.clone(),
            "organisation" => to.clone(),
            _ => ts.clone(),
        })
    });
    view! {
        <form class="card form" on:submit=submit>
            <h2>"Donner un accès"</h2>
            <div class="row">
                <span><label for="g-kind">"Qui"</label>
                <select id="g-kind" on:change=move |ev| grantee_kind.set(event_target_value(&ev))>
                    <option value="service" selected=true>"Les agents d'un service"</option>
                    <option value="agent">"Un agent"</option>
                    <option value="team">"Une équipe"</option>
                </select></span>
                <span><label for="g-id">"Lequel"</label>
                <select id="g-id" prop:value=move || grantee_id.get() on:change=move |ev| grantee_id.set(event_target_value(&ev))>{grantee_options}</select></span>
            </div>
            <div class="row">
                <span><label for="t-kind">"Quels agendas"</label>
                <select id="t-kind" on:change=move |ev| target_kind.set(event_target_value(&ev))>
                    <option value="service" selected=true>"Les agendas d'un service dans une organisation"</option>
                    <option value="agent">"L'agenda d'un agent"</option>
                    <option value="organisation">"Tous les agendas d'une organisation"</option>
                </select></span>
                <span><label for="t-id">"Lesquels"</label>
                <select id="t-id" prop:value=move || target_id.get() on:change=move |ev| target_id.set(event_target_value(&ev))>{target_options}</select></span>
                <Show when=move || target_kind.get() == "service">
                    <span><label for="t-org">"Dans l'organisation"</label>
                    <select id="t-org" prop:value=move || target_org.get() on:change=move |ev| target_org.set(event_target_value(&ev))>{options(orgs.clone())}</select></span>
                </Show>
            </div>
            <div class="row">
                <span><label for="g-level">"Niveau"</label>
                <select id="g-level" on:change=move |ev| level.set(event_target_value(&ev))>
                    <option value="busy" selected=true>"Lecture sans détail"</option>
                    <option value="read">"Lecture avec détail"</option>
                    <option value="write">"Écriture"</option>
                </select></span>
                <span><label for="g-motif">"Seulement les RDV du service"</label>
                <select id="g-motif" on:change=move |ev| motif_service.set(event_target_value(&ev))>
                    <option value="">"— tous les RDV"</option>
                    {options(services.clone())}
                </select></span>
            </div>
            <div class="actions"><button type="submit">"Donner l'accès"</button></div>
            <Status outcome=outcome/>
        </form>
    }
}

#[component]
fn CopyGrants(from: i32, agents: AgentsResponse, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let to = RwSignal::new(String::new());
    let preview: RwSignal<Option<CopyGrantsResponse>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    let run = move |dry_run: bool| {
        let Ok(to_id) = to.get_untracked().parse::<i32>() else {
            outcome.set(Some(Err("Choisissez l'agent qui recevra les accès.".into())));
            return;
        };
        let body = CopyGrantsRequest { from_agent_id: AgentId(from), to_agent_id: AgentId(to_id), dry_run };
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            match client::copy_agenda_grants(&session, &body).await {
                Ok(r) if dry_run => {
                    preview.set(Some(r));
                    outcome.set(None);
                }
                Ok(r) => {
                    preview.set(None);
                    outcome.set(Some(Ok(format!("{} accès copié(s).", r.created.len()))));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let run2 = run.clone();
    view! {
        <section class="card form">
            <h2>"Copier les accès de cet agent vers…"</h2>
            <label for="copy-to">"Agent qui recevra les mêmes accès"</label>
            <select id="copy-to" on:change=move |ev| to.set(event_target_value(&ev))>
                <option value="">"— choisir"</option>
                {agents.agents.into_iter().filter(|a| a.id.0 != from).map(|a| view! {
                    <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option>
                }).collect_view()}
            </select>
            <div class="actions"><button type="button" class="secondary" on:click=move |_| run(true)>"Prévisualiser"</button></div>
            {move || preview.get().map(|p| {
                let run = run2.clone();
                view! {
                    <div class="preview" data-testid="copy-preview">
                        <p>{format!("{} accès seront créés, {} existent déjà, {} ne dépendent pas de vous.", p.created.len(), p.already.len(), p.not_allowed.len())}</p>
                        <button type="button" on:click=move |_| run(false)>"Appliquer la copie"</button>
                    </div>
                }
            })}
            <Status outcome=outcome/>
        </section>
    }
}
