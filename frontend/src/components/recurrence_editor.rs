//! The recurrence editor of plage and absence forms: once, weekly on chosen weekdays every 1–5
//! weeks, or monthly on the n-th weekday of the first day; optional end date; and a preview of
//! the next occurrences computed with the same shared rule the server expands.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;

use rdv_shared::recurrence::{next_days, Every, Recurrence};

use crate::dates::{long_day, parse_day, today, weekday_fr};

const WEEKDAYS: [&str; 6] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/// The editor's state; `rule()` is what the form sends.
#[derive(Clone, Copy)]
pub struct RuleState {
    pub kind: RwSignal<String>,
    pub interval: RwSignal<String>,
    pub on: RwSignal<Vec<String>>,
    pub until: RwSignal<String>,
}

impl Default for RuleState {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleState {
    pub fn new() -> Self {
        RuleState {
            kind: RwSignal::new("none".into()),
            interval: RwSignal::new("1".into()),
            on: RwSignal::new(Vec::new()),
            until: RwSignal::new(String::new()),
        }
    }

    /// The rule for a plage starting on `first_day` (monthly: its rank in the month).
    pub fn rule(&self, first_day: Option<NaiveDate>) -> Option<Recurrence> {
        let interval = self.interval.get().parse().unwrap_or(1);
        let until = parse_day(&self.until.get());
        match self.kind.get().as_str() {
            "week" => Some(Recurrence { every: Every::Week, interval, on: self.on.get(), day: BTreeMap::new(), until }),
            "month" => {
                let d = first_day?;
                let name = WEEKDAYS_ALL[d.weekday().num_days_from_monday() as usize].to_owned();
                let rank = i32::try_from((d.day() - 1) / 7 + 1).unwrap_or(1);
                Some(Recurrence {
                    every: Every::Month,
                    interval,
                    on: Vec::new(),
                    day: BTreeMap::from([(name, vec![rank])]),
                    until,
                })
            }
            _ => None,
        }
    }
}

const WEEKDAYS_ALL: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn label(day: &str) -> &'static str {
    match day {
        "monday" => "Lundi",
        "tuesday" => "Mardi",
        "wednesday" => "Mercredi",
        "thursday" => "Jeudi",
        "friday" => "Vendredi",
        _ => "Samedi",
    }
}

#[component]
pub fn RecurrenceEditor(state: RuleState, #[prop(into)] first_day: Signal<String>) -> impl IntoView {
    let preview = move || {
        let first = parse_day(&first_day.get())?;
        let rule = state.rule(Some(first));
        let days = next_days(first, rule.as_ref(), today().min(first), 5);
        Some(days)
    };
    let monthly_label = move || {
        parse_day(&first_day.get())
            .map(|d| format!("le {}e {} du mois", (d.day() - 1) / 7 + 1, weekday_fr(d.weekday())))
            .unwrap_or_else(|| "choisissez d'abord le premier jour".into())
    };
    view! {
        <fieldset class="recurrence">
            <legend>"Répétition"</legend>
            <label for="rec-kind">"Se répète"</label>
            <select id="rec-kind" prop:value=move || state.kind.get() on:change=move |ev| state.kind.set(event_target_value(&ev))>
                <option value="none">"Une seule fois"</option>
                <option value="week">"Chaque semaine"</option>
                <option value="month">"Chaque mois"</option>
            </select>
            <Show when=move || state.kind.get() != "none">
                <label for="rec-interval">"Toutes les"</label>
                <select id="rec-interval" prop:value=move || state.interval.get() on:change=move |ev| state.interval.set(event_target_value(&ev))>
                    {(1..=5).map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                </select>
                <span class="help">{move || if state.kind.get() == "week" { "semaine(s)" } else { "mois" }}</span>
                <Show when=move || state.kind.get() == "week" fallback=move || view! { <p class="help">{monthly_label}</p> }>
                    <div class="weekdays" role="group" aria-label="Jours de la semaine">
                        {WEEKDAYS.iter().map(|d| {
                            let day = (*d).to_owned();
                            let day2 = day.clone();
                            view! {
                                <label class="check">
                                    <input type="checkbox" prop:checked=move || state.on.get().contains(&day)
                                        on:change=move |_| state.on.update(|on| {
                                            if let Some(i) = on.iter().position(|x| *x == day2) { on.remove(i); } else { on.push(day2.clone()); }
                                        })/>
                                    {label(d)}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </Show>
                <label for="rec-until">"Jusqu'au (facultatif)"</label>
                <input id="rec-until" type="date" prop:value=move || state.until.get() on:input=move |ev| state.until.set(event_target_value(&ev))/>
            </Show>
            <div class="preview" aria-live="polite">
                <strong>"Prochaines dates : "</strong>
                <ul data-testid="recurrence-preview">
                    {move || preview().unwrap_or_default().into_iter().map(|d| view! { <li>{long_day(d)}</li> }).collect_view()}
                </ul>
            </div>
        </fieldset>
    }
}
