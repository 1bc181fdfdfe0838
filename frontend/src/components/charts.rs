//! Weekly bar charts drawn as SVG (no chart library: a few hundred bytes of wasm per chart).
//! Accessible: the SVG is an image named by its title with a short description, and every chart
//! carries its figures as a table (in a disclosure) and as a CSV download.

use leptos::prelude::*;

use crate::download;

/// Colours with at least 3:1 contrast on white, distinct for the common colour blindnesses.
pub const PALETTE: &[&str] = &["#000091", "#b34000", "#18753c", "#6e445a", "#0063cb", "#716043"];

/// One series of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub color: &'static str,
}

/// A CSV text (`;`, UTF-8 with a byte-order mark) of a header and rows.
pub fn csv(headers: &[String], rows: &[Vec<String>]) -> String {
    let quote = |s: &String| {
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.clone()
        }
    };
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(headers.to_vec()).chain(rows.iter().cloned()) {
        out.push_str(&line.iter().map(quote).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out
}

/// A button that downloads `headers` and `rows` as `filename`.
#[component]
pub fn CsvButton(filename: String, headers: Vec<String>, rows: Vec<Vec<String>>) -> impl IntoView {
    let on_click = move |_| {
        let _ = download::save(csv(&headers, &rows).as_bytes(), &filename, "text/csv");
    };
    view! { <button type="button" class="secondary small" on:click=on_click>"Télécharger (CSV)"</button> }
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|m| *m >= v).unwrap_or(v)
}

fn fmt(v: f64, percent: bool) -> String {
    if percent {
        format!("{:.0} %", v * 100.0)
    } else {
        format!("{v:.0}")
    }
}

/// Stacked weekly bars: `labels[i]` names week i, `values[i][s]` is series s in week i.
/// `percent`: values are rates (0–1), shown as percentages.
#[component]
pub fn WeeklyBars(
    id: &'static str,
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    values: Vec<Vec<f64>>,
    #[prop(optional)] percent: bool,
    filename: String,
) -> impl IntoView {
    const W: f64 = 720.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 28.0;
    let n = labels.len().max(1);
    let totals: Vec<f64> = values.iter().map(|v| v.iter().sum()).collect();
    let max = if percent { 1.0 } else { nice_max(totals.iter().copied().fold(0.0, f64::max)) };
    let slot = (W - LEFT) / n as f64;
    let bar = (slot * 0.75).max(1.0);
    let y = move |v: f64| (H - BOTTOM) - v / max * (H - BOTTOM - 8.0);
    // Labels of one week in about six.
    let every = n.div_ceil(8).max(1);
    let mut rects = Vec::new();
    for (i, week) in values.iter().enumerate() {
        let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
        let mut base = 0.0;
        for (s, v) in week.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            let (top, bottom) = (y(base + v), y(base));
            base += v;
            let color = series.get(s).map_or("#666", |s| s.color);
            let tip = format!(
                "{} — {} : {}",
                labels[i],
                series.get(s).map(|s| s.label.as_str()).unwrap_or(""),
                fmt(*v, percent)
            );
            rects.push(view! {
                <rect x=format!("{x:.1}") y=format!("{top:.1}") width=format!("{bar:.1}") height=format!("{:.1}", (bottom - top).max(0.5)) fill=color>
                    <title>{tip}</title>
                </rect>
            });
        }
    }
    let ticks: Vec<_> = [0.0, max / 2.0, max]
        .into_iter()
        .map(|t| {
            view! {
                <line x1=LEFT.to_string() x2=W.to_string() y1=format!("{:.1}", y(t)) y2=format!("{:.1}", y(t)) stroke="#ddd"/>
                <text x=format!("{:.1}", LEFT - 6.0) y=format!("{:.1}", y(t) + 4.0) text-anchor="end" font-size="11">{fmt(t, percent)}</text>
            }
        })
        .collect();
    let xlabels: Vec<_> = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, l)| {
            let x = LEFT + i as f64 * slot + slot / 2.0;
            view! { <text x=format!("{x:.1}") y=format!("{:.1}", H - 8.0) text-anchor="middle" font-size="11">{l.clone()}</text> }
        })
        .collect();
    let grand: f64 = totals.iter().sum();
    let description =
        if percent { format!("{} semaines", n) } else { format!("{} semaines, {} au total", n, fmt(grand, false)) };
    let headers: Vec<String> =
        std::iter::once("Semaine du".to_owned()).chain(series.iter().map(|s| s.label.clone())).collect();
    let rows: Vec<Vec<String>> = labels
        .iter()
        .zip(&values)
        .map(|(l, v)| std::iter::once(l.clone()).chain(v.iter().map(|x| fmt(*x, percent))).collect())
        .collect();
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let desc_ref = desc_id.clone();
    view! {
        <figure class="chart" data-testid=id>
            <figcaption id=title_id.clone()>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-labelledby=title_id aria-describedby=desc_ref preserveAspectRatio="none">
                <desc id=desc_id>{description}</desc>
                {ticks}
                {rects}
                {xlabels}
            </svg>
            <ul class="legend">
                {series.iter().map(|s| view! { <li><span class="swatch" style=format!("background:{}", s.color)></span>{s.label.clone()}</li> }).collect_view()}
            </ul>
            <details>
                <summary>"Voir les données (tableau)"</summary>
                <div class="table-wrap" tabindex="0" role="region" aria-label=format!("Données : {title}")>
                    <table>
                        <thead><tr>{headers.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {rows.iter().map(|r| view! { <tr>{r.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr> }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <CsvButton filename=filename headers=headers.clone() rows=rows.clone()/>
            </details>
        </figure>
    }
}
