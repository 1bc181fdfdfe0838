//! New absence ("indisponibilité", `/indisponibilites/nouvelle`): for oneself or an agent one
//! manages, across all organisations; a single-day one may repeat.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use rdv_shared::dto::CreateAbsenceRequest;
use rdv_shared::AgentId;

use crate::client;
use crate::components::recurrence_editor::{RecurrenceEditor, RuleState};
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::parse_day;

#[component]
pub fn NewAbsencePage() -> impl IntoView {
    let ctx = use_ctx();
    let org = ctx.org_id();
    let agent = RwSignal::new(ctx.me.id.0.to_string());
    let title = RwSignal::new(String::new());
    let first_day = RwSignal::new(String::new());
    let end_day = RwSignal::new(String::new());
    let start = RwSignal::new("09:00".to_owned());
    let end = RwSignal::new("17:00".to_owned());
    let rule = RuleState::new();
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let agents = LocalResource::new(move || {
        let session = session.clone();
        async move { client::list_agents(&session, Some(org)).await }
    });
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let time = |s: RwSignal<String>| chrono::NaiveTime::parse_from_str(&s.get_untracked(), "%H:%M").ok();
        let (Some(day), Some(s), Some(e)) = (parse_day(&first_day.get_untracked()), time(start), time(end)) else {
            outcome.set(Some(Err("Renseignez le premier jour et les heures.".into())));
            return;
        };
        let body = CreateAbsenceRequest {
            agent_id: agent.get_untracked().parse().ok().map(AgentId),
            agent_email: None,
            title: title.get_untracked(),
            first_day: day,
            start_time: s,
            end_day: parse_day(&end_day.get_untracked()),
            end_time: e,
            recurrence: untrack(|| rule.rule(Some(day))),
        };
        let session = ctx.session.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::create_absence(&session, &body).await {
                Ok(a) => navigate(
                    &format!("/agenda?jour={}&agents={}", a.absence.first_day, a.absence.agent.id),
                    Default::default(),
                ),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <main class="page">
            <h1>"Nouvelle indisponibilité"</h1>
            <form class="card form" on:submit=submit>
                <label for="abs-agent">"Agent"</label>
                <select id="abs-agent" prop:value=move || agent.get() on:change=move |ev| agent.set(event_target_value(&ev))>
                    <Transition>
                        {move || agents.get().and_then(|r| r.ok()).map(|r| r.agents.into_iter().map(|a| view! {
                            <option value=a.id.0.to_string()>{rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)}</option>
                        }).collect_view())}
                    </Transition>
                </select>
                <label for="abs-title">"Motif de l'indisponibilité"</label>
                <input id="abs-title" required placeholder="Formation, congés, réunion…" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                <div class="row">
                    <span><label for="abs-day">"Du"</label>
                    <input id="abs-day" type="date" required prop:value=move || first_day.get() on:input=move |ev| first_day.set(event_target_value(&ev))/></span>
                    <span><label for="abs-start">"à partir de"</label>
                    <input id="abs-start" type="time" required prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/></span>
                </div>
                <div class="row">
                    <span><label for="abs-end-day">"Au (vide : le même jour)"</label>
                    <input id="abs-end-day" type="date" prop:value=move || end_day.get() on:input=move |ev| end_day.set(event_target_value(&ev))/></span>
                    <span><label for="abs-end">"jusqu'à"</label>
                    <input id="abs-end" type="time" required prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/></span>
                </div>
                <RecurrenceEditor state=rule first_day=first_day/>
                <div class="actions"><button type="submit">"Créer l'indisponibilité"</button></div>
            </form>
            <Status outcome=outcome/>
        </main>
    }
}
