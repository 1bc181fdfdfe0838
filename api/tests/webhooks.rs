//! Outgoing webhooks end to end (issue 16): endpoints through W1–W3, every RDV, plage and
//! absence event signed and delivered to a real local HTTP receiver in order, retried when the
//! receiver fails, logged, replayed on `trigger`, nothing after deletion; internal targets refused.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{Duration, Utc};
use common::webhook_receiver::{Received, WebhookReceiver};
use common::{call, Authed, Session, TestApp};
use serde_json::{json, Value};

const SECRET: &str = "s3cret-partagé";

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(v) = probe() {
            return v;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.delivery.webhook_allowed_hosts = vec!["127.0.0.1".into()];
        c.delivery.retry_base = Duration::seconds(1);
    })
    .await
}

async fn endpoint(app: &TestApp, who: &Session, org: i32, body: Value) -> (u16, Value) {
    call(app, who, "POST", &format!("/api/v1/organisations/{org}/webhook_endpoints"), Some(body)).await
}

fn of(received: &[Received], model: &str, id: i64) -> Vec<String> {
    received
        .iter()
        .filter(|r| r.json()["meta"]["model"] == model && r.json()["data"]["id"].as_i64() == Some(id))
        .map(|r| r.model_event().1)
        .collect()
}

/// An RDV `days` ahead: its id and day.
async fn new_rdv(app: &TestApp, who: &Session, agent: i32, days: i64) -> (i64, chrono::NaiveDate) {
    let r = common::demo_rdv(app, who, agent, days, "Webhook").await;
    let day = chrono::NaiveDate::parse_from_str(&r["starts_at"].as_str().unwrap()[..10], "%Y-%m-%d").unwrap();
    (r["id"].as_i64().unwrap(), day)
}

