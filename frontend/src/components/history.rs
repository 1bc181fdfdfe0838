//! The "Historique" tab: a record's audit versions (date, author, field, before, after).

use leptos::prelude::*;

use rdv_shared::dto::VersionsResponse;

use crate::api;
use crate::ctx::use_ctx;

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(true) => "oui".into(),
        serde_json::Value::Bool(false) => "non".into(),
        other => other.to_string(),
    }
}

#[component]
pub fn History(item_type: &'static str, item_id: i32, #[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let versions = LocalResource::new(move || {
        refresh.track();
        let session = ctx.session.clone();
        async move {
            api::get::<VersionsResponse>(&session, &format!("/api/v1/versions?item_type={item_type}&item_id={item_id}"))
                .await
        }
    });
    view! {
        <section class="card history" aria-labelledby="history-title">
            <h2 id="history-title">"Historique"</h2>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    versions
                        .get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                            Ok(list) => {
                                let rows = list
                                    .versions
                                    .into_iter()
                                    .flat_map(|v| {
                                        let date = v.created_at.format("%d/%m/%Y %H:%M").to_string();
                                        let author = v.author_name.clone();
                                        let event = match v.event.as_str() {
                                            "create" => "Création",
                                            "destroy" => "Suppression",
                                            _ => "Modification",
                                        };
                                        v.changes
                                            .into_iter()
                                            .map(move |(field, change)| {
                                                let (before, after) = match change.as_array().map(|a| a.as_slice()) {
                                                    Some([b, a]) => (show(b), show(a)),
                                                    _ => ("—".into(), show(&change)),
                                                };
                                                view! {
                                                    <tr>
                                                        <td>{date.clone()}</td>
                                                        <td>{author.clone()}</td>
                                                        <td>{event}</td>
                                                        <td>{field}</td>
                                                        <td>{before}</td>
                                                        <td>{after}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect::<Vec<_>>()
                                    })
                                    .collect_view();
                                view! {
                                    <div class="table-wrap">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Date"</th>
                                                    <th scope="col">"Auteur"</th>
                                                    <th scope="col">"Action"</th>
                                                    <th scope="col">"Champ"</th>
                                                    <th scope="col">"Avant"</th>
                                                    <th scope="col">"Après"</th>
                                                </tr>
                                            </thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
