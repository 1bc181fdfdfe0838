//! Usager lifecycle over HTTP: duplicate warnings (responsables and relatives), referents,
//! merge, anonymisation when leaving the last organisation, search ranking and formats, the
//! RGPD export, and the partner shared-secret auth on users endpoints.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, Session, TestApp};
use serde_json::{json, Value};

async fn create(app: &TestApp, who: &Session, body: Value) -> (u16, Value) {
    json(app.post("/api/v1/users").bearer(who).json(&body).send().await.unwrap()).await
}

async fn get(app: &TestApp, who: &Session, path: &str) -> (u16, Value) {
    json(app.get(path).bearer(who).send().await.unwrap()).await
}

fn id(v: &Value) -> i64 {
    v["user"]["id"].as_i64().unwrap()
}

#[actix_rt::test]
async fn duplicate_warnings_for_responsables_and_relatives() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let arras_agent = app.sign_in("julien.lefebvre").await;
    let lens_agent = app.sign_in("lucas.petit").await;
    let (_, first) = create(&app, &arras_agent, json!({"organisation_ids": [arras], "first_name": "Hélène", "last_name": "Lefèvre", "birth_date": "1985-06-07", "phone_number": "07 61 23 45 67"})).await;
    let first_id = id(&first);

    // Same names (case, accents) and birth date, from another organisation: warning, masked.
    let (status, second) = create(
        &app,
        &lens_agent,
        json!({"organisation_ids": [lens], "first_name": "HELENE", "last_name": "lefevre", "birth_date": "1985-06-07"}),
    )
    .await;
    assert_eq!(status, 200, "a warning never blocks");
    let dup = &second["duplicates"][0];
    assert_eq!(dup["user"]["id"], first_id);
    assert_eq!(dup["reasons"], json!(["identity"]));
    assert_eq!(dup["user"]["masked"], true, "seen from Lens: masked");
    assert_eq!(dup["user"]["phone_number"], "07******67");

    // Same phone in another format: warning, in full for the same organisation.
    let (_, third) = create(&app, &arras_agent, json!({"organisation_ids": [arras], "first_name": "Paul", "last_name": "Autre", "phone_number": "+33761234567"})).await;
    assert_eq!(third["duplicates"][0]["reasons"], json!(["phone"]));
    assert_eq!(third["duplicates"][0]["user"]["masked"], false);

    // Relatives too (seed 000, RDV-S #1509): a child recorded twice in two families.
    let (_, mother) =
        create(&app, &arras_agent, json!({"organisation_ids": [arras], "first_name": "Maya", "last_name": "Grondin"}))
            .await;
    let (_, child) = create(&app, &arras_agent, json!({"organisation_ids": [arras], "first_name": "Timéo", "last_name": "Grondin", "birth_date": "2021-03-04", "responsible_id": id(&mother)})).await;
    let (_, father) =
        create(&app, &lens_agent, json!({"organisation_ids": [lens], "first_name": "Marc", "last_name": "Grondin"}))
            .await;
    let (_, again) = create(&app, &lens_agent, json!({"organisation_ids": [lens], "first_name": "Timeo", "last_name": "GRONDIN", "birth_date": "2021-03-04", "responsible_id": id(&father)})).await;
    assert_eq!(again["duplicates"][0]["user"]["id"], id(&child));
    assert_eq!(again["duplicates"][0]["user"]["responsible_id"], id(&mother));

    // The check endpoint the form calls while typing; the usager being edited is left out.
    let (status, found) = json(
        app.post("/api/v1/users/duplicates")
            .bearer(&arras_agent)
            .json(&json!({"first_name": "helene", "last_name": "LEFEVRE", "birth_date": "1985-06-07", "user_id": first_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<i64> =
        found["duplicates"].as_array().unwrap().iter().map(|d| d["user"]["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![id(&second)]);
    // An update reports only what its changes raise.
    let (_, updated) = json(
        app.patch(&format!("/api/v1/users/{}", id(&third)))
            .bearer(&arras_agent)
            .json(&json!({"address": "2 rue Neuve"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(updated["duplicates"], json!([]));
}

#[actix_rt::test]
async fn referents_are_never_duplicated() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let agent = app.sign_in("sophie.durand").await;
    let referent = app.agent_id("julien.lefebvre").await;
    let (_, u) = create(&app, &agent, json!({"organisation_ids": [arras], "first_name": "Réf", "last_name": "Érent", "referent_agent_ids": [referent, referent]})).await;
    let user_id = id(&u);
    let (_, shown) = get(&app, &agent, &format!("/api/v1/users/{user_id}")).await;
    assert_eq!(shown["user"]["referent_agents"].as_array().unwrap().len(), 1, "given twice, recorded once");
    let body = json!({"agent_id": referent, "user_id": user_id});
    let (status, res) =
        json(app.post("/api/v1/referent_assignations").bearer(&agent).json(&body).send().await.unwrap()).await;
    assert_eq!((status, res["errors"]["user_id"][0]["error"].as_str()), (422, Some("taken")));
    let other = app.agent_id("thomas.leroy").await;
    let (status, res) = json(
        app.post("/api/v1/referent_assignations")
            .bearer(&agent)
            .json(&json!({"agent_id": other, "user_id": user_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["referent_assignation"]["agent"]["id"], other);
    assert_eq!(res["referent_assignation"]["user"]["id"], user_id);
    let (status, _) = json(
        app.post("/api/v1/referent_assignations")
            .bearer(&agent)
            .json(&json!({"agent_id": 999999, "user_id": user_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "the reference answered 500");
    let outsider = app.sign_in("isabelle.moreau").await;
    let (status, _) = json(
        app.post("/api/v1/referent_assignations")
            .bearer(&outsider)
            .json(&json!({"agent_id": other, "user_id": user_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403, "the usager shares no organisation with the caller");
    let del = format!("/api/v1/referent_assignations?agent_id={other}&user_id={user_id}");
    assert_eq!(app.delete(&del).bearer(&agent).send().await.unwrap().status(), 204);
    assert_eq!(app.delete(&del).bearer(&agent).send().await.unwrap().status(), 404);
    // PATCH replaces the set.
    let (status, _) = json(
        app.patch(&format!("/api/v1/users/{user_id}"))
            .bearer(&agent)
            .json(&json!({"referent_agent_ids": [other]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, shown) = get(&app, &agent, &format!("/api/v1/users/{user_id}")).await;
    let ids: Vec<i64> =
        shown["user"]["referent_agents"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![other as i64]);
}

#[actix_rt::test]
async fn leaving_the_last_organisation_anonymises() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let agent = app.sign_in("sophie.durand").await;
    let (_, mother) = create(&app, &agent, json!({"organisation_ids": [arras, lens], "first_name": "Anne", "last_name": "Hoarau", "email": "anne@exemple.fr", "phone_number": "0611223344"})).await;
    let mother_id = id(&mother);
    let (_, child) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "Lou", "last_name": "Hoarau", "responsible_id": mother_id}),
    )
    .await;
    let child_id = id(&child);
    let outsider = app.sign_in("claire.fontaine").await;
    let (status, _) = json(
        app.delete(&format!("/api/v1/user_profiles?organisation_id={arras}&user_id={mother_id}"))
            .bearer(&outsider)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403, "not a member of that organisation");

    let res = app
        .delete(&format!("/api/v1/user_profiles?organisation_id={arras}&user_id={mother_id}"))
        .bearer(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.text().await.unwrap(), "", "204 has an empty body");
    let (status, _) = get(&app, &agent, &format!("/api/v1/users/{mother_id}")).await;
    assert_eq!(status, 200, "still in Lens");
    let (_, shown) = get(&app, &agent, &format!("/api/v1/users/{child_id}")).await;
    assert_eq!(
        shown["user"]["user_profiles"].as_array().unwrap().len(),
        1,
        "the relative left Arras with the responsable"
    );

    let res = app
        .delete(&format!("/api/v1/user_profiles?organisation_id={lens}&user_id={mother_id}"))
        .bearer(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    for gone in [mother_id, child_id] {
        let (status, body) = get(&app, &agent, &format!("/api/v1/users/{gone}")).await;
        assert_eq!((status, body), (404, json!({"not_found": "user"})), "anonymised usagers are gone from the API");
    }
    let (_, found) = get(&app, &agent, "/api/v1/users/search?q=hoarau").await;
    assert_eq!(found["users"], json!([]), "and from search");
    {
        use diesel::prelude::*;
        use rdv_api::db::schema::users;
        let mut conn = app.state.pool.get().unwrap();
        let (first, email, phone): (String, Option<String>, Option<String>) = users::table
            .find(mother_id as i32)
            .select((users::first_name, users::email, users::phone_number))
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(first, "Usager supprimé");
        assert_eq!(email, Some(format!("user_{mother_id}@deleted.rdv-solidarites.fr")));
        assert_eq!(phone, None);
    }
    let versions = app.versions_of("User", mother_id as i32);
    assert_eq!(
        versions.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(),
        vec!["destroy"],
        "personal history purged, the deletion kept"
    );
    assert!(!versions[0].1.to_string().contains("Hoarau"));
    let (status, _) = json(
        app.delete(&format!("/api/v1/user_profiles?organisation_id={lens}&user_id={mother_id}"))
            .bearer(&agent)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
}

#[actix_rt::test]
async fn merge_moves_everything_and_anonymises_the_merged_record() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let agent = app.sign_in("sophie.durand").await;
    let referent = app.agent_id("emma.dubois").await;
    let (_, kept) = create(
        &app,
        &agent,
        json!({"organisation_ids": [arras], "first_name": "Ines", "last_name": "Diallo", "phone_number": "0622334455"}),
    )
    .await;
    let (_, merged) = create(&app, &agent, json!({"organisation_ids": [lens], "first_name": "Inès", "last_name": "Diallo", "birth_date": "1992-09-10", "email": "ines.diallo@exemple.fr", "referent_agent_ids": [referent]})).await;
    let (_, child) = create(
        &app,
        &agent,
        json!({"organisation_ids": [lens], "first_name": "Sami", "last_name": "Diallo", "responsible_id": id(&merged)}),
    )
    .await;
    let (status, body) = json(
        app.post(&format!("/api/v1/users/{}/merge", id(&kept)))
            .bearer(&agent)
            .json(&json!({"merged_user_id": id(&merged), "keep_from_merged": ["first_name", "birth_date", "email"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let u = &body["user"];
    assert_eq!(
        (u["first_name"].as_str(), u["birth_date"].as_str(), u["email"].as_str()),
        (Some("Inès"), Some("1992-09-10"), Some("ines.diallo@exemple.fr"))
    );
    assert_eq!(u["phone_number_formatted"], "+33622334455", "kept's own values stay");
    assert_eq!(u["user_profiles"].as_array().unwrap().len(), 2, "organisations moved");
    assert_eq!(u["referent_agents"][0]["id"], referent, "referents moved");
    assert_eq!(u["relatives"][0]["id"], id(&child), "relatives moved");
    let (status, _) = get(&app, &agent, &format!("/api/v1/users/{}", id(&merged))).await;
    assert_eq!(status, 404, "the merged record is anonymised");
    assert!(!app.versions_of("User", id(&kept) as i32).is_empty());
    let (status, body) = json(
        app.post(&format!("/api/v1/users/{}/merge", id(&kept)))
            .bearer(&agent)
            .json(&json!({"merged_user_id": id(&kept), "keep_from_merged": ["shoe_size"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["merged_user_id"].is_array() && body["errors"]["keep_from_merged"].is_array());
    let outsider = app.sign_in("claire.fontaine").await;
    let (status, _) = json(
        app.post(&format!("/api/v1/users/{}/merge", id(&kept)))
            .bearer(&outsider)
            .json(&json!({"merged_user_id": id(&child)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
}

#[actix_rt::test]
async fn search_formats_and_ranking() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let agent = app.sign_in("sophie.durand").await;
    let mut ids = Vec::new();
    for (first, last, phone, email) in [
        ("Alice", "Martinez", "0601010101", "alice.m@exemple.fr"),
        ("Zoé", "Martin", "0602020202", "zoe@exemple.fr"),
        ("Martine", "Aubry", "0603030303", "martine@exemple.fr"),
        ("Jean", "Dupont", "0692 11 22 33", "jd@exemple.fr"),
    ] {
        let (_, u) = create(&app, &agent, json!({"organisation_ids": [arras], "first_name": first, "last_name": last, "phone_number": phone, "email": email})).await;
        ids.push(id(&u));
    }
    let names = |v: &Value| {
        v["users"].as_array().unwrap().iter().map(|u| u["last_name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let (_, found) = get(&app, &agent, "/api/v1/users/search?q=martin").await;
    assert_eq!(names(&found), vec!["Martin", "Martinez", "Aubry"], "exact last name, then prefix, then first name");
    let (_, found) = get(&app, &agent, "/api/v1/users/search?q=ZOE").await;
    assert_eq!(names(&found), vec!["Martin"]);
    for q in ["0692%2011", "%2B262692", "06.92.11", "jd%40exemple", "dupont%20jean", &ids[3].to_string()] {
        let (_, found) = get(&app, &agent, &format!("/api/v1/users/search?q={q}")).await;
        assert_eq!(names(&found), vec!["Dupont"], "{q}");
    }
    let (_, found) = get(&app, &agent, "/api/v1/users/search?q=%20").await;
    assert_eq!(found["users"], json!([]));
    let (_, list) = get(&app, &agent, "/api/v1/users?search=mart").await;
    assert_eq!(list["meta"]["total_count"], 3);
    assert_eq!(list["users"][0]["last_name"], "Martin");
}

#[actix_rt::test]
async fn rgpd_export_holds_everything() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let admin = app.sign_in("camille.martin").await;
    let (_, u) = create(
        &app,
        &admin,
        json!({"organisation_ids": [arras], "first_name": "Export", "last_name": "Rgpd", "email": "rgpd@exemple.fr"}),
    )
    .await;
    json(
        app.patch(&format!("/api/v1/users/{}", id(&u)))
            .bearer(&admin)
            .json(&json!({"address": "9 rue du Port"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let res = app.get(&format!("/api/v1/users/{}/export", id(&u))).bearer(&admin).send().await.unwrap();
    assert!(res.headers().get("content-disposition").unwrap().to_str().unwrap().contains("attachment"));
    let (status, body) = json(res).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["email"], "rgpd@exemple.fr");
    assert!(body["user"].get("notes").is_some(), "every field, whatever the toggles");
    assert_eq!(body["organisations"][0]["id"], arras);
    assert_eq!(body["versions"].as_array().unwrap().len(), 2);
    assert_eq!(body["rdvs"], json!([]));

    // An RDV shared with another usager: the export holds it with this usager's participation
    // only, and the notifications this usager received about it.
    let (_, other) = create(
        &app,
        &admin,
        json!({"organisation_ids": [arras], "first_name": "Autre", "last_name": "Famille", "email": "autre@exemple.fr"}),
    )
    .await;
    let day = (chrono::Utc::now() + chrono::Duration::days(3)).date_naive();
    let (s, rdv) = common::call(
        &app,
        &admin,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras,
        "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"),
        "agent_ids": [app.agent_id("camille.martin").await], "user_ids": [id(&u), id(&other)],
        "starts_at": format!("{day}T10:00:00+01:00"), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{rdv}");
    let mut body = Value::Null;
    for _ in 0..200 {
        let res = app.get(&format!("/api/v1/users/{}/export", id(&u))).bearer(&admin).send().await.unwrap();
        body = json(res).await.1;
        if !body["notifications"].as_array().unwrap().is_empty() {
            break;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let rdvs = body["rdvs"].as_array().unwrap();
    assert_eq!(rdvs.len(), 1, "{body}");
    assert_eq!(rdvs[0]["id"], rdv["rdv"]["id"]);
    let participations = rdvs[0]["participations"].as_array().unwrap();
    assert_eq!(participations.len(), 1, "only this usager's participation: {participations:?}");
    assert_eq!(participations[0]["user"]["id"], id(&u));
    assert_eq!(rdvs[0]["users"].as_array().unwrap().len(), 1);
    assert!(!body.to_string().contains("autre@exemple.fr"), "nothing of the other participant");
    let notifications = body["notifications"].as_array().unwrap();
    assert!(notifications.iter().all(|n| n["recipient"] == "rgpd@exemple.fr"), "{notifications:?}");
    assert_eq!(notifications[0]["event"], "rdv_created", "{notifications:?}");
}

#[actix_rt::test]
async fn partner_signature_creates_and_reads_usagers() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let email = common::demo_email("camille.martin");
    let signature = {
        let mut conn = app.state.pool.get().unwrap();
        let agent = rdv_api::db::models::agent::find_by_email(&mut conn, &email).unwrap().unwrap();
        rdv_api::auth::partner::sign(b"partner-secret-for-tests", &rdv_api::auth::partner::payload(&agent))
    };
    let signed = |b: reqwest::RequestBuilder| b.header("uid", &email).header("X-Agent-Auth-Signature", &signature);
    let (status, body) = json(
        signed(app.post("/api/v1/users"))
            .json(&json!({"organisation_ids": [arras], "first_name": "Via", "last_name": "Insertion", "email": "via@exemple.fr"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, again) = json(
        signed(app.post("/api/v1/users"))
            .json(&json!({"organisation_ids": [arras], "first_name": "Via", "last_name": "Insertion", "email": "via@exemple.fr"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(again["errors"]["email"][0]["id"], body["user"]["id"], "rdv-insertion adopts the existing usager");
    let (status, token) =
        json(signed(app.post(&format!("/api/v1/users/{}/rdv_invitation_token", id(&body)))).send().await.unwrap())
            .await;
    assert_eq!(status, 200);
    assert_eq!(token["invitation_token"].as_str().unwrap().len(), 8);
    let bad = app
        .post("/api/v1/users")
        .header("uid", &email)
        .header("X-Agent-Auth-Signature", "00")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
}
