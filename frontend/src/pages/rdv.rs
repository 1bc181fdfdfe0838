//! An RDV's page (`/rdvs/:id`): details, participants with their own status, status buttons
//! large enough for a phone (seed 003), each participant's notification switches, "Envoyer un
//! rappel maintenant", the notifications sent (receipts), cancel, delete (admins), history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::dto::{ParticipationChanges, Rdv, UpdateParticipationRequest, UpdateRdvRequest};
use rdv_shared::enums::RdvStatus;

use crate::client;
use crate::components::history::History;
use crate::components::receipts::{Receipts, ReceiptsOf};
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::{long_day, now_utc, today};

/// What a button does, in the agent's words.
fn action_label(s: RdvStatus, collective: bool) -> &'static str {
    match s {
        RdvStatus::Seen if collective => "Effectué",
        RdvStatus::Seen => "Honoré",
        RdvStatus::Noshow => "Absent (non excusé)",
        RdvStatus::Excused => "Annulé par l'usager",
        RdvStatus::Revoked => "Annulé par le service",
        RdvStatus::Unknown => "Réinitialiser",
    }
}

/// The status as shown: unknown reads "À venir", "Aujourd'hui" or "À renseigner".
fn status_label(r: &Rdv) -> String {
    let day = r.starts_at.date_naive();
    match r.status {
        RdvStatus::Unknown if day > today() => "À venir".into(),
        RdvStatus::Unknown if day == today() => "Rendez-vous aujourd'hui".into(),
        RdvStatus::Unknown => "À renseigner".into(),
        RdvStatus::Seen if r.collectif => "Effectué".into(),
        s => s.label_fr().into(),
    }
}

