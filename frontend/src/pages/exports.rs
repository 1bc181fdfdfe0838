//! "Mes exports" (`/exports`): the agent's own exports with a progress bar while they run (the
//! list is polled until none is pending or running), the download once done, until expiry.

use leptos::prelude::*;
use leptos_router::components::A;

use rdv_shared::dto::{Export, ExportFormat, ExportKind, ExportStatus};

use crate::client;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::sleep;
use crate::download;

fn running(list: &[Export]) -> bool {
    list.iter().any(|e| matches!(e.status, ExportStatus::Pending | ExportStatus::Running))
}

fn describe(e: &Export) -> String {
    let kind = match e.kind {
        ExportKind::Rdvs => "RDV",
        ExportKind::Participations => "RDV par usager",
    };
    let format = match e.format {
        ExportFormat::Xlsx => "Excel",
        ExportFormat::Csv => "CSV",
    };
    let range = match (e.filters.from, e.filters.to) {
        (Some(f), Some(t)) => format!(" du {} au {}", f.format("%d/%m/%Y"), t.format("%d/%m/%Y")),
        (Some(f), None) => format!(" à partir du {}", f.format("%d/%m/%Y")),
        (None, Some(t)) => format!(" jusqu'au {}", t.format("%d/%m/%Y")),
        (None, None) => String::new(),
    };
    format!("{kind}{range} ({format})")
}

#[component]
pub fn ExportsPage() -> impl IntoView {
    let ctx = use_ctx();
    let exports: RwSignal<Option<Vec<Export>>> = RwSignal::new(None);
    let outcome: Outcome = RwSignal::new(None);
    {
        let session = ctx.session.clone();
        leptos::task::spawn_local(async move {
            loop {
                match client::list_exports(&session).await {
                    Ok(r) => {
                        let again = running(&r.exports);
                        exports.set(Some(r.exports));
                        if !again {
                            break;
                        }
                    }
                    Err(e) => {
                        outcome.set(Some(Err(e.message_fr())));
                        break;
                    }
                }
                sleep(500).await;
            }
        });
    }
    let session = StoredValue::new(ctx.session.clone());
    let download = move |e: Export| {
        let session = session.get_value();
        leptos::task::spawn_local(async move {
            let mime = match e.format {
                ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ExportFormat::Csv => "text/csv",
            };
            match client::download_export(&session, e.id).await {
                Ok(bytes) => {
                    let _ = download::save(&bytes, &e.filename, mime);
                }
                Err(err) => outcome.set(Some(Err(err.message_fr()))),
            }
        });
    };
    view! {
        <main class="page">
            <h1>"Mes exports"</h1>
            <p class="help">
                "Vos exports restent téléchargeables trois jours, puis sont supprimés. Vous seul·e pouvez les voir. "
                <A href="/rdvs">"Retour à la liste des RDV"</A>
            </p>
            <Status outcome=outcome/>
            {move || match exports.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p>"Aucun export. Lancez-en un depuis la liste des RDV."</p> }.into_any(),
                Some(list) => view! {
                    <ul class="exports" aria-live="polite">
                        {list.into_iter().map(|e| {
                            let label_id = format!("export-{}-label", e.id);
                            let done = e.status == ExportStatus::Done;
                            let state = match e.status {
                                ExportStatus::Pending => "En attente".to_owned(),
                                ExportStatus::Running => format!("{} / {} lignes", e.rows_done, e.row_count),
                                ExportStatus::Done => format!("Prêt — {} lignes", e.row_count),
                                ExportStatus::Failed => "Échec".to_owned(),
                            };
                            let expires = e.expires_at.format("%d/%m/%Y à %H:%M").to_string();
                            let e2 = e.clone();
                            view! {
                                <li class="card" data-testid="export">
                                    <p id=label_id.clone()><strong>{describe(&e)}</strong>" — "{e.filename.clone()}</p>
                                    <progress aria-labelledby=label_id max="1" value=e.progress.to_string()></progress>
                                    <p data-testid="export-state">{state}</p>
                                    {e.failure.clone().map(|f| view! { <p class="error" role="alert">{f}</p> })}
                                    {done.then(|| view! {
                                        <button type="button" on:click=move |_| download(e2.clone())>"Télécharger"</button>
                                        <p class="help">{format!("Disponible jusqu'au {expires} (UTC).")}</p>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </main>
    }
}
