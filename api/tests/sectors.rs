//! Sectorisation management over HTTP (issue 7): sectors, zones (city / street with their
//! validation), attributions, who may manage them, and the CSV/XLSX zone import with a dry run
//! and a per-row report.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use base64::Engine;
use common::{call, Authed, TestApp};
use serde_json::{json, Value};

fn territory_of(app: &TestApp) -> i32 {
    use diesel::prelude::*;
    use rdv_api::db::schema::territories;
    let mut conn = app.state.pool.get().unwrap();
    territories::table
        .filter(territories::name.eq("Pas-de-Calais"))
        .select(territories::id)
        .get_result(&mut *conn)
        .unwrap()
}

#[actix_rt::test]
async fn sectors_zones_attributions_and_who_manages_them() {
    let app = TestApp::spawn().await;
    let t = territory_of(&app);
    let admin = app.sign_in("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;
    let body = json!({"name": "Arras Nord", "human_id": "arras-nord"});
    let (s, _) = call(&app, &sophie, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(body.clone())).await;
    assert_eq!(s, 403, "a basic agent does not manage sectors");
    let (s, b) = call(&app, &admin, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(body.clone())).await;
    assert_eq!(s, 200, "{b}");
    let sector = b["sector"]["id"].as_i64().unwrap();
    assert_eq!(app.versions_of("Sector", sector as i32).len(), 1, "audited");
    let (s, b) = call(&app, &admin, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(body)).await;
    assert_eq!((s, b["errors"]["human_id"][0]["error"].clone()), (422, json!("taken")));

    // Zones: a city of the département, a street with its BAN id; wrong ones refused.
    let zones = format!("/api/v1/sectors/{sector}/zones");
    let city = json!({"level": "city", "city_name": "Arras", "city_code": "62041"});
    let (s, b) = call(&app, &admin, "POST", &zones, Some(city.clone())).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &admin, "POST", &zones, Some(city)).await;
    assert_eq!((s, b["errors"]["city_code"][0]["error"].clone()), (422, json!("taken")));
    let street = json!({"level": "street", "city_name": "Achicourt", "city_code": "62004",
                        "street_name": "Rue Jean Jaurès", "street_ban_id": "62004_0450"});
    let (s, b) = call(&app, &admin, "POST", &zones, Some(street)).await;
    assert_eq!(s, 200, "{b}");
    let lille = json!({"level": "city", "city_name": "Lille", "city_code": "59350"});
    let (s, b) = call(&app, &admin, "POST", &zones, Some(lille)).await;
    assert_eq!((s, b["errors"]["city_code"][0]["error"].clone()), (422, json!("other_departement")), "{b}");
    let bad_street =
        json!({"level": "street", "city_name": "Arras", "city_code": "62041", "street_ban_id": "62004_0450"});
    let (s, b) = call(&app, &admin, "POST", &zones, Some(bad_street)).await;
    assert_eq!(s, 422, "{b}");
    let (s, b) =
        call(&app, &admin, "POST", &zones, Some(json!({"level": "planet", "city_name": "x", "city_code": "62041"})))
            .await;
    assert_eq!(s, 422, "bad enum: {b}");

    // Attributions: an organisation of the territory, or one of its agents.
    let arras = app.organisation_id("MDS Arras");
    let sophie_id = app.agent_id("sophie.durand").await;
    let thomas = app.agent_id("thomas.leroy").await;
    let attr = format!("/api/v1/sectors/{sector}/attributions");
    let (s, b) = call(&app, &admin, "POST", &attr, Some(json!({"organisation_id": arras}))).await;
    assert_eq!((s, b["sector_attribution"]["level"].clone()), (200, json!("organisation")), "{b}");
    let (s, b) =
        call(&app, &admin, "POST", &attr, Some(json!({"organisation_id": arras, "agent_id": sophie_id}))).await;
    assert_eq!((s, b["sector_attribution"]["level"].clone()), (200, json!("agent")), "{b}");
    let attribution = b["sector_attribution"]["id"].as_i64().unwrap();
    let (s, _) = call(&app, &admin, "POST", &attr, Some(json!({"organisation_id": arras, "agent_id": thomas}))).await;
    assert_eq!(s, 422, "Thomas is not an agent of MDS Arras");

    // Reading: members of the territory; the list shows counts and attributions.
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/territories/{t}/sectors"), None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["sectors"][0]["zones_count"], 2);
    assert_eq!(b["sectors"][0]["attributions"].as_array().unwrap().len(), 2);
    let other = app.sign_in_other_territory().await;
    let (s, _) = call(&app, &other, "GET", &format!("/api/v1/territories/{t}/sectors"), None).await;
    assert_eq!(s, 404, "nothing leaks to another territory");
    let (s, _) = call(&app, &other, "GET", &zones, None).await;
    assert_eq!(s, 404);

    // What the admin attributes from: every organisation of the territory, not only their own
    // (Camille is a member of MDS Arras only); none to another territory.
    let orgs = format!("/api/v1/territories/{t}/organisations");
    let (s, b) = call(&app, &admin, "GET", &orgs, None).await;
    let names: Vec<&str> = b["organisations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!((s, names), (200, vec!["MDS Arras", "MDS Lens", "MDS Calais"]), "{b}");
    assert_eq!(b["meta"]["total_count"], 3, "{b}");
    let (s, b) = call(&app, &admin, "GET", "/api/v1/organisations", None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(1)), "memberships only: {b}");
    let (s, b) = call(&app, &other, "GET", &orgs, None).await;
    assert_eq!(s, 404, "{b}");
    let (s, _) = call(&app, &admin, "GET", "/api/v1/territories/999999/organisations", None).await;
    assert_eq!(s, 404);

    let (s, _) = call(&app, &admin, "DELETE", &format!("/api/v1/sector_attributions/{attribution}"), None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, &admin, "DELETE", &format!("/api/v1/sectors/{sector}"), None).await;
    assert_eq!(s, 204);
    let (s, b) = call(&app, &admin, "GET", &format!("/api/v1/territories/{t}/sectors"), None).await;
    assert_eq!((s, b["sectors"].clone()), (200, json!([])));
}

