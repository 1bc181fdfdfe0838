//! Agent-side slot search and safe booking over HTTP (issue 7): slots per lieu and day minus
//! RDVs and absences, the motif's step, next availability, collective sessions, bounds and
//! access; 64 concurrent bookings of one slot → exactly one RDV, the others 409 with the next
//! slots, no overlap afterwards; Idempotency-Key.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Weekday};
use common::{call, next_weekday as next, Session, TestApp};
use serde_json::{json, Value};

async fn usager(app: &TestApp, who: &Session, org: i32, first: &str) -> i64 {
    let body = json!({"organisation_ids": [org], "first_name": first, "last_name": "Créneau"});
    let (s, b) = call(app, who, "POST", "/api/v1/users", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    b["user"]["id"].as_i64().unwrap()
}

/// The "HH:MM" local times of every slot of a lieu's day.
fn times(lieu: &Value) -> Vec<String> {
    lieu["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["creneaux"].as_array().unwrap().iter())
        .map(|c| c["starts_at"].as_str().unwrap()[11..16].to_owned())
        .collect()
}

struct Setup {
    app: TestApp,
    sophie: Session,
    arras: i32,
    lieu: i32,
    motif: i32,
    monday: chrono::NaiveDate,
}

/// Sophie (PMI, MDS Arras) receives "Consultation PMI nourrisson" (30 min) on Mondays 09:00–12:00.
async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let monday = next(Weekday::Mon);
    let plage = json!({"organisation_id": arras, "lieu_id": lieu, "motif_ids": [motif], "title": "Consultations",
                       "first_day": monday, "start_time": "09:00", "end_time": "12:00",
                       "recurrence": {"every": "week", "interval": 1, "on": ["monday"]}});
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(plage)).await;
    assert_eq!(s, 200, "{b}");
    Setup { app, sophie, arras, lieu, motif, monday }
}

/// The RFC 3339 start of Monday's slot at local `hm` (whatever the season's offset).
async fn slot_at(s: &Setup, hm: &str) -> String {
    let (_, b) = call(&s.app, &s.sophie, "GET", &search(s, s.monday, s.monday), None).await;
    b["lieux"][0]["days"][0]["creneaux"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["starts_at"].as_str().unwrap().to_owned())
        .find(|t| &t[11..16] == hm)
        .unwrap()
}

fn search(s: &Setup, from: chrono::NaiveDate, to: chrono::NaiveDate) -> String {
    format!("/api/v1/creneaux?motif_id={}&from={from}&to={to}", s.motif)
}

#[actix_rt::test]
async fn slots_per_lieu_and_day_minus_rdvs_and_absences_with_step_and_next_availability() {
    let s = setup().await;
    let (app, sophie, monday) = (&s.app, &s.sophie, s.monday);
    let (st, b) = call(app, sophie, "GET", &search(&s, monday, monday), None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["time_zone"], "Europe/Paris");
    let lieu = &b["lieux"][0];
    assert_eq!(lieu["lieu"]["id"], s.lieu);
    assert_eq!(lieu["days"][0]["date"], monday.to_string());
    assert_eq!(times(lieu), ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]);
    let agent_id = &lieu["days"][0]["creneaux"][0]["agent_id"];
    let agent = b["agents"].as_array().unwrap().iter().find(|a| &a["id"] == agent_id).cloned();
    assert_eq!(agent.map(|a| a["last_name"].clone()), Some(json!("Durand")), "agents listed once: {b}");
    assert_eq!(b["agents"].as_array().map(Vec::len), Some(1), "{b}");
    assert_eq!(&lieu["next_availability"].as_str().unwrap()[11..16], "09:00");

    // A booked RDV and an absence take their time out.
    let u = usager(app, sophie, s.arras, "Léa").await;
    let starts = lieu["days"][0]["creneaux"][1]["starts_at"].clone();
    let me = app.agent_id("sophie.durand").await;
    let rdv = json!({"organisation_id": s.arras, "motif_id": s.motif, "lieu_id": s.lieu, "starts_at": starts,
                     "agent_ids": [me], "user_ids": [u]});
    let (st, b) = call(app, sophie, "POST", "/api/v1/rdvs", Some(rdv)).await;
    assert_eq!(st, 200, "{b}");
    let absence = json!({"agent_id": me, "title": "Réunion", "first_day": monday, "start_time": "10:45",
                         "end_time": "11:15", "organisation_id": s.arras});
    let (st, b) = call(app, sophie, "POST", "/api/v1/absences", Some(absence)).await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = call(app, sophie, "GET", &search(&s, monday, monday), None).await;
    assert_eq!(times(&b["lieux"][0]), ["09:00", "10:00", "11:15"]);

    // A motif step of 15 minutes: starts every quarter of an hour where 30 minutes fit.
    let admin = app.sign_in("camille.martin").await;
    let (st, b) =
        call(app, &admin, "PATCH", &format!("/api/v1/motifs/{}", s.motif), Some(json!({"slot_step_in_min": 15}))).await;
    assert_eq!((st, b["motif"]["slot_step_in_min"].clone()), (200, json!(15)), "{b}");
    let (_, b) = call(app, sophie, "GET", &search(&s, monday, monday), None).await;
    assert_eq!(times(&b["lieux"][0]), ["09:00", "10:00", "10:15", "11:15", "11:30"]);
    let (st, b) =
        call(app, &admin, "PATCH", &format!("/api/v1/motifs/{}", s.motif), Some(json!({"slot_step_in_min": 7}))).await;
    assert_eq!((st, b["errors"]["slot_step_in_min"][0]["error"].clone()), (422, json!("invalid")), "{b}");

    // A window with no plage: no slot, and the next availability is the next Monday.
    let tuesday = monday + Duration::days(1);
    let (st, b) = call(app, sophie, "GET", &search(&s, tuesday, tuesday + Duration::days(2)), None).await;
    assert_eq!(st, 200, "{b}");
    let lieu = &b["lieux"][0];
    assert!(times(lieu).is_empty(), "{b}");
    let next_at = DateTime::parse_from_rfc3339(lieu["next_availability"].as_str().unwrap()).unwrap();
    assert_eq!(next_at.date_naive(), monday + Duration::days(7));
    assert_eq!(b["next_availability"], lieu["next_availability"]);

    // Filters: another lieu → nothing; another agent → nothing.
    let (_, b) = call(app, sophie, "GET", &format!("{}&lieu_ids[]=999999", search(&s, monday, monday)), None).await;
    assert_eq!(b["lieux"], json!([]));
    let camille = app.agent_id("camille.martin").await;
    let (_, b) = call(app, sophie, "GET", &format!("{}&agent_ids[]={camille}", search(&s, monday, monday)), None).await;
    assert_eq!(b["lieux"], json!([]));
}

