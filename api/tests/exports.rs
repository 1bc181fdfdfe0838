//! RDV and participation exports (issue 17) on the fixture of `common::rdv_fixture`: the file is
//! parsed back (calamine for XLSX, csv for CSV) and compared with the list the same filters give;
//! a basic agent's export holds no RDV they only see as busy nor another organisation's; only
//! the requester sees an export; expiry deletes it; every export is audited.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Cursor;

use calamine::{Data, Reader};
use common::rdv_fixture::{self, range};
use common::{call, Authed, Session, TestApp};
use serde_json::{json, Value};

/// Posts an export and waits for the workers to finish it.
async fn export(app: &TestApp, who: &Session, body: Value) -> Value {
    let (s, b) = call(app, who, "POST", "/api/v1/exports", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    assert!(["pending", "running", "done"].contains(&b["export"]["status"].as_str().unwrap()), "{b}");
    let id = b["export"]["id"].as_i64().unwrap();
    for _ in 0..200 {
        let (s, b) = call(app, who, "GET", &format!("/api/v1/exports/{id}"), None).await;
        assert_eq!(s, 200, "{b}");
        match b["export"]["status"].as_str().unwrap() {
            "done" => return b["export"].clone(),
            "failed" => panic!("export failed: {b}"),
            _ => actix_rt::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    panic!("export {id} not done after 10 s");
}

async fn download(app: &TestApp, who: &Session, export: &Value) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let url = export["download_url"].as_str().unwrap_or("/api/v1/exports/0/download");
    let res = app.get(url).bearer(who).send().await.unwrap();
    (res.status().as_u16(), res.headers().clone(), res.bytes().await.unwrap().to_vec())
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::DateTime(d) => excel_time(d.as_f64()),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// An Excel serial date-time (days since 1899-12-30) as "dd/mm/yyyy HH:MM".
fn excel_time(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let t = base + chrono::Duration::seconds((serial * 86_400.0).round() as i64);
    t.format("%d/%m/%Y %H:%M").to_string()
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

async fn list_ids(app: &TestApp, who: &Session, query: &str) -> Vec<String> {
    let (_, b) = call(app, who, "GET", &format!("/api/v1/rdvs?{query}"), None).await;
    b["rdvs"].as_array().unwrap().iter().map(|r| r["id"].to_string()).collect()
}

#[actix_rt::test]
async fn an_xlsx_export_holds_exactly_the_list() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let f = rdv_fixture::create(&app, &admin, &lens_admin).await;
    let arras = app.organisation_id("MDS Arras");
    let e = export(
        &app,
        &admin,
        json!({"kind": "rdvs", "format": "xlsx", "organisation_ids": [arras], "from": rdv_fixture::FROM, "to": rdv_fixture::TO}),
    )
    .await;
    assert_eq!(
        (e["row_count"].as_i64(), e["rows_done"].as_i64(), e["progress"].as_f64()),
        (Some(6), Some(6), Some(1.0))
    );
    let today = chrono::Utc::now().date_naive();
    assert_eq!(e["filename"], format!("export-rdv-{today}-org-{arras:06}.xlsx"));
    let (s, headers, bytes) = download(&app, &admin, &e).await;
    assert_eq!(s, 200);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-disposition"].to_str().unwrap().contains(e["filename"].as_str().unwrap()));
    let rows = xlsx_rows(&bytes);
    assert_eq!(rows[0].iter().map(String::as_str).collect::<Vec<_>>(), rdv_shared::export::RDV_HEADERS);
    assert_eq!(column(&rows, "Identifiant RDV"), list_ids(&app, &admin, &range()).await);
    // Times in Paris: c starts on Sunday 30 March at 23:30, d on Monday 31 at 00:30.
    let starts: Vec<String> = column(&rows, "Date RDV")
        .iter()
        .zip(column(&rows, "Heure RDV"))
        .map(|(d, t)| format!("{} {}", &d[..10], &t[t.len() - 5..]))
        .collect();
    assert_eq!(starts[2..4], ["30/03/2025 23:30".to_owned(), "31/03/2025 00:30".to_owned()]);
    assert_eq!(
        column(&rows, "Statut"),
        ["Honoré", "Absence non excusée", "Annulé (excusé)", "Annulé (par le service)", "À renseigner", "Honoré"]
    );
    assert_eq!(column(&rows, "Origine")[2], "Invitation");
    assert_eq!(column(&rows, "Lieu")[2], "À domicile (62000 Arras)");
    assert_eq!(column(&rows, "Usager(s)")[0], "Léa Fixture, Marc Fixture");
    assert_eq!(column(&rows, "Au moins un usager mineur ?")[..2], ["oui".to_owned(), "oui".to_owned()]);
    assert_eq!(column(&rows, "Professionnel·le(s)")[3], "Julien Lefebvre");
    assert_eq!(column(&rows, "Contexte")[0], "Premier RDV");
    assert_eq!(f.ids.len(), 7);

    // Audited: who exported, with which filters, how many rows.
    let versions = app.versions_of("Export", e["id"].as_i64().unwrap() as i32);
    assert_eq!(versions[0].0, "create");
    assert!(versions[0].1.to_string().contains("2025-03-24"), "{versions:?}");
    assert!(versions.iter().any(|(_, c)| c.to_string().contains("row_count")), "{versions:?}");

    // Only the requester: anyone else gets 404, for the export and its file.
    let other = app.sign_in("nadia.benali").await;
    let (s, _) = call(&app, &other, "GET", &format!("/api/v1/exports/{}", e["id"]), None).await;
    assert_eq!(s, 404);
    assert_eq!(download(&app, &other, &e).await.0, 404);
    let (_, mine) = call(&app, &other, "GET", "/api/v1/exports", None).await;
    assert_eq!(mine["exports"], json!([]));
    let (_, mine) = call(&app, &admin, "GET", "/api/v1/exports", None).await;
    assert_eq!(mine["meta"]["total_count"], 1);

    // Expiry deletes the export and its file.
    {
        use diesel::prelude::*;
        use rdv_api::db::schema::exports;
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(exports::table)
            .set(exports::expires_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1)))
            .execute(&mut *conn)
            .unwrap();
        assert_eq!(download(&app, &admin, &e).await.0, 404, "expired: no download even before the purge");
        assert_eq!(rdv_api::services::exports::purge_expired(&mut conn, chrono::Utc::now()).unwrap(), 1);
    }
    let (s, _) = call(&app, &admin, "GET", &format!("/api/v1/exports/{}", e["id"]), None).await;
    assert_eq!(s, 404);
    let versions = app.versions_of("Export", e["id"].as_i64().unwrap() as i32);
    assert_eq!(versions.last().unwrap().0, "destroy");
}

#[actix_rt::test]
async fn a_basic_agents_export_holds_only_what_they_may_read() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let f = rdv_fixture::create(&app, &admin, &lens_admin).await;
    // Julien sees the PMI RDVs of Arras as busy and has no role in Lens.
    let julien = app.sign_in("julien.lefebvre").await;
    let e = export(
        &app,
        &julien,
        json!({"kind": "rdvs", "format": "csv", "from": rdv_fixture::FROM, "to": rdv_fixture::TO}),
    )
    .await;
    assert_eq!(e["filename"].as_str().unwrap().rsplit('.').next(), Some("csv"));
    let (s, headers, bytes) = download(&app, &julien, &e).await;
    assert_eq!(s, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let rows = csv_rows(&bytes);
    assert_eq!(column(&rows, "Identifiant RDV"), [f.ids["d"].to_string(), f.ids["e"].to_string()]);
    for hidden in ["a", "b", "c", "f", "g"] {
        assert!(!column(&rows, "Identifiant RDV").contains(&f.ids[hidden].to_string()), "{hidden} leaked");
    }
    assert!(!String::from_utf8_lossy(&bytes).contains("Léa Fixture"), "no usager of a busy-level RDV");
    // Asking for another organisation is refused outright.
    let lens = app.organisation_id("MDS Lens");
    let (s, _) = call(
        &app,
        &julien,
        "POST",
        "/api/v1/exports",
        Some(json!({"kind": "rdvs", "format": "csv", "organisation_ids": [lens]})),
    )
    .await;
    assert_eq!(s, 403);
    for (body, field) in [
        (json!({"kind": "tout", "format": "csv"}), "kind"),
        (json!({"kind": "rdvs", "format": "xls"}), "format"),
        (json!({"kind": "rdvs", "format": "csv", "from": "2025-05-01", "to": "2025-04-01"}), "to"),
        (json!({"kind": "rdvs", "format": "csv", "status": ["lost"]}), "status"),
    ] {
        let (s, b) = call(&app, &julien, "POST", "/api/v1/exports", Some(body.clone())).await;
        assert_eq!(s, 422, "{body}: {b}");
        assert!(b.to_string().contains(field), "{body}: {b}");
    }
}

#[actix_rt::test]
async fn a_participation_export_has_a_line_per_usager() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let f = rdv_fixture::create(&app, &admin, &lens_admin).await;
    let e = export(
        &app,
        &admin,
        json!({"kind": "participations", "format": "xlsx", "from": rdv_fixture::FROM, "to": rdv_fixture::TO, "status": ["seen"]}),
    )
    .await;
    assert!(e["filename"].as_str().unwrap().starts_with("export-rdvs-user-"));
    let rows = xlsx_rows(&download(&app, &admin, &e).await.2);
    assert_eq!(rows[0][..2], ["Usager".to_owned(), "ID RDV".to_owned()]);
    // a (two usagers) and f (one).
    assert_eq!(column(&rows, "Usager"), ["Léa Fixture", "Marc Fixture", "Léa Fixture"]);
    assert_eq!(column(&rows, "ID RDV"), [f.ids["a"], f.ids["a"], f.ids["f"]].map(|i| i.to_string()));
    assert_eq!(column(&rows, "Usager mineur ?"), ["oui", "non", "oui"]);
    assert_eq!(e["row_count"], 3);
}
