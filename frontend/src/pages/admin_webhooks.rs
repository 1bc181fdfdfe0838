//! The organisation's webhooks (on `/admin/organisation`): partner tools' endpoints with what
//! they receive, adding one (URL, secret, subscriptions, replay of the existing records),
//! deleting one, and each endpoint's delivery log with "Renvoyer". The rules (who, which
//! addresses) are the API's; this screen shows its answers.

use leptos::prelude::*;

use rdv_shared::dto::{WebhookDelivery, WebhookEndpoint, WebhookEndpointInput};
use rdv_shared::webhooks::DEFAULT_SUBSCRIPTIONS;

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::local_date_time;

/// Subscriptions in the reference's order, with their French labels.
const SUBSCRIPTIONS: [(&str, &str); 11] = [
    ("rdv", "Rendez-vous"),
    ("absence", "Indisponibilités"),
    ("plage_ouverture", "Plages d'ouverture"),
    ("user", "Usagers"),
    ("user_profile", "Usagers de l'organisation"),
    ("organisation", "Organisation"),
    ("motif", "Motifs"),
    ("lieu", "Lieux"),
    ("agent", "Agents"),
    ("agent_role", "Rôles des agents"),
    ("referent_assignation", "Référents"),
];

fn label(subscription: &str) -> &str {
    SUBSCRIPTIONS.iter().find(|(s, _)| *s == subscription).map_or(subscription, |(_, l)| l)
}

#[component]
pub fn WebhooksSection(organisation_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let endpoints = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move { client::list_webhook_endpoints(&s, organisation_id).await.map(|r| r.webhook_endpoints) }
    });
    view! {
        <section class="card" aria-labelledby="webhooks-title" data-testid="webhooks">
            <h2 id="webhooks-title">"Webhooks (outils partenaires)"</h2>
            <p class="muted">"Chaque changement des éléments cochés est envoyé, signé, à l'adresse du partenaire (rdv-insertion, SI du département). Voir docs/webhooks.md pour vérifier la signature."</p>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || endpoints.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"Aucun webhook pour cette organisation."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain">{list.into_iter().map(|e| view! {
                            <li><Endpoint organisation_id endpoint=e refresh/></li>
                        }).collect_view()}</ul>
                    }.into_any(),
                })}
            </Transition>
            <AddEndpoint organisation_id refresh/>
        </section>
    }
}

#[component]
fn Endpoint(organisation_id: i32, endpoint: WebhookEndpoint, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let id = endpoint.id;
    let open = RwSignal::new(false);
    let what: Vec<&str> = endpoint.subscriptions.iter().map(|s| label(s)).collect();
    let remove = {
        let session = ctx.session.clone();
        let url = endpoint.target_url.clone();
        move |_| {
            let question = format!("Supprimer le webhook vers {url} ? Plus rien ne lui sera envoyé.");
            if !web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false) {
                return;
            }
            let s = session.clone();
            leptos::task::spawn_local(async move {
                if client::delete_webhook_endpoint(&s, organisation_id, id).await.is_ok() {
                    refresh.update(|n| *n += 1);
                }
            });
        }
    };
    view! {
        <div class="webhook">
            <p><strong class="break">{endpoint.target_url.clone()}</strong>
                {endpoint.flagged_at.map(|t| view! { " " <span class="badge danger">{format!("En échec depuis le {}", local_date_time(t))}</span> })}</p>
            <p class="muted">{format!("Reçoit : {}", what.join(", "))}</p>
            <div class="actions">
                <button type="button" class="secondary" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>"Journal des envois"</button>
                <button type="button" class="danger" on:click=remove>"Supprimer"</button>
            </div>
            <Show when=move || open.get()>
                <Deliveries organisation_id id/>
            </Show>
        </div>
    }
}

