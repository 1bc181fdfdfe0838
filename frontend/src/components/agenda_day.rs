//! One day column of the week agenda: its label (always visible), the holiday banner, plages
//! as shaded blocks (click inside one to book at that time), RDVs, absences; each positioned by
//! its wall-clock time on a 07:00–20:00 scale (one pixel a minute).

use chrono::{Duration, NaiveDate, Timelike};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use rdv_shared::access::AgendaLevel;
use rdv_shared::dto::{AgendaEvent, EventKind};

use crate::api::encode;

const FIRST_HOUR: i64 = 7;
const LAST_HOUR: i64 = 20;

/// `top` and `height` in pixels (minutes since 07:00), clamped to the grid.
fn place(e: &AgendaEvent) -> (i64, i64) {
    let minutes = |h: u32, m: u32| i64::from(h) * 60 + i64::from(m) - FIRST_HOUR * 60;
    let s = e.starts_at;
    let top = minutes(s.hour(), s.minute()).clamp(0, (LAST_HOUR - FIRST_HOUR) * 60);
    let length = (e.ends_at - e.starts_at).num_minutes();
    let bottom = (minutes(s.hour(), s.minute()) + length).clamp(0, (LAST_HOUR - FIRST_HOUR) * 60);
    (top, (bottom - top).max(12))
}

fn hm(e: &AgendaEvent) -> String {
    format!("{}–{}", e.starts_at.format("%H:%M"), e.ends_at.format("%H:%M"))
}

#[component]
pub fn DayColumn(
    date: NaiveDate,
    label: String,
    events: Vec<AgendaEvent>,
    holiday: Option<String>,
    agent_id: i32,
) -> impl IntoView {
    let (plages, others): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.kind == EventKind::Plage);
    view! {
        <div class="day" data-date=date.to_string()>
            <div class="day-head">
                <span class="weekday">{label}</span>
                {holiday.map(|h| view! { <span class="holiday">{format!("Jour férié 🎉 {h}")}</span> })}
            </div>
            <div class="day-body">
                {plages.into_iter().map(|e| view! { <Plage event=e agent_id=agent_id/> }).collect_view()}
                {others.into_iter().map(|e| view! { <Event event=e/> }).collect_view()}
            </div>
        </div>
    }
}

/// A plage: clicking at a height opens the RDV form at that time (rounded down to 5 minutes).
#[component]
fn Plage(event: AgendaEvent, agent_id: i32) -> impl IntoView {
    let (top, height) = place(&event);
    let style = format!("top:{top}px;height:{height}px");
    let lieu = event.lieu.as_ref().map(|l| l.name.clone()).unwrap_or_default();
    let time = hm(&event);
    let text = format!("{time} · {} · {lieu}", event.title);
    if event.level < AgendaLevel::Write {
        return view! { <div class="ev plage readonly" style=style title=text.clone()>{lieu}</div> }.into_any();
    }
    let navigate = use_navigate();
    let open = move |offset_min: i64| {
        let span = (event.ends_at - event.starts_at).num_minutes();
        let at = event.starts_at + Duration::minutes((offset_min / 5 * 5).clamp(0, (span - 5).max(0)));
        let motifs: Vec<String> = event.motifs.iter().map(|m| m.id.to_string()).collect();
        let mut url =
            format!("/rdvs/nouveau?agent={agent_id}&debut={}&motifs={}", encode(&at.to_rfc3339()), motifs.join(","));
        if let Some(org) = event.organisation_id {
            url.push_str(&format!("&organisation={org}"));
        }
        if let Some(l) = &event.lieu {
            url.push_str(&format!("&lieu={}", l.id));
        }
        navigate(&url, Default::default());
    };
    let on_click = move |ev: web_sys::MouseEvent| open(i64::from(ev.offset_y()));
    view! {
        <button class="ev plage" style=style title=text.clone() aria-label=format!("Prendre RDV : plage {text}")
            on:click=on_click>
            <span class="ev-time">{time}</span>
            <span class="ev-lieu">{lieu}</span>
        </button>
    }
    .into_any()
}

/// An RDV (link to its page when readable) or an absence.
#[component]
fn Event(event: AgendaEvent) -> impl IntoView {
    let (top, height) = place(&event);
    let time = hm(&event);
    let cancelled = event.status.is_some_and(|s| s.is_cancelled());
    match (event.kind, event.level, event.id) {
        (EventKind::Rdv, level, Some(id)) if level >= AgendaLevel::Read => {
            let color = event.color.clone().unwrap_or_else(|| "#000091".into());
            let style = format!("top:{top}px;height:{height}px;--c:{color}");
            let motif = event.motif.as_ref().map(|m| m.name.clone()).unwrap_or_default();
            let class = if cancelled { "ev rdv cancelled" } else { "ev rdv" };
            let title = format!("{time} {} — {motif}", event.title);
            view! {
                <a class=class style=style href=format!("/rdvs/{id}") title=title data-testid="agenda-rdv">
                    <span class="ev-time">{time}</span>
                    <span class="ev-title">{event.title.clone()}</span>
                </a>
            }
            .into_any()
        }
        (EventKind::Rdv, _, _) => view! {
            <div class="ev busy" style=format!("top:{top}px;height:{height}px") data-testid="agenda-busy"
                title=format!("{} Occupé", hm(&event))>
                <span class="ev-time">{time}</span>
                <span class="ev-title">"Occupé"</span>
            </div>
        }
        .into_any(),
        _ => view! {
            <div class="ev absence" style=format!("top:{top}px;height:{height}px") title=format!("{time} {}", event.title)>
                <span class="ev-time">{time.clone()}</span>
                <span class="ev-title">{event.title.clone()}</span>
            </div>
        }
        .into_any(),
    }
}
