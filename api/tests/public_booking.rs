//! Public booking over HTTP, no account (issue 7): motifs at an address (INSEE code, or a typed
//! address through a fake BAN geocoder), sectorisation at organisation and agent level, lieux
//! with next availability, slots per start, booking with usager matching, 409 with the next
//! slots when taken, 64 concurrent public bookings of one slot → one RDV, confirmation and
//! cancellation by token, Idempotency-Key, and the per-IP rate limit.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{Duration, Weekday};
use common::{call, next_weekday as next, Session, TestApp};
use serde_json::{json, Value};

struct Setup {
    app: TestApp,
    admin: Session,
    motif: i32,
    lieu: i32,
    monday: chrono::NaiveDate,
}

/// Sophie receives "Consultation PMI nourrisson" (bookable online) on Mondays 09:00–12:00.
async fn setup_with(tweak: impl FnOnce(&mut rdv_api::config::Config)) -> Setup {
    let app = TestApp::spawn_with(tweak).await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let monday = next(Weekday::Mon);
    let (s, b) =
        call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(monday_plage(arras, lieu, motif, monday))).await;
    assert_eq!(s, 200, "{b}");
    let admin = app.sign_in("camille.martin").await;
    Setup { app, admin, motif, lieu, monday }
}

/// The caller's weekly plage for the motif, Mondays 09:00–12:00 from `monday`.
fn monday_plage(organisation: i32, lieu: i32, motif: i32, monday: chrono::NaiveDate) -> Value {
    json!({"organisation_id": organisation, "lieu_id": lieu, "motif_ids": [motif], "title": "Consultations",
           "first_day": monday, "start_time": "09:00", "end_time": "12:00",
           "recurrence": {"every": "week", "interval": 1, "on": ["monday"]}})
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    common::json(app.get(path).send().await.unwrap()).await
}

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    common::json(app.post(path).json(body).send().await.unwrap()).await
}

fn keys(b: &Value) -> Vec<String> {
    b["motifs"].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap().to_owned()).collect()
}

async fn slots(s: &Setup) -> Vec<String> {
    let url = format!(
        "/api/v1/public/creneaux?city_code=62041&motif_id={}&lieu_id={}&from={}&to={}",
        s.motif, s.lieu, s.monday, s.monday
    );
    let (st, b) = get(&s.app, &url).await;
    assert_eq!(st, 200, "{b}");
    b["creneaux"].as_array().unwrap().iter().map(|c| c["starts_at"].as_str().unwrap().to_owned()).collect()
}

fn booking(s: &Setup, starts_at: &str, first: &str) -> Value {
    json!({"motif_id": s.motif, "lieu_id": s.lieu, "starts_at": starts_at, "city_code": "62041",
           "first_name": first, "last_name": "Enligne", "phone_number": "06 12 34 56 78"})
}

/// `n` different people book `starts_at` at once: (how many got 200, how many 409, every status).
async fn book_at_once(s: &Setup, starts_at: &str, n: usize, name: &str) -> (usize, usize, Vec<u16>) {
    let bodies: Vec<Value> = (0..n).map(|i| booking(s, starts_at, &format!("{name}{i}"))).collect();
    let results = futures_util::future::join_all(bodies.iter().map(|b| post(&s.app, "/api/v1/public/rdvs", b))).await;
    let codes: Vec<u16> = results.iter().map(|r| r.0).collect();
    (codes.iter().filter(|c| **c == 200).count(), codes.iter().filter(|c| **c == 409).count(), codes)
}