#[component]
fn Deliveries(organisation_id: i32, id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let log = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move { client::list_webhook_deliveries(&s, organisation_id, id).await.map(|r| r.webhook_deliveries) }
    });
    view! {
        <Status outcome=outcome/>
        <button type="button" class="link" on:click=move |_| refresh.update(|n| *n += 1)>"Actualiser"</button>
        <Transition fallback=|| view! { <p>"Chargement…"</p> }>
            {move || log.get().map(|r| match r {
                Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="muted">"Aucun envoi pour l'instant."</p> }.into_any(),
                Ok(list) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Journal des envois">
                        <table class="table">
                            <thead><tr><th scope="col">"Date"</th><th scope="col">"Événement"</th><th scope="col">"Résultat"</th>
                                <th scope="col">"Durée"</th><th scope="col">"Réponse"</th><th scope="col"><span class="sr-only">"Action"</span></th></tr></thead>
                            <tbody>{list.into_iter().map(|d| view! { <DeliveryRow organisation_id endpoint_id=id d=d outcome refresh/> }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn DeliveryRow(
    organisation_id: i32,
    endpoint_id: i32,
    d: WebhookDelivery,
    outcome: Outcome,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let ctx = use_ctx();
    let again = move |delivery: i32| {
        let s = ctx.session.clone();
        leptos::task::spawn_local(async move {
            let res = client::redeliver_webhook_delivery(&s, organisation_id, endpoint_id, delivery).await;
            outcome.set(Some(
                res.map(|_| "Renvoi demandé : il apparaîtra ici une fois parti.".to_owned())
                    .map_err(|e| e.message_fr()),
            ));
            refresh.update(|n| *n += 1);
        });
    };
    let result = match (d.success, d.status_code) {
        (true, Some(code)) => format!("Reçu ({code})"),
        (false, Some(code)) => format!("Refusé ({code})"),
        (_, None) => "Pas de réponse".to_owned(),
    };
    let detail = d.response_excerpt.clone().or_else(|| d.error.clone()).unwrap_or_default();
    let id = d.id;
    view! {
        <tr>
            <td>{local_date_time(d.created_at)}</td>
            <td>{format!("{} n° {} — {}", d.model, d.record_id, d.event)}</td>
            <td class=if d.success { "" } else { "error" }>{result}</td>
            <td>{format!("{} ms", d.latency_ms)}</td>
            <td class="break">{detail}</td>
            <td><button type="button" class="secondary" on:click=move |_| again(id)>"Renvoyer"</button></td>
        </tr>
    }
}

#[component]
fn AddEndpoint(organisation_id: i32, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let chosen = RwSignal::new(DEFAULT_SUBSCRIPTIONS.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>());
    let replay = RwSignal::new(true);
    let outcome: Outcome = RwSignal::new(None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = ctx.session.clone();
        let body = WebhookEndpointInput {
            target_url: Some(url.get_untracked()),
            secret: Some(secret.get_untracked()),
            subscriptions: Some(chosen.get_untracked()),
            trigger: Some(replay.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match client::create_webhook_endpoint(&s, organisation_id, &body).await {
                Ok(_) => {
                    url.set(String::new());
                    secret.set(String::new());
                    outcome.set(Some(Ok("Webhook ajouté.".into())));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <form class="form" on:submit=on_submit aria-labelledby="webhook-add-title">
            <h3 id="webhook-add-title">"Ajouter un webhook"</h3>
            <label for="webhook-url">"Adresse de réception"</label>
            <input id="webhook-url" type="url" required placeholder="https://partenaire.example.fr/webhooks" bind:value=url/>
            <label for="webhook-secret">"Secret partagé (signature)"</label>
            <input id="webhook-secret" type="password" autocomplete="off" required bind:value=secret/>
            <fieldset>
                <legend>"Envoyer les changements de"</legend>
                {SUBSCRIPTIONS.iter().map(|(key, text)| {
                    let key = (*key).to_owned();
                    let k2 = key.clone();
                    view! {
                        <label class="check"><input type="checkbox"
                            prop:checked=move || chosen.get().contains(&key)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { c.retain(|x| *x != k2); if on { c.push(k2.clone()); } });
                            }/>{*text}</label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="check"><input type="checkbox" bind:checked=replay/>"Envoyer aussi tout l'existant maintenant"</label>
            <Status outcome=outcome/>
            <button type="submit">"Ajouter le webhook"</button>
        </form>
    }
}
