//! The week agenda (`/agenda`): one or several agents side by side, a column per day (weekday
//! labels always visible), 07:00–20:00, plages shaded with their lieu, RDVs in their motif
//! colour (or "Occupé"), absences, holidays. Saturday and Sunday only when they hold events or
//! the agent asked for Saturdays. A phone shows one day at a time. Clicking in a plage opens the
//! RDV form prefilled with agent, lieu, motifs and time (seed 003).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use rdv_shared::dto::AgendaResponse;

use crate::client;
use crate::components::agenda_day::DayColumn;
use crate::ctx::use_ctx;
use crate::dates::{long_day, monday_of, parse_day, short_day, today};

fn is_narrow() -> bool {
    web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).is_some_and(|w| w < 640.0)
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[component]
pub fn AgendaPage() -> impl IntoView {
    let ctx = use_ctx();
    let query = use_query_map();
    let start = query.read_untracked().get("jour").and_then(|s| parse_day(&s)).unwrap_or_else(today);
    let day = RwSignal::new(start);
    let narrow = is_narrow();
    let me = ctx.me.id.0;
    let initial: Vec<i32> = query
        .read_untracked()
        .get("agents")
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .filter(|v: &Vec<i32>| !v.is_empty())
        .unwrap_or_else(|| vec![me]);
    let selected = RwSignal::new(initial);
    // Saturdays: the agent's preference ("Mon compte"), switchable here for the session.
    let saturdays = RwSignal::new(false);
    {
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            if let Ok(me) = client::get_agent(&session, me).await {
                saturdays.set(me.agent.preferences.display_saturdays);
            }
        });
    }
    let arrived = StoredValue::new(0.0f64);
    let agents = {
        let ctx = ctx.clone();
        LocalResource::new(move || {
            let session = ctx.session.clone();
            // Every agenda the agent may open: colleagues, and those opened by access grants.
            async move { client::list_agenda_agents(&session).await }
        })
    };
    let data = {
        let ctx = ctx.clone();
        LocalResource::new(move || {
            let session = ctx.session.clone();
            let (from, to) = if narrow {
                (day.get(), day.get() + Duration::days(1))
            } else {
                let m = monday_of(day.get());
                (m, m + Duration::days(7))
            };
            let ids: Vec<i32> = selected.get();
            async move {
                let r = client::get_agenda(&session, from, to, &ids).await;
                arrived.set_value(now_ms());
                r
            }
        })
    };
    // Render time after the data arrived, for the browser test's report (no assertion on it).
    Effect::new(move |_| {
        if let Some(Ok(r)) = data.get() {
            let events: usize = r.agendas.iter().map(|a| a.events.len()).sum();
            // After the next frame: the DOM is built and laid out.
            request_animation_frame(move || {
                let took = now_ms() - arrived.get_value();
                if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
                    let _ = body.set_attribute("data-agenda-render-ms", &format!("{took:.1}"));
                    let _ = body.set_attribute("data-agenda-events", &events.to_string());
                }
            });
        }
    });
    let step = if narrow { 1 } else { 7 };
    let title = move || {
        if narrow {
            long_day(day.get())
        } else {
            let m = monday_of(day.get());
            format!("Semaine du {}", long_day(m))
        }
    };
    let navigate = use_navigate();
    let new_absence = move |_| navigate("/indisponibilites/nouvelle", Default::default());
    let navigate = use_navigate();
    let new_plage = move |_| navigate("/plages/nouvelle", Default::default());
    view! {
        <main class="page page-wide">
            <div class="agenda-toolbar">
                <h1 data-testid="agenda-title">{title}</h1>
                <div class="actions">
                    <button class="secondary" on:click=move |_| day.update(|d| *d -= Duration::days(step))>
                        {if narrow { "← Jour précédent" } else { "← Semaine précédente" }}
                    </button>
                    <button class="secondary" on:click=move |_| day.set(today())>"Aujourd'hui"</button>
                    <button class="secondary" on:click=move |_| day.update(|d| *d += Duration::days(step))>
                        {if narrow { "Jour suivant →" } else { "Semaine suivante →" }}
                    </button>
                    <button on:click=new_plage>"Nouvelle plage"</button>
                    <button class="secondary" on:click=new_absence>"Nouvelle indisponibilité"</button>
                    <a class="button secondary" href=format!("/agents/{me}/acces")>"Accès aux agendas"</a>
                </div>
            </div>
            <details class="card agent-picker">
                <summary>"Agendas affichés"</summary>
                <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                    {move || agents.get().map(|r| match r {
                        Ok(list) => view! {
                            <ul class="checklist">
                                {list.agents.into_iter().map(|a| {
                                    let id = a.id.0;
                                    let name = rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name);
                                    view! {
                                        <li><label class="check">
                                            <input type="checkbox"
                                                prop:checked=move || selected.get().contains(&id)
                                                on:change=move |_| selected.update(|s| {
                                                    if let Some(i) = s.iter().position(|x| *x == id) { if s.len() > 1 { s.remove(i); } } else { s.push(id); }
                                                })/>
                                            {name}
                                        </label></li>
                                    }
                                }).collect_view()}
                            </ul>
                            <label class="check"><input type="checkbox" bind:checked=saturdays/>"Afficher le samedi"</label>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    })}
                </Transition>
            </details>
            <Transition fallback=|| view! { <p class="loading">"Chargement de l'agenda…"</p> }>
                {move || data.get().map(|r| match r {
                    Ok(agenda) => view! { <Week agenda=agenda narrow=narrow day=day.get_untracked() saturdays=saturdays.get()/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// The days to draw: Monday–Friday, plus Saturday / Sunday when they hold an event (or Saturday
/// when asked); on a phone, the one day.
fn days(agenda: &AgendaResponse, narrow: bool, day: NaiveDate, saturdays: bool) -> Vec<NaiveDate> {
    if narrow {
        return vec![day];
    }
    let monday = monday_of(day);
    let busy = |d: NaiveDate| agenda.agendas.iter().any(|a| a.events.iter().any(|e| e.starts_at.date_naive() == d));
    (0..7)
        .map(|i| monday + Duration::days(i))
        .filter(|d| match d.weekday() {
            Weekday::Sat => saturdays || busy(*d),
            Weekday::Sun => busy(*d),
            _ => true,
        })
        .collect()
}

#[component]
fn Week(agenda: AgendaResponse, narrow: bool, day: NaiveDate, saturdays: bool) -> impl IntoView {
    let shown = days(&agenda, narrow, day, saturdays);
    let several = agenda.agendas.len() > 1;
    view! {
        <div class="agenda" data-testid="agenda">
            {agenda.agendas.into_iter().map(|a| {
                let name = rdv_shared::dto::display_name(a.agent.first_name.as_deref(), &a.agent.last_name);
                let agent_id = a.agent.id.0;
                view! {
                    <section class="agenda-agent" aria-label=format!("Agenda de {name}")>
                        {several.then(|| view! { <h2 class="agenda-agent-name">{name.clone()}</h2> })}
                        <div class="agenda-grid" style=format!("--days: {}", shown.len())>
                            <div class="hours" aria-hidden="true">
                                <div class="day-head"></div>
                                {(7..20).map(|h| view! { <div class="hour">{format!("{h:02}:00")}</div> }).collect_view()}
                            </div>
                            {shown.iter().map(|d| {
                                let date = *d;
                                let events: Vec<_> = a.events.iter().filter(|e| e.starts_at.date_naive() == date).cloned().collect();
                                let holiday = a.holidays.iter().find(|h| h.date == date).map(|h| h.name.clone());
                                view! { <DayColumn date=date label=short_day(date) events=events holiday=holiday agent_id=agent_id/> }
                            }).collect_view()}
                        </div>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}
