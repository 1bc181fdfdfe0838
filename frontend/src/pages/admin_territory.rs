//! Territory settings (`/admin/territoire`, territorial admins): usager field toggles, RDV
//! settings, services offered, SMS provider, teams, territorial rights — and the territory's
//! history.

use leptos::prelude::*;

use rdv_shared::dto::{CatalogueService, Territory, UpdateTerritoryRequest};
use rdv_shared::ServiceId;

use crate::api;
use crate::client;
use crate::components::history::History;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::pages::admin_retention::RetentionSection;
use crate::pages::admin_sms::SmsSection;
use crate::pages::admin_teams::{RightsSection, TeamsSection};

#[component]
pub fn TerritoryPage() -> impl IntoView {
    let ctx = use_ctx();
    let Some(id) = ctx.me.territorial_admin_of.first().map(|t| t.0) else {
        return view! {
            <main class="page">
                <div class="card">
                    <h1>"Accès réservé"</h1>
                    <p role="alert">"Cette page est réservée aux administrateurs de territoire."</p>
                </div>
            </main>
        }
        .into_any();
    };
    let session = ctx.session.clone();
    let data = LocalResource::new(move || {
        let s = session.clone();
        async move {
            let t = client::get_territory(&s, id).await?.territory;
            let services = client::list_services(&s).await?.services;
            Ok::<_, api::ApiError>((t, services))
        }
    });
    view! {
        <main class="page">
            <h1>"Paramètres du territoire"</h1>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Ok((t, services)) => view! { <TerritoryForm territory=t services=services/> }.into_any(),
                            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
                        })
                }}
            </Transition>
        </main>
    }
    .into_any()
}

#[component]
fn TerritoryForm(territory: Territory, services: Vec<CatalogueService>) -> impl IntoView {
    let ctx = use_ctx();
    let id = territory.id.0;
    let s = territory.settings.clone();
    let toggles: Vec<(&'static str, &'static str, RwSignal<bool>)> = vec![
        ("notes", "Remarques", RwSignal::new(s.enable_notes_field)),
        ("caisse", "Caisse d'affiliation", RwSignal::new(s.enable_caisse_affiliation_field)),
        ("affiliation", "Numéro d'allocataire", RwSignal::new(s.enable_affiliation_number_field)),
        ("family", "Situation familiale", RwSignal::new(s.enable_family_situation_field)),
        ("children", "Nombre d'enfants", RwSignal::new(s.enable_number_of_children_field)),
        ("logement", "Logement", RwSignal::new(s.enable_logement_field)),
        ("case", "Numéro de dossier", RwSignal::new(s.enable_case_number)),
        ("address", "Complément d'adresse", RwSignal::new(s.enable_address_details)),
        ("pmi-case", "Numéro de dossier PMI", RwSignal::new(s.enable_pmi_case_number_field)),
        ("notes-frozen", "Remarques figées (consultables, plus modifiables)", RwSignal::new(s.notes_frozen)),
    ];
    let context = RwSignal::new(s.enable_context_field);
    let shared_users = RwSignal::new(s.visible_users_throughout_the_territory);
    let offered = RwSignal::new(territory.service_ids.clone());
    let outcome: Outcome = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let values = toggles.iter().map(|(_, _, v)| *v).collect::<Vec<_>>();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let session = ctx.session.clone();
        let v = |i: usize| values.get(i).map(|s| s.get_untracked());
        let body = UpdateTerritoryRequest {
            enable_notes_field: v(0),
            enable_caisse_affiliation_field: v(1),
            enable_affiliation_number_field: v(2),
            enable_family_situation_field: v(3),
            enable_number_of_children_field: v(4),
            enable_logement_field: v(5),
            enable_case_number: v(6),
            enable_address_details: v(7),
            enable_pmi_case_number_field: v(8),
            notes_frozen: v(9),
            enable_context_field: Some(context.get_untracked()),
            visible_users_throughout_the_territory: Some(shared_users.get_untracked()),
            service_ids: Some(offered.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let res = client::update_territory(&session, id, &body).await;
            outcome.set(Some(res.map(|_| "Paramètres enregistrés.".to_owned()).map_err(|e| e.message_fr())));
            refresh.update(|n| *n += 1);
        });
    };
    view! {
        <form class="card form" on:submit=on_submit>
            <p>{format!("{} ({})", territory.name, territory.departement_number)}</p>
            <fieldset>
                <legend>"Champs de la fiche usager"</legend>
                {toggles
                    .into_iter()
                    .map(|(key, label, v)| view! { <label class="check" data-field=key><input type="checkbox" bind:checked=v/>{label}</label> })
                    .collect_view()}
            </fieldset>
            <fieldset>
                <legend>"Rendez-vous et usagers"</legend>
                <label class="check"><input type="checkbox" bind:checked=context/>"Champ « Contexte » sur les RDV"</label>
                <label class="check"><input type="checkbox" bind:checked=shared_users/>"Usagers partagés entre les organisations du territoire"</label>
            </fieldset>
            <fieldset>
                <legend>"Services proposés"</legend>
                {services
                    .into_iter()
                    .map(|s| {
                        let sid: ServiceId = s.id;
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    prop:checked=move || offered.with(|v| v.contains(&sid))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        offered.update(|v| {
                                            v.retain(|x| *x != sid);
                                            if on {
                                                v.push(sid);
                                            }
                                        });
                                    }
                                />
                                {s.name}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <Status outcome=outcome/>
            <button type="submit">"Enregistrer"</button>
        </form>
        <SmsSection territory_id=id/>
        <RetentionSection territory_id=id/>
        <TeamsSection territory_id=id/>
        <RightsSection territory_id=id/>
        <History item_type="Territory" item_id=id refresh=refresh/>
    }
}