#[component]
pub fn RdvPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let rdv = LocalResource::new(move || {
        refresh.track();
        let id: i32 = params.read().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
        let session = ctx.session.clone();
        async move { client::get_rdv(&session, id).await.map(|r| r.rdv) }
    });
    view! {
        <main class="page">
            <p><A href="/agenda">"← Agenda"</A></p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || rdv.get().map(|r| match r {
                    Ok(r) => view! { <RdvDetails rdv=r refresh=refresh/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

#[component]
fn RdvDetails(rdv: Rdv, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let outcome: Outcome = RwSignal::new(None);
    let id = rdv.id;
    let collective = rdv.collectif;
    let set_status = {
        let ctx = ctx.clone();
        move |status: RdvStatus| {
            let session = ctx.session.clone();
            let body = UpdateRdvRequest { status: Some(status), ..Default::default() };
            leptos::task::spawn_local(async move {
                match client::update_rdv(&session, id, &body).await {
                    Ok(_) => {
                        outcome.set(Some(Ok("Statut enregistré.".into())));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let set_participation = {
        let ctx = ctx.clone();
        move |pid: i32, status: RdvStatus| {
            let session = ctx.session.clone();
            let body = UpdateParticipationRequest {
                participation: Some(ParticipationChanges { status: Some(status), ..Default::default() }),
                ..Default::default()
            };
            leptos::task::spawn_local(async move {
                match client::update_participation(&session, pid, &body).await {
                    Ok(_) => refresh.update(|n| *n += 1),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let set_switch = {
        let ctx = ctx.clone();
        move |pid: i32, reminder: bool, on: bool| {
            let session = ctx.session.clone();
            let changes = if reminder {
                ParticipationChanges { send_reminder_notification: Some(on), ..Default::default() }
            } else {
                ParticipationChanges { send_lifecycle_notifications: Some(on), ..Default::default() }
            };
            let body = UpdateParticipationRequest { participation: Some(changes), ..Default::default() };
            leptos::task::spawn_local(async move {
                match client::update_participation(&session, pid, &body).await {
                    Ok(_) => {
                        outcome.set(Some(Ok("Préférence de notification enregistrée.".into())));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let remind = {
        let ctx = ctx.clone();
        move |_| {
            let session = ctx.session.clone();
            leptos::task::spawn_local(async move {
                match client::send_rdv_reminder(&session, id).await {
                    Ok(r) if r.queued == 0 => outcome.set(Some(Err(
                        "Aucun rappel envoyé : pas d'email ou de mobile, ou rappels désactivés pour ces participants."
                            .into(),
                    ))),
                    Ok(r) => {
                        outcome.set(Some(Ok(format!("Rappel envoyé ({} message(s)).", r.queued))));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let can_remind = !rdv.status.is_cancelled() && rdv.starts_at > now_utc();
    let navigate = use_navigate();
    let is_admin =
        ctx.me.roles.iter().any(|r| {
            r.organisation_id == rdv.organisation.id && r.access_level == rdv_shared::access::AccessLevel::Admin
        });
    let remove = {
        let ctx = ctx.clone();
        move |_| {
            let ok = web_sys::window()
                .and_then(|w| w.confirm_with_message("Supprimer définitivement ce rendez-vous ?").ok())
                .unwrap_or(false);
            if !ok {
                return;
            }
            let session = ctx.session.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match client::delete_rdv(&session, id).await {
                    Ok(()) => navigate("/agenda", Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let when = format!(
        "{} de {} à {}",
        long_day(rdv.starts_at.date_naive()),
        rdv.starts_at.format("%H:%M"),
        rdv.ends_at.format("%H:%M")
    );
    let agents: Vec<String> =
        rdv.agents.iter().map(|a| rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)).collect();
    let title = if collective {
        format!("{}{}", rdv.motif.name, rdv.name.as_ref().map(|n| format!(" : {n}")).unwrap_or_default())
    } else {
        rdv.participations
            .iter()
            .map(|p| format!("{} {}", p.user.first_name, p.user.last_name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let seats = rdv
        .max_participants_count
        .map_or_else(|| format!("{} inscrit(s)", rdv.users_count), |m| format!("{} / {m} places", rdv.users_count));
    let label = status_label(&rdv);
    let transitions = rdv.transitions.clone();
    let several = collective || rdv.participations.len() > 1;
    view! {
        <section class="card">
            <h1>{title}</h1>
            <p class="status-line">"Statut : " <strong data-testid="rdv-status">{label}</strong></p>
            <dl class="fields">
                <dt>"Quand"</dt><dd>{when}</dd>
                <dt>"Motif"</dt><dd><span class="swatch" style=format!("background:{}", rdv.motif.color)></span>{rdv.motif.name.clone()}</dd>
                <dt>"Lieu"</dt><dd>{rdv.lieu.as_ref().map(|l| format!("{} — {}", l.name, l.address)).unwrap_or_else(|| rdv.address.clone())}</dd>
                <dt>"Agent(s)"</dt><dd>{agents.join(", ")}</dd>
                {collective.then(|| view! { <dt>"Places"</dt><dd>{seats}</dd> })}
                {rdv.context.clone().map(|c| view! { <dt>"Contexte"</dt><dd>{c}</dd> })}
                <dt>"Notifications"</dt><dd>{if rdv.notify { "envoyées à l'usager" } else { "ne pas notifier (choisi à la prise de RDV)" }}</dd>
            </dl>
            <div class="status-buttons" role="group" aria-label="Changer le statut">
                {transitions.into_iter().map(|s| {
                    let set = set_status.clone();
                    view! { <button class=if s.is_cancelled() { "big danger" } else { "big" } on:click=move |_| set(s)>{action_label(s, collective)}</button> }
                }).collect_view()}
                {is_admin.then(|| view! { <button class="big danger" on:click=remove.clone()>"Supprimer"</button> })}
            </div>
            {can_remind.then(|| view! { <p><button type="button" class="secondary" on:click=remind.clone()>"Envoyer un rappel maintenant"</button></p> })}
            <Status outcome=outcome/>
        </section>
        <section class="card">
            <h2>"Participants"</h2>
            <ul class="participants">
                {rdv.participations.into_iter().map(|p| {
                    let pid = p.id;
                    let uid = p.user.id.0;
                    view! {
                        <li class="participant">
                            <a href=format!("/usagers/{uid}")>{format!("{} {}", p.user.first_name, p.user.last_name)}</a>
                            <span class="badge">{p.status.label_fr()}</span>
                            {several.then(|| p.transitions.into_iter().map(|s| {
                                let set = set_participation.clone();
                                view! { <button class="secondary" on:click=move |_| set(pid, s)>{action_label(s, false)}</button> }
                            }).collect_view())}
                            <fieldset class="switches">
                                <legend class="sr-only">{format!("Notifications de {} {}", p.user.first_name, p.user.last_name)}</legend>
                                <label>
                                    <input type="checkbox" prop:checked=p.send_lifecycle_notifications
                                        on:change={let set = set_switch.clone(); move |ev| set(pid, false, event_target_checked(&ev))}/>
                                    " Notifications de création et modification"
                                </label>
                                <label>
                                    <input type="checkbox" prop:checked=p.send_reminder_notification
                                        on:change={let set = set_switch.clone(); move |ev| set(pid, true, event_target_checked(&ev))}/>
                                    " Rappel 48 h avant"
                                </label>
                            </fieldset>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <Receipts of=ReceiptsOf::Rdv(id) refresh=refresh/>
        <details class="card">
            <summary>"Historique"</summary>
            <History item_type="Rdv" item_id=id refresh=refresh/>
        </details>
    }
}
