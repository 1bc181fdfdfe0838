//! Motifs: access by role (table), API v1 list filters, validation, soft delete, audit, CSV export.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

async fn names(app: &TestApp, s: &common::Session, query: &str) -> Vec<String> {
    let arras = app.organisation_id("MDS Arras");
    let (status, body) =
        json(app.get(&format!("/api/v1/organisations/{arras}/motifs{query}")).bearer(s).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body["motifs"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
}

#[actix_rt::test]
async fn motifs_access_table() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let social = app.id_by_name("motifs", "MDS Arras", "Entretien assistante sociale");
    // (actor, [list, create, show social motif, update it, export, delete it], visible count)
    let expected = [
        ("admin", [200, 200, 200, 200, 200, 200], 5),
        ("basic PMI+CPEF", [200, 403, 404, 404, 403, 404], 4),
        ("basic social", [200, 403, 200, 403, 403, 403], 1),
        ("secretary", [200, 403, 200, 403, 403, 403], 5),
        ("admin of another organisation", [403, 403, 404, 404, 403, 404], 0),
        ("admin of another territory", [403, 403, 404, 404, 403, 404], 0),
        ("territorial admin with a role elsewhere", [403, 403, 404, 404, 403, 404], 0),
    ];
    for ((who, s), (label, codes, visible)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let list =
            app.get(&format!("/api/v1/organisations/{arras}/motifs?active=true")).bearer(&s).send().await.unwrap();
        let list_status = list.status().as_u16();
        let count = if list_status == 200 {
            list.json::<serde_json::Value>().await.unwrap()["meta"]["total_count"].as_i64().unwrap()
        } else {
            0
        };
        let create = app
            .post(&format!("/api/v1/organisations/{arras}/motifs"))
            .bearer(&s)
            .json(&json!({"name": format!("Motif {who}"), "service_id": 1, "color": "#123456"}))
            .send()
            .await
            .unwrap();
        let show = app.get(&format!("/api/v1/motifs/{social}")).bearer(&s).send().await.unwrap();
        let update = app
            .patch(&format!("/api/v1/motifs/{social}"))
            .bearer(&s)
            .json(&json!({"default_duration_in_min": 50}))
            .send()
            .await
            .unwrap();
        let export =
            app.get(&format!("/api/v1/organisations/{arras}/motifs/export.csv")).bearer(&s).send().await.unwrap();
        // Delete last (it only soft-deletes; later rows still see the motif).
        let delete = if label == "admin" {
            app.delete(&format!("/api/v1/motifs/{}", app.id_by_name("motifs", "MDS Arras", "Motif admin")))
                .bearer(&s)
                .send()
                .await
                .unwrap()
        } else {
            app.delete(&format!("/api/v1/motifs/{social}")).bearer(&s).send().await.unwrap()
        };
        let got = [
            list_status,
            create.status().as_u16(),
            show.status().as_u16(),
            update.status().as_u16(),
            export.status().as_u16(),
            delete.status().as_u16(),
        ];
        assert_eq!(got, codes, "{who}");
        if list_status == 200 {
            // Active motifs only: the admin's own motif is created after the list, then deleted.
            assert_eq!(count, visible, "{who} sees {count} motifs");
        }
    }
}

#[actix_rt::test]
async fn api_v1_list_filters() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    assert_eq!(names(&app, &admin, "?bookable_publicly=1").await, vec!["Consultation PMI nourrisson"]);
    assert_eq!(names(&app, &admin, "?bookable_publicly=false").await.len(), 4);
    assert_eq!(names(&app, &admin, "?service_id=2").await, vec!["Entretien assistante sociale"]);
    assert!(names(&app, &admin, "?active=false").await.is_empty());
    let atelier = app.id_by_name("motifs", "MDS Arras", "Atelier portage");
    let (status, body) =
        json(app.delete(&format!("/api/v1/motifs/{atelier}")).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["motif"]["active"], false);
    assert!(
        body["motif"]["deleted_at"].as_str().unwrap().ends_with("+01:00")
            || body["motif"]["deleted_at"].as_str().unwrap().ends_with("+02:00"),
        "Paris offset"
    );
    assert_eq!(names(&app, &admin, "?active=false").await, vec!["Atelier portage"]);
    assert_eq!(names(&app, &admin, "?active=yes").await.len(), 4);
    assert_eq!(names(&app, &admin, "").await.len(), 5, "no filter: active and deleted");
    let versions = app.versions_of("Motif", atelier);
    assert_eq!(versions.last().unwrap().0, "destroy");
}

