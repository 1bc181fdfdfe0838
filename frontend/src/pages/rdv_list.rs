//! The RDV list (`/rdvs`): the reference's filters in the URL (shareable, and where the
//! statistics' counters lead), counts per status, paging, a print view, and exports of exactly
//! this list ("Mes exports" follows them). Default: the current month of the current organisation.

use chrono::{Datelike, Duration, NaiveDate};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

use rdv_shared::dto::{CreateExportRequest, ExportFormat, ExportKind, Rdv, RdvSearch};
use rdv_shared::enums::ListStatus;
use rdv_shared::OrganisationId;

use crate::client;
use crate::components::rdv_filters::RdvFilters;
use crate::components::status::{Outcome, Status};
use crate::ctx::use_ctx;
use crate::dates::today;

/// Query pairs of a `?a=1&b[]=2` string, decoded.
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        js_sys::decode_uri_component(&s).ok().and_then(|v| v.as_string()).unwrap_or(s)
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (first, next.map_or(day, |n| n - Duration::days(1)))
}

fn names(r: &Rdv) -> (String, String) {
    let usagers: Vec<String> =
        r.participations.iter().map(|p| format!("{} {}", p.user.first_name, p.user.last_name)).collect();
    let agents: Vec<String> =
        r.agents.iter().map(|a| format!("{} {}", a.first_name.clone().unwrap_or_default(), a.last_name)).collect();
    (usagers.join(", "), agents.join(", "))
}

