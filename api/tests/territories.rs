//! Territory settings, the service catalogue, organisation creation, and record history.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

fn territory_id(app: &TestApp) -> i32 {
    let mut conn = app.state.pool.get().unwrap();
    rdv_api::db::models::territory::find_by_name(&mut conn, "Pas-de-Calais").unwrap().unwrap().id
}

#[actix_rt::test]
async fn territory_access_table() {
    let app = TestApp::spawn().await;
    let t = territory_id(&app);
    // (actor, [show, update, create organisation, history])
    let expected = [
        ("admin", [200, 200, 200, 200]), // Camille is also territorial admin
        ("basic PMI+CPEF", [200, 403, 403, 200]),
        ("basic social", [200, 403, 403, 200]),
        ("secretary", [200, 403, 403, 200]),
        ("admin of another organisation", [200, 403, 403, 200]),
        ("admin of another territory", [404, 404, 403, 404]),
        ("territorial admin with a role elsewhere", [200, 200, 200, 200]),
    ];
    for ((who, s), (label, codes)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let show = app.get(&format!("/api/v1/territories/{t}")).bearer(&s).send().await.unwrap();
        let update = app
            .patch(&format!("/api/v1/territories/{t}"))
            .bearer(&s)
            .json(&json!({"enable_notes_field": true}))
            .send()
            .await
            .unwrap();
        let create = app
            .post("/api/v1/organisations")
            .bearer(&s)
            .json(&json!({"territory_id": t, "name": format!("MDS {who}")}))
            .send()
            .await
            .unwrap();
        let history =
            app.get(&format!("/api/v1/versions?item_type=Territory&item_id={t}")).bearer(&s).send().await.unwrap();
        let got =
            [show.status().as_u16(), update.status().as_u16(), create.status().as_u16(), history.status().as_u16()];
        assert_eq!(got, codes, "{who}");
    }
}

