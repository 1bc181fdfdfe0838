//! Sectorisation (`/admin/secteurs`, territorial admins; reference-domain.md §1.10, §8.3):
//! sectors (one card each, `admin_sector_card`), the "Tester la sectorisation" tool, and the
//! zone import from a CSV/XLSX file with a preview (dry run) before it is applied.

use leptos::prelude::*;

use rdv_shared::dto::{CreateSectorRequest, SectorisationTestResponse, ZoneImportReport, ZoneImportRequest};

use crate::api;
use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::pages::admin_sector_card::SectorCard;
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
            let sectors = client::list_sectors(&s, territory).await?.sectors;
            // Every organisation of the territory (not only the admin's own): sectors are
            // attributed across the département.
            let orgs = client::list_territory_organisations(&s, territory).await?.organisations;
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
            match client::create_sector(&s, territory, &body).await {
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
            <SectorisationTest territory=territory/>
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

/// "Tester la sectorisation": what an address gets, motif by motif (the public search's rules).
#[component]
fn SectorisationTest(territory: i32) -> impl IntoView {
    let ctx = use_ctx();
    let code = RwSignal::new(String::new());
    let ban = RwSignal::new(String::new());
    let result: RwSignal<Option<SectorisationTestResponse>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    let session = ctx.session.clone();
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let street = ban.get_untracked().trim().to_owned();
        let city = code.get_untracked().trim().to_owned();
        let s = session.clone();
        leptos::task::spawn_local(async move {
            match client::test_sectorisation(&s, territory, &city, Some(street.as_str()).filter(|b| !b.is_empty()))
                .await
            {
                Ok(r) => {
                    outcome.set(None);
                    result.set(Some(r));
                }
                Err(e) => {
                    result.set(None);
                    outcome.set(Some(Err(e.message_fr())));
                }
            }
        });
    };
    view! {
        <form class="card form" on:submit=run data-testid="sectorisation-test">
            <h2>"Tester la sectorisation"</h2>
            <div class="row">
                <span><label for="test-code">"Code INSEE de la commune"</label><input id="test-code" required inputmode="numeric" maxlength="5" bind:value=code/></span>
                <span><label for="test-ban">"Identifiant BAN de la rue (facultatif)"</label><input id="test-ban" placeholder="62041_0420" bind:value=ban/></span>
                <span><button type="submit">"Tester"</button></span>
            </div>
            <Status outcome=outcome/>
            {move || result.get().map(|r| {
                let sectors = if r.sectors.is_empty() {
                    "aucun secteur".to_owned()
                } else {
                    r.sectors.iter().map(|s| format!("{} ({})", s.name, s.human_id)).collect::<Vec<_>>().join(", ")
                };
                view! {
                    <p role="status">"Secteur(s) : "{sectors}</p>
                    <table>
                        <thead><tr><th>"Motif"</th><th>"Organisation"</th><th>"Sectorisation"</th><th>"Proposé"</th></tr></thead>
                        <tbody>{r.motifs.into_iter().map(|m| {
                            let offered = match (m.offered, m.agents) {
                                (false, _) => "Non".to_owned(),
                                (true, Some(list)) => format!(
                                    "Oui, avec {}",
                                    list.iter().map(|a| rdv_shared::dto::display_name(a.first_name.as_deref(), &a.last_name)).collect::<Vec<_>>().join(", ")
                                ),
                                (true, None) => "Oui".to_owned(),
                            };
                            view! { <tr><td>{m.name}</td><td>{m.organisation_name}</td><td>{m.sectorisation_level.label_fr()}</td><td>{offered}</td></tr> }
                        }).collect_view()}</tbody>
                    </table>
                }
            })}
        </form>
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
            match client::import_zones(&s, territory, &body).await {
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
    let session = ctx.session.clone();
    let export = move |_| {
        let s = session.clone();
        leptos::task::spawn_local(async move {
            let result = client::export_zones(&s, territory)
                .await
                .map_err(|e| e.message_fr())
                .and_then(|bytes| crate::download::save(&bytes, "zones.csv", "text/csv"));
            if let Err(e) = result {
                outcome.set(Some(Err(e)));
            }
        });
    };
    view! {
        <section class="card form">
            <h2>"Importer des zones"</h2>
            <p class="muted">"Fichier .csv ou .xlsx avec les colonnes secteur, commune, code_insee (et rue, id_ban_rue pour une rue)."</p>
            <label for="zones-file">"Fichier"</label>
            <input id="zones-file" type="file" accept=".csv,.xlsx,.xls,.ods"/>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| preview(true)>"Prévisualiser"</button>
                <button type="button" on:click=move |_| run(false)>"Importer"</button>
                <button type="button" class="secondary" on:click=export>"Exporter les zones (CSV)"</button>
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