#[actix_rt::test]
async fn create_and_update_every_setting() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let body = json!({
        "name": "Consultation prénatale", "service_id": 1, "color": "#AABBCC", "default_duration_in_min": 45,
        "location_type": "home", "bookable_by": "agents_and_prescripteurs", "min_public_booking_delay": 7200,
        "max_public_booking_delay": 2592000, "visibility_type": "visible_and_not_notified", "sectorisation_level": "agent",
        "follow_up": true, "instruction_for_rdv": "Munissez-vous de votre carte Vitale.", "rdvs_editable_by_user": false
    });
    let (status, created) = json(
        app.post(&format!("/api/v1/organisations/{arras}/motifs")).bearer(&admin).json(&body).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let m = &created["motif"];
    assert_eq!(m["color"], "#aabbcc");
    assert_eq!(m["location_type"], "home");
    assert_eq!(m["bookable_publicly"], false);
    assert_eq!(m["sectorisation_level"], "agent");
    assert_eq!(m["rdvs_editable_by_user"], false);
    assert_eq!(m["rdvs_cancellable_by_user"], true);
    assert_eq!(m["deleted_at"], json!(null));
    let id = m["id"].as_i64().unwrap() as i32;

    let (status, updated) = json(
        app.patch(&format!("/api/v1/motifs/{id}"))
            .bearer(&admin)
            .json(&json!({"bookable_by": "everyone", "instruction_for_rdv": null, "name": "Consultation prénatale (domicile)"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["motif"]["bookable_publicly"], true);
    assert_eq!(updated["motif"]["instruction_for_rdv"], json!(null));
    let (event, changes) = app.versions_of("Motif", id).pop().unwrap();
    assert_eq!(event, "update");
    assert_eq!(changes["bookable_by"], json!(["agents_and_prescripteurs", "everyone"]));
    assert_eq!(changes.as_object().unwrap().len(), 3, "{changes}");
}

#[actix_rt::test]
async fn motif_bad_input_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}/motifs");
    let ok = || json!({"name": "Nouveau", "service_id": 1, "color": "#123456"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = ok();
        b[k] = v;
        b
    };
    let cases = vec![
        (json!({"service_id": 1, "color": "#123456"}), "name", "blank"),
        (json!({"name": "X", "color": "#123456"}), "service_id", "blank"),
        (with("color", json!("bleu")), "color", "invalid"),
        (with("location_type", json!("en_ligne")), "location_type", "invalid"),
        (with("bookable_by", json!("anyone")), "bookable_by", "invalid"),
        (with("service_id", json!(4)), "service_id", "invalid"), // Secrétariat
        (with("service_id", json!(999)), "service_id", "inclusion"),
        (with("motif_category_id", json!(999)), "motif_category_id", "inclusion"),
        (with("default_duration_in_min", json!(0)), "default_duration_in_min", "invalid"),
        (with("min_public_booking_delay", json!(60)), "min_public_booking_delay", "greater_than_or_equal_to"),
        (
            json!({"name": "N", "service_id": 1, "color": "#123456", "min_public_booking_delay": 86400, "max_public_booking_delay": 3600}),
            "max_public_booking_delay",
            "greater_than",
        ),
        (
            json!({"name": "N", "service_id": 1, "color": "#123456", "collectif": true, "location_type": "phone"}),
            "location_type",
            "invalid",
        ),
        (with("name", json!("Consultation PMI nourrisson")), "name", "taken"),
        (with("unknown_setting", json!(true)), "unknown_setting", "unknown"),
    ];
    for (body, field, code) in cases {
        let (status, value) = json(app.post(&path).bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 422, "{body}: {value}");
        assert_eq!(value["errors"][field][0]["error"], code, "{body}: {value}");
        assert_eq!(value["success"], false);
    }
    let id = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let (status, value) = json(
        app.patch(&format!("/api/v1/motifs/{id}"))
            .bearer(&admin)
            .json(&json!({"max_public_booking_delay": 600}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, value["errors"]["max_public_booking_delay"][0]["error"].as_str()), (422, Some("greater_than")));
}

#[actix_rt::test]
async fn csv_export_for_admins() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let res = app.get(&format!("/api/v1/organisations/{arras}/motifs/export.csv")).bearer(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("motifs-MDS_Arras.csv"));
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 6, "header + 5 motifs");
    assert!(lines[0].starts_with("id;nom;service;"));
    assert!(lines.iter().any(|l| l.contains(";Atelier portage;PMI;") && l.contains(";oui;")), "{text}");
    assert!(lines.iter().any(|l| l.contains("Par téléphone") || l.contains("À domicile")));
}

#[actix_rt::test]
async fn motif_categories() {
    let app = TestApp::spawn().await;
    let basic = app.sign_in("sophie.durand").await;
    let (status, res) = json(app.get("/api/v1/motif_categories").bearer(&basic).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let cats = res["motif_categories"].as_array().unwrap();
    assert_eq!(cats.len(), 3);
    let sante = cats.iter().find(|c| c["short_name"] == "sante_sexuelle").unwrap()["id"].as_i64().unwrap();
    let id = app.id_by_name("motifs", "MDS Arras", "Consultation contraception");
    let (_, m) = json(app.get(&format!("/api/v1/motifs/{id}")).bearer(&basic).send().await.unwrap()).await;
    assert_eq!(m["motif"]["motif_category"]["short_name"], "sante_sexuelle");
    let admin = app.sign_in("camille.martin").await;
    let pmi = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let (status, m) = json(
        app.patch(&format!("/api/v1/motifs/{pmi}"))
            .bearer(&admin)
            .json(&json!({"motif_category_id": sante}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, m["motif"]["motif_category"]["id"].as_i64()), (200, Some(sante)));
    let (status, m) = json(
        app.patch(&format!("/api/v1/motifs/{pmi}"))
            .bearer(&admin)
            .json(&json!({"motif_category_id": null}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, m["motif"]["motif_category"].clone()), (200, json!(null)));
    assert_eq!(app.get("/api/v1/motif_categories").send().await.unwrap().status(), 401);
}
