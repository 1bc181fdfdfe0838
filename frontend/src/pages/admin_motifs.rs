//! Motifs (`/admin/motifs`, `/admin/motifs/nouveau`, `/admin/motifs/:id`): searchable, sortable
//! list with the admin-only CSV export, and the full form grouped as RDV-Solidarités does.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use rdv_shared::dto::{CatalogueService, CreateMotifRequest, Motif, MotifCategory, MotifSettings, UpdateMotifRequest};
use rdv_shared::enums::{BookableBy, LocationType, SectorisationLevel, VisibilityType};
use rdv_shared::ServiceId;

use crate::api;
use crate::client;
use crate::components::admin_only::AdminOnly;
use crate::components::data_table::{Column, DataTable, Search};
use crate::components::enum_select::EnumSelect;
use crate::components::history::History;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;

#[component]
pub fn MotifsPage() -> impl IntoView {
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id = ctx.org_id();
                    view! { <MotifsList org_id=id/> }
                }
            }
        </AdminOnly>
    }
}

#[component]
fn MotifsList(org_id: i32) -> impl IntoView {
    let ctx = use_ctx();
    let session = ctx.session.clone();
    let data = LocalResource::new(move || {
        let s = session.clone();
        async move {
            let motifs = client::list_motifs(&s, org_id, true).await?;
            let services = client::list_services(&s).await?;
            Ok::<_, api::ApiError>((motifs.motifs, services.services))
        }
    });
    // Each motif with its service's short name.
    let rows = Signal::derive(move || {
        data.get().map(|r| {
            r.map(|(motifs, services)| {
                let name = |id: ServiceId| {
                    services.iter().find(|s| s.id == id).map(|s| s.short_name.clone()).unwrap_or_default()
                };
                motifs.into_iter().map(|m| (name(m.service_id), m)).collect::<Vec<_>>()
            })
        })
    });
    let columns = vec![
        Column::new("Nom", |(_, m): &(String, Motif)| {
            let name = m.name.clone();
            view! {
                <span class="swatch" style=format!("background:{}", m.color)></span>
                <A href=format!("/admin/motifs/{}", m.id)>{name}</A>
            }
            .into_any()
        })
        .sorted_by(|(_, m)| m.name.clone()),
        Column::new("Service", |(service, _): &(String, Motif)| service.clone().into_any())
            .sorted_by(|(service, m)| format!("{service} {}", m.name)),
        Column::new("Type", |(_, m): &(String, Motif)| m.location_type.label_fr().into_any()),
        Column::new("Durée", |(_, m): &(String, Motif)| format!("{} min", m.default_duration_in_min).into_any()),
        Column::new("Réservation en ligne", |(_, m): &(String, Motif)| m.bookable_by.label_fr().into_any()),
    ];
    let search = Search::new("motifs-search", "Nom du motif", |(_, m): &(String, Motif)| m.name.clone());
    let export_outcome: Outcome = RwSignal::new(None);
    let export = {
        let session = ctx.session.clone();
        move |_| {
            let s = session.clone();
            leptos::task::spawn_local(async move {
                let result = client::export_motifs(&s, org_id)
                    .await
                    .map_err(|e| e.message_fr())
                    .and_then(|bytes| crate::download::save(&bytes, "motifs.csv", "text/csv"));
                export_outcome.set(result.err().map(Err));
            });
        }
    };
    view! {
        <main class="page">
            <h1>"Motifs"</h1>
            <p class="actions">
                <A href="/admin/motifs/nouveau" attr:class="button">"Nouveau motif"</A>
                <button class="secondary" on:click=export>"Exporter la liste (CSV)"</button>
            </p>
            <Status outcome=export_outcome/>
            <section class="card">
                <DataTable rows=rows columns=columns search=search/>
            </section>
        </main>
    }
}

