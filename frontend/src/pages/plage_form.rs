//! New plage d'ouverture (`/plages/nouvelle`): agent, motifs, lieu, first day, hours, and the
//! recurrence editor with its preview. Sundays are refused by the API with a clear message
//! (Saturdays unless the organisation opens then); overlaps come back as warnings to confirm.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use rdv_shared::dto::{CreatePlageRequest, Warning};
use rdv_shared::enums::LieuAvailability;
use rdv_shared::{AgentId, OrganisationId};

use crate::api;
use crate::client;
use crate::components::recurrence_editor::{RecurrenceEditor, RuleState};
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::parse_day;

fn time(s: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").ok()
}

#[component]
pub fn NewPlagePage() -> impl IntoView {
    let ctx = use_ctx();
    let org = ctx.org_id();
    let agent = RwSignal::new(ctx.me.id.0.to_string());
    let title = RwSignal::new("Permanence".to_owned());
    let motifs: RwSignal<Vec<i32>> = RwSignal::new(Vec::new());
    let lieu = RwSignal::new(String::new());
    let first_day = RwSignal::new(String::new());
    let start = RwSignal::new("09:00".to_owned());
    let end = RwSignal::new("12:00".to_owned());
    let rule = RuleState::new();
    let warnings: RwSignal<Vec<Warning>> = RwSignal::new(Vec::new());
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let setup = LocalResource::new(move || {
        let session = session.clone();
        async move {
            let m = client::list_motifs(&session, org, false).await?;
            let l = client::list_lieux(&session, org).await?;
            let a = client::list_agents(&session, Some(org)).await?;
            Ok::<_, api::ApiError>((m.motifs, l.lieux, a.agents))
        }
    });
    let navigate = use_navigate();
    let submit = {
        let ctx = ctx.clone();
        move |confirm: bool| {
            let (Some(day), Some(s), Some(e)) =
                (parse_day(&first_day.get_untracked()), time(&start.get_untracked()), time(&end.get_untracked()))
            else {
                outcome.set(Some(Err("Renseignez le premier jour et les heures.".into())));
                return;
            };
            let body = CreatePlageRequest {
                agent_id: agent.get_untracked().parse().ok().map(AgentId),
                agent_email: None,
                organisation_id: OrganisationId(org),
                lieu_id: lieu.get_untracked().parse().ok(),
                motif_ids: motifs.get_untracked(),
                title: title.get_untracked(),
                first_day: day,
                start_time: s,
                end_time: e,
                recurrence: untrack(|| rule.rule(Some(day))),
                ignore_benign_errors: confirm,
            };
            let session = ctx.session.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match client::create_plage_ouverture(&session, &body).await {
                    Ok(p) => navigate(
                        &format!("/agenda?jour={}&agents={}", p.plage_ouverture.first_day, p.plage_ouverture.agent.id),
                        Default::default(),
                    ),
                    Err(e) if !e.warnings().is_empty() => warnings.set(e.warnings()),
                    Err(e) => {
                        warnings.set(Vec::new());
                        outcome.set(Some(Err(e.message_fr())));
                    }
                }
            });
        }
    };
    let confirm = submit.clone();
    view! {
        <main class="page">
            <h1>"Nouvelle plage d'ouverture"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || setup.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok((all_motifs, lieux, agents)) => {
                        let submit = submit.clone();
                        view! {
                            <form class="card form" on:submit=move |ev| { ev.prevent_default(); submit(false); }>
                                <label for="plage-agent">"Agent"</label>
                                <select id="plage-agent" prop:value=move || agent.get() on:change=move |ev| agent.set(event_target_value(&ev))>
                                    {agents.iter().map(|a| view! { <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option> }).collect_view()}
                                </select>
                                <label for="plage-title">"Titre"</label>
                                <input id="plage-title" required prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                                <fieldset>
                                    <legend>"Motifs proposés"</legend>
                                    {all_motifs.iter().filter(|m| m.active && !m.collectif).map(|m| {
                                        let id = m.id;
                                        view! { <label class="check"><input type="checkbox" prop:checked=move || motifs.get().contains(&id)
                                            on:change=move |_| motifs.update(|v| if let Some(i) = v.iter().position(|x| *x == id) { v.remove(i); } else { v.push(id); })/>
                                            {m.name.clone()}</label> }
                                    }).collect_view()}
                                </fieldset>
                                <label for="plage-lieu">"Lieu"</label>
                                <select id="plage-lieu" prop:value=move || lieu.get() on:change=move |ev| lieu.set(event_target_value(&ev))>
                                    <option value="">"— (motifs par téléphone ou à domicile)"</option>
                                    {lieux.iter().filter(|l| l.availability == LieuAvailability::Enabled).map(|l| view! { <option value=l.id.to_string()>{l.name.clone()}</option> }).collect_view()}
                                </select>
                                <div class="row">
                                    <span><label for="plage-day">"Premier jour"</label>
                                    <input id="plage-day" type="date" required prop:value=move || first_day.get() on:input=move |ev| first_day.set(event_target_value(&ev))/></span>
                                    <span><label for="plage-start">"De"</label>
                                    <input id="plage-start" type="time" required prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/></span>
                                    <span><label for="plage-end">"À"</label>
                                    <input id="plage-end" type="time" required prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/></span>
                                </div>
                                <RecurrenceEditor state=rule first_day=first_day/>
                                <div class="actions"><button type="submit">"Créer la plage"</button></div>
                            </form>
                        }.into_any()
                    }
                })}
            </Transition>
            <Show when=move || !warnings.get().is_empty()>
                <div class="warning card" role="alert">
                    <ul>{move || warnings.get().into_iter().map(|w| view! { <li>{w.message}</li> }).collect_view()}</ul>
                    <button on:click={let c = confirm.clone(); move |_| c(true)}>"Confirmer et créer la plage"</button>
                </div>
            </Show>
            <Status outcome=outcome/>
        </main>
    }
}
