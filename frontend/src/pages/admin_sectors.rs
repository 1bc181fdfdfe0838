//! Sectorisation (`/admin/secteurs`, territorial admins; reference-domain.md §1.10): sectors
//! with their zones and attributions, and the zone import from a CSV/XLSX file with a preview
//! (dry run) before it is applied.

use leptos::prelude::*;

use rdv_shared::dto::{
    CreateSectorAttributionRequest, CreateSectorRequest, CreateZoneRequest, OrganisationsResponse, Sector,
    SectorAttributionResponse, SectorResponse, SectorsResponse, ZoneImportReport, ZoneImportRequest, ZoneResponse,
};
use rdv_shared::sectorisation::ZoneLevel;
use rdv_shared::OrganisationId;

use crate::api;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::pages::usager_import::read_file;

#[component]
pub fn SectorsPage() -> impl IntoView {
    let ctx = use_ctx();
    let Some(territory) = ctx.me.territorial_admin_of.first().map(|t| t.0) else {
        return view! { <main class="page"><p role="alert">"Cette page est réservée aux administrateurs de territoire."</p></main> }
            .into_any();
    };
    let refresh = RwSignal::new(0u32);
    let session = ctx.session.clone();
    let data = LocalResource::new(move || {
        refresh.get();
        let s = session.clone();
        async move {
            let sectors =
                api::get::<SectorsResponse>(&s, &format!("/api/v1/territories/{territory}/sectors")).await?.sectors;
            let orgs = api::get::<OrganisationsResponse>(&s, "/api/v1/organisations").await?.organisations;
            Ok::<_, api::ApiError>((sectors, orgs))
        }
    });
    let name = RwSignal::new(String::new());
    let human = RwSignal::new(String::new());
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateSectorRequest { name: name.get_untracked(), human_id: human.get_untracked() };
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match api::send::<_, SectorResponse>(&s, "POST", &format!("/api/v1/territories/{territory}/sectors"), &body)
                .await
            {
                Ok(_) => {
                    name.set(String::new());
                    human.set(String::new());
                    outcome.set(Some(Ok("Secteur créé.".into())));
                    refresh.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <main class="page">
            <h1>"Sectorisation"</h1>
            <p class="muted">"Un secteur regroupe des communes (ou des rues) ; il est attribué à une organisation ou à des agents. Les motifs sectorisés ne sont proposés en ligne qu'aux usagers des secteurs attribués."</p>
            <form class="card form" on:submit=create>
                <h2>"Nouveau secteur"</h2>
                <div class="row">
                    <span><label for="sector-name">"Nom"</label><input id="sector-name" required bind:value=name/></span>
                    <span><label for="sector-human">"Identifiant (colonne « secteur » des imports)"</label><input id="sector-human" required bind:value=human/></span>
                </div>
                <div class="actions"><button type="submit">"Créer le secteur"</button></div>
            </form>
            <Status outcome=outcome/>
            <ImportZones territory=territory refresh=refresh/>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || data.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok((sectors, orgs)) => sectors.into_iter().map(|s| view! { <SectorCard sector=s orgs=orgs.clone() refresh=refresh/> }).collect_view().into_any(),
                })}
            </Transition>
        </main>
    }
    .into_any()
}

