//! One statistics answer on screen: counters (links to the matching RDV list when the viewer can
//! open it), weekly charts by origin, service and location type, the no-show rate, and the
//! tables per motif, organisation and notification channel — each downloadable as CSV.

use leptos::prelude::*;
use leptos_router::components::A;

use rdv_shared::dto::{Count, Stats};
use rdv_shared::enums::{ListStatus, RdvOrigin};

use crate::components::charts::{CsvButton, Series, WeeklyBars, PALETTE};

fn series_of(counts: &[Count]) -> Vec<(String, Series)> {
    counts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.clone(), Series { label: c.label.clone(), color: PALETTE[i % PALETTE.len()] }))
        .collect()
}

fn value(counts: &[Count], key: &str) -> f64 {
    counts.iter().find(|c| c.key == key).map_or(0.0, |c| c.count as f64)
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

/// `list`: the RDV list's query selecting these RDVs (without dates nor status), or `None`
/// where the viewer has no list to open (public page).
#[component]
pub fn StatsView(stats: Stats, list: Option<String>, name: String) -> impl IntoView {
    let labels: Vec<String> = stats.weekly.iter().map(|w| w.week.format("%d/%m/%y").to_string()).collect();
    let range = format!("from={}&to={}", stats.from, stats.to);
    let counter = |status: Option<ListStatus>, n: i64| {
        let label = status.map_or("Tous", ListStatus::label_fr).to_owned();
        let key = status.map_or("total", ListStatus::as_str);
        let text = view! { <span class="count">{n}</span><span class="what">{label}</span> };
        match &list {
            Some(q) => {
                let status = status.map(|s| format!("&status[]={}", s.as_str())).unwrap_or_default();
                let sep = if q.is_empty() { "" } else { "&" };
                let href = format!("/rdvs?{q}{sep}{range}{status}");
                view! { <li data-testid=format!("counter-{key}")><A href=href attr:class="counter">{text}</A></li> }
                    .into_any()
            }
            None => {
                view! { <li data-testid=format!("counter-{key}")><span class="counter">{text}</span></li> }.into_any()
            }
        }
    };
    let mut counters = vec![counter(None, stats.total)];
    for s in ListStatus::ALL {
        counters.push(counter(Some(*s), stats.by_status.get(*s)));
    }
    let origins: Vec<Series> = RdvOrigin::ALL
        .iter()
        .enumerate()
        .map(|(i, o)| Series { label: o.label_fr().to_owned(), color: PALETTE[i % PALETTE.len()] })
        .collect();
    let by_origin: Vec<Vec<f64>> =
        stats.weekly.iter().map(|w| RdvOrigin::ALL.iter().map(|o| value(&w.by_origin, o.as_str())).collect()).collect();
    let services = series_of(&stats.by_service);
    let by_service: Vec<Vec<f64>> =
        stats.weekly.iter().map(|w| services.iter().map(|(k, _)| value(&w.by_service, k)).collect()).collect();
    let locations = series_of(&stats.by_location_type);
    let by_location: Vec<Vec<f64>> =
        stats.weekly.iter().map(|w| locations.iter().map(|(k, _)| value(&w.by_location_type, k)).collect()).collect();
    let noshow: Vec<Vec<f64>> = stats.weekly.iter().map(|w| vec![w.noshow_rate.unwrap_or(0.0)]).collect();
    let file = |what: &str| format!("statistiques-{what}-{name}-{}-{}.csv", stats.from, stats.to);
    let motif_headers: Vec<String> =
        ["Motif", "Service", "RDV", "Honorés", "Absences non excusées", "Taux d'absence"].map(str::to_owned).to_vec();
    let motif_rows: Vec<Vec<String>> = stats
        .by_motif
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                m.service.clone(),
                m.total.to_string(),
                m.seen.to_string(),
                m.noshow.to_string(),
                rate(m.noshow_rate),
            ]
        })
        .collect();
    let org_headers: Vec<String> =
        ["Organisation", "RDV", "Honorés", "Absences non excusées", "Annulés", "À renseigner", "À venir"]
            .map(str::to_owned)
            .to_vec();
    let org_rows: Vec<Vec<String>> = stats
        .organisations
        .iter()
        .map(|o| {
            let s = o.by_status;
            vec![
                o.name.clone(),
                o.total.to_string(),
                s.seen.to_string(),
                s.noshow.to_string(),
                (s.excused + s.revoked).to_string(),
                s.unknown_past.to_string(),
                s.unknown_future.to_string(),
            ]
        })
        .collect();
    let table = |caption: &'static str, headers: Vec<String>, rows: Vec<Vec<String>>, filename: String| {
        view! {
            <section class="card">
                <h2>{caption}</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label=caption>
                    <table>
                        <thead><tr>{headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>{rows.iter().map(|r| view! { <tr>{r.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                    </table>
                </div>
                <CsvButton filename=filename headers=headers rows=rows/>
            </section>
        }
    };
    let notif_rows: Vec<Vec<String>> =
        stats.notifications.iter().map(|n| vec![n.channel.clone(), n.result.clone(), n.count.to_string()]).collect();
    view! {
        <ul class="counters" aria-label="RDV par statut">{counters}</ul>
        <section class="card charts">
            <WeeklyBars id="chart-origin" title="RDV par semaine et par origine".to_owned() labels=labels.clone() series=origins values=by_origin filename=file("origine")/>
            <WeeklyBars id="chart-service" title="RDV par semaine et par service".to_owned() labels=labels.clone() series=services.into_iter().map(|(_, s)| s).collect() values=by_service filename=file("service")/>
            <WeeklyBars id="chart-location" title="RDV par semaine et par type de lieu".to_owned() labels=labels.clone() series=locations.into_iter().map(|(_, s)| s).collect() values=by_location filename=file("type-de-lieu")/>
            <WeeklyBars id="chart-noshow" title="Taux d'absences non excusées par semaine (absences / (honorés + absences))".to_owned() labels=labels series=vec![Series { label: "Taux d'absence".to_owned(), color: PALETTE[1] }] values=noshow percent=true filename=file("absences")/>
        </section>
        {(!motif_rows.is_empty()).then(|| table("Par motif", motif_headers, motif_rows, file("motifs")))}
        {(org_rows.len() > 1).then(|| table("Par organisation", org_headers, org_rows, file("organisations")))}
        {(!notif_rows.is_empty()).then(|| table("Notifications envoyées", ["Canal", "Résultat", "Nombre"].map(str::to_owned).to_vec(), notif_rows, file("notifications")))}
    }
}
