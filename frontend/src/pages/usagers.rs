//! Usagers (`/usagers`): as-you-type search over the organisation's usagers, then usagers of the
//! territory's other organisations, masked, with "Ajouter à mon organisation".

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use rdv_shared::dto::{UserProfileRequest, UserSummary};

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

/// One result line: name (linked when seen in full), birth date, phone, e-mail.
#[component]
fn Line(user: UserSummary, #[prop(optional)] action: Option<AnyView>) -> impl IntoView {
    let name = format!("{} {}", user.last_name.to_uppercase(), user.first_name);
    let birth = user.birth_name.clone().map(|b| format!(" (née {b})")).unwrap_or_default();
    view! {
        <li class="result">
            <span class="result-name">
                {if user.masked {
                    view! { <span>{name}</span> }.into_any()
                } else {
                    view! { <A href=format!("/usagers/{}", user.id)>{name}</A> }.into_any()
                }}
                {birth}
                {user.responsible_id.map(|_| view! { <span class="badge">"proche"</span> })}
            </span>
            <span class="result-details">
                {user.birth_date.map(|d| format!("Né(e) le {d}"))}
                {user.phone_number.map(|p| format!(" · {p}"))}
                {user.email.map(|e| format!(" · {e}"))}
            </span>
            {action}
        </li>
    }
}

#[component]
pub fn UsagersPage() -> impl IntoView {
    let ctx = use_ctx();
    let query = RwSignal::new(String::new());
    let outcome: Outcome = RwSignal::new(None);
    let navigate = use_navigate();
    let results = {
        let ctx = ctx.clone();
        LocalResource::new(move || {
            let q = query.get();
            let org = ctx.org_id();
            let session = ctx.session.clone();
            async move {
                if q.trim().chars().count() < 2 {
                    return Ok(None);
                }

                client::search_users(&session, org, &q).await.map(Some)
            }
        })
    };
    let attach = {
        let ctx = ctx.clone();
        move |user_id: i32| {
            let session = ctx.session.clone();
            let body = UserProfileRequest { organisation_id: ctx.org_id(), user_id };
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match client::create_user_profile(&session, &body).await {
                    Ok(_) => navigate(&format!("/usagers/{user_id}"), Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let is_admin = {
        let ctx = ctx.clone();
        Memo::new(move |_| ctx.is_admin())
    };
    view! {
        <main class="page">
            <h1>"Usagers"</h1>
            <div class="actions">
                <A href="/usagers/nouveau" attr:class="button">"Créer un usager"</A>
                <Show when=move || is_admin.get()>
                    <A href="/usagers/import" attr:class="button secondary">"Importer un fichier"</A>
                </Show>
            </div>
            <section class="card">
                <label for="usager-search">"Rechercher un usager"</label>
                <p class="help" id="usager-search-help">
                    "Nom, prénom, nom de naissance, email, téléphone ou numéro d'usager. Les accents et majuscules sont ignorés."
                </p>
                <input
                    id="usager-search"
                    type="search"
                    autocomplete="off"
                    aria-describedby="usager-search-help"
                    on:input=move |ev| query.set(event_target_value(&ev))
                    prop:value=move || query.get()
                />
                <Status outcome=outcome/>
                <Transition fallback=|| view! { <p>"Recherche…"</p> }>
                    {move || {
                        let attach = attach.clone();
                        results
                            .get()
                            .map(move |r| match r {
                                Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                                Ok(None) => view! { <p class="help">"Saisissez au moins deux caractères."</p> }.into_any(),
                                Ok(Some(found)) => {
                                    let none = found.users.is_empty() && found.other_users.is_empty();
                                    view! {
                                        <div aria-live="polite">
                                            {none.then(|| view! { <p>"Aucun usager trouvé."</p> })}
                                            {(!found.users.is_empty())
                                                .then(|| {
                                                    view! {
                                                        <h2>"Usagers de mon organisation"</h2>
                                                        <ul class="results" data-testid="own-results">
                                                            {found.users.into_iter().map(|u| view! { <Line user=u/> }).collect_view()}
                                                        </ul>
                                                    }
                                                })}
                                            {(!found.other_users.is_empty())
                                                .then(|| {
                                                    view! {
                                                        <h2>"Usagers des autres organisations"</h2>
                                                        <p class="help">"Informations partiellement masquées. Ajoutez l'usager à votre organisation pour voir sa fiche."</p>
                                                        <ul class="results" data-testid="other-results">
                                                            {found
                                                                .other_users
                                                                .into_iter()
                                                                .map(|u| {
                                                                    let id = u.id.0;
                                                                    let attach = attach.clone();
                                                                    let label = format!("Ajouter {} {} à mon organisation", u.first_name, u.last_name);
                                                                    let action = view! {
                                                                        <button class="secondary" aria-label=label on:click=move |_| attach(id)>
                                                                            "Ajouter à mon organisation"
                                                                        </button>
                                                                    }
                                                                        .into_any();
                                                                    view! { <Line user=u action=action/> }
                                                                })
                                                                .collect_view()}
                                                        </ul>
                                                    }
                                                })}
                                        </div>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </section>
        </main>
    }
}
