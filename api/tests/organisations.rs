//! `/api/v1/organisations`: visibility, update rights, validation, audit, hostile input.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

#[actix_rt::test]
async fn list_shows_only_my_organisations_with_meta() {
    let app = TestApp::spawn().await;
    let sophie = app.sign_in("sophie.durand").await; // Arras + Lens
    let (status, body) = json(app.get("/api/v1/organisations").bearer(&sophie).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        body["organisations"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["MDS Arras", "MDS Lens"]);
    assert_eq!(
        body["meta"],
        json!({"current_page": 1, "next_page": null, "prev_page": null, "total_pages": 1, "total_count": 2})
    );
    assert_eq!(body["organisations"][0]["time_zone"], "Europe/Paris");
    assert_eq!(body["organisations"][0]["verticale"], "rdv_solidarites");

    let (_, page2) = json(app.get("/api/v1/organisations?page=2").bearer(&sophie).send().await.unwrap()).await;
    assert_eq!(page2["organisations"], json!([]));
    assert_eq!(page2["meta"]["total_count"], 2);
    let (status, bad) = json(app.get("/api/v1/organisations?page=abc").bearer(&sophie).send().await.unwrap()).await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["errors"]["page"][0]["error"], "invalid");
}

#[actix_rt::test]
async fn show_is_403_outside_and_404_unknown() {
    let app = TestApp::spawn().await;
    let s = app.sign_in("julien.lefebvre").await; // Arras only
    let arras = app.organisation_id("MDS Arras");
    let calais = app.organisation_id("MDS Calais");
    let (status, body) =
        json(app.get(&format!("/api/v1/organisations/{arras}")).bearer(&s).send().await.unwrap()).await;
    assert_eq!((status, body["organisation"]["name"].as_str()), (200, Some("MDS Arras")));
    let (status, body) =
        json(app.get(&format!("/api/v1/organisations/{calais}")).bearer(&s).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["errors"], json!([{"base": "forbidden"}]));
    assert!(body["error_messages"][0].as_str().unwrap().contains("droits"));
    let (status, body) = json(app.get("/api/v1/organisations/999999").bearer(&s).send().await.unwrap()).await;
    assert_eq!((status, body), (404, json!({"not_found": "organisation"})));
    for path in ["/api/v1/organisations/abc", "/api/v1/organisations/99999999999999999999", "/api/v1/organisations/-1"]
    {
        let (status, _) = json(app.get(path).bearer(&s).send().await.unwrap()).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[actix_rt::test]
async fn admin_updates_with_audit_version() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let res = app
        .patch(&format!("/api/v1/organisations/{arras}"))
        .trio(&admin)
        .json(&json!({"name": "MDS Arras Centre", "phone_number": "03 21 00 00 00", "email": "MDS.Arras@pas-de-calais.fr", "time_zone": "Europe/Paris"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["organisation"]["name"], "MDS Arras Centre");
    assert_eq!(body["organisation"]["email"], "mds.arras@pas-de-calais.fr");
    let versions = app.versions_of("Organisation", arras);
    let (event, changes) = versions.last().unwrap();
    assert_eq!(event, "update");
    assert_eq!(changes["name"], json!(["MDS Arras", "MDS Arras Centre"]));
    assert_eq!(changes["phone_number"], json!([null, "03 21 00 00 00"]));
    assert!(changes.get("time_zone").is_none(), "unchanged fields are not recorded");

    // Clearing with null / "" and an overseas zone.
    let (status, body) = json(
        app.patch(&format!("/api/v1/organisations/{arras}"))
            .bearer(&admin)
            .json(&json!({"phone_number": null, "email": "", "time_zone": "America/Cayenne"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["organisation"]["phone_number"], json!(null));
    assert_eq!(body["organisation"]["email"], json!(null));
    assert_eq!(body["organisation"]["time_zone"], "America/Cayenne");
    // A no-op update records no version.
    let before = app.versions_of("Organisation", arras).len();
    let (status, _) = json(
        app.patch(&format!("/api/v1/organisations/{arras}")).bearer(&admin).json(&json!({})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(app.versions_of("Organisation", arras).len(), before);
}

#[actix_rt::test]
async fn non_admins_cannot_update() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let basic = app.sign_in("sophie.durand").await;
    let admin_arras = app.sign_in("camille.martin").await;
    for (s, org) in [(&basic, arras), (&admin_arras, lens)] {
        let (status, _) = json(
            app.patch(&format!("/api/v1/organisations/{org}"))
                .bearer(s)
                .json(&json!({"name": "X"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 403);
    }
    assert_eq!(app.versions_of("Organisation", lens).len(), 1, "only the creation");
}

#[actix_rt::test]
async fn validation_errors_are_422_with_fields() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}");
    let cases = vec![
        (json!({"name": "  "}), "name", "blank"),
        (json!({"name": "MDS Lens"}), "name", "taken"),
        (json!({"time_zone": "Europe/Pariss"}), "time_zone", "invalid"),
        (json!({"phone_number": "call me"}), "phone_number", "invalid"),
        (json!({"email": "not-an-email"}), "email", "invalid"),
        (json!({"name": 12}), "name", "invalid"),
        (json!({"colour": "red"}), "colour", "unknown"),
    ];
    for (body, field, code) in cases {
        let (status, value) = json(app.patch(&path).bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 422, "{body} → {value}");
        assert_eq!(value["success"], false);
        assert_eq!(value["errors"][field][0]["error"], code, "{body} → {value}");
        assert!(!value["error_messages"].as_array().unwrap().is_empty());
    }
    let (_, org) = json(app.get(&path).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(org["organisation"]["name"], "MDS Arras", "nothing was written");
}

#[actix_rt::test]
async fn hostile_bodies_never_500() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}");
    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(200 * 1024));
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, String, u16)> = vec![
        ("application/json", "{\"name\": ".into(), 400),
        ("application/json", "not json at all".into(), 400),
        ("application/json", huge, 413),
        ("application/json", nested, 422),
        ("application/json", "\"just a string\"".into(), 422),
        ("application/json", "{\"name\": \"\\ud800\"}".into(), 400),
        ("application/xml", "<name/>".into(), 415),
        ("application/x-www-form-urlencoded", "name=x".into(), 415),
    ];
    for (ct, body, expected) in cases {
        let res = app.patch(&path).bearer(&admin).header("content-type", ct).body(body.clone()).send().await.unwrap();
        let (status, value) = json(res).await;
        assert_eq!(status, expected, "{ct} {} → {value}", &body[..body.len().min(40)]);
        assert!(value["errors"].is_array() || value["errors"].is_object());
    }
}

#[actix_rt::test]
async fn concurrent_updates_all_land_with_their_versions() {
    // SQLite write transactions begin IMMEDIATE: concurrent writers wait instead of failing.
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}");
    let requests = (0..20)
        .map(|i| app.patch(&path).bearer(&admin).json(&json!({"phone_number": format!("03 21 00 00 {i:02}")})).send());
    let results = futures_util::future::join_all(requests).await;
    for r in results {
        assert_eq!(r.unwrap().status(), 200);
    }
    let updates = app.versions_of("Organisation", arras).into_iter().filter(|(e, _)| e == "update").count();
    assert_eq!(updates, 20);
}
