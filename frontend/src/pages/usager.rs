//! A usager's page (`/usagers/:id`): identity, contact, address, the social fields the territory
//! enables, family, referents, organisations; edit, merge, RGPD export, removal from the
//! organisation, and the history tab for admins.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::dto::{ReferentAssignationRequest, User};

use crate::client;
use crate::components::history::History;
use crate::components::receipts::{Receipts, ReceiptsOf};
use crate::components::status::{Outcome, Status};
use crate::components::usager_reads::UsagerReads;
use crate::ctx::use_ctx;
use crate::download;

/// One "label: value" line; nothing when the field is disabled (`None`), "—" when empty.
#[component]
fn Field(label: &'static str, value: Option<Option<String>>) -> impl IntoView {
    value.map(|v| {
        view! {
            <dt>{label}</dt>
            <dd>{v.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into())}</dd>
        }
    })
}

#[component]
pub fn UsagerPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let user = LocalResource::new(move || {
        refresh.track();
        let id: i32 = params.read().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
        let org = ctx.org_id();
        let session = ctx.session.clone();
        async move { client::get_user(&session, id, Some(org)).await.map(|r| r.user) }
    });
    view! {
        <main class="page">
            <p><A href="/usagers">"← Rechercher un usager"</A></p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    user.get()
                        .map(|r| match r {
                            Ok(u) => view! { <UsagerDetails user=u refresh=refresh/> }.into_any(),
                            Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn UsagerDetails(user: User, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let id = user.id.0;
    let outcome: Outcome = RwSignal::new(None);
    let navigate = use_navigate();
    let is_admin = ctx.is_admin();
    let remove = {
        let ctx = ctx.clone();
        move |_| {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message("Retirer cet usager (et ses proches) de votre organisation ?").ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let session = ctx.session.clone();
            let org = ctx.org_id();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match client::delete_user_profile(&session, org, id).await {
                    Ok(()) => navigate("/usagers", Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let export = {
        let ctx = ctx.clone();
        move |_| {
            let session = ctx.session.clone();
            leptos::task::spawn_local(async move {
                match client::export_user(&session, id).await {
                    Ok(bytes) => {
                        let _ = download::save(&bytes, &format!("usager-{id}.json"), "application/json");
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%d/%m/%Y").to_string());
    let enum_label = |v: Option<Option<&'static str>>| v.map(|o| o.map(str::to_owned));
    let title = format!("{} {}", user.first_name, user.last_name.to_uppercase());
    let organisations: Vec<String> =
        user.user_profiles.clone().unwrap_or_default().into_iter().map(|p| p.organisation.name).collect();
    view! {
        <h1>{title}</h1>
        <div class="actions">
            <A href=format!("/usagers/{id}/modifier") attr:class="button">"Modifier"</A>
            <A href=format!("/usagers/nouveau?responsable={id}") attr:class="button secondary">"Ajouter un proche"</A>
            <A href=format!("/usagers/{id}/fusionner") attr:class="button secondary">"Fusionner avec un doublon"</A>
            {is_admin.then(|| view! { <button class="secondary" on:click=export>"Export RGPD (JSON)"</button> })}
            <button class="danger" on:click=remove>"Retirer de mon organisation"</button>
        </div>
        <Status outcome=outcome/>
        <section class="card">
            <h2>"Identité et contact"</h2>
            <dl class="fields">
                <Field label="Prénom" value=Some(Some(user.first_name.clone()))/>
                <Field label="Nom" value=Some(Some(user.last_name.clone()))/>
                <Field label="Nom de naissance" value=Some(user.birth_name.clone())/>
                <Field label="Date de naissance" value=Some(date(user.birth_date))/>
                <Field label="Email" value=Some(user.email.clone())/>
                <Field label="Téléphone" value=Some(user.phone_number.clone())/>
                <Field label="Adresse" value=Some(user.address.clone())/>
                <Field label="Code postal" value=Some(user.post_code.clone())/>
                <Field label="Commune" value=Some(user.city_name.clone())/>
                <Field label="Complément d'adresse" value=user.address_details.clone()/>
                <Field
                    label="Notifications"
                    value=Some(Some(
                        match (user.notify_by_sms, user.notify_by_email) {
                            (true, true) => "SMS et email",
                            (true, false) => "SMS uniquement",
                            (false, true) => "Email uniquement",
                            (false, false) => "Aucune",
                        }
                            .to_owned(),
                    ))
                />
            </dl>
        </section>
        <section class="card">
            <h2>"Situation"</h2>
            <dl class="fields">
                <Field label="Caisse" value=enum_label(user.caisse_affiliation.map(|c| c.map(|c| c.label_fr())))/>
                <Field label="N° d'allocataire" value=user.affiliation_number.clone()/>
                <Field label="Situation familiale" value=enum_label(user.family_situation.map(|c| c.map(|c| c.label_fr())))/>
                <Field label="Nombre d'enfants" value=user.number_of_children.map(|n| n.map(|n| n.to_string()))/>
                <Field label="Logement" value=enum_label(user.logement.map(|c| c.map(|c| c.label_fr())))/>
                <Field label="N° de dossier" value=user.case_number.clone()/>
                <Field label="N° de dossier PMI" value=user.pmi_case_number.clone()/>
                <Field label="Remarques" value=user.notes.clone()/>
            </dl>
        </section>
        <section class="card">
            <h2>"Famille"</h2>
            {user.responsible.as_ref().map(|r| {
                view! {
                    <p>
                        "Proche de "
                        <A href=format!("/usagers/{}", r.id)>{format!("{} {}", r.first_name, r.last_name)}</A>
                        " (responsable : les notifications lui sont adressées)."
                    </p>
                }
            })}
            <ul>
                {user
                    .relatives
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                <A href=format!("/usagers/{}", r.id)>{format!("{} {}", r.first_name, r.last_name)}</A>
                                {r.birth_date.map(|d| format!(" — né(e) le {d}"))}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <Referents user=user.clone() refresh=refresh/>
        <section class="card">
            <h2>"Organisations"</h2>
            <p>{organisations.join(", ")}</p>
        </section>
        <UsagerRdvs id=id/>
        <Receipts of=ReceiptsOf::Usager(id) refresh=refresh/>
        {is_admin.then(|| view! { <History item_type="User" item_id=id refresh=refresh/> })}
        {is_admin.then(|| view! { <UsagerReads user_id=id/> })}
    }
}

#[component]
fn Referents(user: User, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let id = user.id.0;
    let outcome: Outcome = RwSignal::new(None);
    let chosen = RwSignal::new(String::new());
    let agents = {
        let ctx = ctx.clone();
        LocalResource::new(move || {
            let session = ctx.session.clone();
            let org = ctx.org_id();
            async move { client::list_agents(&session, Some(org)).await.map(|r| r.agents) }
        })
    };
    let add = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Ok(agent_id) = chosen.get_untracked().parse::<i32>() else { return };
            let session = ctx.session.clone();
            leptos::task::spawn_local(async move {
                let body = ReferentAssignationRequest { agent_id, user_id: id };
                match client::create_referent_assignation(&session, &body).await {
                    Ok(_) => refresh.update(|n| *n += 1),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let remove = move |agent_id: i32| {
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            match client::delete_referent_assignation(&session, agent_id, id).await {
                Ok(()) => refresh.update(|n| *n += 1),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let current = user.referent_agents.clone().unwrap_or_default();
    let current_ids: Vec<i32> = current.iter().map(|a| a.id.0).collect();
    view! {
        <section class="card">
            <h2>"Agents référents"</h2>
            <ul>
                {current
                    .into_iter()
                    .map(|a| {
                        let name = rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name);
                        let agent_id = a.id.0;
                        let remove = remove.clone();
                        view! {
                            <li>
                                {name.clone()} " "
                                <button class="link" aria-label=format!("Retirer {name} des référents") on:click=move |_| remove(agent_id)>
                                    "retirer"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form class="actions" on:submit=add>
                <label for="referent-choice">"Ajouter un référent"</label>
                <select id="referent-choice" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="">"Choisir un agent"</option>
                    <Transition fallback=|| ()>
                        {move || {
                            let current_ids = current_ids.clone();
                            agents.get().and_then(Result::ok).map(|list| {
                                list.into_iter()
                                    .filter(|a| !current_ids.contains(&a.id.0))
                                    .map(|a| {
                                        view! {
                                            <option value=a.id.0.to_string()>
                                                {rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}
                                            </option>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </Transition>
                </select>
                <button type="submit" class="secondary">"Ajouter"</button>
            </form>
            <Status outcome=outcome/>
        </section>
    }
}

/// The usager's RDVs the agent may read (busy-level ones are not revealed), newest first.
#[component]
fn UsagerRdvs(id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let rdvs = LocalResource::new(move || {
        let session = ctx.session.clone();
        async move { client::list_user_rdvs(&session, id).await }
    });
    view! {
        <section class="card" data-testid="usager-rdvs">
            <h2>"Rendez-vous"</h2>
            <p>
                <a class="button" href=format!("/rdvs/nouveau?usager={id}")>"Nouveau rendez-vous"</a>" "
                <a href=format!("/rdvs?user_ids[]={id}")>"Tous ses RDV (filtres, export)"</a>
            </p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || rdvs.get().map(|r| match r {
                    Ok(list) if list.rdvs.is_empty() => view! { <p>"Aucun rendez-vous."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="results">{list.rdvs.into_iter().map(|r| view! {
                            <li class="result">
                                <a class="result-name" href=format!("/rdvs/{}", r.id)>
                                    {format!("{} {}", crate::dates::long_day(r.starts_at.date_naive()), r.starts_at.format("%H:%M"))}
                                </a>
                                <span class="result-details">{format!("{} — {}", r.motif.name, r.status.label_fr())}</span>
                            </li>
                        }).collect_view()}</ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
