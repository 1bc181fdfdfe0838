//! rdv-insertion's client sequence (reference-api-v1.md §6) played end to end against a real
//! server, with the partner signature, a real webhook receiver, and every field it reads
//! checked: validate_token, create_user (and "taken" adoption), update_user, invite_user,
//! create_user_profiles (I2), create_referent_assignations (I3), get_user (I4), organisations,
//! webhook endpoint with `trigger: false`, motif categories (I5, I6), creneau_availability (I1,
//! real slot engine), update_participation; plus public links (L1).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::Weekday;
use common::webhook_receiver::WebhookReceiver;
use common::{call, demo_email, next_weekday, Authed, TestApp};
use diesel::RunQueryDsl;
use rdv_api::auth::partner;
use reqwest::RequestBuilder;
use serde_json::{json, Value};

const SECRET: &[u8] = b"partner-secret-for-tests";

/// rdv-insertion's client: every call signed for the acting agent.
struct Client<'a> {
    app: &'a TestApp,
    uid: String,
    signature: String,
}

impl<'a> Client<'a> {
    fn new(app: &'a TestApp, local: &str) -> Self {
        let mut conn = app.state.pool.get().unwrap();
        let agent = rdv_api::db::models::agent::find_by_email(&mut conn, &demo_email(local)).unwrap().unwrap();
        Client { app, uid: demo_email(local), signature: partner::sign(SECRET, &partner::payload(&agent)) }
    }

    fn signed(&self, req: RequestBuilder) -> RequestBuilder {
        req.header("uid", &self.uid).header("X-Agent-Auth-Signature", &self.signature)
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
        let req = match method {
            "POST" => self.app.post(path),
            "PATCH" => self.app.patch(path),
            "DELETE" => self.app.delete(path),
            _ => self.app.get(path),
        };
        let req = self.signed(req);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    async fn json(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (s, text) = self.send(method, path, body).await;
        (s, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path}: non-JSON ({s}): {text}")))
    }
}

fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.state.pool.get().unwrap();
    match &mut *conn {
        rdv_api::db::DbConn::Sqlite(c) => diesel::sql_query(statement).execute(c).unwrap(),
        rdv_api::db::DbConn::Postgres(c) => diesel::sql_query(statement).execute(c).unwrap(),
    };
}