#[actix_rt::test]
async fn rdv_plage_and_absence_events_reach_the_receiver_signed_in_order_and_logged() {
    let app = app().await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;

    let (s, b) = endpoint(
        &app,
        &camille,
        arras,
        json!({"target_url": receiver.url, "secret": SECRET,
        "subscriptions": ["plage_ouverture", "rdv", "absence"], "trigger": false}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert!(!b.to_string().contains(SECRET), "the secret is never shown: {b}");
    assert_eq!(b["webhook_endpoint"]["subscriptions"], json!(["rdv", "absence", "plage_ouverture"]));
    let id = b["webhook_endpoint"]["id"].as_i64().unwrap();
    let list = format!("/api/v1/organisations/{arras}/webhook_endpoints");
    let (_, b) = call(&app, &camille, "GET", &format!("{list}?target_url={}", receiver.url), None).await;
    assert_eq!(b["webhook_endpoints"].as_array().unwrap().len(), 1, "{b}");
    let (_, b) = call(&app, &camille, "GET", &format!("{list}?target_url=https://ailleurs.example.fr/x"), None).await;
    assert_eq!(b["webhook_endpoints"], json!([]));
    // A basic agent sees no endpoint and may not add one.
    let (s, b) = call(&app, &sophie, "GET", &list, None).await;
    assert_eq!((s, b["webhook_endpoints"].clone()), (200, json!([])));
    let (s, _) = endpoint(&app, &sophie, arras, json!({"target_url": receiver.url, "secret": "x"})).await;
    assert_eq!(s, 403);
    assert!(receiver.received().is_empty(), "trigger: false replays nothing");

    // An RDV's life: created, updated, destroyed (its data rendered before deletion), in order.
    let (rdv, day) = new_rdv(&app, &camille, camille_id, 6).await;
    let (s, b) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/rdvs/{rdv}"),
        Some(json!({"starts_at": format!("{day}T11:00:00+01:00"), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = call(&app, &camille, "DELETE", &format!("/api/v1/rdvs/{rdv}"), None).await;
    assert_eq!(s, 204);
    let got = eventually("three RDV events", || {
        let r = receiver.received();
        (of(&r, "Rdv", rdv).len() >= 3).then_some(r)
    })
    .await;
    assert_eq!(of(&got, "Rdv", rdv), ["created", "updated", "destroyed"]);
    for r in &got {
        assert!(r.verify(SECRET), "both signatures check out: {r:?}");
        assert!(!r.verify("autre"), "and not with another secret");
        assert_eq!(r.content_type, "application/json; charset=utf-8");
        assert!(r.delivery.starts_with("webhook:"), "{}", r.delivery);
    }
    let destroyed = got.iter().find(|r| r.model_event() == ("Rdv".into(), "destroyed".into())).unwrap().json();
    assert!(destroyed["data"]["starts_at"].as_str().unwrap().contains("T11:00:00"), "{destroyed}");
    assert_eq!(destroyed["data"]["motif"]["name"], "Consultation PMI nourrisson");
    assert_eq!(destroyed["meta"]["webhook_reason"], Value::Null);
    let stamp = destroyed["meta"]["timestamp"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S %z").is_ok(), "{stamp}");

    // A plage of Camille's and an absence of hers.
    let day = (Utc::now() + Duration::days(8)).date_naive();
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/plage_ouvertures",
        Some(json!({"organisation_id": arras,
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"),
        "motif_ids": [app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson")],
        "title": "Permanence", "first_day": day, "start_time": "14:00", "end_time": "16:00"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let plage = b["plage_ouverture"]["id"].as_i64().unwrap();
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"agent_id": camille_id,
        "title": "Formation", "first_day": day, "start_time": "09:00", "end_time": "12:00"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let absence = b["absence"]["id"].as_i64().unwrap();
    let got = eventually("plage and absence events", || {
        let r = receiver.received();
        (!of(&r, "PlageOuverture", plage).is_empty() && !of(&r, "Absence", absence).is_empty()).then_some(r)
    })
    .await;
    let p = got.iter().find(|r| r.json()["meta"]["model"] == "PlageOuverture").unwrap().json();
    assert_eq!(
        (p["data"]["title"].clone(), p["data"]["organisation"]["id"].clone()),
        (json!("Permanence"), json!(arras))
    );
    assert_eq!(p["data"]["ical_uid"], format!("plage_ouverture_{plage}@RDV Solidarités"));

    // The receiver fails twice: the event is retried, each attempt logged.
    receiver.fail_next(2);
    let (s, _) =
        call(&app, &camille, "PATCH", &format!("/api/v1/absences/{absence}"), Some(json!({"title": "Formation SST"})))
            .await;
    assert_eq!(s, 200);
    eventually("the retried absence update", || {
        (of(&receiver.received(), "Absence", absence).len() >= 2).then_some(())
    })
    .await;
    let (s, log) = call(&app, &camille, "GET", &format!("{list}/{id}/deliveries"), None).await;
    assert_eq!(s, 200, "{log}");
    let entries = log["webhook_deliveries"].as_array().unwrap();
    let failed: Vec<&Value> = entries.iter().filter(|d| d["status_code"] == 500).collect();
    assert_eq!(failed.len(), 2, "{log}");
    assert!(failed.iter().all(|d| d["success"] == false && d["response_excerpt"] == "receiver down for maintenance"));
    assert!(entries
        .iter()
        .filter(|d| d["success"] == true)
        .all(|d| d["status_code"] == 200 && d["latency_ms"].as_i64().is_some()));
    assert_eq!(entries.len(), got.len() + 3, "every attempt logged: {log}");

    // "Renvoyer" sends a logged event again.
    let first = entries.last().unwrap()["id"].as_i64().unwrap();
    let before = receiver.received().len();
    let res = app.post(&format!("{list}/{id}/deliveries/{first}/redeliver")).bearer(&camille).send().await.unwrap();
    let s = res.status().as_u16();
    assert_eq!(s, 202);
    eventually("the redelivery", || (receiver.received().len() > before).then_some(())).await;

    // Deleted: nothing more.
    let (s, _) = call(&app, &camille, "DELETE", &format!("{list}/{id}"), None).await;
    assert_eq!(s, 204);
    let count = receiver.received().len();
    new_rdv(&app, &camille, camille_id, 9).await;
    actix_rt::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), count, "nothing after the endpoint is deleted");
    let versions = app.versions_of("WebhookEndpoint", i32::try_from(id).unwrap());
    assert_eq!(versions.iter().map(|v| v.0.as_str()).collect::<Vec<_>>(), ["create", "destroy"]);
    assert!(!versions.iter().any(|v| v.1.to_string().contains(SECRET)), "no secret in the audit trail");
}

#[actix_rt::test]
async fn saving_an_endpoint_replays_the_organisation_and_w3_updates_it() {
    let app = app().await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let (rdv, day) = new_rdv(&app, &camille, camille_id, 5).await;
    let (s, b) = endpoint(
        &app,
        &camille,
        arras,
        json!({"target_url": receiver.url, "secret": SECRET,
        "subscriptions": ["rdv", "lieu", "motif", "organisation"]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let id = b["webhook_endpoint"]["id"].as_i64().unwrap();
    let got = eventually("the replay", || {
        let r = receiver.received();
        (!of(&r, "Rdv", rdv).is_empty()).then_some(r)
    })
    .await;
    assert_eq!(of(&got, "Rdv", rdv), ["created"]);
    let rdvs = got.iter().filter(|r| r.json()["meta"]["model"] == "Rdv");
    assert!(rdvs.clone().all(|r| r.json()["data"]["organisation"]["id"] == arras), "only the organisation's RDVs");
    // The organisation, its lieux and motifs are replayed too.
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let got = eventually("the replay of lieux and motifs", || {
        let r = receiver.received();
        (!of(&r, "Lieu", lieu.into()).is_empty()
            && !of(&r, "Motif", motif.into()).is_empty()
            && !of(&r, "Organisation", arras.into()).is_empty())
        .then_some(r)
    })
    .await;
    let m =
        got.iter().find(|r| r.json()["meta"]["model"] == "Motif" && r.json()["data"]["id"] == motif).unwrap().json();
    assert_eq!(m["data"]["name"], "Consultation PMI nourrisson", "{m}");
    // A lieu renamed: "updated".
    let (s, _) =
        call(&app, &camille, "PATCH", &format!("/api/v1/lieux/{lieu}"), Some(json!({"name": "Baudimont (rénové)"})))
            .await;
    assert_eq!(s, 200);
    let renamed = eventually("the lieu update", || {
        receiver.received().into_iter().find(|r| r.model_event() == ("Lieu".into(), "updated".into()))
    })
    .await;
    assert_eq!(renamed.json()["data"]["name"], "Baudimont (rénové)");

    // W3 (PUT and PATCH): new secret and subscriptions, no replay.
    let path = format!("/api/v1/organisations/{arras}/webhook_endpoints/{id}");
    let (s, b) = call(
        &app,
        &camille,
        "PUT",
        &path,
        Some(json!({"secret": "nouveau", "subscriptions": ["rdv", "user"], "trigger": false})),
    )
    .await;
    assert_eq!((s, b["webhook_endpoint"]["subscriptions"].clone()), (200, json!(["rdv", "user"])), "{b}");
    let (s, b) = call(&app, &camille, "PATCH", &path, Some(json!({"subscriptions": ["rdvs"]}))).await;
    assert_eq!((s, b["errors"]["base"][0]["error"].clone()), (422, json!("invalid_subscription")), "{b}");
    let count = receiver.received().len();
    let (s, _) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/rdvs/{rdv}"),
        Some(json!({"starts_at": format!("{day}T11:00:00+01:00"), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200);
    let last = eventually("the update", || receiver.received().get(count).cloned()).await;
    assert!(last.verify("nouveau"), "signed with the new secret");
    // Another organisation's admin cannot reach it.
    let other = app.sign_in_other_territory().await;
    let (s, _) = call(&app, &other, "PATCH", &path, Some(json!({"secret": "pris"}))).await;
    assert_eq!(s, 404);
}

#[actix_rt::test]
async fn internal_targets_and_bad_bodies_are_refused_with_a_clear_422() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    for (url, why) in [
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://localhost:9/hook", "localhost"),
        ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("http://10.0.0.7/hook", "private network"),
        ("http://[::1]/hook", "IPv6 loopback"),
        ("ftp://example.fr/hook", "not http"),
        ("pas une url", "not a URL"),
    ] {
        let (s, b) = endpoint(&app, &camille, arras, json!({"target_url": url, "secret": SECRET})).await;
        assert_eq!((s, b["errors"]["target_url"][0]["error"].clone()), (422, json!("invalid")), "{why}: {b}");
        assert!(!b["error_messages"][0].as_str().unwrap_or("").is_empty(), "{b}");
    }
    let (s, b) = endpoint(&app, &camille, arras, json!({"target_url": "https://example.fr/hook"})).await;
    assert_eq!((s, b["errors"]["secret"][0]["error"].clone()), (422, json!("blank")), "{b}");
    let (s, _) =
        endpoint(&app, &camille, 999_999, json!({"target_url": "https://example.fr/hook", "secret": "x"})).await;
    assert_eq!(s, 404);
}
