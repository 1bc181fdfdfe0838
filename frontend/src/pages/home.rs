//! The agent's home (`/`): today's RDVs and the "RDV à renseigner" list (past RDVs still in
//! status unknown, seed 001, RDV-S #1783/#1788) with one-click status.

use chrono::Duration;
use leptos::prelude::*;
use leptos_router::components::A;

use rdv_shared::dto::{EventKind, UpdateRdvRequest};
use rdv_shared::enums::RdvStatus;

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::{long_day, today};

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = use_ctx();
    let first = ctx.me.first_name.clone().unwrap_or_else(|| ctx.me.last_name.clone());
    let me = ctx.me.id.0;
    let refresh = RwSignal::new(0u32);
    let outcome: Outcome = RwSignal::new(None);
    let day = today();
    let s1 = ctx.session.clone();
    let today_list = LocalResource::new(move || {
        let session = s1.clone();
        async move { client::get_agenda(&session, day, day + Duration::days(1), &[]).await }
    });
    let s2 = ctx.session.clone();
    let to_fill = LocalResource::new(move || {
        refresh.track();
        let session = s2.clone();
        async move { client::list_rdvs_to_fill(&session, me).await }
    });
    let set = {
        let ctx = ctx.clone();
        move |id: i32, status: RdvStatus| {
            let session = ctx.session.clone();
            let body = UpdateRdvRequest { status: Some(status), ..Default::default() };
            leptos::task::spawn_local(async move {
                match client::update_rdv(&session, id, &body).await {
                    Ok(_) => refresh.update(|n| *n += 1),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let current = ctx.clone();
    view! {
        <main class="page">
            <div class="card">
                <h1>"Bonjour " {first}</h1>
                <p data-testid="current-organisation">
                    {move || current.role().map(|r| format!("Organisation : {}", r.organisation_name)).unwrap_or_else(|| "Aucune organisation".into())}
                </p>
                <p><A href="/agenda">"Ouvrir mon agenda"</A></p>
            </div>
            <section class="card">
                <h2>{format!("Aujourd'hui, {}", long_day(day))}</h2>
                <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                    {move || today_list.get().map(|r| match r {
                        Ok(a) => {
                            let rdvs: Vec<_> = a.agendas.into_iter().flat_map(|x| x.events).filter(|e| e.kind == EventKind::Rdv).collect();
                            if rdvs.is_empty() {
                                view! { <p>"Aucun rendez-vous aujourd'hui."</p> }.into_any()
                            } else {
                                view! { <ul class="results">{rdvs.into_iter().map(|e| view! {
                                    <li class="result"><span class="result-name">{format!("{} — {}", e.starts_at.format("%H:%M"), e.title)}</span>
                                    {e.id.map(|id| view! { <a href=format!("/rdvs/{id}")>"Voir"</a> })}</li>
                                }).collect_view()}</ul> }.into_any()
                            }
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    })}
                </Transition>
            </section>
            <section class="card" data-testid="rdvs-to-fill">
                <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                    {move || to_fill.get().map(|r| match r {
                        Ok(list) => {
                            let set = set.clone();
                            view! {
                                <h2>{format!("RDV à renseigner ({})", list.meta.total_count)}</h2>
                                <p class="help">"Rendez-vous passés dont le statut n'a pas été renseigné."</p>
                                <ul class="results">{list.rdvs.into_iter().map(|r| {
                                    let id = r.id;
                                    let who: Vec<String> = r.participations.iter().map(|p| format!("{} {}", p.user.first_name, p.user.last_name)).collect();
                                    let (a, b) = (set.clone(), set.clone());
                                    view! { <li class="result">
                                        <span class="result-name"><a href=format!("/rdvs/{id}")>{format!("{} {} — {}", long_day(r.starts_at.date_naive()), r.starts_at.format("%H:%M"), who.join(", "))}</a></span>
                                        <span class="actions">
                                            <button on:click=move |_| a(id, RdvStatus::Seen)>"Honoré"</button>
                                            <button class="secondary" on:click=move |_| b(id, RdvStatus::Noshow)>"Absent"</button>
                                        </span>
                                    </li> }
                                }).collect_view()}</ul>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    })}
                </Transition>
                <Status outcome=outcome/>
            </section>
        </main>
    }
}