#[component]
pub fn RdvListPage() -> impl IntoView {
    let ctx = use_ctx();
    let location = use_location();
    let navigate = use_navigate();
    let ctx_org = ctx.organisation;
    // The URL's filters; without any, this month in the current organisation.
    let parsed = Memo::new(move |_| {
        let pairs = query_pairs(&location.search.get());
        let page = pairs.iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse::<i64>().ok()).unwrap_or(1);
        let mut s = RdvSearch::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap_or_default();
        if pairs.iter().all(|(k, _)| k == "page") {
            let (from, to) = month_of(today());
            let org = ctx_org.get().map(OrganisationId);
            s = RdvSearch { organisation_ids: org.into_iter().collect(), from: Some(from), to: Some(to), ..s };
        }
        (s, page)
    });
    let list = {
        let session = ctx.session.clone();
        LocalResource::new(move || {
            let (s, page) = parsed.get();
            let session = session.clone();
            async move { client::list_rdvs(&session, &s, page).await }
        })
    };
    // The form edits a copy of the filters; "Filtrer" puts it in the URL.
    let draft = RwSignal::new(parsed.get_untracked().0);
    Effect::new(move |_| draft.set(parsed.get().0));
    let go = {
        let navigate = navigate.clone();
        move |s: &RdvSearch| navigate(&format!("/rdvs?{}", s.to_query()), Default::default())
    };
    let on_submit = {
        let go = go.clone();
        move || go(&draft.get_untracked())
    };
    // Another organisation chosen in the header: the list follows it, keeping dates, statuses,
    // origins and order (agents, motifs, lieux and usagers belong to the previous one).
    Effect::new(move |previous: Option<Option<i32>>| {
        let now = ctx_org.get();
        if let Some(before) = previous {
            if before != now {
                let s = parsed.get_untracked().0;
                go(&RdvSearch {
                    organisation_ids: now.map(OrganisationId).into_iter().collect(),
                    territory_id: None,
                    agent_ids: vec![],
                    user_ids: vec![],
                    lieu_ids: vec![],
                    motif_ids: vec![],
                    ..s
                });
            }
        }
        now
    });
    let outcome: Outcome = RwSignal::new(None);
    let export = {
        let session = ctx.session.clone();
        let navigate = navigate.clone();
        move |kind: ExportKind, format: ExportFormat| {
            let (session, navigate) = (session.clone(), navigate.clone());
            let body = CreateExportRequest { kind, format, filters: parsed.get_untracked().0 };
            leptos::task::spawn_local(async move {
                match client::create_export(&session, &body).await {
                    Ok(_) => navigate("/exports", Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message_fr()))),
                }
            });
        }
    };
    view! {
        <main class="page rdv-list">
            <h1>"Liste des RDV"</h1>
            <p class="no-print"><A href="/exports">"Mes exports"</A>" · "<A href="/statistiques">"Statistiques"</A></p>
            <RdvFilters draft=draft on_submit=on_submit/>
            <Transition fallback=|| view! { <p>"Chargement…"</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message_fr()}</p> }.into_any(),
                    Ok(r) => {
                        let (s, page) = parsed.get_untracked();
                        let counters = ListStatus::ALL.iter().map(|st| {
                            let href = format!("/rdvs?{}", RdvSearch { status: vec![*st], ..s.clone() }.to_query());
                            view! { <li><A href=href attr:class="counter"><span class="count">{r.counts.get(*st)}</span><span class="what">{st.label_fr()}</span></A></li> }
                        }).collect_view();
                        let export = export.clone();
                        let (e1, e2, e3) = (export.clone(), export.clone(), export);
                        let pages = r.meta.total_pages;
                        let rows = r.rdvs;
                        let link = |p: i64| format!("/rdvs?{}&page={p}", s.to_query());
                        view! {
                            <ul class="counters" aria-label="RDV par statut">{counters}</ul>
                            <p data-testid="rdv-count" aria-live="polite">{format!("{} RDV", r.meta.total_count)}</p>
                            <div class="actions no-print">
                                <button type="button" on:click=move |_| e1(ExportKind::Rdvs, ExportFormat::Xlsx)>"Exporter en Excel"</button>
                                <button type="button" class="secondary" on:click=move |_| e2(ExportKind::Rdvs, ExportFormat::Csv)>"Exporter en CSV"</button>
                                <button type="button" class="secondary" on:click=move |_| e3(ExportKind::Participations, ExportFormat::Xlsx)>"Export par usager (Excel)"</button>
                                <button type="button" class="secondary" on:click=|_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>"Imprimer"</button>
                            </div>
                            <Status outcome=outcome/>
                            <div class="table-wrap" tabindex="0" role="region" aria-label="RDV">
                                <table data-testid="rdv-table">
                                    <thead><tr>
                                        <th scope="col">"Date"</th><th scope="col">"Heure"</th><th scope="col">"Motif"</th>
                                        <th scope="col">"Usager(s)"</th><th scope="col">"Agent(s)"</th><th scope="col">"Lieu"</th><th scope="col">"Statut"</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|rdv| {
                                            let (usagers, agents) = names(&rdv);
                                            let status = ListStatus::of(rdv.status, rdv.starts_at.naive_utc(), crate::dates::now_utc().naive_utc());
                                            view! {
                                                <tr>
                                                    <td><A href=format!("/rdvs/{}", rdv.id)>{rdv.starts_at.format("%d/%m/%Y").to_string()}</A></td>
                                                    <td>{rdv.starts_at.format("%H:%M").to_string()}</td>
                                                    <td>{rdv.motif.name.clone()}</td>
                                                    <td>{usagers}</td>
                                                    <td>{agents}</td>
                                                    <td>{rdv.lieu.as_ref().map(|l| l.name.clone()).unwrap_or_default()}</td>
                                                    <td>{status.label_fr()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(pages > 1).then(|| view! {
                                <nav class="pager no-print" aria-label="Pages">
                                    {(page > 1).then(|| view! { <A href=link(page - 1)>"← Précédents"</A> })}
                                    <span>{format!("Page {page} sur {pages}")}</span>
                                    {(page < pages).then(|| view! { <A href=link(page + 1)>"Suivants →"</A> })}
                                </nav>
                            })}
                        }.into_any()
                    }
                })}
            </Transition>
        </main>
    }
}
