//! Lieux (`/admin/lieux`, `/admin/lieux/:id`): searchable, sortable list, creation, editing
//! (availability included: "désactivé" is the soft delete) and history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::dto::{CreateLieuRequest, Lieu, UpdateLieuRequest};
use rdv_shared::enums::LieuAvailability;

use crate::client;
use crate::components::admin_only::AdminOnly;
use crate::components::data_table::{Column, DataTable, Search};
use crate::components::history::History;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

fn parse_coord(s: &str) -> Option<f64> {
    s.trim().replace(',', ".").parse().ok()
}

/// The inputs a lieu's creation and edition forms share.
#[component]
fn LieuInputs(
    name: RwSignal<String>,
    address: RwSignal<String>,
    phone: RwSignal<String>,
    latitude: RwSignal<String>,
    longitude: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for="lieu-name">"Nom"</label>
        <input id="lieu-name" required bind:value=name/>
        <label for="lieu-address">"Adresse"</label>
        <input id="lieu-address" required bind:value=address/>
        <label for="lieu-phone">"Téléphone"</label>
        <input id="lieu-phone" type="tel" bind:value=phone/>
        <div class="row">
            <span>
                <label for="lieu-lat">"Latitude"</label>
                <input id="lieu-lat" inputmode="decimal" bind:value=latitude/>
            </span>
            <span>
                <label for="lieu-lon">"Longitude"</label>
                <input id="lieu-lon" inputmode="decimal" bind:value=longitude/>
            </span>
        </div>
    }
}

#[component]
pub fn LieuxPage() -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id = ctx.org_id();
                    view! { <LieuxList org_id=id/> }
                }
            }
        </AdminOnly>
    }
}

#[component]
fn LieuxList(org_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let lieux = LocalResource::new(move || {
        refresh.track();
        let s = session.clone();
        async move { client::list_lieux(&s, org_id).await.map(|r| r.lieux) }
    });
    let rows = Signal::derive(move || lieux.get());
    let columns = vec![
        Column::new("Nom", |l: &Lieu| {
            let name = l.name.clone();
            view! { <A href=format!("/admin/lieux/{}", l.id)>{name}</A> }.into_any()
        })
        .sorted_by(|l| l.name.clone()),
        Column::new("Adresse", |l: &Lieu| l.address.clone().into_any()),
        Column::new("Disponibilité", |l: &Lieu| l.availability.label_fr().into_any()),
    ];
    let search = Search::new("lieux-search", "Nom ou adresse", |l: &Lieu| format!("{} {}", l.name, l.address));
    view! {
        <main class="page">
            <h1>"Lieux"</h1>
            <NewLieu org_id=org_id refresh=refresh/>
            <section class="card">
                <h2>"Lieux de l'organisation"</h2>
                <DataTable rows=rows columns=columns search=search/>
            </section>
        </main>
    }
}

#[component]
fn NewLieu(org_id: i32, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let name = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let latitude = RwSignal::new(String::new());
    let longitude = RwSignal::new(String::new());
    let single_use = RwSignal::new(false);
    let outcome: Outcome = RwSignal::new(None);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let body = CreateLieuRequest {
            name: name.get_untracked(),
            address: address.get_untracked(),
            phone_number: Some(phone.get_untracked()),
            latitude: parse_coord(&latitude.get_untracked()),
            longitude: parse_coord(&longitude.get_untracked()),
            availability: Some(if single_use.get_untracked() {
                LieuAvailability::SingleUse
            } else {
                LieuAvailability::Enabled
            }),
        };
        leptos::task::spawn_local(async move {
            match client::create_lieu(&session, org_id, &body).await {
                Ok(r) => {
                    outcome.set(Some(Ok(format!("Lieu « {} » créé.", r.lieu.name))));
                    for s in [name, address, phone, latitude, longitude] {
                        s.set(String::new());
                    }
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <details class="card">
            <summary>"Ajouter un lieu"</summary>
            <form class="form" on:submit=on_submit>
                <LieuInputs name=name address=address phone=phone latitude=latitude longitude=longitude/>
                <label class="check">
                    <input type="checkbox" bind:checked=single_use/>
                    "Lieu ponctuel (pour un seul RDV)"
                </label>
                <Status outcome=outcome/>
                <button type="submit">"Créer le lieu"</button>
            </form>
        </details>
    }
}

#[component]
pub fn LieuPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id: i32 = params.read().get("id").and_then(|v| v.parse().ok()).unwrap_or_default();
                    let session = ctx.session.clone();
                    let lieu = LocalResource::new(move || {
                        let s = session.clone();
                        async move { client::get_lieu(&s, id).await.map(|r| r.lieu) }
                    });
                    view! {
                        <main class="page">
                            <p><A href="/admin/lieux">"← Tous les lieux"</A></p>
                            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                                {move || {
                                    lieu.get()
                                        .map(|r| match r {
                                            Ok(l) => view! { <EditLieu lieu=l/> }.into_any(),
                                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                                        })
                                }}
                            </Transition>
                        </main>
                    }
                }
            }
        </AdminOnly>
    }
}

#[component]
fn EditLieu(lieu: Lieu) -> impl IntoView {
    let ctx = use_ctx();
    let id = lieu.id;
    let name = RwSignal::new(lieu.name.clone());
    let address = RwSignal::new(lieu.address.clone());
    let phone = RwSignal::new(lieu.phone_number.clone().unwrap_or_default());
    let latitude = RwSignal::new(lieu.latitude.map(|v| v.to_string()).unwrap_or_default());
    let longitude = RwSignal::new(lieu.longitude.map(|v| v.to_string()).unwrap_or_default());
    let availability = RwSignal::new(lieu.availability);
    let outcome: Outcome = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let navigate = use_navigate();
    let single_use = lieu.availability == LieuAvailability::SingleUse;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let body = UpdateLieuRequest {
            name: Some(name.get_untracked()),
            address: Some(address.get_untracked()),
            phone_number: Some(Some(phone.get_untracked())),
            latitude: Some(parse_coord(&latitude.get_untracked())),
            longitude: Some(parse_coord(&longitude.get_untracked())),
            availability: Some(availability.get_untracked()),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::update_lieu(&session, id, &body).await {
                Ok(_) => {
                    outcome.set(Some(Ok("Modifications enregistrées.".into())));
                    refresh.update(|n| *n += 1);
                    if body.availability == Some(LieuAvailability::Disabled) {
                        navigate("/admin/lieux", Default::default());
                    }
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let choices: Vec<LieuAvailability> = if single_use {
        vec![LieuAvailability::SingleUse, LieuAvailability::Disabled]
    } else {
        vec![LieuAvailability::Enabled, LieuAvailability::Disabled]
    };
    view! {
        <h1>{lieu.name.clone()}</h1>
        <form class="card form" on:submit=on_submit>
            <LieuInputs name=name address=address phone=phone latitude=latitude longitude=longitude/>
            <label for="lieu-availability">"Disponibilité"</label>
            <select
                id="lieu-availability"
                on:change=move |ev| {
                    if let Some(a) = LieuAvailability::parse(&event_target_value(&ev)) {
                        availability.set(a);
                    }
                }
            >
                {choices
                    .into_iter()
                    .map(|a| view! { <option value=a.as_str() selected=move || availability.get() == a>{a.label_fr()}</option> })
                    .collect_view()}
            </select>
            <Status outcome=outcome/>
            <button type="submit">"Enregistrer"</button>
        </form>
        <History item_type="Lieu" item_id=id refresh=refresh/>
    }
}
