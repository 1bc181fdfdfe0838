//! Lieux: access by role (table), validation, soft delete, audit.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

#[actix_rt::test]
async fn lieux_access_table() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    // (actor, list, create, show, update) — as the reference: members list, admins manage;
    // a lieu of an organisation the actor is not in is not revealed (404).
    let expected = [
        ("admin", [200, 200, 200, 200]),
        ("basic PMI+CPEF", [200, 403, 200, 403]),
        ("basic social", [200, 403, 200, 403]),
        ("secretary", [200, 403, 200, 403]),
        ("admin of another organisation", [403, 403, 404, 404]),
        ("admin of another territory", [403, 403, 404, 404]),
        // Territorial admin rights do not open an organisation's lieux (reference §2.8).
        ("territorial admin with a role elsewhere", [403, 403, 404, 404]),
    ];
    for ((who, session), (label, codes)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let list = app.get(&format!("/api/v1/organisations/{arras}/lieux")).bearer(&session).send().await.unwrap();
        let create = app
            .post(&format!("/api/v1/organisations/{arras}/lieux"))
            .bearer(&session)
            .json(&json!({"name": format!("Salle {who}"), "address": "1 rue de la Gare, 62000 Arras"}))
            .send()
            .await
            .unwrap();
        let show = app.get(&format!("/api/v1/lieux/{lieu}")).bearer(&session).send().await.unwrap();
        let update = app
            .patch(&format!("/api/v1/lieux/{lieu}"))
            .bearer(&session)
            .json(&json!({"phone_number": "0321000000"}))
            .send()
            .await
            .unwrap();
        let got = [list.status().as_u16(), create.status().as_u16(), show.status().as_u16(), update.status().as_u16()];
        assert_eq!(got, codes, "{who}");
    }
}

#[actix_rt::test]
async fn list_create_update_disable_with_audit() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let (status, body) = json(
        app.post(&format!("/api/v1/organisations/{arras}/lieux"))
            .bearer(&admin)
            .json(&json!({"name": " Maison de quartier ", "address": "5 rue Méaulens, 62000 Arras", "latitude": 50.29, "longitude": 2.77, "phone_number": ""}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let lieu = &body["lieu"];
    assert_eq!(lieu["name"], "Maison de quartier");
    assert_eq!(lieu["phone_number"], json!(null));
    assert_eq!((lieu["availability"].as_str(), lieu["single_use"].as_bool()), (Some("enabled"), Some(false)));
    let id = lieu["id"].as_i64().unwrap() as i32;

    let (status, body) = json(
        app.patch(&format!("/api/v1/lieux/{id}"))
            .bearer(&admin)
            .json(&json!({"availability": "disabled"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["lieu"]["availability"].as_str()), (200, Some("disabled")));
    let (_, list) = json(
        app.get(&format!("/api/v1/organisations/{arras}/lieux?availability=enabled"))
            .bearer(&admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<&str> = list["lieux"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Centre social Léon Blum", "MDS Arras — Baudimont"], "sorted by name, disabled hidden");
    assert_eq!(list["meta"]["total_count"], 2);

    let versions = app.versions_of("Lieu", id);
    assert_eq!(versions.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), vec!["create", "update"]);
    assert_eq!(versions[1].1["availability"], json!(["enabled", "disabled"]));
}

#[actix_rt::test]
async fn lieu_bad_input_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}/lieux");
    let cases = vec![
        (json!({"address": "x"}), "name", "blank"),
        (json!({"name": "A", "address": "  "}), "address", "blank"),
        (json!({"name": "A", "address": "x", "availability": "closed"}), "availability", "invalid"),
        (json!({"name": "A", "address": "x", "availability": "disabled"}), "availability", "inclusion"),
        (json!({"name": "A", "address": "x", "latitude": 120.0, "longitude": 2.0}), "latitude", "invalid"),
        (json!({"name": "A", "address": "x", "latitude": 50.0}), "longitude", "blank"),
        (json!({"name": "A", "address": "x", "latitude": "north", "longitude": 2.0}), "latitude", "invalid"),
        (json!({"name": "A", "address": "x", "phone_number": "call me"}), "phone_number", "invalid"),
    ];
    for (body, field, code) in cases {
        let (status, value) = json(app.post(&path).bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 422, "{body}: {value}");
        assert_eq!(value["errors"][field][0]["error"], code, "{body}: {value}");
    }
    // A single-use lieu stays single-use.
    let (_, created) = json(
        app.post(&path)
            .bearer(&admin)
            .json(&json!({"name": "Salle du conseil", "address": "Mairie", "availability": "single_use"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = created["lieu"]["id"].as_i64().unwrap();
    let (status, value) = json(
        app.patch(&format!("/api/v1/lieux/{id}"))
            .bearer(&admin)
            .json(&json!({"availability": "enabled"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, value["errors"]["availability"][0]["error"].as_str()), (422, Some("inclusion")));
}
