//! Merging two records of one person (`/usagers/:id/fusionner[?avec=ID]`): find the duplicate,
//! choose field by field which value to keep, then merge (the other record is anonymised).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use rdv_shared::dto::{MergeUsersRequest, User};
use rdv_shared::UserId;

use crate::api;
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

/// (API field, French label, value shown for a usager)
fn rows(u: &User) -> Vec<(&'static str, &'static str, String)> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let t = |v: &Option<Option<String>>| v.clone().flatten().unwrap_or_default();
    vec![
        ("first_name", "Prénom", u.first_name.clone()),
        ("last_name", "Nom", u.last_name.clone()),
        ("birth_name", "Nom de naissance", o(&u.birth_name)),
        ("birth_date", "Date de naissance", u.birth_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()),
        ("email", "Email", o(&u.email)),
        ("phone_number", "Téléphone", o(&u.phone_number)),
        ("address", "Adresse", o(&u.address)),
        ("affiliation_number", "N° d'allocataire", t(&u.affiliation_number)),
        ("case_number", "N° de dossier", t(&u.case_number)),
        ("notes", "Remarques", t(&u.notes)),
    ]
}

#[component]
pub fn MergeUsagerPage() -> impl IntoView {
    let ctx = use_ctx();
    let params = use_params_map();
    let query = use_query_map();
    let id: i32 = params.read_untracked().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
    let other: RwSignal<Option<i32>> = RwSignal::new(query.read_untracked().get("avec").and_then(|v| v.parse().ok()));
    let search = RwSignal::new(String::new());
    let session = ctx.session.clone();
    let pair = LocalResource::new(move || {
        let session = session.clone();
        let other = other.get();
        async move {
            let kept = client::get_user(&session, id, None).await?.user;
            let merged = match other {
                Some(o) => Some(client::get_user(&session, o, None).await?.user),
                None => None,
            };
            Ok::<_, api::ApiError>((kept, merged))
        }
    });
    let session = ctx.session.clone();
    let found = LocalResource::new(move || {
        let q = search.get();
        let session = session.clone();
        let org = ctx.org_id();
        async move {
            if q.trim().chars().count() < 2 {
                return Vec::new();
            }

            client::search_users(&session, org, &q).await.map(|r| r.users).unwrap_or_default()
        }
    });
    view! {
        <main class="page">
            <h1>"Fusionner deux usagers"</h1>
            <section class="card">
                <label for="merge-search">"Rechercher le doublon"</label>
                <input id="merge-search" type="search" on:input=move |ev| search.set(event_target_value(&ev))/>
                <ul class="results">
                    {move || {
                        found
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|u| u.id.0 != id)
                            .map(|u| {
                                let uid = u.id.0;
                                view! {
                                    <li>
                                        <button class="link" on:click=move |_| other.set(Some(uid))>
                                            {format!("{} {}", u.first_name, u.last_name)}
                                            {u.birth_date.map(|d| format!(" — {d}"))}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    pair.get()
                        .map(|r| match r {
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                            Ok((_, None)) => view! { <p>"Choisissez l'usager à fusionner dans cette fiche."</p> }.into_any(),
                            Ok((kept, Some(merged))) => view! { <MergeChoices kept=kept merged=merged/> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn MergeChoices(kept: User, merged: User) -> impl IntoView {
    let ctx = use_ctx();
    let navigate = use_navigate();
    let outcome: Outcome = RwSignal::new(None);
    let from_merged: RwSignal<Vec<&'static str>> = RwSignal::new(Vec::new());
    let (kept_id, merged_id) = (kept.id.0, merged.id.0);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = MergeUsersRequest {
            merged_user_id: UserId(merged_id),
            keep_from_merged: from_merged.get_untracked().into_iter().map(str::to_owned).collect(),
        };
        let session = ctx.session.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::merge_users(&session, kept_id, &body).await {
                Ok(_) => navigate(&format!("/usagers/{kept_id}"), Default::default()),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let left = rows(&kept);
    let right = rows(&merged);
    view! {
        <form class="card form" on:submit=on_submit>
            <p>"Pour chaque information, choisissez la valeur à conserver. Les organisations, référents et proches des deux fiches sont réunis ; la seconde fiche est ensuite supprimée."</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Information"</th>
                            <th scope="col">{format!("Fiche n° {kept_id} (conservée)")}</th>
                            <th scope="col">{format!("Fiche n° {merged_id}")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {left
                            .into_iter()
                            .zip(right)
                            .map(|((field, label, a), (_, _, b))| {
                                let name = format!("merge-{field}");
                                view! {
                                    <tr>
                                        <th scope="row">{label}</th>
                                        <td>
                                            <label class="check">
                                                <input type="radio" name=name.clone() checked=true on:change=move |_| from_merged.update(|v| v.retain(|f| *f != field))/>
                                                {if a.is_empty() { "—".to_owned() } else { a }}
                                            </label>
                                        </td>
                                        <td>
                                            <label class="check">
                                                <input type="radio" name=name on:change=move |_| from_merged.update(|v| v.push(field))/>
                                                {if b.is_empty() { "—".to_owned() } else { b }}
                                            </label>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <Status outcome=outcome/>
            <button type="submit">"Fusionner"</button>
        </form>
    }
}