#[actix_rt::test]
async fn search_book_confirm_and_cancel() {
    let s = setup_with(|_| {}).await;
    let app = &s.app;
    let (st, b) = get(app, "/api/v1/public/motifs?city_code=62041").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["place"]["departement"], "62");
    let key = "consultation_pmi_nourrisson-public_office";
    assert!(keys(&b).contains(&key.to_owned()), "{b}");
    assert!(!keys(&b).iter().any(|k| k.contains("entretien")), "motifs bookable by agents only are not offered");
    // Another département: nothing from Pas-de-Calais.
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=59350").await;
    assert_eq!(b["motifs"], json!([]));
    let (st, b) = get(app, "/api/v1/public/motifs?city_code=abc").await;
    assert_eq!((st, b["errors"]["city_code"][0]["error"].clone()), (422, json!("invalid")));
    let (st, _) = get(app, "/api/v1/public/motifs?address=1%20rue%20de%20la%20Paix%20Arras").await;
    assert_eq!(st, 422, "no geocoder configured: the INSEE code is needed");

    let (st, b) =
        get(app, &format!("/api/v1/public/lieux?city_code=62041&motif_key={key}&latitude=50.29&longitude=2.78")).await;
    assert_eq!(st, 200, "{b}");
    let lieu = b["lieux"].as_array().unwrap().iter().find(|l| l["lieu_id"] == s.lieu).unwrap();
    assert_eq!(lieu["motif_id"], s.motif);
    assert!(lieu["next_availability"].as_str().is_some(), "{lieu}");

    let free = slots(&s).await;
    assert_eq!(free.len(), 6, "{free:?}");
    let (st, b) = post(app, "/api/v1/public/rdvs", &booking(&s, &free[0], "Alix")).await;
    assert_eq!(st, 200, "{b}");
    let token = b["token"].as_str().unwrap().to_owned();
    assert_eq!(
        (b["rdv"]["lieu_name"].clone(), b["rdv"]["cancellable"].clone()),
        (json!("MDS Arras — Baudimont"), json!(true))
    );
    assert!(b["rdv"]["instruction_for_rdv"].as_str().unwrap().contains("carnet de santé"));
    assert_eq!(slots(&s).await.len(), 5, "the slot is gone");

    // The same slot again: 409 with the next ones, no agent names beyond the first name.
    let (st, b) = post(app, "/api/v1/public/rdvs", &booking(&s, &free[0], "Bertrand")).await;
    assert_eq!((st, b["error"].clone()), (409, json!("creneau_indisponible")), "{b}");
    assert_eq!(b["creneaux"][0]["starts_at"], json!(free[1]));
    assert_eq!(b["creneaux"][0]["agent_id"], b["agents"][0]["id"], "{b}");
    assert_eq!(b["agents"][0]["last_name"], "");

    // The same person books again: matched on names + phone, not duplicated.
    let (st, b2) = post(app, "/api/v1/public/rdvs", &booking(&s, &free[1], "alix")).await;
    assert_eq!(st, 200, "{b2}");
    let sophie = app.sign_in("sophie.durand").await;
    let (_, found) = call(app, &sophie, "GET", "/api/v1/users?search=Enligne", None).await;
    assert_eq!(found["users"].as_array().map(Vec::len), Some(1), "{found}");

    // Confirmation and cancellation by token.
    let (st, b) = get(app, &format!("/api/v1/public/rdvs/{token}")).await;
    assert_eq!((st, b["rdv"]["status"].clone()), (200, json!("unknown")));
    let (st, b) = post(app, &format!("/api/v1/public/rdvs/{token}/cancel"), &json!({})).await;
    assert_eq!((st, b["rdv"]["status"].clone()), (200, json!("excused")), "{b}");
    let (st, _) = post(app, &format!("/api/v1/public/rdvs/{token}/cancel"), &json!({})).await;
    assert_eq!(st, 422);
    assert_eq!(slots(&s).await.len(), 5, "the cancelled slot is free again, the second one taken");
    let (st, _) = get(app, "/api/v1/public/rdvs/not-a-token").await;
    assert_eq!(st, 404);

    // Idempotency-Key: a retry returns the same RDV.
    let body = booking(&s, &free[3], "Chloé");
    let send = || app.post("/api/v1/public/rdvs").header("Idempotency-Key", "k-42-public").json(&body).send();
    let (st, first) = common::json(send().await.unwrap()).await;
    assert_eq!(st, 200, "{first}");
    let (st, again) = common::json(send().await.unwrap()).await;
    assert_eq!((st, again["rdv"]["starts_at"].clone()), (200, first["rdv"]["starts_at"].clone()));
    let (st, _) = get(app, &format!("/api/v1/public/rdvs/{}", again["token"].as_str().unwrap())).await;
    assert_eq!(st, 200, "the retry's token opens the RDV");
    let _ = s.admin;
}

