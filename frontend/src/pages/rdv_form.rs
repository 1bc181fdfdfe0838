//! New RDV (`/rdvs/nouveau`): opened from a plage of the agenda (agent, lieu, allowed motifs and
//! time prefilled, seed 003) or from a usager page. Usagers are picked with the usager search or
//! created inline; warnings (overlaps, absence, outside plages…) are shown and confirmed; the
//! "ne pas notifier" switch is set here (seed 003, RDV-S #1617).

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use rdv_shared::dto::{CreateRdvRequest, Creneau, SlotTakenError, UserInput, UserSummary, Warning};
use rdv_shared::{AgentId, OrganisationId};

use crate::api;
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

/// The browser's offset at a local date-time, as "+01:00".
fn browser_offset(local: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    let d = js_sys::Date::new_with_year_month_day_hr_min_sec(
        local.year() as u32,
        local.month0() as i32,
        local.day() as i32,
        local.hour() as i32,
        local.minute() as i32,
        0,
    );
    let minutes = -(d.get_timezone_offset() as i32);
    format!("{}{:02}:{:02}", if minutes < 0 { '-' } else { '+' }, minutes.abs() / 60, minutes.abs() % 60)
}

#[component]
pub fn NewRdvPage() -> impl IntoView {
    let ctx = use_ctx();
    let q = use_query_map().get_untracked();
    let org = q.get("organisation").and_then(|v| v.parse().ok()).unwrap_or_else(|| ctx.org_id());
    let start: Option<DateTime<FixedOffset>> = q.get("debut").and_then(|v| DateTime::parse_from_rfc3339(&v).ok());
    let offset = RwSignal::new(start.map(|s| s.format("%:z").to_string()));
    let allowed: Vec<i32> =
        q.get("motifs").map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect()).unwrap_or_default();
    let agent = RwSignal::new(q.get("agent").unwrap_or_else(|| ctx.me.id.0.to_string()));
    let lieu = RwSignal::new(q.get("lieu").unwrap_or_default());
    let motif = RwSignal::new(String::new());
    let when = RwSignal::new(start.map(|s| s.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default());
    let duration = RwSignal::new(String::new());
    let context = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let max = RwSignal::new(String::new());
    let silent = RwSignal::new(false);
    let chosen: RwSignal<Vec<UserSummary>> = RwSignal::new(Vec::new());
    let warnings: RwSignal<Vec<Warning>> = RwSignal::new(Vec::new());
    // A 409: the slot was just taken; the next free ones are offered.
    let taken: RwSignal<Option<SlotTakenError>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    let busy = RwSignal::new(false);
    if let Some(u) = q.get("usager").and_then(|v| v.parse::<i32>().ok()) {
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            if let Ok(r) = client::get_user(&session, u, None).await {
                chosen.update(|c| {
                    c.push(UserSummary {
                        id: r.user.id,
                        first_name: r.user.first_name,
                        last_name: r.user.last_name,
                        birth_name: None,
                        birth_date: None,
                        phone_number: r.user.phone_number,
                        email: None,
                        responsible_id: None,
                        masked: false,
                    })
                });
            }
        });
    }
    let session = ctx.session.clone();
    let setup = LocalResource::new(move || {
        let session = session.clone();
        async move {
            let motifs = client::list_motifs(&session, org, false).await?;
            let lieux = client::list_lieux(&session, org).await?;
            let agents = client::list_agents(&session, Some(org)).await?;
            let o = client::get_organisation(&session, org).await?;
            let context_on = client::get_territory(&session, o.organisation.territory_id.0)
                .await
                .map(|t| t.territory.settings.enable_context_field)
                .unwrap_or(false);
            Ok::<_, api::ApiError>((motifs.motifs, lieux.lieux, agents.agents, context_on))
        }
    });
    let navigate = use_navigate();
    let submit = {
        let ctx = ctx.clone();
        move |confirm: bool| {
            let local = NaiveDateTime::parse_from_str(&when.get_untracked(), "%Y-%m-%dT%H:%M");
            let Ok(local) = local else {
                outcome.set(Some(Err("Choisissez la date et l'heure du rendez-vous.".into())));
                return;
            };
            let off = offset.get_untracked().unwrap_or_else(|| browser_offset(&local));
            let Ok(starts_at) = DateTime::parse_from_rfc3339(&format!("{}{off}", local.format("%Y-%m-%dT%H:%M:00")))
            else {
                return;
            };
            let text = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
            let body = CreateRdvRequest {
                organisation_id: OrganisationId(org),
                motif_id: motif.get_untracked().parse().unwrap_or_default(),
                lieu_id: lieu.get_untracked().parse().ok(),
                agent_ids: agent.get_untracked().parse().ok().map(AgentId).into_iter().collect(),
                user_ids: chosen.get_untracked().iter().map(|u| u.id).collect(),
                starts_at,
                duration_in_min: duration.get_untracked().parse().ok(),
                context: text(context),
                name: text(name),
                max_participants_count: max.get_untracked().parse().ok(),
                notify: Some(!silent.get_untracked()),
                ignore_benign_errors: confirm,
            };
            let session = ctx.session.clone();
            let navigate = navigate.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                match client::create_rdv(&session, &body).await {
                    Ok(r) => {
                        let day = r.rdv.starts_at.date_naive();
                        let agents: Vec<String> = r.rdv.agents.iter().map(|a| a.id.0.to_string()).collect();
                        navigate(&format!("/agenda?jour={day}&agents={}", agents.join(",")), Default::default());
                    }
                    Err(api::ApiError::SlotTaken(t)) => {
                        warnings.set(Vec::new());
                        taken.set(Some(t));
                        outcome.set(None);
                    }
                    Err(e) if !e.warnings().is_empty() => {
                        taken.set(None);
                        warnings.set(e.warnings());
                        outcome.set(None);
                    }
                    Err(e) => {
                        taken.set(None);
                        warnings.set(Vec::new());
                        outcome.set(Some(Err(e.message_fr())));
                    }
                }
                busy.set(false);
            });
        }
    };
    let submit2 = submit.clone();
    let submit3 = submit.clone();
    let pick = move |c: Creneau| {
        when.set(c.starts_at.format("%Y-%m-%dT%H:%M").to_string());
        offset.set(Some(c.starts_at.format("%:z").to_string()));
        agent.set(c.agent_id.0.to_string());
        if let Some(l) = c.lieu_id {
            lieu.set(l.to_string());
        }
        taken.set(None);
    };
    view! {
        <main class="page">
            <h1>"Nouveau rendez-vous"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || setup.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok((motifs, lieux, agents, context_on)) => {
                        let motifs: Vec<_> = motifs.into_iter().filter(|m| m.active && (allowed.is_empty() || allowed.contains(&m.id))).collect();
                        if motif.get_untracked().is_empty() {
                            if let Some(m) = motifs.first() { motif.set(m.id.to_string()); }
                        }
                        let motifs2 = motifs.clone();
                        let collective = move || motifs2.iter().any(|m| m.id.to_string() == motif.get() && m.collectif);
                        let submit = submit.clone();
                        view! {
                            <form class="card form" on:submit=move |ev| { ev.prevent_default(); submit(false); }>
                                <label for="rdv-motif">"Motif"</label>
                                <select id="rdv-motif" prop:value=move || motif.get() on:change=move |ev| motif.set(event_target_value(&ev))>
                                    {motifs.iter().map(|m| view! { <option value=m.id.to_string()>{format!("{} ({} min)", m.name, m.default_duration_in_min)}</option> }).collect_view()}
                                </select>
                                <label for="rdv-agent">"Agent"</label>
                                <select id="rdv-agent" prop:value=move || agent.get() on:change=move |ev| agent.set(event_target_value(&ev))>
                                    {agents.iter().map(|a| view! { <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option> }).collect_view()}
                                </select>
                                <label for="rdv-lieu">"Lieu"</label>
                                <select id="rdv-lieu" prop:value=move || lieu.get() on:change=move |ev| lieu.set(event_target_value(&ev))>
                                    <option value="">"— (téléphone, domicile)"</option>
                                    {lieux.iter().filter(|l| l.availability != rdv_shared::enums::LieuAvailability::Disabled).map(|l| view! { <option value=l.id.to_string()>{l.name.clone()}</option> }).collect_view()}
                                </select>
                                <div class="row">
                                    <span><label for="rdv-when">"Date et heure"</label>
                                    <input id="rdv-when" type="datetime-local" required prop:value=move || when.get() on:input=move |ev| when.set(event_target_value(&ev))/></span>
                                    <span><label for="rdv-duration">"Durée (minutes)"</label>
                                    <input id="rdv-duration" type="number" min="5" max="720" placeholder="durée du motif" prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev))/></span>
                                </div>
                                <Show when=collective.clone()>
                                    <label for="rdv-name">"Intitulé de l'atelier"</label>
                                    <input id="rdv-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                                    <label for="rdv-max">"Nombre de places (vide : illimité)"</label>
                                    <input id="rdv-max" type="number" min="1" prop:value=move || max.get() on:input=move |ev| max.set(event_target_value(&ev))/>
                                </Show>
                                <UsagerPicker org=org chosen=chosen/>
                                {context_on.then(|| view! {
                                    <label for="rdv-context">"Contexte (visible des agents seulement)"</label>
                                    <textarea id="rdv-context" prop:value=move || context.get() on:input=move |ev| context.set(event_target_value(&ev))></textarea>
                                })}
                                <label class="check"><input type="checkbox" bind:checked=silent/>"Ne pas notifier l'usager pour ce rendez-vous"</label>
                                <div class="actions"><button type="submit" disabled=move || busy.get()>"Créer le rendez-vous"</button></div>
                            </form>
                        }.into_any()
                    }
                })}
            </Transition>
            <Show when=move || !warnings.get().is_empty()>
                <div class="warning card" role="alert" data-testid="rdv-warnings">
                    <p><strong>"Attention :"</strong></p>
                    <ul>{move || warnings.get().into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}</ul>
                    <button on:click={let s = submit2.clone(); move |_| s(true)}>"Confirmer et créer le rendez-vous"</button>
                </div>
            </Show>
            {move || taken.get().map(|t| {
                let submit = submit3.clone();
                view! {
                    <div class="warning card" role="alert" data-testid="slot-taken">
                        <p><strong>"Ce créneau vient d'être pris."</strong></p>
                        <ul>{t.warnings.iter().map(|w| view! { <li>{w.message.clone()}</li> }).collect_view()}</ul>
                        {if t.creneaux.is_empty() {
                            view! { <p>"Aucun autre créneau libre dans les deux semaines qui suivent pour cet agent."</p> }.into_any()
                        } else {
                            view! {
                                <p>"Prochains créneaux libres :"</p>
                                <div class="slot-list">
                                    {t.creneaux.iter().cloned().map(|c| {
                                        let label = format!("{} {}", crate::dates::short_day(c.starts_at.date_naive()), c.starts_at.format("%H:%M"));
                                        view! { <button type="button" class="slot" on:click=move |_| pick(c.clone())>{label}</button> }
                                    }).collect_view()}
                                </div>
                            }.into_any()
                        }}
                        <button type="button" class="secondary" on:click=move |_| submit(true)>"Réserver quand même (surréservation)"</button>
                    </div>
                }
            })}
            <Status outcome=outcome/>
        </main>
    }
}

