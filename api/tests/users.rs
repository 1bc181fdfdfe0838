//! Usagers over HTTP (reference-api-v1.md §3.2–3.4): create / show / list / update, e-mail
//! taken with the existing id, field toggles and frozen notes, territory visibility and masked
//! search, family rules, invitation token, access by role.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, Session, TestApp};
use serde_json::{json, Value};

/// Creates a usager in the organisations given, as `who`; returns the whole answer.
pub async fn create(app: &TestApp, who: &Session, body: Value) -> (u16, Value) {
    json(app.post("/api/v1/users").bearer(who).json(&body).send().await.unwrap()).await
}

async fn get(app: &TestApp, who: &Session, path: &str) -> (u16, Value) {
    json(app.get(path).bearer(who).send().await.unwrap()).await
}

async fn patch(app: &TestApp, who: &Session, path: &str, body: Value) -> (u16, Value) {
    json(app.patch(path).bearer(who).json(&body).send().await.unwrap()).await
}

#[actix_rt::test]
async fn create_show_list_update_like_the_reference() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let agent = app.sign_in("sophie.durand").await;
    let (status, body) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": " Jeanne ", "last_name": "Dupont", "birth_date": "1990-05-04",
               "email": "Jeanne.Dupont.@Example..fr", "phone_number": "06 12 34 56 78", "address": "3 rue Pasteur, 62000 Arras"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let user = &body["user"];
    let id = user["id"].as_i64().unwrap();
    assert_eq!(user["first_name"], "Jeanne");
    assert_eq!(user["email"], "jeanne.dupont@example.fr", "typos corrected, lower-cased");
    assert_eq!(user["phone_number"], "06 12 34 56 78", "as entered");
    assert_eq!(user["phone_number_formatted"], "+33612345678");
    assert_eq!(user["created_through"], "agent_creation_api");
    assert_eq!(user["notify_by_sms"], true);
    assert_eq!(user["user_profiles"], Value::Null, "null outside show endpoints");
    assert!(user.get("notes").is_none(), "disabled fields are not returned");
    assert!(user.get("caisse_affiliation").is_none());
    assert_eq!(body["duplicates"], json!([]));

    let (status, shown) = get(&app, &agent, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["user"]["user_profiles"][0]["organisation"]["id"], arras);
    assert_eq!(shown["user"]["referent_agents"], json!([]));

    let (_, list) = get(&app, &agent, "/api/v1/users").await;
    assert_eq!(list["meta"]["total_count"], 1);
    assert_eq!(list["users"][0]["id"], id);
    let (_, list) = get(&app, &agent, &format!("/api/v1/users?ids[]={id}&ids[]=999999")).await;
    assert_eq!(list["users"].as_array().unwrap().len(), 1);
    let (status, _) = get(&app, &agent, "/api/v1/users?ids[]=abc").await;
    assert_eq!(status, 422);

    let (status, org_user) = get(&app, &agent, &format!("/api/v1/organisations/{arras}/users/{id}")).await;
    assert_eq!((status, org_user["user"]["id"].as_i64()), (200, Some(id)));
    let lens = app.organisation_id("MDS Lens");
    let (status, body) = get(&app, &agent, &format!("/api/v1/organisations/{lens}/users/{id}")).await;
    assert_eq!((status, body), (404, json!({"not_found": "user"})), "not in that organisation");
    let (status, _) = get(&app, &agent, "/api/v1/organisations/999999/users/1").await;
    assert_eq!(status, 404);

    let (status, updated) = patch(
        &app,
        &agent,
        &format!("/api/v1/users/{id}"),
        json!({"phone_number": "0692 12 34 56", "birth_name": null}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["user"]["phone_number_formatted"], "+262692123456", "La Réunion");
    let (status, body) = patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"phone_number": "12"})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["phone_number"][0]["error"], "invalid");
    let (status, body) = patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"birth_date": "2990-01-01"})).await;
    assert_eq!((status, body["errors"]["birth_date"][0]["error"].as_str()), (422, Some("out_of_range")));
    let (status, body) = patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"birth_date": "2100-01-01"})).await;
    assert_eq!((status, body["errors"]["birth_date"][0]["error"].as_str()), (422, Some("invalid")), "in the future");
    let (status, body) =
        patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"caisse_affiliation": "foo"})).await;
    assert_eq!(status, 422, "a bad enum is a 422, not the reference's 500: {body}");
    let (status, _) = patch(&app, &agent, "/api/v1/users/999999", json!({"first_name": "X"})).await;
    assert_eq!(status, 404);

    // Every write is audited; history is for admins.
    let versions = app.versions_of("User", id as i32);
    assert_eq!(versions.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(), vec!["create", "update"]);
    let (status, _) = get(&app, &agent, &format!("/api/v1/versions?item_type=User&item_id={id}")).await;
    assert_eq!(status, 404, "basic agents do not read usager history");
    let admin = app.sign_in("camille.martin").await;
    let (status, history) = get(&app, &admin, &format!("/api/v1/versions?item_type=User&item_id={id}")).await;
    assert_eq!(status, 200);
    assert_eq!(history["versions"][0]["changes"]["phone_number_formatted"][1], "+262692123456");
}