#[actix_rt::test]
async fn bounds_access_and_collective_sessions() {
    let s = setup().await;
    let (app, sophie, monday) = (&s.app, &s.sophie, s.monday);
    let (st, b) = call(app, sophie, "GET", &search(&s, monday, monday + Duration::days(40)), None).await;
    assert_eq!((st, b["errors"]["to"][0]["error"].clone()), (422, json!("too_long")));
    let (st, _) = call(app, sophie, "GET", &search(&s, monday, monday - Duration::days(1)), None).await;
    assert_eq!(st, 422);
    let (st, b) =
        call(app, sophie, "GET", &format!("/api/v1/creneaux?motif_id={}&from=lundi&to=x", s.motif), None).await;
    assert_eq!((st, b["errors"]["from"][0]["error"].clone()), (422, json!("invalid")));
    let (st, _) =
        call(app, sophie, "GET", "/api/v1/creneaux?motif_id=999999&from=2030-01-01&to=2030-01-02", None).await;
    assert_eq!(st, 404);
    let (st, _) = call(app, sophie, "GET", &format!("/api/v1/creneaux?from={monday}&to={monday}"), None).await;
    assert_eq!(st, 422);
    // Another territory's agent learns nothing about the motif.
    let other = app.sign_in_other_territory().await;
    let (st, b) = call(app, &other, "GET", &search(&s, monday, monday), None).await;
    assert_eq!((st, b), (404, json!({"not_found": "motif"})));

    // Collective sessions with seats are the slots of a collective motif.
    let atelier = app.id_by_name("motifs", "MDS Arras", "Atelier portage");
    let me = app.agent_id("sophie.durand").await;
    let tuesday = monday + Duration::days(1);
    let session = json!({"organisation_id": s.arras, "motif_id": atelier, "lieu_id": s.lieu,
                         "starts_at": format!("{tuesday}T14:00:00+01:00"), "agent_ids": [me], "user_ids": [],
                         "name": "Portage en écharpe", "max_participants_count": 2, "ignore_benign_errors": true});
    let (st, b) = call(app, sophie, "POST", "/api/v1/rdvs", Some(session)).await;
    assert_eq!(st, 200, "{b}");
    let rdv_id = b["rdv"]["id"].as_i64().unwrap();
    let url = format!("/api/v1/creneaux?motif_id={atelier}&from={monday}&to={}", monday + Duration::days(6));
    let (st, b) = call(app, sophie, "GET", &url, None).await;
    assert_eq!(st, 200, "{b}");
    let c = &b["collective_sessions"][0];
    assert_eq!(
        (c["rdv_id"].as_i64(), c["seats_left"].clone(), c["name"].clone()),
        (Some(rdv_id), json!(2), json!("Portage en écharpe"))
    );
    // Full: no longer offered.
    let (u1, u2) = (usager(app, sophie, s.arras, "A").await, usager(app, sophie, s.arras, "B").await);
    let (st, b) = call(
        app,
        sophie,
        "PATCH",
        &format!("/api/v1/rdvs/{rdv_id}"),
        Some(json!({"user_ids": [u1, u2], "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = call(app, sophie, "GET", &url, None).await;
    assert_eq!(b["collective_sessions"], json!([]));
}

#[actix_rt::test]
async fn sixty_four_concurrent_bookings_of_one_slot_give_one_rdv() {
    let s = setup().await;
    let (app, sophie) = (&s.app, &s.sophie);
    let me = app.agent_id("sophie.durand").await;
    let mut users = Vec::new();
    for i in 0..64 {
        users.push(usager(app, sophie, s.arras, &format!("U{i}")).await);
    }
    let starts = slot_at(&s, "10:00").await;
    let requests = users.iter().map(|u| {
        let body = json!({"organisation_id": s.arras, "motif_id": s.motif, "lieu_id": s.lieu,
                          "starts_at": starts, "agent_ids": [me], "user_ids": [u]});
        call(app, sophie, "POST", "/api/v1/rdvs", Some(body))
    });
    let results = futures_util::future::join_all(requests).await;
    let ok: Vec<&(u16, Value)> = results.iter().filter(|(st, _)| *st == 200).collect();
    let taken: Vec<&(u16, Value)> = results.iter().filter(|(st, _)| *st == 409).collect();
    assert_eq!((ok.len(), taken.len()), (1, 63), "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    let refusal = &taken[0].1;
    assert_eq!(refusal["error"], "creneau_indisponible");
    assert!(refusal["message"].as_str().unwrap().contains("plus disponible"));
    let offered: Vec<&str> =
        refusal["creneaux"].as_array().unwrap().iter().map(|c| c["starts_at"].as_str().unwrap()).collect();
    assert!(!offered.is_empty() && !offered.iter().any(|t| t.contains("T10:00")), "{offered:?}");

    // No two blocking RDVs of the agent overlap.
    let mut conn = app.state.pool.get().unwrap();
    let from = s.monday.and_hms_opt(0, 0, 0).unwrap();
    let rows = rdv_api::db::models::rdv::of_agents_in_window(&mut conn, &[me], from, from + Duration::days(1)).unwrap();
    let mut spans: Vec<(NaiveDateTime, NaiveDateTime)> = rows.iter().map(|(_, r)| (r.starts_at, r.ends_at)).collect();
    spans.sort();
    assert_eq!(spans.len(), 1);
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));

    // Overbooking on purpose stays possible, but only explicitly (a usager who did not get the slot).
    let extra = usager(app, sophie, s.arras, "Surréservé").await;
    let body = json!({"organisation_id": s.arras, "motif_id": s.motif, "lieu_id": s.lieu, "starts_at": starts,
                      "agent_ids": [me], "user_ids": [extra], "ignore_benign_errors": true});
    let (st, b) = call(app, sophie, "POST", "/api/v1/rdvs", Some(body)).await;
    assert_eq!(st, 200, "{b}");
}

#[actix_rt::test]
async fn an_idempotency_key_makes_a_retry_return_the_same_rdv() {
    let s = setup().await;
    let (app, sophie) = (&s.app, &s.sophie);
    let me = app.agent_id("sophie.durand").await;
    let u = usager(app, sophie, s.arras, "Idem").await;
    let body = json!({"organisation_id": s.arras, "motif_id": s.motif, "lieu_id": s.lieu,
                      "starts_at": slot_at(&s, "09:30").await, "agent_ids": [me], "user_ids": [u]});
    let send = |key: &str, body: &Value| {
        app.post("/api/v1/rdvs")
            .header("authorization", format!("Bearer {}", sophie.token))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
    };
    let first = send("clef-123e4567", &body).await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let again = send("clef-123e4567", &body).await.unwrap();
    assert_eq!(
        (again.status().as_u16(), again.headers().get("Idempotent-Replayed").map(|v| v.to_str().unwrap().to_owned())),
        (200, Some("true".to_owned()))
    );
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["rdv"]["id"], first["rdv"]["id"]);
    let id = first["rdv"]["id"].as_i64().unwrap() as i32;
    assert_eq!(app.versions_of("Rdv", id).len(), 1, "booked once");
    // The same key with another body: refused, nothing booked.
    let mut other = body.clone();
    other["starts_at"] = json!(slot_at(&s, "11:00").await);
    let (st, b) = common::json(send("clef-123e4567", &other).await.unwrap()).await;
    assert_eq!(st, 409, "{b}");
    assert!(b["errors"][0].as_str().unwrap().contains("idempotence"));
    let (st, b) = common::json(send("   ", &other).await.unwrap()).await;
    assert_eq!((st, b["errors"]["Idempotency-Key"][0]["error"].clone()), (422, json!("invalid")), "{b}");
    let _: DateTime<FixedOffset> = DateTime::parse_from_rfc3339(first["rdv"]["starts_at"].as_str().unwrap()).unwrap();
}