/// Usager search with inline creation; the chosen usagers are listed with a remove button.
#[component]
fn UsagerPicker(org: i32, chosen: RwSignal<Vec<UserSummary>>) -> impl IntoView {
    let ctx = use_ctx();
    let q = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let results = LocalResource::new(move || {
        let text = q.get();
        let session = session.clone();
        async move {
            if text.trim().chars().count() < 2 {
                return Vec::new();
            }
            client::search_users(&session, org, &text).await.map(|r| r.users).unwrap_or_default()
        }
    });
    let create = move |_| {
        let body = UserInput {
            organisation_ids: Some(vec![OrganisationId(org)]),
            first_name: Some(first.get_untracked()),
            last_name: Some(last.get_untracked()),
            phone_number: Some(Some(phone.get_untracked()).filter(|p| !p.trim().is_empty())),
            ..Default::default()
        };
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            match client::create_user(&session, &body).await {
                Ok(r) => {
                    let u = r.user;
                    chosen.update(|c| {
                        c.push(UserSummary {
                            id: u.id,
                            first_name: u.first_name,
                            last_name: u.last_name,
                            birth_name: None,
                            birth_date: None,
                            phone_number: u.phone_number,
                            email: None,
                            responsible_id: None,
                            masked: false,
                        })
                    });
                    first.set(String::new());
                    last.set(String::new());
                    phone.set(String::new());
                    outcome.set(None);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <fieldset>
            <legend>"Usager(s)"</legend>
            <ul class="chosen" data-testid="chosen-usagers">
                {move || chosen.get().into_iter().map(|u| {
                    let id = u.id;
                    view! { <li>{format!("{} {}", u.first_name, u.last_name)}
                        <button type="button" class="link" on:click=move |_| chosen.update(|c| c.retain(|x| x.id != id))>"retirer"</button></li> }
                }).collect_view()}
            </ul>
            <label for="usager-q">"Rechercher un usager (nom, téléphone, e-mail)"</label>
            <input id="usager-q" type="search" autocomplete="off" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev))/>
            <ul class="results">
                <Transition>
                    {move || results.get().map(|list| list.into_iter().map(|u| {
                        let label = format!("{} {}{}", u.first_name, u.last_name, u.birth_date.clone().map(|b| format!(" — né(e) le {b}")).unwrap_or_default());
                        let user = u.clone();
                        view! { <li class="result"><span class="result-name">{label}</span>
                            <button type="button" class="secondary" on:click=move |_| {
                                let user = user.clone();
                                chosen.update(|c| if !c.iter().any(|x| x.id == user.id) { c.push(user) });
                                q.set(String::new());
                            }>"Ajouter"</button></li> }
                    }).collect_view())}
                </Transition>
            </ul>
            <details>
                <summary>"Créer un usager"</summary>
                <div class="row">
                    <span><label for="new-first">"Prénom"</label><input id="new-first" prop:value=move || first.get() on:input=move |ev| first.set(event_target_value(&ev))/></span>
                    <span><label for="new-last">"Nom"</label><input id="new-last" prop:value=move || last.get() on:input=move |ev| last.set(event_target_value(&ev))/></span>
                    <span><label for="new-phone">"Téléphone"</label><input id="new-phone" type="tel" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev))/></span>
                </div>
                <button type="button" class="secondary" on:click=create>"Créer et ajouter"</button>
                <Status outcome=outcome/>
            </details>
        </fieldset>
    }
}
