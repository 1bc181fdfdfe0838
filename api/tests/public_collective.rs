//! Public registration to collective sessions, no account (issue 7, reference §3.11): a
//! collective motif bookable online is offered where it has sessions with seats, its "slots"
//! are those sessions, a usager joins one (seats counted after the session's agents are
//! locked), a full session gives 409 with the next sessions, cancelling by token removes only
//! that usager, who may register again.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{Duration, Weekday};
use common::{call, next_weekday, TestApp};
use serde_json::{json, Value};

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    common::json(app.get(path).send().await.unwrap()).await
}

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    common::json(app.post(path).json(body).send().await.unwrap()).await
}

#[actix_rt::test]
async fn register_to_a_collective_session_until_it_is_full() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let atelier = app.id_by_name("motifs", "MDS Arras", "Atelier portage");
    let admin = app.sign_in("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;
    let me = app.agent_id("sophie.durand").await;
    let key = "atelier_portage-public_office";
    let (_, b) = get(&app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(!b["motifs"].as_array().unwrap().iter().any(|m| m["key"] == key), "agents only: not offered: {b}");
    let (st, b) =
        call(&app, &admin, "PATCH", &format!("/api/v1/motifs/{atelier}"), Some(json!({"bookable_by": "everyone"})))
            .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = get(&app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(!b["motifs"].as_array().unwrap().iter().any(|m| m["key"] == key), "no session yet: not offered");

    let tuesday = next_weekday(Weekday::Tue) + Duration::days(7);
    let session = json!({"organisation_id": arras, "motif_id": atelier, "lieu_id": lieu,
                         "starts_at": format!("{tuesday}T14:00:00+01:00"), "agent_ids": [me], "user_ids": [],
                         "name": "Portage en écharpe", "max_participants_count": 2, "ignore_benign_errors": true});
    let (st, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(session)).await;
    assert_eq!(st, 200, "{b}");
    let rdv_id = b["rdv"]["id"].as_i64().unwrap();
    // A second session a week later: what a 409 on the full first one offers.
    let later = json!({"organisation_id": arras, "motif_id": atelier, "lieu_id": lieu,
                       "starts_at": format!("{}T14:00:00+01:00", tuesday + Duration::days(7)), "agent_ids": [me],
                       "user_ids": [], "name": "Portage (2)", "max_participants_count": 3, "ignore_benign_errors": true});
    let (st, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(later)).await;
    assert_eq!(st, 200, "{b}");
    let later_id = b["rdv"]["id"].as_i64().unwrap();

    let (_, b) = get(&app, "/api/v1/public/motifs?city_code=62041").await;
    let motif = b["motifs"].as_array().unwrap().iter().find(|m| m["key"] == key).cloned();
    assert_eq!(motif.map(|m| m["collectif"].clone()), Some(json!(true)), "{b}");
    let (st, b) = get(&app, &format!("/api/v1/public/lieux?city_code=62041&motif_key={key}")).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!((b["lieux"][0]["lieu_id"].clone(), b["lieux"][0]["motif_id"].clone()), (json!(lieu), json!(atelier)));
    assert!(b["lieux"][0]["next_availability"].as_str().unwrap().starts_with(&tuesday.to_string()), "{b}");
    let sessions = format!(
        "/api/v1/public/creneaux?city_code=62041&motif_id={atelier}&lieu_id={lieu}&from={tuesday}&to={tuesday}"
    );
    let (st, b) = get(&app, &sessions).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!((b["creneaux"][0]["rdv_id"].clone(), b["creneaux"][0]["seats_left"].clone()), (json!(rdv_id), json!(2)));
    let starts_at = b["creneaux"][0]["starts_at"].clone();

    let join = |first: &str| {
        json!({"motif_id": atelier, "lieu_id": lieu, "starts_at": starts_at, "city_code": "62041", "rdv_id": rdv_id,
               "first_name": first, "last_name": "Collectif", "phone_number": format!("06 12 34 56 {}", first.len() + 10)})
    };
    let mut body = join("Ana");
    body.as_object_mut().unwrap().remove("rdv_id");
    let (st, b) = post(&app, "/api/v1/public/rdvs", &body).await;
    assert_eq!((st, b["errors"]["rdv_id"][0]["error"].clone()), (422, json!("blank")), "{b}");
    let (st, first) = post(&app, "/api/v1/public/rdvs", &join("Ana")).await;
    assert_eq!(st, 200, "{first}");
    let (st, b) = post(&app, "/api/v1/public/rdvs", &join("Ana")).await;
    assert_eq!((st, b["errors"]["base"][0]["error"].clone()), (422, json!("already_registered")), "{b}");
    let (_, b) = get(&app, &sessions).await;
    assert_eq!(b["creneaux"][0]["seats_left"], 1);
    let (st, b) = post(&app, "/api/v1/public/rdvs", &join("Bérénice")).await;
    assert_eq!(st, 200, "{b}");
    let (st, b) = post(&app, "/api/v1/public/rdvs", &join("Camille")).await;
    assert_eq!((st, b["error"].clone()), (409, json!("creneau_indisponible")), "full: {b}");
    // The 409 offers the next sessions with seats, and names their agent by first name only.
    assert_eq!(
        (b["creneaux"][0]["rdv_id"].clone(), b["creneaux"][0]["seats_left"].clone()),
        (json!(later_id), json!(3))
    );
    assert_eq!(b["creneaux"][0]["agent_id"], json!(me), "{b}");
    assert_eq!(
        (b["agents"][0]["first_name"].clone(), b["agents"][0]["last_name"].clone()),
        (json!("Sophie"), json!(""))
    );
    let (_, b) = get(&app, &sessions).await;
    assert_eq!(b["creneaux"], json!([]), "a full session is not offered");

    // Ana cancels: only her participation; the session goes on with a seat free again.
    let token = first["token"].as_str().unwrap();
    let (st, b) = post(&app, &format!("/api/v1/public/rdvs/{token}/cancel"), &json!({})).await;
    assert_eq!((st, b["rdv"]["status"].clone()), (200, json!("excused")), "{b}");
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/rdvs/{rdv_id}"), None).await;
    assert_eq!(b["rdv"]["status"], "unknown", "the session itself is not cancelled: {b}");
    let (_, b) = get(&app, &sessions).await;
    assert_eq!(b["creneaux"][0]["seats_left"], 1, "{b}");

    // Ana changes her mind: registering again reactivates her participation and takes the seat.
    let (st, again) = post(&app, "/api/v1/public/rdvs", &join("Ana")).await;
    assert_eq!(st, 200, "{again}");
    let token = again["token"].as_str().unwrap();
    let (st, b) = get(&app, &format!("/api/v1/public/rdvs/{token}")).await;
    assert_eq!((st, b["rdv"]["status"].clone(), b["rdv"]["cancellable"].clone()), (200, json!("unknown"), json!(true)));
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/rdvs/{rdv_id}"), None).await;
    assert_eq!(b["rdv"]["users_count"], 2, "{b}");
    let (st, b) = post(&app, "/api/v1/public/rdvs", &join("Camille")).await;
    assert_eq!(st, 409, "full again: {b}");
    assert!(!app.versions_of("Rdv", rdv_id as i32).is_empty(), "every join is audited");
}
