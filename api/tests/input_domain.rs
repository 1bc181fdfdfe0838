//! One input domain for both backends (issue 18): the same hostile and boundary dates and times
//! give the same statuses and store the same values on SQLite and PostgreSQL. The suite runs on
//! each backend; every expectation below is a constant, so passing on both is parity.
//! Before: year −5000 gave a 500 on PostgreSQL and an RDV on SQLite, a leap second became
//! 11:00:00 on one and stayed 10:59:60 on the other, a time kept nanoseconds on one only.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Weekday;
use common::{call, next_weekday, TestApp};
use serde_json::json;

#[actix_rt::test]
async fn hostile_dates_and_times_get_the_same_answer_and_the_same_stored_value_on_both_backends() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let monday = next_weekday(Weekday::Mon);
    let (s, b) = call(
        &app,
        &sophie,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [arras], "first_name": "Léa", "last_name": "Bornes"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let user = b["user"]["id"].as_i64().unwrap();
    let rdv = |starts_at: &str| {
        json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
               "user_ids": [user], "starts_at": starts_at, "notify": false, "ignore_benign_errors": true})
    };

    // Query parameters: (path, parameter, error code).
    for (path, field, code) in [
        (format!("/api/v1/creneaux?motif_id={motif}&from=-5000-01-01&to=2030-01-02"), "from", "out_of_range"),
        (format!("/api/v1/creneaux?motif_id={motif}&from=9999-08-01&to=9999-08-10"), "from", "out_of_range"),
        (format!("/api/v1/agenda?agent_ids[]={sophie_id}&from=-5000-01-01&to=2030-01-02"), "from", "out_of_range"),
        ("/api/v1/rdvs?from=0000-01-01".to_owned(), "from", "out_of_range"),
    ] {
        let (s, b) = call(&app, &sophie, "GET", &path, None).await;
        assert_eq!((s, b["errors"][field][0]["error"].as_str()), (422, Some(code)), "{path}: {b}");
    }

    // RDV starts: (starts_at, error code).
    for (starts_at, code) in [
        ("-5000-01-07T09:00:00+01:00", "out_of_range"),
        ("0000-01-07T09:00:00+01:00", "out_of_range"),
        ("-0001-01-07T09:00:00+01:00", "out_of_range"),
        ("+10000-01-07T09:00:00+01:00", "out_of_range"),
        ("2201-01-07T09:00:00+01:00", "out_of_range"),
        (&format!("{monday}T10:59:60+01:00"), "leap_second"),
    ] {
        let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(rdv(starts_at))).await;
        assert_eq!((s, b["errors"]["starts_at"][0]["error"].as_str()), (422, Some(code)), "{starts_at}: {b}");
        assert!(b["error_messages"][0].as_str().unwrap().starts_with("starts_at "), "{b}");
    }

    // A plage's times are to the second: nanoseconds are refused, seconds kept as sent.
    let plage = |start: &str| {
        json!({"organisation_id": arras, "lieu_id": lieu, "motif_ids": [motif], "title": "Bornes",
               "first_day": monday, "start_time": start, "end_time": "12:00"})
    };
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(plage("09:00:30.123456789"))).await;
    assert_eq!((s, b["errors"]["start_time"][0]["error"].as_str()), (422, Some("too_precise")), "{b}");
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(plage("23:59:60"))).await;
    assert_eq!((s, b["errors"]["start_time"][0]["error"].as_str()), (422, Some("leap_second")), "{b}");
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(plage("09:00:30"))).await;
    assert_eq!(s, 200, "{b}");
    let id = b["plage_ouverture"]["id"].as_i64().unwrap();
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/plage_ouvertures/{id}"), None).await;
    assert_eq!(b["plage_ouverture"]["start_time"], "09:00:30", "{b}");

    // A start with a fraction of a second is stored to the microsecond on both.
    let (s, b) =
        call(&app, &sophie, "POST", "/api/v1/rdvs", Some(rdv(&format!("{monday}T09:30:00.123456789+01:00")))).await;
    assert_eq!(s, 200, "{b}");
    let id = b["rdv"]["id"].as_i64().unwrap();
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/rdvs/{id}"), None).await;
    let stored = chrono::DateTime::parse_from_rfc3339(b["rdv"]["starts_at"].as_str().unwrap()).unwrap();
    assert_eq!(stored.timestamp_subsec_nanos(), 123_456_000, "{b}");

    // Bounds are inclusive: 2200 is a year of the domain (the booking rules may still warn).
    let (s, b) = call(&app, &sophie, "GET", "/api/v1/rdvs?from=2200-12-31&to=2200-12-31", None).await;
    assert_eq!((s, b["meta"]["total_count"].as_i64()), (200, Some(0)), "{b}");
    // A text that merely looks like a date is not refused when it is not one.
    let (s, b) = call(
        &app,
        &sophie,
        "PATCH",
        &format!("/api/v1/users/{user}"),
        Some(json!({"address": "Résidence du 0000-01-01, bât. 25:99"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

/// `12.0` is an integer for JSON Schema: accepted where an integer is expected, in a body as in a
/// query parameter (single or Rails-style array); a text parameter is never rewritten.
#[actix_rt::test]
async fn integral_numbers_written_with_a_fraction_are_integers() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let sophie = app.sign_in("sophie.durand").await;
    let (s, b) =
        call(&app, &sophie, "GET", &format!("/api/v1/users/search?organisation_id={arras}.0&q=1.0"), None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/rdvs?organisation_ids[]={arras}.00"), None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/users/search?organisation_id={arras}.5&q=x"), None).await;
    assert_eq!((s, b["errors"]["organisation_id"][0]["error"].as_str()), (422, Some("invalid")), "{b}");
    let (s, b) = call(
        &app,
        &sophie,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [f64::from(arras)], "first_name": "Léa", "last_name": "Virgule"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}
