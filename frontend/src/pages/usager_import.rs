//! Importing usagers from a CSV or XLSX file (`/usagers/import`, admins): the file is sent, the
//! job is polled for its progress bar, then the counts, the rows to check and the report.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use rdv_shared::dto::{CreateUserImportRequest, ImportRowStatus, UserImport};
use rdv_shared::OrganisationId;

use crate::client;
use crate::components::admin_only::AdminOnly;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::sleep;
use crate::download;

/// The file chosen in the input `input_id`: its name and bytes.
pub async fn read_file(input_id: &str) -> Result<(String, Vec<u8>), String> {
    let input: web_sys::HtmlInputElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(input_id))
        .and_then(|e| e.dyn_into().ok())
        .ok_or("Champ fichier introuvable.")?;
    let file = input.files().and_then(|f| f.get(0)).ok_or("Choisissez un fichier.")?;
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(|_| "Fichier illisible.")?;
    Ok((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
}

#[component]
pub fn ImportUsagersPage() -> impl IntoView {
    view! {
        <AdminOnly>
            <ImportForm/>
        </AdminOnly>
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let ctx = use_ctx();
    let outcome: Outcome = RwSignal::new(None);
    let job: RwSignal<Option<UserImport>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let on_submit = {
        let ctx = ctx.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let session = ctx.session.clone();
            let org = ctx.org_id();
            busy.set(true);
            outcome.set(None);
            leptos::task::spawn_local(async move {
                let (filename, bytes) = match read_file("import-file").await {
                    Ok(f) => f,
                    Err(msg) => {
                        outcome.set(Some(Err(msg)));
                        busy.set(false);
                        return;
                    }
                };
                use base64::Engine;
                let body = CreateUserImportRequest {
                    organisation_id: OrganisationId(org),
                    filename,
                    content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                    mapping: Default::default(),
                };
                match client::create_user_import(&session, &body).await {
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                    Ok(r) => {
                        let id = r.user_import.id;
                        job.set(Some(r.user_import));
                        loop {
                            sleep(400).await;
                            match client::get_user_import(&session, id).await {
                                Ok(r) => {
                                    let finished = r.user_import.status == "done" || r.user_import.status == "failed";
                                    job.set(Some(r.user_import));
                                    if finished {
                                        break;
                                    }
                                }
                                Err(e) => {
                                    outcome.set(Some(Err(e.message_fr())));
                                    break;
                                }
                            }
                        }
                    }
                }
                busy.set(false);
            });
        }
    };
    let download_report = move |_| {
        let Some(j) = job.get_untracked() else { return };
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            match client::get_user_import_report(&session, j.id).await {
                Ok(bytes) => {
                    let _ = download::save(&bytes, &format!("rapport-import-{}.csv", j.id), "text/csv");
                }
                Err(e) => outcome.set(Some(Err(e.message_fr()))),
            }
        });
    };
    view! {
        <main class="page">
            <h1>"Importer des usagers"</h1>
            <form class="card form" on:submit=on_submit>
                <p class="help">
                    "Fichier CSV (séparé par des points-virgules ou des virgules, UTF-8) ou Excel (.xlsx), première ligne = en-têtes. "
                    "Colonnes reconnues : Nom, Prénom, Nom de naissance, Date de naissance, Email, Téléphone, Adresse, Code postal, Commune, N° CAF, Numéro de dossier, Remarques. "
                    "Un usager déjà connu (même email, ou mêmes nom, prénom et date de naissance) est rattaché à votre organisation sans être recréé."
                </p>
                <label for="import-file">"Fichier"</label>
                <input id="import-file" type="file" accept=".csv,.xlsx,.xls,.ods" required/>
                <Status outcome=outcome/>
                <button type="submit" disabled=move || busy.get()>"Importer"</button>
            </form>
            {move || {
                let download_report = download_report.clone();
                job.get()
                    .map(move |j| {
                        let problems: Vec<_> = j.rows.iter().filter(|r| matches!(r.status, ImportRowStatus::Error | ImportRowStatus::Warning)).cloned().collect();
                        view! {
                            <section class="card" aria-live="polite">
                                <h2>{format!("Import de {}", j.filename)}</h2>
                                <label for="import-progress">{format!("{} / {} lignes traitées", j.done_rows, j.total_rows)}</label>
                                <progress id="import-progress" max=j.total_rows.to_string() value=j.done_rows.to_string()></progress>
                                {j.failure.clone().map(|f| view! { <p class="error" role="alert">{f}</p> })}
                                <p data-testid="import-summary">
                                    {format!(
                                        "{} créé(s), {} déjà connu(s), {} doublon(s) possible(s), {} erreur(s).",
                                        j.created_count, j.matched_count, j.warning_count, j.error_count
                                    )}
                                </p>
                                {(j.status == "done").then(|| view! { <button class="secondary" on:click=download_report>"Télécharger le rapport"</button> })}
                                {(!problems.is_empty()).then(|| view! {
                                    <div class="table-wrap">
                                        <table>
                                            <thead><tr><th scope="col">"Ligne"</th><th scope="col">"Usager"</th><th scope="col">"Détail"</th></tr></thead>
                                            <tbody>
                                                {problems.into_iter().map(|r| view! {
                                                    <tr>
                                                        <td>{r.line}</td>
                                                        <td>{format!("{} {}", r.first_name, r.last_name)}</td>
                                                        <td>{r.message.unwrap_or_default()}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                })}
                            </section>
                        }
                    })
            }}
        </main>
    }
}
