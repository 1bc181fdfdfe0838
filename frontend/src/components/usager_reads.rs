//! "Consultations par d'autres organisations": who, outside the usager's organisations, read its
//! record, RDVs or notifications (territory-wide visibility). On the usager's page, for admins.

use leptos::prelude::*;

use crate::client;
use crate::ctx::use_ctx;
use crate::dates::local_date_time;

fn action_label(action: &str) -> &str {
    match action {
        "show" => "Fiche",
        "rdvs" => "Rendez-vous",
        "notifications" => "Notifications",
        other => other,
    }
}

#[component]
pub fn UsagerReads(user_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let reads = LocalResource::new(move || {
        let session = ctx.session.clone();
        async move { client::list_user_reads(&session, user_id).await }
    });
    view! {
        <section class="card" aria-labelledby="reads-title" data-testid="usager-reads">
            <h2 id="reads-title">"Consultations par d'autres organisations"</h2>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || reads.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                    Ok(list) if list.usager_reads.is_empty() => view! {
                        <p class="muted">"Aucun agent d'une autre organisation n'a consulté ce dossier."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-labelledby="reads-title">
                            <table class="table">
                                <thead><tr><th scope="col">"Date"</th><th scope="col">"Agent"</th><th scope="col">"Consulté"</th></tr></thead>
                                <tbody>
                                    {list.usager_reads.into_iter().map(|r| view! {
                                        <tr>
                                            <td>{local_date_time(r.read_at)}</td>
                                            <td>{r.agent_name.clone()}</td>
                                            <td>{action_label(&r.action).to_owned()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