#[actix_rt::test]
async fn territorial_admin_changes_settings_and_services() {
    let app = TestApp::spawn().await;
    let t = territory_id(&app);
    let admin = app.sign_in("camille.martin").await;
    let body = json!({"enable_caisse_affiliation_field": true, "visible_users_throughout_the_territory": true, "service_ids": [1, 2, 3, 3]});
    let (status, res) =
        json(app.patch(&format!("/api/v1/territories/{t}")).bearer(&admin).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{res}");
    let territory = &res["territory"];
    assert_eq!(territory["enable_caisse_affiliation_field"], true);
    assert_eq!(territory["enable_notes_field"], false);
    assert_eq!(territory["visible_users_throughout_the_territory"], true);
    assert_eq!(territory["service_ids"], json!([1, 2, 3]));
    let (_, res) = json(
        app.patch(&format!("/api/v1/territories/{t}"))
            .bearer(&admin)
            .json(&json!({"service_ids": [1]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(res["territory"]["service_ids"], json!([1]));

    let basic = app.sign_in("sophie.durand").await;
    let (status, services) = json(app.get("/api/v1/services").bearer(&basic).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let offered: Vec<(String, usize)> = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["short_name"].as_str().unwrap().to_owned(), s["offered_in_territory_ids"].as_array().unwrap().len())
        })
        .collect();
    assert_eq!(offered[0], ("PMI".into(), 1));
    assert_eq!(offered.iter().filter(|(_, n)| *n == 1).count(), 1, "{offered:?}");
    assert_eq!(services["meta"]["total_count"], 4);

    // History: newest first, with the author's name and the changed fields.
    let (status, history) = json(
        app.get(&format!("/api/v1/versions?item_type=Territory&item_id={t}")).bearer(&basic).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let latest = &history["versions"][0];
    assert_eq!(latest["event"], "update");
    assert_eq!(latest["author_name"], "Camille Martin");
    assert_eq!(latest["changes"]["enable_caisse_affiliation_field"], json!([false, true]));
    let oldest = history["versions"].as_array().unwrap().last().unwrap();
    assert_eq!((oldest["event"].as_str(), oldest["author_name"].as_str()), (Some("create"), Some("seed")));

    for bad in [
        json!({"service_ids": [99]}),
        json!({"departement_number": "6200"}),
        json!({"name": ""}),
        json!({"enable_notes_field": "yes"}),
    ] {
        let (status, res) =
            json(app.patch(&format!("/api/v1/territories/{t}")).bearer(&admin).json(&bad).send().await.unwrap()).await;
        assert_eq!(status, 422, "{bad}: {res}");
    }
}

#[actix_rt::test]
async fn organisation_creation_and_details() {
    let app = TestApp::spawn().await;
    let t = territory_id(&app);
    let admin = app.sign_in("camille.martin").await;
    let body = json!({"territory_id": t, "name": "MDS Boulogne", "time_zone": "Europe/Paris", "phone_number": "03 21 10 10 10",
        "website": "https://www.pasdecalais.fr", "horaires": "Du lundi au vendredi, 9h–12h et 13h30–17h", "external_id": "MDS-BOUL"});
    let (status, res) = json(app.post("/api/v1/organisations").bearer(&admin).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{res}");
    let org = &res["organisation"];
    assert_eq!(org["external_id"], "MDS-BOUL");
    assert_eq!(org["website"], "https://www.pasdecalais.fr");
    let id = org["id"].as_i64().unwrap() as i32;
    assert_eq!(
        app.versions_of("Organisation", id).iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(),
        vec!["create", "update"]
    );

    let cases = vec![
        (json!({"territory_id": t, "name": "MDS Arras"}), "name", "taken"),
        (json!({"territory_id": t, "name": "X", "time_zone": "Paris"}), "time_zone", "invalid"),
        (json!({"territory_id": t, "name": "Y", "external_id": "MDS-BOUL"}), "external_id", "taken"),
        (json!({"territory_id": t, "name": "Z", "website": "pasdecalais"}), "website", "invalid"),
        (json!({"name": "W"}), "territory_id", "blank"),
    ];
    for (body, field, code) in cases {
        let (status, res) =
            json(app.post("/api/v1/organisations").bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(res["errors"][field][0]["error"], code, "{body}: {res}");
    }
    // A failed creation leaves nothing behind (the write transaction rolled back).
    let (_, list) = json(app.get("/api/v1/organisations").bearer(&admin).send().await.unwrap()).await;
    assert_eq!(list["meta"]["total_count"], 1, "Camille has a role in MDS Arras only");
    let mut conn = app.state.pool.get().unwrap();
    use diesel::prelude::*;
    let names: Vec<String> = rdv_api::db::schema::organisations::table
        .select(rdv_api::db::schema::organisations::name)
        .load(&mut *conn)
        .unwrap();
    assert!(!names.contains(&"Y".to_owned()) && !names.contains(&"Z".to_owned()), "{names:?}");
}

#[actix_rt::test]
async fn history_of_items_follows_read_access() {
    let app = TestApp::spawn().await;
    let motif = app.id_by_name("motifs", "MDS Arras", "Entretien assistante sociale");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let arras = app.organisation_id("MDS Arras");
    let julien = app.agent_id("julien.lefebvre").await;
    // (actor, [motif (social), lieu, organisation, agent Julien])
    let expected = [
        ("admin", [200, 200, 200, 200]),
        ("basic PMI+CPEF", [404, 200, 200, 404]),
        ("basic social", [200, 200, 200, 200]),
        ("secretary", [200, 200, 200, 200]),
        ("admin of another organisation", [404, 404, 404, 404]),
        ("admin of another territory", [404, 404, 404, 404]),
        // The territory's agents are visible to its territorial admins, its organisations' records are not.
        ("territorial admin with a role elsewhere", [404, 404, 404, 200]),
    ];
    for ((who, s), (label, codes)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let mut got = [0u16; 4];
        for (i, (t, id)) in
            [("Motif", motif), ("Lieu", lieu), ("Organisation", arras), ("Agent", julien)].into_iter().enumerate()
        {
            got[i] = app
                .get(&format!("/api/v1/versions?item_type={t}&item_id={id}"))
                .bearer(&s)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
        }
        assert_eq!(got, codes, "{who}");
    }
    let admin = app.sign_in("camille.martin").await;
    let (status, res) =
        json(app.get("/api/v1/versions?item_type=AuthToken&item_id=1").bearer(&admin).send().await.unwrap()).await;
    assert_eq!((status, res["errors"]["item_type"][0]["error"].as_str()), (422, Some("inclusion")));
    let (status, _) = json(app.get("/api/v1/versions?item_type=Motif").bearer(&admin).send().await.unwrap()).await;
    assert_eq!(status, 422);
}
