//! Bulk usager import over HTTP: CSV with French headers and a per-row report (created,
//! matched, duplicate warning, error with line number), idempotent re-import, a 10 000-row
//! XLSX, access, and file errors reported at once.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::time::Duration;

use base64::Engine;
use common::{json, Authed, Session, TestApp};
use serde_json::{json, Value};

async fn start(app: &TestApp, who: &Session, org: i32, filename: &str, bytes: &[u8], mapping: Value) -> (u16, Value) {
    let body = json!({
        "organisation_id": org,
        "filename": filename,
        "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        "mapping": mapping,
    });
    json(app.post("/api/v1/users/imports").bearer(who).json(&body).send().await.unwrap()).await
}

/// Polls the job until it is done (or failed); the import runs in the background.
async fn finished(app: &TestApp, who: &Session, id: i64) -> Value {
    for _ in 0..1200 {
        let (status, body) =
            json(app.get(&format!("/api/v1/users/imports/{id}")).bearer(who).send().await.unwrap()).await;
        assert_eq!(status, 200);
        let job = body["user_import"].clone();
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(job["done_rows"].as_i64() <= job["total_rows"].as_i64());
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("import {id} did not finish");
}

const CSV: &str = "\u{feff}NOM;Prénom;Date de naissance;Téléphone;Courriel;Commentaire\n\
Durand;Paul;01/02/1980;06 11 22 33 44;paul.durand@exemple.fr;x\n\
Durand;Lise;1982-03-04;06 11 22 33 44;;\n\
;SansNom;;;;\n\
Martin;Date;31/31/2000;;;\n\
Martin;Téléphone;;12;;\n\
\n\
Béal;Anaïs;05/06/1991;;anais@exemple.fr;\n";

#[actix_rt::test]
async fn csv_import_report_and_idempotent_reimport() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let admin = app.sign_in("camille.martin").await;
    let (status, body) = start(&app, &admin, arras, "caf.csv", CSV.as_bytes(), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_import"]["total_rows"], 6, "blank lines are skipped");
    let job = finished(&app, &admin, body["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!(job["status"], "done");
    assert_eq!(
        (job["created_count"].as_i64(), job["warning_count"].as_i64(), job["error_count"].as_i64()),
        (Some(2), Some(1), Some(3))
    );
    let rows = job["rows"].as_array().unwrap();
    let line = |n: i64| rows.iter().find(|r| r["line"] == n).unwrap_or_else(|| panic!("line {n} in {rows:?}"));
    assert_eq!(line(2)["status"], "created");
    assert_eq!(line(3)["status"], "warning", "same phone as line 2");
    assert_eq!(line(4)["status"], "error");
    assert!(line(4)["message"].as_str().unwrap().contains("last_name"));
    assert!(line(5)["message"].as_str().unwrap().contains("31/31/2000"));
    assert!(line(6)["message"].as_str().unwrap().contains("phone_number"));
    assert_eq!(line(8)["status"], "created", "line numbers as the spreadsheet shows them");

    // The report as CSV.
    let res = app.get(&format!("/api/v1/users/imports/{}/report.csv", job["id"])).bearer(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    assert!(text.contains("ligne;statut;usager_id;prenom;nom;message"));
    assert!(text.contains("4;erreur;"));

    // Re-importing the same file creates nothing.
    let (_, again) = start(&app, &admin, arras, "caf.csv", CSV.as_bytes(), json!({})).await;
    let job = finished(&app, &admin, again["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!(
        (job["created_count"].as_i64(), job["warning_count"].as_i64(), job["matched_count"].as_i64()),
        (Some(0), Some(0), Some(3))
    );

    // Importing into Lens attaches the known usagers there instead of duplicating them.
    let lens = app.organisation_id("MDS Lens");
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let (_, other) = start(&app, &lens_admin, lens, "caf.csv", CSV.as_bytes(), json!({})).await;
    let job = finished(&app, &lens_admin, other["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!(job["matched_count"], 3);
    let (_, list) =
        json(app.get(&format!("/api/v1/organisations/{lens}/users")).bearer(&lens_admin).send().await.unwrap()).await;
    assert_eq!(list["meta"]["total_count"], 3);
}

#[actix_rt::test]
async fn file_errors_mapping_and_access() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let admin = app.sign_in("camille.martin").await;
    let (status, body) = start(&app, &admin, arras, "x.pdf", b"%PDF", json!({})).await;
    assert_eq!(status, 422);
    assert!(body["error_messages"][0].as_str().unwrap().contains(".csv ou .xlsx"));
    let (status, body) = start(&app, &admin, arras, "x.xlsx", b"not a zip", json!({})).await;
    assert_eq!((status, body["errors"]["file"][0]["error"].as_str()), (422, Some("invalid")));
    let (status, body) = start(&app, &admin, arras, "x.csv", "Col A;Col B\n1;2\n".as_bytes(), json!({})).await;
    assert_eq!(status, 422);
    assert!(body["error_messages"][0].as_str().unwrap().contains("last_name"));
    let (status, body) = start(
        &app,
        &admin,
        arras,
        "x.csv",
        "Famille;Usuel\nRoux;Léo\n".as_bytes(),
        json!({"last_name": "Famille", "first_name": "Usuel"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let job = finished(&app, &admin, body["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!(job["created_count"], 1);
    let (status, _) = json(
        app.post("/api/v1/users/imports")
            .bearer(&admin)
            .json(&json!({"organisation_id": arras, "filename": "x.csv", "content_base64": "%%%"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);

    let basic = app.sign_in("sophie.durand").await;
    let (status, _) = start(&app, &basic, arras, "x.csv", CSV.as_bytes(), json!({})).await;
    assert_eq!(status, 403, "imports are for admins");
    let (status, _) =
        json(app.get(&format!("/api/v1/users/imports/{}", job["id"])).bearer(&basic).send().await.unwrap()).await;
    assert_eq!(status, 404);
    let (status, _) = start(&app, &admin, 999999, "x.csv", CSV.as_bytes(), json!({})).await;
    assert_eq!(status, 404);
}

#[actix_rt::test]
async fn ten_thousand_row_xlsx_then_reimport_creates_nothing() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let admin = app.sign_in("camille.martin").await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["Nom", "Prénom", "Date de naissance", "Téléphone", "Email", "N° CAF"].iter().enumerate() {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for i in 1..=10_000u32 {
        sheet.write_string(i, 0, format!("Nom{i}")).unwrap();
        sheet.write_string(i, 1, format!("Prénom{i}")).unwrap();
        let born =
            rust_xlsxwriter::ExcelDateTime::from_ymd(1950 + (i % 60) as u16, 1 + (i % 12) as u8, 1 + (i % 28) as u8)
                .unwrap();
        sheet.write_datetime_with_format(i, 2, &born, &date_format).unwrap();
        sheet.write_string(i, 3, format!("06{:08}", 10_000_000 + i)).unwrap();
        if i % 2 == 0 {
            sheet.write_string(i, 4, format!("usager{i}@exemple.fr")).unwrap();
        }
        sheet.write_number(i, 5, f64::from(1_000_000 + i)).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let (status, body) = start(&app, &admin, arras, "caf.xlsx", &bytes, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let job = finished(&app, &admin, body["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!((job["status"].as_str(), job["done_rows"].as_i64()), (Some("done"), Some(10_000)));
    assert_eq!(
        job["created_count"],
        10_000,
        "{}",
        job["rows"].as_array().unwrap().iter().find(|r| r["status"] != "created").cloned().unwrap_or_default()
    );
    let (_, list) = json(app.get("/api/v1/users?search=nom1234").bearer(&admin).send().await.unwrap()).await;
    assert_eq!(
        list["users"][0]["birth_date"],
        format!("{}-{:02}-{:02}", 1950 + 1234 % 60, 1 + 1234 % 12, 1 + 1234 % 28)
    );
    let (_, again) = start(&app, &admin, arras, "caf.xlsx", &bytes, json!({})).await;
    let job = finished(&app, &admin, again["user_import"]["id"].as_i64().unwrap()).await;
    assert_eq!((job["created_count"].as_i64(), job["matched_count"].as_i64()), (Some(0), Some(10_000)));
}