fn statuses(report: &Value) -> Vec<String> {
    report["rows"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_owned()).collect()
}

#[actix_rt::test]
async fn zone_import_with_dry_run_and_per_row_report() {
    let app = TestApp::spawn().await;
    let t = territory_of(&app);
    let admin = app.sign_in("camille.martin").await;
    for (name, human) in [("Arras", "arras"), ("Lens", "lens")] {
        let body = json!({"name": name, "human_id": human});
        let (s, b) = call(&app, &admin, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(body)).await;
        assert_eq!(s, 200, "{b}");
    }
    let csv = "secteur;commune;code_insee;rue;id_ban_rue\n\
               arras;Arras;62041;;\n\
               arras;Achicourt;62004;Rue Jean Jaurès;62004_0450\n\
               lens;Lens;62498;;\n\
               inconnu;Liévin;62510;;\n\
               lens;Lille;59350;;\n";
    let import = |dry_run: bool, filename: &str, bytes: &[u8]| json!({"filename": filename, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes), "dry_run": dry_run});
    let url = format!("/api/v1/territories/{t}/zones/import");
    let (s, b) = call(&app, &admin, "POST", &url, Some(import(true, "zones.csv", csv.as_bytes()))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(statuses(&b), ["to_create", "to_create", "to_create", "error", "error"]);
    assert_eq!((b["created"].clone(), b["errors"].clone(), b["dry_run"].clone()), (json!(3), json!(2), json!(true)));
    assert!(b["rows"][3]["message"].as_str().unwrap().contains("inconnu"));
    assert_eq!(b["rows"][4]["line"], 6);
    let (_, list) = call(&app, &admin, "GET", &format!("/api/v1/territories/{t}/sectors"), None).await;
    assert_eq!(list["sectors"][0]["zones_count"], 0, "a dry run writes nothing");

    let (s, b) = call(&app, &admin, "POST", &url, Some(import(false, "zones.csv", csv.as_bytes()))).await;
    assert_eq!(
        (s, statuses(&b)),
        (
            200,
            vec!["created", "created", "created", "error", "error"].into_iter().map(String::from).collect::<Vec<_>>()
        )
    );
    // The same file again: nothing new.
    let (_, b) = call(&app, &admin, "POST", &url, Some(import(false, "zones.csv", csv.as_bytes()))).await;
    assert_eq!((b["created"].clone(), b["already"].clone()), (json!(0), json!(3)));

    // The export has the import's columns: imported back, everything is already there.
    let res = app.get(&format!("/api/v1/territories/{t}/zones/export.csv")).bearer(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let exported = res.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&exported);
    assert!(text.starts_with("\u{feff}secteur;commune;code_insee;rue;id_ban_rue"), "{text}");
    assert!(text.contains("arras;Achicourt;62004;Rue Jean Jaurès;62004_0450"), "{text}");
    assert_eq!(text.lines().count(), 4, "a header and three zones: {text}");
    let (_, b) = call(&app, &admin, "POST", &url, Some(import(false, "zones.csv", &exported))).await;
    assert_eq!(
        (b["created"].clone(), b["already"].clone(), b["errors"].clone()),
        (json!(0), json!(3), json!(0)),
        "{b}"
    );
    let other = app.sign_in_other_territory().await;
    let res = app.get(&format!("/api/v1/territories/{t}/zones/export.csv")).bearer(&other).send().await.unwrap();
    assert_eq!(res.status(), 404, "nothing leaks to another territory");

    // The same from a spreadsheet.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Secteur", "Commune", "Code INSEE"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["lens", "Liévin", "62510"].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let (s, b) = call(&app, &admin, "POST", &url, Some(import(false, "zones.xlsx", &bytes))).await;
    assert_eq!((s, statuses(&b)), (200, vec!["created".to_owned()]), "{b}");

    // Unreadable files and missing columns: 422 with a sentence.
    let (s, b) = call(&app, &admin, "POST", &url, Some(import(true, "zones.csv", b"nom;ville\nx;y\n"))).await;
    assert_eq!(s, 422, "{b}");
    assert!(b["error_messages"][0].as_str().unwrap().contains("code_insee"));
    let (s, _) = call(&app, &admin, "POST", &url, Some(import(true, "zones.pdf", b"%PDF"))).await;
    assert_eq!(s, 422);
    let sophie = app.sign_in("sophie.durand").await;
    let (s, _) = call(&app, &sophie, "POST", &url, Some(import(true, "zones.csv", csv.as_bytes()))).await;
    assert_eq!(s, 403);
}

