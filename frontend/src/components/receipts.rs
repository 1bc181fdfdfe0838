//! "Notifications envoyées": the receipts of an RDV, one line per delivery attempt (reference
//! §1.9): when, to whom, by which channel, what, and whether it went out. On the RDV page and
//! on the usager's page.

use leptos::prelude::*;

use crate::client;
use crate::ctx::use_ctx;
use crate::dates::local_date_time;

fn event_label(event: &str) -> &str {
    match event {
        "rdv_created" => "Confirmation",
        "rdv_updated" => "Modification",
        "rdv_cancelled" => "Annulation",
        "rdv_upcoming_reminder" => "Rappel",
        "new_creneau_available" => "Créneau libéré (liste d'attente)",
        other => other,
    }
}

fn result_label(result: &str) -> &str {
    match result {
        "sent" => "Envoyé",
        "delivered" => "Reçu",
        "failed" => "Échec",
        other => other,
    }
}

/// Whose notifications to list.
#[derive(Clone, Copy)]
pub enum ReceiptsOf {
    Rdv(i32),
    Usager(i32),
}

#[component]
pub fn Receipts(of: ReceiptsOf, #[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let receipts = LocalResource::new(move || {
        refresh.track();
        let session = ctx.session.clone();
        async move {
            match of {
                ReceiptsOf::Rdv(id) => client::list_rdv_receipts(&session, id).await,
                ReceiptsOf::Usager(id) => client::list_user_receipts(&session, id).await,
            }
        }
    });
    view! {
        <section class="card" aria-labelledby="receipts-title" data-testid="receipts">
            <h2 id="receipts-title">"Notifications envoyées"</h2>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || receipts.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                    Ok(list) if list.receipts.is_empty() => view! {
                        <p class="muted">"Aucune notification pour l'instant (elles partent quelques secondes après l'enregistrement)."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col">"Canal"</th><th scope="col">"Destinataire"</th><th scope="col">"Résultat"</th></tr></thead>
                            <tbody>
                                {list.receipts.into_iter().map(|r| {
                                    let failed = r.result == "failed";
                                    let detail = r.error_message.clone().unwrap_or_else(|| r.content.clone());
                                    view! {
                                        <tr>
                                            <td>{local_date_time(r.created_at)}</td>
                                            <td>{event_label(&r.event).to_owned()}</td>
                                            <td>{if r.channel == "sms" { "SMS" } else { "Email" }}</td>
                                            <td>{r.recipient.clone()}</td>
                                            <td class=if failed { "error" } else { "" } title=detail>{result_label(&r.result).to_owned()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