#[actix_rt::test]
async fn sixty_four_concurrent_public_bookings_of_one_slot_give_one_rdv() {
    let s = setup_with(|_| {}).await;
    let free = slots(&s).await;
    let (booked, taken, codes) = book_at_once(&s, &free[2], 64, "Client").await;
    assert_eq!((booked, taken), (1, 63), "{codes:?}");
    let mut conn = s.app.state.pool.get().unwrap();
    let sophie = s.app.agent_id("sophie.durand").await;
    let from = s.monday.and_hms_opt(0, 0, 0).unwrap();
    let rows =
        rdv_api::db::models::rdv::of_agents_in_window(&mut conn, &[sophie], from, from + Duration::days(1)).unwrap();
    assert_eq!(rows.len(), 1);
}

/// Two agents free at the same start, many bookings of it at once: each request tries the agents
/// in its own fair order (ties drawn at random), so two requests can meet them in opposite
/// orders. A request that finds an agent taken must let go of that agent before locking the
/// next one, or PostgreSQL detects a deadlock and one of them fails with a 500.
#[actix_rt::test]
async fn concurrent_public_bookings_over_two_free_agents_book_both_and_never_deadlock() {
    let s = setup_with(|_| {}).await;
    let plage = monday_plage(s.app.organisation_id("MDS Arras"), s.lieu, s.motif, s.monday);
    let (st, b) = call(&s.app, &s.admin, "POST", "/api/v1/plage_ouvertures", Some(plage)).await;
    assert_eq!(st, 200, "{b}");
    let free = slots(&s).await;
    assert_eq!(free.len(), 6, "{free:?}");
    for (round, start) in free.iter().enumerate() {
        let (booked, taken, codes) = book_at_once(&s, start, 32, &format!("Client{round}x")).await;
        assert_eq!((booked, taken), (2, 30), "one RDV per free agent, 409 for the others, never a 500: {codes:?}");
    }
    let mut conn = s.app.state.pool.get().unwrap();
    let from = s.monday.and_hms_opt(0, 0, 0).unwrap();
    for who in ["sophie.durand", "camille.martin"] {
        let agent = s.app.agent_id(who).await;
        let rows =
            rdv_api::db::models::rdv::of_agents_in_window(&mut conn, &[agent], from, from + Duration::days(1)).unwrap();
        assert_eq!(rows.len(), 6, "{who}: one RDV per round");
    }
}