#[actix_rt::test]
async fn rdv_insertion_client_sequence_end_to_end() {
    let app = TestApp::spawn_with(|c| c.delivery.webhook_allowed_hosts = vec!["127.0.0.1".into()]).await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    // Arras runs rdv-insertion (its verticale), Lens does not.
    sql(
        &app,
        &format!("UPDATE organisations SET verticale = 'rdv_insertion', external_id = 'ri-arras' WHERE id = {arras}"),
    );
    // rdv-insertion sends CAF affiliation numbers: the territory has the field on (else 422 `disabled`).
    sql(&app, "UPDATE territories SET enable_affiliation_number_field = TRUE");
    let camille_id = app.agent_id("camille.martin").await;
    let ri = Client::new(&app, "camille.martin");

    // validate_token: its own API callers present RDV-S tokens; it checks data.uid.
    let session = app.sign_in("camille.martin").await;
    let (s, b) = common::json(app.get("/api/v1/auth/validate_token").trio(&session).send().await.unwrap()).await;
    assert_eq!((s, b["data"]["uid"].as_str()), (200, Some(session.uid.as_str())));

    // create_user: user.id; the same email again → 422 taken with the existing id (adoption).
    let new_user = json!({"first_name": "Inès", "last_name": "Insertion", "birth_date": "1990-04-02",
        "email": "ines.insertion@example.fr", "phone_number": "06 11 22 33 44", "address": "1 rue de la Paix 62000 Arras",
        "affiliation_number": "12345", "birth_name": "Martin", "organisation_ids": [arras]});
    let (s, b) = ri.json("POST", "/api/v1/users", Some(new_user.clone())).await;
    assert_eq!(s, 200, "{b}");
    let user_id = b["user"]["id"].as_i64().unwrap();
    let (s, b) = ri.json("POST", "/api/v1/users", Some(new_user)).await;
    assert_eq!(s, 422);
    assert_eq!(b["errors"]["email"][0]["error"], "taken", "{b}");
    assert_eq!(b["errors"]["email"][0]["id"].as_i64(), Some(user_id));
    assert!(b["error_messages"].as_array().is_some_and(|m| !m.is_empty()), "rdv-insertion joins error_messages: {b}");

    // update_user.
    let (s, b) =
        ri.json("PATCH", &format!("/api/v1/users/{user_id}"), Some(json!({"phone_number": "0611223345"}))).await;
    assert_eq!((s, b["user"]["phone_number_formatted"].as_str()), (200, Some("+33611223345")), "{b}");

    // invite_user: a stable 8-character token.
    let (s, b) = ri.json("POST", &format!("/api/v1/users/{user_id}/rdv_invitation_token"), None).await;
    assert_eq!(s, 200, "{b}");
    let token = b["invitation_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 8);

    // I2 create_user_profiles: only rdv_insertion organisations; idempotent; empty 200.
    for _ in 0..2 {
        let (s, text) = ri
            .send(
                "POST",
                "/api/rdvinsertion/user_profiles/create_many",
                Some(json!({"user_id": user_id, "organisation_ids": [arras, lens]})),
            )
            .await;
        assert_eq!((s, text.as_str()), (200, ""));
    }
    let (s, b) = ri
        .json(
            "POST",
            "/api/rdvinsertion/user_profiles/create_many",
            Some(json!({"user_id": 999_999, "organisation_ids": [arras]})),
        )
        .await;
    assert_eq!((s, b), (404, json!({"not_found": "user"})));
    // The namespace wants the signature: a token alone is refused.
    let res = app
        .post("/api/rdvinsertion/user_profiles/create_many")
        .bearer(&session)
        .json(&json!({"user_id": user_id, "organisation_ids": [arras]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // I3 create_referent_assignations: idempotent.
    for _ in 0..2 {
        let (s, text) = ri
            .send(
                "POST",
                "/api/rdvinsertion/referent_assignations/create_many",
                Some(json!({"user_id": user_id, "agent_ids": [camille_id]})),
            )
            .await;
        assert_eq!((s, text.as_str()), (200, ""));
    }

    // I4 get_user: user.*, user.user_profiles[].organisation.id (rdv_insertion ones only).
    let (s, b) = ri.json("GET", &format!("/api/rdvinsertion/users/{user_id}"), None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["user"]["last_name"], "Insertion");
    let profile_orgs: Vec<i64> = b["user"]["user_profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["organisation"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(profile_orgs, [i64::from(arras)], "Lens is not an rdv-insertion organisation");

    // Organisations: get, update, list.
    let (s, b) = ri.json("GET", &format!("/api/v1/organisations/{arras}"), None).await;
    assert_eq!(s, 200);
    for field in ["id", "name", "phone_number", "email"] {
        assert!(b["organisation"].get(field).is_some(), "organisation.{field}: {b}");
    }
    assert_eq!(b["organisation"]["verticale"], "rdv_insertion");
    let (s, b) = ri
        .json("PATCH", &format!("/api/v1/organisations/{arras}"), Some(json!({"phone_number": "03 21 00 00 00"})))
        .await;
    assert_eq!((s, b["organisation"]["phone_number"].as_str()), (200, Some("03 21 00 00 00")), "{b}");
    let (s, b) = ri.json("GET", "/api/v1/organisations", None).await;
    assert!(s == 200 && b["organisations"].as_array().unwrap().iter().any(|o| o["id"] == arras));
    // get_organisations with geo params: only the organisations serving the address.
    let territory = b["organisations"][0]["territory_id"].as_i64().unwrap();
    let (s, b) = call(
        &app,
        &session,
        "POST",
        &format!("/api/v1/territories/{territory}/sectors"),
        Some(json!({"name": "Arras", "human_id": "arras"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let sector = b["sector"]["id"].as_i64().unwrap();
    let (s, b) = call(
        &app,
        &session,
        "POST",
        &format!("/api/v1/sectors/{sector}/zones"),
        Some(json!({"level": "city", "city_name": "Arras", "city_code": "62041"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(
        &app,
        &session,
        "POST",
        &format!("/api/v1/sectors/{sector}/attributions"),
        Some(json!({"organisation_id": arras})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let ids = |b: &Value| -> Vec<i64> {
        b["organisations"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect()
    };
    let (s, b) = ri.json("GET", "/api/v1/organisations?city_code=62041&department_number=62", None).await;
    assert_eq!((s, ids(&b)), (200, vec![i64::from(arras)]), "{b}");
    let (s, b) = ri.json("GET", "/api/v1/organisations?city_code=62193", None).await;
    assert_eq!((s, ids(&b)), (200, vec![]), "no sector for Calais: {b}");
    assert_eq!(b["meta"]["total_count"], 0);

    // Webhook endpoint: none yet, then created with the 9 subscriptions it handles, trigger false.
    let list = format!("/api/v1/organisations/{arras}/webhook_endpoints");
    let (s, b) = ri.json("GET", &format!("{list}?target_url={}", receiver.url), None).await;
    assert_eq!((s, b["webhook_endpoints"].clone()), (200, json!([])));
    let subscriptions =
        ["rdv", "user", "user_profile", "organisation", "motif", "lieu", "agent", "agent_role", "referent_assignation"];
    let (s, b) = ri
        .json("POST", &list, Some(json!({"target_url": receiver.url, "secret": "ri-secret", "subscriptions": subscriptions, "trigger": false})))
        .await;
    assert_eq!(s, 200, "{b}");
    let endpoint = b["webhook_endpoint"]["id"].as_i64().unwrap();
    let (_, b) = ri.json("GET", &format!("{list}?target_url={}", receiver.url), None).await;
    assert_eq!(b["webhook_endpoints"][0]["id"].as_i64(), Some(endpoint));
    let (s, _) = ri
        .json("PATCH", &format!("{list}/{endpoint}"), Some(json!({"subscriptions": subscriptions, "trigger": false})))
        .await;
    assert_eq!(s, 200);

    // I5 / I6: a category, then enabled on Arras' territory (both idempotent where it says so).
    let (s, b) = ri
        .json(
            "POST",
            "/api/rdvinsertion/motif_categories",
            Some(json!({"name": "RSA orientation", "short_name": "rsa_orientation"})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let category = b["motif_category"]["id"].as_i64().unwrap();
    assert_eq!(b["motif_category"]["short_name"], "rsa_orientation");
    let (s, b) = ri
        .json(
            "POST",
            "/api/rdvinsertion/motif_categories",
            Some(json!({"name": "Autre", "short_name": "rsa_orientation"})),
        )
        .await;
    assert_eq!((s, b["errors"]["short_name"][0]["error"].as_str()), (422, Some("taken")), "{b}");
    for _ in 0..2 {
        let (s, b) = ri
            .json(
                "POST",
                "/api/rdvinsertion/motif_category_territories",
                Some(json!({"motif_category_short_name": "rsa_orientation", "organisation_id": arras})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["territory"]["motif_categories"].as_array().unwrap().len(), 1, "{b}");
        assert!(b["territory"]["departement_number"].is_string());
    }

    // I1 creneau_availability: a motif of that category bookable by invited usagers, with a
    // plage of Sophie's on Mondays: the real slot engine says yes; another category says no.
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let availability = |category: &str| {
        format!("/api/rdvinsertion/invitations/creneau_availability?invitation_token={token}&city_code=62041&departement=62&motif_category_short_name={category}&organisation_ids[]={arras}")
    };
    let (s, b) = ri.json("GET", &availability("rsa_orientation"), None).await;
    assert_eq!((s, b.clone()), (200, json!({"creneau_availability": false})), "no motif of that category yet: {b}");
    let (s, b) = call(
        &app,
        &session,
        "PATCH",
        &format!("/api/v1/motifs/{motif}"),
        Some(json!({"motif_category_id": category, "bookable_by": "agents_and_prescripteurs_and_invited_users"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = ri.json("GET", &availability("rsa_orientation"), None).await;
    assert_eq!((s, b), (200, json!({"creneau_availability": false})), "no plage yet");
    let sophie = app.sign_in("sophie.durand").await;
    let monday = next_weekday(Weekday::Mon);
    let plage = common::weekly_plage(arras, lieu, motif, monday, "monday");
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(plage)).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = ri.json("GET", &availability("rsa_orientation"), None).await;
    assert_eq!((s, b), (200, json!({"creneau_availability": true})));
    // Also with a token (I1 takes either), and no for another category or another lieu.
    let (s, b) = common::json(app.get(&availability("rsa_orientation")).bearer(&session).send().await.unwrap()).await;
    assert_eq!((s, b), (200, json!({"creneau_availability": true})));
    let (s, b) =
        common::json(app.get(&availability("rsa_accompagnement")).bearer(&session).send().await.unwrap()).await;
    assert_eq!((s, b), (200, json!({"creneau_availability": false})));
    let (s, b) = ri.json("GET", &format!("{}&lieu_id=999999", availability("rsa_orientation")), None).await;
    assert_eq!((s, b), (200, json!({"creneau_availability": false})));
    let (s, b) = ri
        .json(
            "GET",
            "/api/rdvinsertion/invitations/creneau_availability?invitation_token=NOPE1234&city_code=62041",
            None,
        )
        .await;
    assert_eq!((s, b), (404, json!({"not_found": "user"})));
    // The invited usager can book it; the anonymous public cannot see it (invited users only).
    let (s, b) = common::json(
        app.get(&format!("/api/v1/public/motifs?city_code=62041&invitation_token={token}")).send().await.unwrap(),
    )
    .await;
    assert!(
        s == 200 && b["motifs"].as_array().unwrap().iter().any(|m| m["name"] == "Consultation PMI nourrisson"),
        "{b}"
    );
    let (_, b) = common::json(app.get("/api/v1/public/motifs?city_code=62041").send().await.unwrap()).await;
    assert!(b["motifs"].as_array().unwrap().iter().all(|m| m["name"] != "Consultation PMI nourrisson"), "{b}");

    // update_participation: an RDV for the usager, then its status as rdv-insertion sends it.
    let (s, b) = call(&app, &session, "POST", "/api/v1/rdvs", Some(json!({"organisation_id": arras, "motif_id": motif,
        "lieu_id": lieu, "starts_at": format!("{monday}T09:30:00+01:00"), "agent_ids": [app.agent_id("sophie.durand").await],
        "user_ids": [user_id], "ignore_benign_errors": true}))).await;
    assert_eq!(s, 200, "{b}");
    let participation = b["rdv"]["participations"][0]["id"].as_i64().unwrap();
    let (s, b) =
        ri.json("PATCH", &format!("/api/v1/participations/{participation}"), Some(json!({"status": "excused"}))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rdv"]["participations"][0]["status"], "excused");
    for field in [
        "id",
        "starts_at",
        "duration_in_min",
        "status",
        "address",
        "agents",
        "lieu",
        "motif",
        "organisation",
        "users",
        "participations",
        "created_by",
    ] {
        assert!(b["rdv"].get(field).is_some(), "rdv.{field} is read by rdv-insertion: {b}");
    }
    // Its webhook receiver gets the RDV's events, the usager's and its links', signed.
    let mut got = Vec::new();
    for _ in 0..200 {
        got = receiver.received();
        if got.iter().any(|r| r.model_event() == ("Rdv".into(), "updated".into())) {
            break;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let rdv_updated = got.iter().find(|r| r.model_event() == ("Rdv".into(), "updated".into())).expect("Rdv updated");
    assert!(rdv_updated.verify("ri-secret"));
    assert_eq!(rdv_updated.json()["data"]["participations"][0]["status"], "excused");
    assert_eq!(rdv_updated.json()["data"]["users"][0]["id"].as_i64(), Some(user_id));

    // delete_user_profile and delete_referent_assignation.
    let (s, _) = ri
        .send("DELETE", &format!("/api/v1/referent_assignations?user_id={user_id}&agent_id={camille_id}"), None)
        .await;
    assert_eq!(s, 204);

    // L1: Arras has an external_id and a plage with a motif bookable online.
    for path in ["/api/v1/public_links?territory=62", "/public_api/public_links?territory=62"] {
        let (s, b) = common::json(app.get(path).send().await.unwrap()).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(
            b["public_links"],
            json!([{"external_id": "ri-arras", "public_link": format!("{}/org/{arras}", app.state.config.public_url)}])
        );
    }
    let (s, b) = common::json(app.get("/api/v1/public_links").send().await.unwrap()).await;
    assert_eq!((s, b), (400, json!({"missing": "territory"})));
    let (s, b) = common::json(app.get("/api/v1/public_links?territory=99").send().await.unwrap()).await;
    assert_eq!((s, b), (404, json!({"not_found": "territory"})));
}
