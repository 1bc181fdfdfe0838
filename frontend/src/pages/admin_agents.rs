//! Agents (`/admin/agents`, `/admin/agents/:id`): searchable, sortable list of the organisation's
//! agents; invitation with the link shown and a copy button (seed 002); agent page with role,
//! services, invitation re-send, removal and history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::access::AccessLevel;
use rdv_shared::dto::{
    Agent, AgentDetail, CatalogueService, InvitationLink, InviteAgentRequest, UpdateAgentRequest, UpdateRoleRequest,
};
use rdv_shared::enums::InvitationState;
use rdv_shared::ServiceId;

use crate::api;
use crate::client;
use crate::components::admin_only::AdminOnly;
use crate::components::data_table::{Column, DataTable, Search};
use crate::components::history::History;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

#[component]
pub fn AgentsPage() -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id = ctx.org_id();
                    view! { <AgentsList org_id=id/> }
                }
            }
        </AdminOnly>
    }
}

/// Checkboxes over the service catalogue (the secretariat included: it is a service of agents).
#[component]
fn ServicePicker(services: Vec<CatalogueService>, selected: RwSignal<Vec<ServiceId>>) -> impl IntoView {
    view! {
        <fieldset class="services">
            <legend>"Services"</legend>
            {services
                .into_iter()
                .map(|s| {
                    let id = s.id;
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=move || selected.with(|v| v.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|v| {
                                        v.retain(|x| *x != id);
                                        if on {
                                            v.push(id);
                                        }
                                    });
                                }
                            />
                            {s.name}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
fn AgentsList(org_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let agents = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move { client::list_agents(&s, Some(org_id)).await.map(|r| r.agents) }
    });
    // Loaded once: the invitation form must survive the list's refreshes (it shows the link).
    let session = ctx.session.clone();
    let services = LocalResource::new(move || {
        let s = session.clone();
        async move { client::list_services(&s).await.map(|r| r.services) }
    });
    let rows = Signal::derive(move || agents.get());
    let columns = vec![
        Column::new("Nom", |a: &Agent| {
            let name = match &a.first_name {
                Some(f) => format!("{} {}", a.last_name, f),
                None => a.last_name.clone(),
            };
            let name = if name.trim().is_empty() { "(invitation en attente)".to_owned() } else { name };
            view! { <A href=format!("/admin/agents/{}", a.id)>{name}</A> }.into_any()
        })
        .sorted_by(|a| format!("{} {}", a.last_name, a.first_name.clone().unwrap_or_default())),
        Column::new("Email", |a: &Agent| a.email.clone().unwrap_or_else(|| "— (intervenant)".into()).into_any())
            .sorted_by(|a| a.email.clone().unwrap_or_default()),
    ];
    let search = Search::new("agents-search", "Nom ou email", |a: &Agent| {
        format!("{} {} {}", a.first_name.clone().unwrap_or_default(), a.last_name, a.email.clone().unwrap_or_default())
    });
    view! {
        <main class="page">
            <h1>"Agents"</h1>
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    services
                        .get()
                        .map(|r| match r {
                            Ok(services) => view! { <Invite org_id=org_id services=services refresh=refresh/> }.into_any(),
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Suspense>
            <section class="card">
                <h2>"Agents de l'organisation"</h2>
                <DataTable rows=rows columns=columns search=search/>
            </section>
        </main>
    }
}

/// The invitation link with a copy button, so it can be handed over when the email is lost.
#[component]
fn LinkBox(link: InvitationLink) -> impl IntoView {
    let copied = RwSignal::new(false);
    let url = link.url.clone();
    view! {
        <div class="linkbox">
            <label for="invitation-link">"Lien d'invitation (valable jusqu'au " {link.expires_at.format("%d/%m/%Y").to_string()} ")"</label>
            <input id="invitation-link" readonly value=link.url.clone() on:focus=|ev| {
                use wasm_bindgen::JsCast;
                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                    input.select();
                }
            }/>
            <button type="button" class="secondary" on:click=move |_| {
                crate::download::copy_to_clipboard(&url);
                copied.set(true);
            }>"Copier le lien"</button>
            <Show when=move || copied.get()>
                <span role="status">"Lien copié."</span>
            </Show>
        </div>
    }
}

#[component]
fn Invite(org_id: i32, services: Vec<CatalogueService>, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let email = RwSignal::new(String::new());
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let level = RwSignal::new(AccessLevel::Basic);
    let selected = RwSignal::new(Vec::<ServiceId>::new());
    let outcome: Outcome = RwSignal::new(None);
    let link = RwSignal::new(None::<InvitationLink>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let opt = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        let body = InviteAgentRequest {
            email: opt(email),
            first_name: opt(first_name),
            last_name: opt(last_name),
            access_level: level.get_untracked(),
            service_ids: selected.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match client::invite_agent(&session, org_id, &body).await {
                Ok(r) => {
                    let who = r.agent.email.clone().unwrap_or(r.agent.last_name.clone());
                    outcome.set(Some(Ok(match &r.invitation {
                        Some(_) => format!("Invitation envoyée à {who}."),
                        None => format!("{who} a été ajouté·e à l'organisation."),
                    })));
                    link.set(r.invitation);
                    for s in [email, first_name, last_name] {
                        s.set(String::new());
                    }
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Inviter un agent"</h2>
            <form class="form" on:submit=on_submit>
                <label for="invite-email">"Email"</label>
                <input id="invite-email" type="email" bind:value=email/>
                <div class="row">
                    <span>
                        <label for="invite-first">"Prénom"</label>
                        <input id="invite-first" bind:value=first_name/>
                    </span>
                    <span>
                        <label for="invite-last">"Nom"</label>
                        <input id="invite-last" bind:value=last_name/>
                    </span>
                </div>
                <label for="invite-role">"Rôle"</label>
                <select id="invite-role" on:change=move |ev| {
                    if let Some(l) = AccessLevel::parse(&event_target_value(&ev)) {
                        level.set(l)
                    }
                }>
                    {AccessLevel::ALL
                        .iter()
                        .map(|l| {
                            let l = *l;
                            view! { <option value=l.as_str() selected=move || level.get() == l>{l.label_fr()}</option> }
                        })
                        .collect_view()}
                </select>
                <ServicePicker services=services selected=selected/>
                <Status outcome=outcome/>
                <button type="submit">"Inviter"</button>
            </form>
            {move || link.get().map(|l| view! { <LinkBox link=l/> })}
        </section>
    }
}

#[component]
pub fn AgentPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id: i32 = params.read().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
                    let session = ctx.session.clone();
                    let data = LocalResource::new(move || {
                        let s = session.clone();
                        async move {
                            let agent = client::get_agent(&s, id).await?.agent;
                            let services = client::list_services(&s).await?.services;
                            Ok::<_, api::ApiError>((agent, services))
                        }
                    });
                    view! {
                        <main class="page">
                            <p><A href="/admin/agents">"← Tous les agents"</A></p>
                            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                                {move || {
                                    data.get()
                                        .map(|r| match r {
                                            Ok((agent, services)) => view! { <AgentForm agent=agent services=services/> }.into_any(),
                                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                                        })
                                }}
                            </Transition>
                        </main>
                    }
                }
            }
        </AdminOnly>
    }
}

#[component]
fn AgentForm(agent: AgentDetail, services: Vec<CatalogueService>) -> impl IntoView {
    let ctx = use_ctx();
    let id = agent.id.0;
    let org_id = ctx.org_id();
    let role = agent.roles.iter().find(|r| r.organisation_id.0 == org_id).map(|r| r.access_level).unwrap_or_default();
    let level = RwSignal::new(role);
    let selected = RwSignal::new(agent.services.iter().map(|s| s.id).collect::<Vec<_>>());
    let outcome: Outcome = RwSignal::new(None);
    let link = RwSignal::new(None::<InvitationLink>);
    let refresh = RwSignal::new(0u32);
    let navigate = use_navigate();
    let session = ctx.session.clone();
    let save = {
        let session = session.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let session = session.clone();
            let role_body = UpdateRoleRequest { access_level: level.get_untracked() };
            let body = UpdateAgentRequest { service_ids: Some(selected.get_untracked()), ..Default::default() };
            leptos::task::spawn_local(async move {
                let res = async {
                    if role_body.access_level != role {
                        client::update_agent_role(&session, id, org_id, &role_body).await?;
                    }
                    client::update_agent(&session, id, &body).await
                }
                .await;
                outcome.set(Some(res.map(|_| "Modifications enregistrées.".to_owned()).map_err(|e| e.message_fr())));
                refresh.update(|n| *n += 1);
            });
        }
    };
    let resend = {
        let session = session.clone();
        move |_| {
            let session = session.clone();
            leptos::task::spawn_local(async move {
                match client::resend_invitation(&session, id).await {
                    Ok(l) => {
                        link.set(Some(l));
                        outcome.set(Some(Ok("Nouvelle invitation envoyée ; l'ancien lien ne fonctionne plus.".into())));
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let remove = move |_| {
        let session = session.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::remove_agent_role(&session, id, org_id).await {
                Ok(()) => navigate("/admin/agents", Default::default()),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let state = InvitationState::parse(&agent.invitation.state).unwrap_or(InvitationState::None);
    let pending = state != InvitationState::Accepted && agent.email.is_some();
    let name = format!("{} {}", agent.first_name.clone().unwrap_or_default(), agent.last_name);
    let invitation_state = state.label_fr();
    view! {
        <h1>{if name.trim().is_empty() { agent.email.clone().unwrap_or_default() } else { name }}</h1>
        <p>{agent.email.clone().unwrap_or_else(|| "Intervenant (sans connexion)".into())} " · " {invitation_state}</p>
        <form class="card form" on:submit=save>
            <label for="agent-role">"Rôle dans l'organisation"</label>
            <select id="agent-role" on:change=move |ev| {
                    if let Some(l) = AccessLevel::parse(&event_target_value(&ev)) {
                        level.set(l)
                    }
                }>
                {AccessLevel::ALL
                    .iter()
                    .map(|l| {
                        let l = *l;
                        view! { <option value=l.as_str() selected=move || level.get() == l>{l.label_fr()}</option> }
                    })
                    .collect_view()}
            </select>
            <ServicePicker services=services selected=selected/>
            <Status outcome=outcome/>
            <p class="actions">
                <button type="submit">"Enregistrer"</button>
                <Show when=move || pending>
                    <button type="button" class="secondary" on:click=resend.clone()>"Renvoyer l'invitation"</button>
                </Show>
                <button type="button" class="danger" on:click=remove.clone()>"Retirer de l'organisation"</button>
            </p>
            {move || link.get().map(|l| view! { <LinkBox link=l/> })}
        </form>
        <p><a class="button secondary" href=format!("/agents/{id}/acces")>"Accès aux agendas"</a></p>
        <History item_type="Agent" item_id=id refresh=refresh/>
    }
}