#[actix_rt::test]
async fn required_fields_taken_email_and_organisations() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let calais = app.organisation_id("MDS Calais");
    let agent = app.sign_in("sophie.durand").await;
    let (status, body) = create(&app, &agent, json!({"first_name": "A", "last_name": "B"})).await;
    assert_eq!((status, body["errors"]["organisation_ids"][0]["error"].as_str()), (422, Some("blank")));
    let (status, body) = create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "  "})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["first_name"][0]["error"], "blank");
    assert_eq!(body["errors"]["last_name"][0]["error"], "blank");
    let (status, _) =
        create(&app, &agent, json!({"organisation_ids": [999999], "first_name": "A", "last_name": "B"})).await;
    assert_eq!(status, 404);
    let (status, _) =
        create(&app, &agent, json!({"organisation_ids": [calais], "first_name": "A", "last_name": "B"})).await;
    assert_eq!(status, 403, "not a member of any of the organisations");

    let (_, first) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "Ali", "last_name": "Ben", "email": "ali@exemple.fr"}),
    )
    .await;
    let first_id = first["user"]["id"].clone();
    let (status, body) =
        create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "Autre", "last_name": "Personne", "email": " ALI@exemple.fr"})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["email"][0], json!({"error": "taken", "value": "ali@exemple.fr", "id": first_id}));
    assert!(body["error_messages"][0].as_str().unwrap().starts_with("email "));
    let (status, body) =
        create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "A", "last_name": "B", "email": ""}))
            .await;
    assert_eq!((status, body["user"]["email"].clone()), (200, Value::Null), "blank e-mail stored as null");
}

#[actix_rt::test]
async fn field_toggles_and_frozen_notes() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let agent = app.sign_in("sophie.durand").await;
    let territorial = app.sign_in("camille.martin").await;
    let (status, body) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "A", "last_name": "B", "notes": "suivi", "caisse_affiliation": "caf"}),
    )
    .await;
    assert_eq!(status, 422, "disabled fields are not accepted");
    assert_eq!(body["errors"]["notes"][0]["error"], "disabled");
    assert_eq!(body["errors"]["caisse_affiliation"][0]["error"], "disabled");
    let (status, _) =
        create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "A", "last_name": "B", "notes": null, "affiliation_number": ""})).await;
    assert_eq!(status, 200, "empty values of disabled fields are harmless (integrators send them)");

    let t = app
        .state
        .pool
        .get()
        .map(|mut c| rdv_api::db::models::territory::find_by_name(&mut c, "Pas-de-Calais").unwrap().unwrap().id)
        .unwrap();
    let (status, _) = patch(
        &app,
        &territorial,
        &format!("/api/v1/territories/{t}"),
        json!({"enable_notes_field": true, "enable_caisse_affiliation_field": true, "enable_pmi_case_number_field": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "C", "last_name": "D", "notes": "suivi", "caisse_affiliation": "caf", "pmi_case_number": "PMI-42"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["user"]["id"].as_i64().unwrap();
    assert_eq!(
        (body["user"]["notes"].as_str(), body["user"]["caisse_affiliation"].as_str()),
        (Some("suivi"), Some("caf"))
    );
    assert_eq!(body["user"]["pmi_case_number"], "PMI-42");
    assert!(body["user"].get("logement").is_none(), "still disabled");

    let (status, _) =
        patch(&app, &territorial, &format!("/api/v1/territories/{t}"), json!({"notes_frozen": true})).await;
    assert_eq!(status, 200);
    let (status, body) = patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"notes": "autre chose"})).await;
    assert_eq!((status, body["errors"]["notes"][0]["error"].as_str()), (422, Some("frozen")));
    let (status, body) =
        patch(&app, &agent, &format!("/api/v1/users/{id}"), json!({"notes": "suivi", "first_name": "Cé"})).await;
    assert_eq!(status, 200, "sending the unchanged notes back is fine: {body}");
    assert_eq!(body["user"]["notes"], "suivi", "frozen notes are still shown");
}