#[component]
pub fn MotifPage() -> impl IntoView {
    let params = use_params_map();
    let ctx = use_ctx();
    view! {
        <AdminOnly>
            {
                let ctx = ctx.clone();
                move || {
                    let id: Option<i32> = params.read().get("id").and_then(|v| v.parse().ok());
                    let session = ctx.session.clone();
                    let data = LocalResource::new(move || {
                        let s = session.clone();
                        async move {
                            let services = client::list_services(&s).await?.services;
                            let categories = client::list_motif_categories(&s).await?.motif_categories;
                            let motif = match id {
                                Some(id) => Some(client::get_motif(&s, id).await?.motif),
                                None => None,
                            };
                            Ok::<_, api::ApiError>((motif, services, categories))
                        }
                    });
                    view! {
                        <main class="page">
                            <p><A href="/admin/motifs">"← Tous les motifs"</A></p>
                            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                                {move || {
                                    data.get()
                                        .map(|r| match r {
                                            Ok((motif, services, categories)) => {
                                                view! { <MotifForm motif=motif services=services categories=categories/> }.into_any()
                                            }
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
fn MotifForm(motif: Option<Motif>, services: Vec<CatalogueService>, categories: Vec<MotifCategory>) -> impl IntoView {
    let ctx = use_ctx();
    let org_id = ctx.org_id();
    let existing_id = motif.as_ref().map(|m| m.id);
    let services: Vec<CatalogueService> = services.into_iter().filter(|s| s.short_name != "Secrétariat").collect();
    let first_service = services.first().map(|s| s.id).unwrap_or_default();
    let s: MotifSettings = match &motif {
        Some(m) => MotifSettings {
            name: m.name.clone(),
            service_id: m.service_id,
            motif_category_id: m.motif_category.as_ref().map(|c| c.id),
            color: m.color.clone(),
            default_duration_in_min: m.default_duration_in_min,
            slot_step_in_min: m.slot_step_in_min,
            location_type: m.location_type,
            bookable_by: m.bookable_by,
            collectif: m.collectif,
            min_public_booking_delay: m.min_public_booking_delay,
            max_public_booking_delay: m.max_public_booking_delay,
            visibility_type: m.visibility_type,
            sectorisation_level: m.sectorisation_level,
            follow_up: m.follow_up,
            for_secretariat: m.for_secretariat,
            instruction_for_rdv: m.instruction_for_rdv.clone(),
            restriction_for_rdv: m.restriction_for_rdv.clone(),
            custom_cancel_warning_message: m.custom_cancel_warning_message.clone(),
            rdvs_editable_by_user: m.rdvs_editable_by_user,
            rdvs_cancellable_by_user: m.rdvs_cancellable_by_user,
        },
        None => CreateMotifRequest { service_id: first_service, color: "#1f77b4".into(), ..Default::default() }
            .into_settings(),
    };
    let name = RwSignal::new(s.name.clone());
    let service = RwSignal::new(s.service_id.0.to_string());
    let category = RwSignal::new(s.motif_category_id.map(|c| c.to_string()).unwrap_or_default());
    let color = RwSignal::new(s.color.clone());
    let duration = RwSignal::new(s.default_duration_in_min.to_string());
    let step = RwSignal::new(s.slot_step_in_min.map(|m| m.to_string()).unwrap_or_default());
    let location = RwSignal::new(s.location_type);
    let collectif = RwSignal::new(s.collectif);
    let bookable_by = RwSignal::new(s.bookable_by);
    let min_hours = RwSignal::new(format!("{}", f64::from(s.min_public_booking_delay) / 3600.0));
    let max_days = RwSignal::new(format!("{}", (f64::from(s.max_public_booking_delay) / 86400.0).round()));
    let sectorisation = RwSignal::new(s.sectorisation_level);
    let visibility = RwSignal::new(s.visibility_type);
    let for_secretariat = RwSignal::new(s.for_secretariat);
    let follow_up = RwSignal::new(s.follow_up);
    let instruction = RwSignal::new(s.instruction_for_rdv.clone().unwrap_or_default());
    let restriction = RwSignal::new(s.restriction_for_rdv.clone().unwrap_or_default());
    let cancel_warning = RwSignal::new(s.custom_cancel_warning_message.clone().unwrap_or_default());
    let editable = RwSignal::new(s.rdvs_editable_by_user);
    let cancellable = RwSignal::new(s.rdvs_cancellable_by_user);
    let outcome: Outcome = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let navigate = use_navigate();

    let on_submit = {
        let session = ctx.session.clone();
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let number =
                |sig: RwSignal<String>| sig.get_untracked().trim().replace(',', ".").parse::<f64>().unwrap_or(-1.0);
            let opt = |sig: RwSignal<String>| Some(sig.get_untracked());
            let settings = UpdateMotifRequest {
                name: Some(name.get_untracked()),
                service_id: service.get_untracked().parse().ok().map(ServiceId),
                color: Some(color.get_untracked()),
                motif_category_id: Some(category.get_untracked().parse().ok()),
                default_duration_in_min: Some(number(duration) as i32),
                slot_step_in_min: Some(step.get_untracked().trim().parse().ok()),
                location_type: Some(location.get_untracked()),
                bookable_by: Some(bookable_by.get_untracked()),
                collectif: Some(collectif.get_untracked()),
                min_public_booking_delay: Some((number(min_hours) * 3600.0).round() as i32),
                max_public_booking_delay: Some((number(max_days) * 86400.0).round() as i32),
                visibility_type: Some(visibility.get_untracked()),
                sectorisation_level: Some(sectorisation.get_untracked()),
                follow_up: Some(follow_up.get_untracked()),
                for_secretariat: Some(for_secretariat.get_untracked()),
                instruction_for_rdv: Some(opt(instruction).filter(|v| !v.is_empty())),
                restriction_for_rdv: Some(opt(restriction).filter(|v| !v.is_empty())),
                custom_cancel_warning_message: Some(opt(cancel_warning).filter(|v| !v.is_empty())),
                rdvs_editable_by_user: Some(editable.get_untracked()),
                rdvs_cancellable_by_user: Some(cancellable.get_untracked()),
            };
            let session = session.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                let result = match existing_id {
                    Some(id) => client::update_motif(&session, id, &settings).await,
                    None => {
                        let full = settings.apply(CreateMotifRequest::default().into_settings());
                        let body = CreateMotifRequest::from(full);
                        client::create_motif(&session, org_id, &body).await
                    }
                };
                match result {
                    Ok(r) if existing_id.is_none() => {
                        navigate(&format!("/admin/motifs/{}", r.motif.id), Default::default())
                    }
                    Ok(_) => {
                        outcome.set(Some(Ok("Motif enregistré.".into())));
                        refresh.update(|n| *n += 1);
                    }
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let on_delete = {
        let session = ctx.session.clone();
        move |_| {
            let (Some(id), session, navigate) = (existing_id, session.clone(), navigate.clone()) else { return };
            leptos::task::spawn_local(async move {
                match client::delete_motif(&session, id).await {
                    Ok(_) => navigate("/admin/motifs", Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    let title = motif.as_ref().map(|m| m.name.clone()).unwrap_or_else(|| "Nouveau motif".into());
    view! {
        <h1>{title}</h1>
        <form class="card form" on:submit=on_submit>
            <fieldset>
                <legend>"Informations"</legend>
                <label for="motif-name">"Nom du motif"</label>
                <input id="motif-name" required bind:value=name/>
                <label for="motif-service">"Service"</label>
                <select id="motif-service" on:change=move |ev| service.set(event_target_value(&ev))>
                    {services
                        .iter()
                        .map(|s| {
                            let v = s.id.0.to_string();
                            let selected = v.clone();
                            view! { <option value=v selected=move || service.get() == selected>{s.name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
                <label for="motif-category">"Catégorie"</label>
                <select id="motif-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="" selected=move || category.get().is_empty()>"Aucune"</option>
                    {categories
                        .iter()
                        .map(|c| {
                            let v = c.id.to_string();
                            let selected = v.clone();
                            view! { <option value=v selected=move || category.get() == selected>{c.name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
                <div class="row">
                    <span>
                        <label for="motif-color">"Couleur"</label>
                        <input id="motif-color" type="color" bind:value=color/>
                    </span>
                    <span>
                        <label for="motif-duration">"Durée par défaut (minutes)"</label>
                        <input id="motif-duration" type="number" min="1" max="1440" bind:value=duration/>
                    </span>
                    <span>
                        <label for="motif-step">"Pas entre deux créneaux (minutes, vide = la durée)"</label>
                        <input id="motif-step" type="number" min="5" step="5" max="1440" bind:value=step/>
                    </span>
                </div>
                <label for="motif-location">"Type de RDV"</label>
                <EnumSelect id="motif-location" value=location options=LocationType::ALL label=LocationType::label_fr key=LocationType::as_str parse=LocationType::parse/>
                <label class="check"><input type="checkbox" bind:checked=collectif/>"RDV collectif (atelier, réunion d'information…)"</label>
            </fieldset>
            <fieldset>
                <legend>"Réservation en ligne"</legend>
                <label for="motif-bookable">"Qui peut réserver ?"</label>
                <EnumSelect id="motif-bookable" value=bookable_by options=BookableBy::ALL label=BookableBy::label_fr key=BookableBy::as_str parse=BookableBy::parse/>
                <div class="row">
                    <span>
                        <label for="motif-min-delay">"Délai minimum avant le RDV (heures)"</label>
                        <input id="motif-min-delay" inputmode="decimal" bind:value=min_hours/>
                    </span>
                    <span>
                        <label for="motif-max-delay">"Délai maximum (jours)"</label>
                        <input id="motif-max-delay" inputmode="decimal" bind:value=max_days/>
                    </span>
                </div>
                <label for="motif-sectorisation">"Sectorisation géographique"</label>
                <EnumSelect id="motif-sectorisation" value=sectorisation options=SectorisationLevel::ALL label=SectorisationLevel::label_fr key=SectorisationLevel::as_str parse=SectorisationLevel::parse/>
            </fieldset>
            <fieldset>
                <legend>"Notifications"</legend>
                <label for="motif-visibility">"Visibilité pour l'usager"</label>
                <EnumSelect id="motif-visibility" value=visibility options=VisibilityType::ALL label=VisibilityType::label_fr key=VisibilityType::as_str parse=VisibilityType::parse/>
            </fieldset>
            <fieldset>
                <legend>"Secrétariat"</legend>
                <label class="check"><input type="checkbox" bind:checked=for_secretariat/>"Le secrétariat peut prendre ces RDV"</label>
                <label class="check"><input type="checkbox" bind:checked=follow_up/>"RDV de suivi : uniquement avec un référent de l'usager"</label>
            </fieldset>
            <fieldset>
                <legend>"Messages aux usagers"</legend>
                <label for="motif-instruction">"Instructions après la prise de RDV"</label>
                <textarea id="motif-instruction" rows="2" bind:value=instruction></textarea>
                <label for="motif-restriction">"Conditions à accepter avant de réserver"</label>
                <textarea id="motif-restriction" rows="2" bind:value=restriction></textarea>
                <label for="motif-cancel">"Avertissement à l'annulation"</label>
                <textarea id="motif-cancel" rows="2" bind:value=cancel_warning></textarea>
                <label class="check"><input type="checkbox" bind:checked=editable/>"L'usager peut déplacer son RDV"</label>
                <label class="check"><input type="checkbox" bind:checked=cancellable/>"L'usager peut annuler son RDV"</label>
            </fieldset>
            <Status outcome=outcome/>
            <p class="actions">
                <button type="submit">{if existing_id.is_some() { "Enregistrer" } else { "Créer le motif" }}</button>
                <Show when=move || existing_id.is_some()>
                    <button type="button" class="danger" on:click=on_delete.clone()>"Supprimer le motif"</button>
                </Show>
            </p>
        </form>
        {existing_id.map(|id| view! { <History item_type="Motif" item_id=id refresh=refresh/> })}
    }
}