#[actix_rt::test]
async fn sectorisation_decides_what_is_offered_and_who_is_booked() {
    let s = setup_with(|_| {}).await;
    let (app, admin) = (&s.app, &s.admin);
    let key = "consultation_pmi_nourrisson-public_office";
    let (st, b) = call(
        app,
        admin,
        "PATCH",
        &format!("/api/v1/motifs/{}", s.motif),
        Some(json!({"sectorisation_level": "organisation"})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(!keys(&b).contains(&key.to_owned()), "no sector attributed yet: {b}");
    let t = {
        let (_, me) =
            call(app, admin, "GET", &format!("/api/v1/organisations/{}", app.organisation_id("MDS Arras")), None).await;
        me["organisation"]["territory_id"].as_i64().unwrap()
    };
    let (_, sector) = call(
        app,
        admin,
        "POST",
        &format!("/api/v1/territories/{t}/sectors"),
        Some(json!({"name": "Arras", "human_id": "arras"})),
    )
    .await;
    let sector = sector["sector"]["id"].as_i64().unwrap();
    let zone = json!({"level": "city", "city_name": "Arras", "city_code": "62041"});
    assert_eq!(call(app, admin, "POST", &format!("/api/v1/sectors/{sector}/zones"), Some(zone)).await.0, 200);
    let arras = app.organisation_id("MDS Arras");
    let (st, b) = call(
        app,
        admin,
        "POST",
        &format!("/api/v1/sectors/{sector}/attributions"),
        Some(json!({"organisation_id": arras})),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(keys(&b).contains(&key.to_owned()), "Arras is in the sector: {b}");
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=62498").await;
    assert!(!keys(&b).contains(&key.to_owned()), "Lens is not: {b}");

    // Agent level: only agents attributed to the address's sector.
    call(app, admin, "PATCH", &format!("/api/v1/motifs/{}", s.motif), Some(json!({"sectorisation_level": "agent"})))
        .await;
    let camille = app.agent_id("camille.martin").await;
    call(
        app,
        admin,
        "POST",
        &format!("/api/v1/sectors/{sector}/attributions"),
        Some(json!({"organisation_id": arras, "agent_id": camille})),
    )
    .await;
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(!keys(&b).contains(&key.to_owned()), "Camille has no plage for it: {b}");
    let sophie = app.agent_id("sophie.durand").await;
    call(
        app,
        admin,
        "POST",
        &format!("/api/v1/sectors/{sector}/attributions"),
        Some(json!({"organisation_id": arras, "agent_id": sophie})),
    )
    .await;
    let (_, b) = get(app, "/api/v1/public/motifs?city_code=62041").await;
    assert!(keys(&b).contains(&key.to_owned()), "Sophie is attributed: {b}");
    assert_eq!(slots(&s).await.len(), 6);
}

/// A stand-in for api-adresse.data.gouv.fr: every query resolves to a street of Arras.
async fn fake_ban() -> String {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let server = HttpServer::new(|| {
        App::new().route(
            "/search/",
            web::get().to(|q: web::Query<std::collections::HashMap<String, String>>| async move {
                let found = q.get("q").is_some_and(|v| v.contains("Arras"));
                let features = if found {
                    json!([{"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.7775, 50.291]},
                            "properties": {"label": "12 Rue Gambetta 62000 Arras", "citycode": "62041",
                                           "id": "62041_0120_00012", "type": "housenumber", "context": "62, Pas-de-Calais"}}])
                } else {
                    json!([])
                };
                HttpResponse::Ok().json(json!({"type": "FeatureCollection", "features": features}))
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    actix_rt::spawn(server.run());
    format!("http://{addr}")
}

#[actix_rt::test]
async fn an_address_is_geocoded_through_the_ban_client() {
    let ban = fake_ban().await;
    let s = setup_with(move |c| c.geocoder_url = Some(ban)).await;
    let (st, b) = get(&s.app, "/api/v1/public/motifs?address=12%20rue%20Gambetta%20Arras").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["place"]["city_code"], "62041");
    assert_eq!(b["place"]["street_ban_id"], "62041_0120");
    assert_eq!(b["place"]["label"], "12 Rue Gambetta 62000 Arras");
    assert!(keys(&b).contains(&"consultation_pmi_nourrisson-public_office".to_owned()));
    let (st, b) = get(&s.app, "/api/v1/public/motifs?address=nulle%20part").await;
    assert_eq!((st, b["errors"]["address"][0]["error"].clone()), (422, json!("not_found")));
}

#[actix_rt::test]
async fn the_public_pages_are_rate_limited_per_ip() {
    let s = setup_with(|c| c.public_per_minute_ip = 3).await;
    for _ in 0..3 {
        assert_eq!(get(&s.app, "/api/v1/public/motifs?city_code=62041").await.0, 200);
    }
    let res = s.app.get("/api/v1/public/motifs?city_code=62041").send().await.unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}
