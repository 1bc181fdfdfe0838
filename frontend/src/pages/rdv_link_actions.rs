//! What the usager can do from their link besides cancelling (reference §4.6–4.7): move the
//! RDV to another slot of the same motif and lieu, week by week, and ask to be told when an
//! earlier slot frees up. The API decides what is offered (`reschedulable`,
//! `waiting_list_offered`); these components only show it.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use leptos::prelude::*;

use rdv_shared::dto::{PublicCreneauxResponse, PublicRdv};

use crate::api::ApiError;
use crate::client;
use crate::dates::{long_day, today};
use crate::pages::public_booking::by_day;

fn hm(t: &DateTime<FixedOffset>) -> String {
    t.format("%H:%M").to_string()
}

/// "Changer la date ou l'heure": the week's slots, then the move once confirmed. `open`: shown
/// at once (the waiting list's message links here with `?modifier=1`).
#[component]
pub fn MoveRdv(
    token: Signal<String>,
    initials: RwSignal<String>,
    rdv: RwSignal<Option<PublicRdv>>,
    message: RwSignal<Option<Result<String, String>>>,
    open: bool,
) -> impl IntoView {
    let shown = RwSignal::new(false);
    let week: RwSignal<NaiveDate> = RwSignal::new(today());
    let slots: RwSignal<Option<PublicCreneauxResponse>> = RwSignal::new(None);
    let load = move |from: NaiveDate| {
        week.set(from);
        shown.set(true);
        let (t, typed) = (token.get_untracked(), initials.get_untracked());
        leptos::task::spawn_local(async move {
            match client::list_rdv_link_creneaux(&t, &typed, from, from + Duration::days(6)).await {
                Ok(r) => slots.set(Some(r)),
                Err(e) => message.set(Some(Err(e.message_fr()))),
            }
        });
    };
    if open {
        load(today());
    }
    let choose = move |at: DateTime<FixedOffset>| {
        let question = format!("Déplacer votre rendez-vous au {} à {} ?", long_day(at.date_naive()), hm(&at));
        let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
        if !confirmed {
            return;
        }
        let (t, typed) = (token.get_untracked(), initials.get_untracked());
        leptos::task::spawn_local(async move {
            match client::reschedule_rdv_link(&t, &typed, at).await {
                Ok(r) => {
                    message.set(Some(Ok(format!(
                        "Votre rendez-vous est déplacé au {} à {}. Un message de confirmation vous est envoyé.",
                        long_day(r.rdv.starts_at.date_naive()),
                        hm(&r.rdv.starts_at)
                    ))));
                    shown.set(false);
                    rdv.set(Some(r.rdv));
                }
                Err(ApiError::SlotTaken(_)) => {
                    message.set(Some(Err("Ce créneau vient d'être pris. Choisissez-en un autre.".into())));
                    load(week.get_untracked());
                }
                Err(e) => message.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <Show when=move || !shown.get()>
            <button type="button" class="secondary big" on:click=move |_| load(today())>"Changer la date ou l'heure"</button>
        </Show>
        <Show when=move || shown.get()>
            <section class="card" aria-labelledby="move-slots">
                <h2 id="move-slots">"Choisir un autre créneau"</h2>
                <p class="muted">"Même motif et même lieu ; votre rendez-vous actuel reste réservé tant que vous n'avez pas choisi."</p>
                <div class="toolbar">
                    <button type="button" class="secondary" disabled=move || week.get() <= today() on:click=move |_| load(week.get_untracked() - Duration::days(7))>"← Plus tôt"</button>
                    <button type="button" class="secondary" on:click=move |_| load(week.get_untracked() + Duration::days(7))>"Plus tard →"</button>
                </div>
                {move || slots.get().map(|r| {
                    if r.creneaux.is_empty() {
                        let next = r.next_availability;
                        return view! {
                            <p>{match next {
                                Some(t) => format!("Aucun créneau cette semaine. Prochaine disponibilité : {} à {}.", long_day(t.date_naive()), hm(&t)),
                                None => "Aucun autre créneau disponible pour le moment.".to_owned(),
                            }}</p>
                            {next.map(|t| view! { <button type="button" on:click=move |_| load(t.date_naive())>"Voir cette date"</button> })}
                        }.into_any();
                    }
                    by_day(&r.creneaux).into_iter().map(|(d, list)| view! {
                        <h3>{long_day(d)}</h3>
                        <div class="slot-list">{list.into_iter().map(|c| {
                            let t = c.starts_at;
                            view! { <button type="button" class="slot" on:click=move |_| choose(t)>{hm(&t)}</button> }
                        }).collect_view()}</div>
                    }).collect_view().into_any()
                })}
                <button type="button" class="link" on:click=move |_| shown.set(false)>"Garder mon rendez-vous"</button>
            </section>
        </Show>
    }
}

/// "Me prévenir si un créneau plus tôt se libère" (at most one message a day, three in all).
#[component]
pub fn WaitingList(
    token: Signal<String>,
    initials: RwSignal<String>,
    rdv: RwSignal<Option<PublicRdv>>,
    message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let waiting = move || rdv.get().is_some_and(|r| r.on_waiting_list);
    let toggle = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        let (t, typed) = (token.get_untracked(), initials.get_untracked());
        leptos::task::spawn_local(async move {
            match client::update_rdv_link_waiting_list(&t, &typed, want).await {
                Ok(r) => {
                    message.set(Some(Ok(if want {
                        "C'est noté : nous vous prévenons si un créneau plus tôt se libère.".to_owned()
                    } else {
                        "Vous ne serez plus prévenu(e) des créneaux libérés.".to_owned()
                    })));
                    rdv.set(Some(r.rdv));
                }
                Err(e) => message.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <div class="card">
            <label class="switch">
                <input type="checkbox" id="waiting-list" prop:checked=waiting on:change=toggle/>
                " Me prévenir si un créneau plus tôt se libère"
            </label>
            <p class="muted">"Par SMS ou email, au plus un message par jour et trois en tout, entre 9 h et 19 h."</p>
        </div>
    }
}
