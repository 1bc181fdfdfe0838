//! Agenda sync (issue 16): an agent's secret calendar link serves their RDVs (cancelled ones
//! marked), absences and optionally plages as iCalendar that parses back; names only "avec
//! détails"; a new link revokes the old one; nobody else's RDVs.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{call, demo_rdv as rdv, TestApp};
use icalendar::{Calendar, CalendarComponent, Component, EventLike, EventStatus};
use serde_json::json;

/// Fetches a feed URL from the test server: (status, body).
async fn fetch(app: &TestApp, url: &str) -> (u16, String) {
    let path = url.trim_start_matches("http://rdv.test");
    let res = app.get(path).send().await.unwrap();
    let status = res.status().as_u16();
    if status == 200 {
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    }
    (status, res.text().await.unwrap())
}

fn events(text: &str) -> Vec<icalendar::Event> {
    let cal: Calendar = text.parse().unwrap_or_else(|e| panic!("the feed parses: {e}\n{text}"));
    cal.components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[actix_rt::test]
async fn an_agent_subscribes_their_calendar_to_a_secret_feed() {
    let app = TestApp::spawn().await;
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let kept = rdv(&app, &camille, camille_id, 4, "Calendrier").await;
    let cancelled = rdv(&app, &camille, camille_id, 5, "Annulée").await;
    let (s, _) =
        call(&app, &camille, "PATCH", &format!("/api/v1/rdvs/{}", cancelled["id"]), Some(json!({"status": "revoked"})))
            .await;
    assert_eq!(s, 200);
    let others = rdv(&app, &sophie, sophie_id, 4, "Autrui").await;
    let day = common::next_weekday(chrono::Weekday::Tue);
    let (s, _) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"agent_id": camille_id,
        "title": "Formation", "first_day": day, "start_time": "09:00", "end_time": "12:00",
        "recurrence": {"every": "week", "interval": 1, "on": [day.format("%A").to_string().to_lowercase()]}})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/plage_ouvertures",
        Some(json!({
        "organisation_id": app.organisation_id("MDS Arras"),
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"),
        "motif_ids": [app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson")],
        "title": "Permanence", "first_day": day, "start_time": "14:00", "end_time": "16:00"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");

    let (_, b) = call(&app, &camille, "GET", "/api/v1/me/calendar_feed", None).await;
    assert_eq!(b["calendar_feed"], serde_json::Value::Null);
    let (s, b) = call(&app, &camille, "POST", "/api/v1/me/calendar_feed", Some(json!({}))).await;
    assert_eq!(s, 200, "{b}");
    let url = b["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://rdv.test/calendar/") && url.ends_with(".ics"), "{url}");
    assert_eq!(b["webcal_url"], url.replace("http://", "webcal://"));

    let (s, text) = fetch(&app, &url).await;
    assert_eq!(s, 200, "{text}");
    assert!(text.contains("BEGIN:VTIMEZONE") && text.contains("TZID:Europe/Paris"), "{text}");
    let list = events(&text);
    let by_uid = |uid: &str| list.iter().find(|e| e.get_uid() == Some(uid));
    let mine = by_uid(kept["uuid"].as_str().unwrap()).expect("the RDV");
    assert_eq!(mine.get_summary(), Some("RDV Consultation PMI nourrisson"));
    assert_eq!(mine.get_status(), Some(EventStatus::Confirmed));
    assert!(mine.get_location().unwrap().contains("Baudimont"));
    let gone = by_uid(cancelled["uuid"].as_str().unwrap()).expect("the cancelled RDV");
    assert_eq!(gone.get_status(), Some(EventStatus::Cancelled));
    assert!(by_uid(others["uuid"].as_str().unwrap()).is_none(), "not Sophie's RDVs");
    assert!(!text.contains("Calendrier"), "no usager name without details");
    let absence = list.iter().find(|e| e.get_summary() == Some("Indisponibilité : Formation")).expect("the absence");
    assert!(absence.property_value("RRULE").unwrap().starts_with("FREQ=WEEKLY"));
    assert!(!text.contains("Plage d'ouverture"), "plages only when asked");

    // A new link with details and plages: the old one stops working.
    let (_, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/me/calendar_feed",
        Some(json!({"with_details": true, "with_plages": true})),
    )
    .await;
    let second = b["url"].as_str().unwrap().to_owned();
    assert_eq!(fetch(&app, &url).await.0, 404);
    let (_, text) = fetch(&app, &second).await;
    let list = events(&text);
    assert!(
        list.iter().any(|e| e.get_summary() == Some("RDV Consultation PMI nourrisson — Inès Calendrier")),
        "{text}"
    );
    assert!(list.iter().any(|e| e.get_summary() == Some("Plage d'ouverture : Permanence")), "{text}");
    let (_, b) = call(&app, &camille, "GET", "/api/v1/me/calendar_feed", None).await;
    assert_eq!(b["calendar_feed"]["with_details"], true);
    assert!(b["calendar_feed"]["last_read_at"].is_string(), "{b}");
    assert!(!b.to_string().contains("/calendar/"), "the link is shown only once: {b}");

    let (s, _) = call(&app, &camille, "DELETE", "/api/v1/me/calendar_feed", None).await;
    assert_eq!(s, 204);
    assert_eq!(fetch(&app, &second).await.0, 404);
    assert_eq!(fetch(&app, "/calendar/not-a-token.ics").await.0, 404);
}