#[actix_rt::test]
async fn territory_visibility_masked_search_and_attach() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let arras_agent = app.sign_in("julien.lefebvre").await;
    let lens_agent = app.sign_in("lucas.petit").await;
    let (_, body) = create(
        &app,
        &arras_agent,
        json!({"organisation_ids": [arras], "first_name": "Éloïse", "last_name": "Carón", "birth_date": "1988-02-03", "phone_number": "0612345678", "email": "eloise@exemple.fr"}),
    )
    .await;
    let id = body["user"]["id"].as_i64().unwrap();

    let (status, _) = get(&app, &lens_agent, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, 403, "another organisation of the territory");
    let (_, list) = get(&app, &lens_agent, "/api/v1/users").await;
    assert_eq!(list["meta"]["total_count"], 0, "not listed either");
    let (status, found) = get(&app, &lens_agent, "/api/v1/users/search?q=eloise%20caron").await;
    assert_eq!(status, 200);
    assert_eq!(found["users"], json!([]));
    let masked = &found["other_users"][0];
    assert_eq!(masked["id"], id);
    assert_eq!(masked["masked"], true);
    assert_eq!(masked["birth_date"], "03/02/****");
    assert_eq!(masked["phone_number"], "06******78");
    assert_eq!(masked["email"], "e****e@exemple.fr");
    let other = app.sign_in_other_territory().await;
    let (_, found) = get(&app, &other, "/api/v1/users/search?q=eloise").await;
    assert_eq!(
        (found["users"].clone(), found["other_users"].clone()),
        (json!([]), json!([])),
        "other territories see nothing"
    );
    let (status, _) = json(
        app.post("/api/v1/user_profiles")
            .bearer(&other)
            .json(&json!({"organisation_id": arras, "user_id": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);

    // "Ajouter à mon organisation".
    let (status, body) = json(
        app.post("/api/v1/user_profiles")
            .bearer(&lens_agent)
            .json(&json!({"organisation_id": lens, "user_id": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_profile"]["organisation"]["id"], lens);
    assert_eq!(body["user_profile"]["user"]["id"], id);
    let (status, body) = json(
        app.post("/api/v1/user_profiles")
            .bearer(&lens_agent)
            .json(&json!({"organisation_id": lens, "user_id": id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"]["user_id"][0]["error"].as_str()), (422, Some("taken")));
    let (status, body) = json(
        app.post("/api/v1/user_profiles")
            .bearer(&lens_agent)
            .json(&json!({"organisation_id": lens, "user_id": 999999}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["error_messages"][0].as_str()), (422, Some("user doit exister")));
    let (status, shown) = get(&app, &lens_agent, &format!("/api/v1/users/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(shown["user"]["user_profiles"].as_array().unwrap().len(), 1, "only the organisations the caller sees");
    let (_, found) = get(&app, &lens_agent, "/api/v1/users/search?q=06%2012%2034").await;
    assert_eq!(found["users"][0]["masked"], false);
    assert_eq!(found["users"][0]["phone_number"], "0612345678");

    // Décloisonnement: with the territory flag, usagers of every organisation are visible.
    let (_, calais_user) = create(
        &app,
        &app.sign_in("hugo.garnier").await,
        json!({"organisation_ids": [app.organisation_id("MDS Calais")], "first_name": "Zoé", "last_name": "Vasseur"}),
    )
    .await;
    let calais_id = calais_user["user"]["id"].as_i64().unwrap();
    let (status, _) = get(&app, &lens_agent, &format!("/api/v1/users/{calais_id}")).await;
    assert_eq!(status, 403);
    let territorial = app.sign_in("camille.martin").await;
    let t = app
        .state
        .pool
        .get()
        .map(|mut c| rdv_api::db::models::territory::find_by_name(&mut c, "Pas-de-Calais").unwrap().unwrap().id)
        .unwrap();
    patch(
        &app,
        &territorial,
        &format!("/api/v1/territories/{t}"),
        json!({"visible_users_throughout_the_territory": true}),
    )
    .await;
    let (status, _) = get(&app, &lens_agent, &format!("/api/v1/users/{calais_id}")).await;
    assert_eq!(status, 200);
    let (_, list) = get(&app, &lens_agent, &format!("/api/v1/organisations/{lens}/users")).await;
    assert_eq!(list["meta"]["total_count"], 2);

    // Those reads from another organisation are logged for the usager's admins, once per ten
    // minutes and part; their own organisation's reads are not.
    let (status, _) = get(&app, &lens_agent, &format!("/api/v1/users/{calais_id}")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, &lens_agent, &format!("/api/v1/users/{calais_id}/rdvs")).await;
    assert_eq!(status, 200);
    let calais_admin = app.sign_in("claire.fontaine").await;
    let (status, _) = get(&app, &calais_admin, &format!("/api/v1/users/{calais_id}")).await;
    assert_eq!(status, 200);
    let reads = format!("/api/v1/users/{calais_id}/reads");
    let (status, log) = get(&app, &calais_admin, &reads).await;
    assert_eq!(status, 200, "{log}");
    let lines: Vec<(String, String)> = log["usager_reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["agent_name"].as_str().unwrap().to_owned(), r["action"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        lines,
        vec![("Lucas Petit".to_owned(), "rdvs".to_owned()), ("Lucas Petit".to_owned(), "show".to_owned())]
    );
    assert_eq!(log["meta"]["total_count"], 2);
    // Only the usager's organisations' admins see the log.
    let (status, _) = get(&app, &lens_agent, &reads).await;
    assert_eq!(status, 403);
    let (status, _) = get(&app, &app.sign_in("hugo.garnier").await, &reads).await;
    assert_eq!(status, 403, "a basic agent of its organisation");
}

#[actix_rt::test]
async fn family_cell_rules() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let agent = app.sign_in("sophie.durand").await; // member of Arras and Lens
    let (_, mother) = create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "Aline", "last_name": "Payet", "phone_number": "0612121212", "address": "1 rue Haute, 62000 Arras"})).await;
    let mother_id = mother["user"]["id"].as_i64().unwrap();
    let (status, child) = create(
        &app,
        &agent,
        json!({"organisation_ids": [lens], "first_name": "Noé", "last_name": "Payet", "birth_date": "2020-01-01", "responsible_id": mother_id, "phone_number": "0612121212"}),
    )
    .await;
    assert_eq!(status, 200, "{child}");
    let child_id = child["user"]["id"].as_i64().unwrap();
    assert_eq!(child["user"]["responsible_id"], mother_id);
    assert_eq!(child["user"]["responsible"]["id"], mother_id, "nested responsable");
    assert_eq!(
        child["user"]["address"], "1 rue Haute, 62000 Arras",
        "a relative without address shows the responsable's"
    );
    assert_eq!(child["duplicates"], json!([]), "sharing the responsable's phone is not a duplicate");

    // The cell shares its organisations.
    let orgs = |v: &Value| {
        let mut o: Vec<i64> = v["user"]["user_profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["organisation"]["id"].as_i64().unwrap())
            .collect();
        o.sort();
        o
    };
    let mut both = vec![arras as i64, lens as i64];
    both.sort();
    assert_eq!(orgs(&get(&app, &agent, &format!("/api/v1/users/{mother_id}")).await.1), both);
    assert_eq!(orgs(&get(&app, &agent, &format!("/api/v1/users/{child_id}")).await.1), both);
    let (_, shown) = get(&app, &agent, &format!("/api/v1/users/{mother_id}")).await;
    assert_eq!(shown["user"]["relatives"][0]["id"], child_id);

    // One level, no cycles.
    let (status, body) =
        patch(&app, &agent, &format!("/api/v1/users/{mother_id}"), json!({"responsible_id": mother_id})).await;
    assert_eq!((status, body["errors"]["responsible_id"][0]["error"].as_str()), (422, Some("self_responsible")));
    let (status, body) =
        patch(&app, &agent, &format!("/api/v1/users/{mother_id}"), json!({"responsible_id": child_id})).await;
    assert_eq!(status, 422, "the responsable of my responsable: a cycle");
    let codes: Vec<&str> =
        body["errors"]["responsible_id"].as_array().unwrap().iter().map(|e| e["error"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["responsible_is_relative", "has_relatives"]);
    let (_, other) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "Léo", "last_name": "Payet", "responsible_id": child_id}),
    )
    .await;
    assert_eq!(other["errors"]["responsible_id"][0]["error"], "responsible_is_relative");
    let (status, body) =
        patch(&app, &agent, &format!("/api/v1/users/{child_id}"), json!({"responsible_id": null})).await;
    assert_eq!(
        (status, body["user"]["responsible_id"].clone()),
        (200, Value::Null),
        "a relative becomes a responsable"
    );
}

#[actix_rt::test]
async fn invitation_token_is_stable_and_access_is_checked() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let agent = app.sign_in("sophie.durand").await;
    let (_, body) =
        create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "Sans", "last_name": "Email"})).await;
    let id = body["user"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}/rdv_invitation_token");
    let (status, first) = json(app.post(&path).bearer(&agent).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let token = first["invitation_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 8);
    assert!(token.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{token}");
    let (_, second) = json(app.post(&path).bearer(&agent).send().await.unwrap()).await;
    assert_eq!(second["invitation_token"], token.as_str(), "generated once, then reused");
    let (_, shown) = get(&app, &agent, &format!("/api/v1/users/{id}")).await;
    assert_eq!(shown["user"]["invited_through"], "external");
    let (status, _) = json(app.post(&path).bearer(&app.sign_in("isabelle.moreau").await).send().await.unwrap()).await;
    assert_eq!(status, 403);
    let (status, body) =
        json(app.post("/api/v1/users/999999/rdv_invitation_token").bearer(&agent).send().await.unwrap()).await;
    assert_eq!((status, body), (404, json!({"not_found": "user"})));
    let (status, _) = json(app.post(&path).send().await.unwrap()).await;
    assert_eq!(status, 401);
}

#[actix_rt::test]
async fn access_by_role_table() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let (_, body) = create(
        &app,
        &app.sign_in("camille.martin").await,
        json!({"organisation_ids": [arras], "first_name": "Table", "last_name": "Usager"}),
    )
    .await;
    let id = body["user"]["id"].as_i64().unwrap();
    // (actor, show, update, create in Arras, RGPD export)
    let expected = [
        ("admin", [200, 200, 200, 200]),
        ("basic PMI+CPEF", [200, 200, 200, 403]),
        ("basic social", [200, 200, 200, 403]),
        ("secretary", [200, 200, 200, 403]),
        ("admin of another organisation", [403, 403, 403, 403]),
        ("admin of another territory", [403, 403, 403, 403]),
        ("territorial admin with a role elsewhere", [403, 403, 403, 403]),
    ];
    for ((who, session), (label, codes)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let show = get(&app, &session, &format!("/api/v1/users/{id}")).await.0;
        let update =
            patch(&app, &session, &format!("/api/v1/users/{id}"), json!({"address": format!("chez {who}")})).await.0;
        let create =
            create(&app, &session, json!({"organisation_ids": [arras], "first_name": "Par", "last_name": who})).await.0;
        let export = get(&app, &session, &format!("/api/v1/users/{id}/export")).await.0;
        assert_eq!([show, update, create, export], codes, "{who}");
    }
}