#[component]
fn SectorCard(sector: Sector, orgs: Vec<rdv_shared::dto::Organisation>, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let id = sector.id;
    let city = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let org = RwSignal::new(orgs.first().map(|o| o.id.0.to_string()).unwrap_or_default());
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let add_zone = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateZoneRequest {
            level: ZoneLevel::City,
            city_name: city.get_untracked(),
            city_code: code.get_untracked(),
            street_name: None,
            street_ban_id: None,
        };
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match api::send::<_, ZoneResponse>(&s, "POST", &format!("/api/v1/sectors/{id}/zones"), &body).await {
                Ok(_) => refresh.update(|n| *n += 1),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let session = ctx.session.clone();
    let attribute = move |_| {
        let Ok(o) = org.get_untracked().parse() else { return };
        let body = CreateSectorAttributionRequest { organisation_id: OrganisationId(o), agent_id: None };
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match api::send::<_, SectorAttributionResponse>(
                &s,
                "POST",
                &format!("/api/v1/sectors/{id}/attributions"),
                &body,
            )
            .await
            {
                Ok(_) => refresh.update(|n| *n += 1),
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let org_name = {
        let orgs = orgs.clone();
        move |o: i32| orgs.iter().find(|x| x.id.0 == o).map_or(format!("organisation {o}"), |x| x.name.clone())
    };
    let attributions: Vec<String> = sector
        .attributions
        .iter()
        .map(|a| match a.agent_id {
            None => org_name(a.organisation_id.0),
            Some(agent) => format!("{} (agent n° {agent})", org_name(a.organisation_id.0)),
        })
        .collect();
    view! {
        <section class="card" data-testid="sector">
            <h2>{format!("{} ({})", sector.name, sector.human_id)}</h2>
            <p>{format!("{} zone(s)", sector.zones_count)}</p>
            <p>"Attribué à : "{if attributions.is_empty() { "personne".to_owned() } else { attributions.join(", ") }}</p>
            <form class="form row" on:submit=add_zone>
                <span><label for=format!("zone-city-{id}")>"Commune"</label><input id=format!("zone-city-{id}") required bind:value=city/></span>
                <span><label for=format!("zone-code-{id}")>"Code INSEE"</label><input id=format!("zone-code-{id}") required inputmode="numeric" bind:value=code/></span>
                <span><button type="submit">"Ajouter la commune"</button></span>
            </form>
            <div class="row">
                <label for=format!("attr-org-{id}")>"Attribuer à"</label>
                <select id=format!("attr-org-{id}") prop:value=move || org.get() on:change=move |ev| org.set(event_target_value(&ev))>
                    {orgs.iter().map(|o| view! { <option value=o.id.0.to_string()>{o.name.clone()}</option> }).collect_view()}
                </select>
                <button type="button" class="secondary" on:click=attribute>"Attribuer"</button>
            </div>
            <Status outcome=outcome/>
        </section>
    }
}

/// File → preview (dry run) → "Importer" applies the same file.
#[component]
fn ImportZones(territory: i32, refresh: RwSignal<u32>) -> impl IntoView {
    let ctx = use_ctx();
    let report: RwSignal<Option<ZoneImportReport>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let run = move |dry_run: bool| {
        let s = session.clone();
        leptos::task::spawn_local(async move {
            let (filename, bytes) = match read_file("zones-file").await {
                Ok(f) => f,
                Err(e) => return outcome.set(Some(Err(e))),
            };
            use base64::Engine;
            let body = ZoneImportRequest {
                filename,
                content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                dry_run,
            };
            match api::send::<_, ZoneImportReport>(
                &s,
                "POST",
                &format!("/api/v1/territories/{territory}/zones/import"),
                &body,
            )
            .await
            {
                Ok(r) => {
                    outcome.set(Some(Ok(if dry_run {
                        format!(
                            "Aperçu : {} zone(s) à créer, {} déjà présente(s), {} erreur(s).",
                            r.created, r.already, r.errors
                        )
                    } else {
                        format!(
                            "Import terminé : {} zone(s) créée(s), {} déjà présente(s), {} erreur(s).",
                            r.created, r.already, r.errors
                        )
                    })));
                    report.set(Some(r));
                    if !dry_run {
                        refresh.update(|n| *n += 1);
                    }
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    let preview = run.clone();
    view! {
        <section class="card form">
            <h2>"Importer des zones"</h2>
            <p class="muted">"Fichier .csv ou .xlsx avec les colonnes secteur, commune, code_insee (et rue, id_ban_rue pour une rue)."</p>
            <label for="zones-file">"Fichier"</label>
            <input id="zones-file" type="file" accept=".csv,.xlsx,.xls,.ods"/>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| preview(true)>"Prévisualiser"</button>
                <button type="button" on:click=move |_| run(false)>"Importer"</button>
            </div>
            <Status outcome=outcome/>
            {move || report.get().map(|r| view! {
                <table data-testid="zone-report">
                    <thead><tr><th>"Ligne"</th><th>"Résultat"</th><th>"Détail"</th></tr></thead>
                    <tbody>{r.rows.into_iter().map(|row| view! { <tr><td>{row.line}</td><td>{row.status}</td><td>{row.message}</td></tr> }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}