/// The motifs of the territory that an address gets, by name: (offered, agents' last names).
fn offers(b: &Value) -> Vec<(String, String, bool, Option<Vec<String>>)> {
    b["motifs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organisation_name"].as_str().unwrap().to_owned(),
                m["name"].as_str().unwrap().to_owned(),
                m["offered"].as_bool().unwrap(),
                m["agents"].as_array().map(|a| a.iter().map(|x| x["last_name"].as_str().unwrap().to_owned()).collect()),
            )
        })
        .collect()
}

#[actix_rt::test]
async fn sectorisation_test_tells_what_an_address_gets() {
    let app = TestApp::spawn().await;
    let t = territory_of(&app);
    let admin = app.sign_in("camille.martin").await;
    let (arras, lens) = (app.organisation_id("MDS Arras"), app.organisation_id("MDS Lens"));
    let sophie = app.agent_id("sophie.durand").await;
    // Arras' online PMI motif is sectorised by agent, Lens' by organisation.
    let lens_admin = app.sign_in("isabelle.moreau").await;
    for (org, level, who) in [("MDS Arras", "agent", &admin), ("MDS Lens", "organisation", &lens_admin)] {
        let m = app.id_by_name("motifs", org, "Consultation PMI nourrisson");
        let (s, b) =
            call(&app, who, "PATCH", &format!("/api/v1/motifs/{m}"), Some(json!({"sectorisation_level": level}))).await;
        assert_eq!(s, 200, "{b}");
    }
    let sector = |name: &str| json!({"name": name, "human_id": name});
    let (_, a) =
        call(&app, &admin, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(sector("arras-ville"))).await;
    let (_, b) =
        call(&app, &admin, "POST", &format!("/api/v1/territories/{t}/sectors"), Some(sector("achicourt-rue"))).await;
    let (a, b) = (a["sector"]["id"].as_i64().unwrap(), b["sector"]["id"].as_i64().unwrap());
    let city = json!({"level": "city", "city_name": "Arras", "city_code": "62041"});
    assert_eq!(call(&app, &admin, "POST", &format!("/api/v1/sectors/{a}/zones"), Some(city)).await.0, 200);
    let street = json!({"level": "street", "city_name": "Achicourt", "city_code": "62004",
                        "street_name": "Rue Jean Jaurès", "street_ban_id": "62004_0450"});
    assert_eq!(call(&app, &admin, "POST", &format!("/api/v1/sectors/{b}/zones"), Some(street)).await.0, 200);
    let (s, _) = call(
        &app,
        &admin,
        "POST",
        &format!("/api/v1/sectors/{a}/attributions"),
        Some(json!({"organisation_id": lens})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, body) = call(
        &app,
        &admin,
        "POST",
        &format!("/api/v1/sectors/{b}/attributions"),
        Some(json!({"organisation_id": arras, "agent_id": sophie})),
    )
    .await;
    assert_eq!((s, body["sector_attribution"]["agent_name"].clone()), (200, json!("Sophie Durand")), "{body}");

    let test = |q: &str| format!("/api/v1/territories/{t}/sectorisation_test?{q}");
    let pmi = "Consultation PMI nourrisson".to_owned();
    let (s, body) = call(&app, &admin, "GET", &test("city_code=62041"), None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["sectors"][0]["human_id"], "arras-ville");
    assert_eq!(body["zones"].as_array().unwrap().len(), 1);
    let got = offers(&body);
    assert!(got.contains(&("MDS Lens".into(), pmi.clone(), true, None)), "{got:?}");
    assert!(got.contains(&("MDS Arras".into(), pmi.clone(), false, Some(vec![]))), "{got:?}");

    // The street zone only covers its street: with it, Sophie; without, nobody.
    let (_, body) = call(&app, &admin, "GET", &test("city_code=62004&street_ban_id=62004_0450"), None).await;
    assert_eq!(body["sectors"][0]["human_id"], "achicourt-rue");
    let got = offers(&body);
    assert!(got.contains(&("MDS Arras".into(), pmi.clone(), true, Some(vec!["Durand".into()]))), "{got:?}");
    assert!(got.contains(&("MDS Lens".into(), pmi.clone(), false, None)), "{got:?}");
    let (_, body) = call(&app, &admin, "GET", &test("city_code=62004"), None).await;
    assert_eq!(body["sectors"], json!([]));
    assert!(offers(&body).iter().filter(|m| m.1 == pmi).all(|m| !m.2), "{body}");
    // Motifs reserved to agents are not listed.
    assert!(offers(&body).iter().all(|m| m.1 != "Entretien assistante sociale"), "{body}");

    let (s, b) = call(&app, &admin, "GET", &test("city_code=abc"), None).await;
    assert_eq!((s, b["errors"]["city_code"][0]["error"].clone()), (422, json!("invalid")), "{b}");
    let sophie_session = app.sign_in("sophie.durand").await;
    assert_eq!(call(&app, &sophie_session, "GET", &test("city_code=62041"), None).await.0, 403);
    let other = app.sign_in_other_territory().await;
    assert_eq!(call(&app, &other, "GET", &test("city_code=62041"), None).await.0, 404);
}
