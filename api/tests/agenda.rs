//! Agenda over HTTP: plages (weekend rule, overlap warnings), absences (API v1 B1–B5), RDVs
//! (warnings and confirmation, status rules, participations, collective seats), lists, and the
//! agenda feed projected per access level.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{Datelike, Duration, Utc, Weekday};
use common::{call, next_weekday as next, Session, TestApp};
use serde_json::{json, Value};

async fn usager(app: &TestApp, who: &Session, org: i32, first: &str) -> i64 {
    let (s, b) = call(
        app,
        who,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [org], "first_name": first, "last_name": "Testeur"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    b["user"]["id"].as_i64().unwrap()
}

fn codes(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .map(|a| a.iter().map(|w| w["code"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

#[actix_rt::test]
async fn plages_weekend_rule_overlap_warning_and_crud() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let monday = next(Weekday::Mon);
    let base = json!({"organisation_id": arras, "lieu_id": lieu, "motif_ids": [motif], "title": "Consultations",
                      "first_day": monday, "start_time": "09:00", "end_time": "12:00",
                      "recurrence": {"every": "week", "interval": 1, "on": ["monday", "thursday"]}});
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(base.clone())).await;
    assert_eq!(s, 200, "{b}");
    let p = &b["plage_ouverture"];
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["start_time"], "09:00:00");
    assert_eq!(p["rrule"], "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH");
    assert_eq!(p["motifs"][0]["id"], motif);
    assert_eq!(p["time_zone"], "Europe/Paris");
    assert_eq!(app.versions_of("PlageOuverture", id as i32).len(), 1, "audited");

    // Sunday: refused with a clear message, on a single day and in a rule.
    let mut sunday = base.clone();
    sunday["first_day"] = json!(next(Weekday::Sun));
    sunday["recurrence"] = Value::Null;
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(sunday)).await;
    assert_eq!(s, 422);
    assert_eq!(b["errors"]["first_day"][0]["error"], "sunday");
    assert!(b["error_messages"][0].as_str().unwrap().contains("dimanche"), "{b}");
    let mut sunday_rule = base.clone();
    sunday_rule["recurrence"]["on"] = json!(["sunday"]);
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(sunday_rule)).await;
    assert_eq!((s, b["errors"]["recurrence"][0]["error"].clone()), (422, json!("sunday")));

    // Saturday: refused until the organisation opens on Saturdays.
    let mut saturday = base.clone();
    saturday["first_day"] = json!(next(Weekday::Sat));
    saturday["recurrence"] = Value::Null;
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(saturday.clone())).await;
    assert_eq!((s, b["errors"]["first_day"][0]["error"].clone()), (422, json!("saturday")));
    let admin = app.sign_in("camille.martin").await;
    let (s, _) = call(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v1/organisations/{arras}"),
        Some(json!({"allow_saturday_openings": true})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(saturday)).await;
    assert_eq!(s, 200, "{b}");

    // Overlap with the first plage: a warning, then confirmed.
    let mut overlap = base.clone();
    overlap["start_time"] = json!("11:00");
    overlap["end_time"] = json!("13:00");
    overlap["recurrence"] = Value::Null;
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(overlap.clone())).await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(codes(&b, "warnings"), vec!["plage_overlap"]);
    assert_eq!(b["errors"]["base"][0]["error"], "benign_errors");
    overlap["ignore_benign_errors"] = json!(true);
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(overlap)).await;
    assert_eq!(s, 200, "{b}");

    // Lieu required for an on-site motif; motifs of another organisation refused.
    let mut no_lieu = base.clone();
    no_lieu["lieu_id"] = Value::Null;
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(no_lieu)).await;
    assert_eq!((s, b["errors"]["lieu_id"][0]["error"].clone()), (422, json!("required_on_site")));
    let lens_motif = app.id_by_name("motifs", "MDS Lens", "Consultation PMI nourrisson");
    let mut foreign = base.clone();
    foreign["motif_ids"] = json!([lens_motif]);
    let (s, _) = call(&app, &sophie, "POST", "/api/v1/plage_ouvertures", Some(foreign)).await;
    assert_eq!(s, 422);

    // A social worker of the same MDS cannot write a PMI agent's plages; the admin can.
    let julien = app.sign_in("julien.lefebvre").await;
    let (s, _) =
        call(&app, &julien, "PATCH", &format!("/api/v1/plage_ouvertures/{id}"), Some(json!({"title": "x"}))).await;
    assert_eq!(s, 403);
    let (s, b) = call(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v1/plage_ouvertures/{id}"),
        Some(json!({"title": "Consultations nourrissons", "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!((s, b["plage_ouverture"]["title"].clone()), (200, json!("Consultations nourrissons")));
    let other_territory = app.sign_in_other_territory().await;
    let (s, _) = call(&app, &other_territory, "GET", &format!("/api/v1/plage_ouvertures/{id}"), None).await;
    assert_eq!(s, 404, "invisible elsewhere");
    let (s, b) = call(&app, &sophie, "GET", "/api/v1/plage_ouvertures", None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(3)));
    let (s, _) = call(&app, &sophie, "DELETE", &format!("/api/v1/plage_ouvertures/{id}"), None).await;
    assert_eq!(s, 204);
    let events: Vec<String> = app.versions_of("PlageOuverture", id as i32).into_iter().map(|v| v.0).collect();
    assert_eq!(events, vec!["create", "update", "destroy"]);
}

#[actix_rt::test]
async fn absences_like_the_reference() {
    let app = TestApp::spawn().await;
    let camille = app.sign_in("camille.martin").await;
    let day = next(Weekday::Tue);
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"agent_email": common::demo_email("sophie.durand"), "title": "Formation",
                    "first_day": day, "start_time": "08:00", "end_time": "18:00"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let id = b["absence"]["id"].as_i64().unwrap();
    assert_eq!(b["absence"]["end_day"], json!(day), "end_day defaults to first_day");
    assert_eq!(b["absence"]["agent"]["last_name"], "Durand");
    assert_eq!(b["absence"]["ical_uid"], format!("absence_{id}@RDV Solidarités"));
    assert_eq!(b["absence"]["rrule"], Value::Null);

    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"agent_email": "nobody@example.fr", "title": "x", "first_day": day, "start_time": "08:00", "end_time": "09:00"})),
    )
    .await;
    assert_eq!((s, b), (404, json!({"not_found": "agent"})));
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"title": "x", "first_day": day, "start_time": "10:00", "end_time": "09:00"})),
    )
    .await;
    assert_eq!((s, b["errors"]["end_time"][0]["error"].clone()), (422, json!("after_start")));
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"title": "x", "first_day": day, "start_time": "25:00", "end_time": "09:00"})),
    )
    .await;
    assert_eq!(s, 422, "bad time format: {b}");
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/absences",
        Some(json!({"title": "Congés", "first_day": day, "end_day": day + Duration::days(3), "start_time": "08:00",
                    "end_time": "18:00", "recurrence": {"every": "week", "on": ["tuesday"]}})),
    )
    .await;
    assert_eq!((s, b["errors"]["recurrence"][0]["error"].clone()), (422, json!("multi_day")));

    // A basic agent of another service may not manage it (sees it busy): 403; elsewhere: 404.
    let julien = app.sign_in("julien.lefebvre").await;
    let (s, _) = call(&app, &julien, "GET", &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &app,
        &julien,
        "POST",
        "/api/v1/absences",
        Some(json!({"agent_email": common::demo_email("sophie.durand"), "title": "x", "first_day": day,
                    "start_time": "08:00", "end_time": "09:00"})),
    )
    .await;
    assert_eq!(s, 403);
    let claire = app.sign_in("claire.fontaine").await;
    let (s, _) = call(&app, &claire, "GET", &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(s, 404);

    let sophie = app.sign_in("sophie.durand").await;
    let (s, b) = call(
        &app,
        &sophie,
        "PATCH",
        &format!("/api/v1/absences/{id}"),
        Some(json!({"title": "Formation PSC1", "recurrence": {"every": "week", "interval": 2, "on": ["tuesday"]}})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["absence"]["rrule"], "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU");
    let (s, b) = call(&app, &sophie, "GET", "/api/v1/absences", None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(1)));
    let (s, b) = call(&app, &julien, "GET", "/api/v1/absences", None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(0)), "not listed to who cannot manage it");
    let (s, _) = call(&app, &sophie, "DELETE", &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, &sophie, "GET", &format!("/api/v1/absences/{id}"), None).await;
    assert_eq!(s, 404);
    assert_eq!(app.versions_of("Absence", id as i32).len(), 3);
}

#[actix_rt::test]
async fn rdvs_warnings_status_participations_and_lists() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let parent = usager(&app, &sophie, arras, "Parent").await;
    let child = usager(&app, &sophie, arras, "Enfant").await;
    let monday = next(Weekday::Mon);
    let (s, _) = call(
        &app,
        &sophie,
        "POST",
        "/api/v1/plage_ouvertures",
        Some(json!({"organisation_id": arras, "lieu_id": lieu, "motif_ids": [motif], "title": "PMI",
                    "first_day": monday, "start_time": "09:00", "end_time": "12:00"})),
    )
    .await;
    assert_eq!(s, 200);
    let at = |h: u32, m: u32| format!("{monday}T{h:02}:{m:02}:00+01:00");
    let body = json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
                      "user_ids": [parent, child], "starts_at": at(9, 30), "notify": false});
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(body.clone())).await;
    assert_eq!(s, 200, "{b}");
    let rdv = &b["rdv"];
    let id = rdv["id"].as_i64().unwrap();
    assert_eq!(rdv["duration_in_min"], 30, "motif's default duration");
    assert_eq!(rdv["users_count"], 2);
    assert_eq!(rdv["notify"], false);
    assert_eq!(rdv["participations"][0]["send_lifecycle_notifications"], false, "ne pas notifier");
    assert_eq!(rdv["address"], "12 rue de Baudimont, 62000 Arras");
    assert_eq!(rdv["created_by_type"], "Agent");
    assert_eq!(rdv["transitions"], json!(["excused", "revoked"]), "future RDV");
    assert_eq!(rdv["uuid"].as_str().unwrap().len(), 36);

    // Same start again: an identical RDV is a hard error; other usager → overlap + same-day warnings.
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(body.clone())).await;
    assert_eq!((s, b["errors"]["base"][0]["error"].clone()), (422, json!("identical")), "{b}");
    let other = usager(&app, &sophie, arras, "Autre").await;
    let mut clash = body.clone();
    clash["user_ids"] = json!([other, parent]);
    clash["starts_at"] = json!(at(11, 45));
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(clash.clone())).await;
    assert_eq!(s, 422, "{b}");
    let w = codes(&b, "warnings");
    assert!(w.contains(&"outside_plages".to_owned()) && w.contains(&"same_day_rdv".to_owned()), "{w:?}");
    clash["user_ids"] = json!([other]);
    clash["starts_at"] = json!(at(9, 45));
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(clash.clone())).await;
    // The agent is taken then: 409 with the detail and the next free slots.
    assert_eq!((s, codes(&b, "warnings")), (409, vec!["rdv_overlap".to_owned()]), "{b}");
    assert_eq!(b["error"], "creneau_indisponible");
    clash["ignore_benign_errors"] = json!(true);
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(clash)).await;
    assert_eq!(s, 200, "{b}");
    let second = b["rdv"]["id"].as_i64().unwrap();

    // A social worker sees Sophie's RDV without details: the overlap is reported without them.
    let julien = app.sign_in("julien.lefebvre").await;
    let (s, _) = call(&app, &julien, "GET", &format!("/api/v1/rdvs/{id}"), None).await;
    assert_eq!(s, 403);

    // Status: not "seen" before it starts; revoked sets cancelled_at and spreads; back to unknown.
    let (s, b) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{id}"), Some(json!({"status": "seen"}))).await;
    assert_eq!((s, b["errors"]["status"][0]["error"].clone()), (422, json!("not_started")));
    let (s, b) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{id}"), Some(json!({"status": "revoked"}))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rdv"]["status"], "revoked");
    assert!(b["rdv"]["cancelled_at"].is_string());
    assert_eq!(b["rdv"]["participations"][0]["status"], "revoked");
    assert_eq!(b["rdv"]["users_count"], 0);
    let (_, b) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{id}"), Some(json!({"status": "unknown"}))).await;
    assert_eq!((b["rdv"]["status"].clone(), b["rdv"]["cancelled_at"].clone()), (json!("unknown"), Value::Null));

    // Participations (reference V2): flat and wrapped bodies, RDV status recomputed.
    let p0 = b["rdv"]["participations"][0]["id"].as_i64().unwrap();
    let p1 = b["rdv"]["participations"][1]["id"].as_i64().unwrap();
    let (s, b) =
        call(&app, &sophie, "PATCH", &format!("/api/v1/participations/{p0}"), Some(json!({"status": "excused"}))).await;
    assert_eq!((s, b["rdv"]["status"].clone()), (200, json!("unknown")), "{b}");
    let (s, b) = call(
        &app,
        &sophie,
        "PATCH",
        &format!("/api/v1/participations/{p1}"),
        Some(json!({"participation": {"status": "excused"}})),
    )
    .await;
    assert_eq!((s, b["rdv"]["status"].clone()), (200, json!("excused")), "all excused → excused");
    let (s, _) =
        call(&app, &sophie, "PATCH", &format!("/api/v1/participations/{p1}"), Some(json!({"status": "bogus"}))).await;
    assert_eq!(s, 422, "a bad enum is a 422, not the reference's 500");
    let (s, _) =
        call(&app, &julien, "PATCH", &format!("/api/v1/participations/{p1}"), Some(json!({"status": "unknown"}))).await;
    assert_eq!(s, 403);

    // Move the second RDV and change its usagers: audited with agents and participants.
    let (s, b) = call(
        &app,
        &sophie,
        "PATCH",
        &format!("/api/v1/rdvs/{second}"),
        Some(json!({"starts_at": at(10, 30), "user_ids": [other, child], "duration_in_min": 20})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rdv"]["duration_in_min"], 20);
    assert_eq!(b["rdv"]["users"].as_array().unwrap().len(), 2);
    let versions = app.versions_of("Rdv", second as i32);
    assert_eq!(versions.len(), 2);
    let changes = &versions[1].1;
    assert!(changes.get("participants").is_some() && changes.get("starts_at").is_some(), "{changes}");

    // Lists: organisation (reference V1 with bounds), usager history, RDV à renseigner.
    let (s, b) =
        call(&app, &sophie, "GET", &format!("/api/v1/organisations/{arras}/rdvs?starts_after={monday}"), None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(2)));
    let (_, b) =
        call(&app, &sophie, "GET", &format!("/api/v1/organisations/{arras}/rdvs?starts_after=n'importe"), None).await;
    assert_eq!(b["meta"]["total_count"], 0, "unreadable bound: empty, as the reference");
    let (_, b) = call(&app, &julien, "GET", &format!("/api/v1/organisations/{arras}/rdvs"), None).await;
    assert_eq!(b["meta"]["total_count"], 0, "other service: not listed, not counted");
    let claire = app.sign_in("claire.fontaine").await;
    let (s, b) = call(&app, &claire, "GET", &format!("/api/v1/organisations/{arras}/rdvs"), None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(0)));
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/users/{child}/rdvs"), None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(2)));
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/agents/{sophie_id}/rdvs_to_fill"), None).await;
    assert_eq!((s, b["meta"]["total_count"].clone()), (200, json!(0)));
    let (s, _) = call(&app, &julien, "GET", &format!("/api/v1/agents/{sophie_id}/rdvs_to_fill"), None).await;
    assert_eq!(s, 403);

    // Deleting: admins only.
    let (s, _) = call(&app, &sophie, "DELETE", &format!("/api/v1/rdvs/{second}"), None).await;
    assert_eq!(s, 403);
    let camille = app.sign_in("camille.martin").await;
    let (s, _) = call(&app, &camille, "DELETE", &format!("/api/v1/rdvs/{second}"), None).await;
    assert_eq!(s, 204);
}

#[actix_rt::test]
async fn past_rdvs_to_fill_and_collective_seats() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let atelier = app.id_by_name("motifs", "MDS Arras", "Atelier portage");
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let a = usager(&app, &sophie, arras, "Alice").await;
    let b_ = usager(&app, &sophie, arras, "Bruno").await;
    let c = usager(&app, &sophie, arras, "Chloé").await;
    let past = (Utc::now() - Duration::days(3)).format("%Y-%m-%dT10:00:00+00:00").to_string();
    let (s, b) = call(
        &app,
        &sophie,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
                    "user_ids": [a], "starts_at": past})),
    )
    .await;
    assert_eq!(s, 422);
    assert!(codes(&b, "warnings").contains(&"in_the_past".to_owned()));
    let (s, b) = call(
        &app,
        &sophie,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
                    "user_ids": [a], "starts_at": past, "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let id = b["rdv"]["id"].as_i64().unwrap();
    assert_eq!(b["rdv"]["transitions"], json!(["seen", "noshow", "excused", "revoked"]));
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/agents/{sophie_id}/rdvs_to_fill"), None).await;
    assert_eq!(b["meta"]["total_count"], 1);
    assert_eq!(b["rdvs"][0]["id"], id);
    let (s, _) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{id}"), Some(json!({"status": "seen"}))).await;
    assert_eq!(s, 200);
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/agents/{sophie_id}/rdvs_to_fill"), None).await;
    assert_eq!(b["meta"]["total_count"], 0, "filled in");

    // Collective: seats, live users_count, only unknown/seen/revoked at RDV level.
    let when = format!("{}T14:00:00+01:00", next(Weekday::Wed));
    let collective = json!({"organisation_id": arras, "motif_id": atelier, "lieu_id": lieu, "agent_ids": [sophie_id],
                            "user_ids": [a, b_, c], "starts_at": when, "name": "Atelier du mercredi",
                            "max_participants_count": 2, "ignore_benign_errors": true});
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(collective.clone())).await;
    assert_eq!((s, b["errors"]["max_participants_count"][0]["error"].clone()), (422, json!("full")));
    let mut ok = collective.clone();
    ok["user_ids"] = json!([a]);
    let (s, b) = call(&app, &sophie, "POST", "/api/v1/rdvs", Some(ok)).await;
    assert_eq!(s, 200, "{b}");
    let cid = b["rdv"]["id"].as_i64().unwrap();
    assert_eq!((b["rdv"]["collectif"].clone(), b["rdv"]["users_count"].clone()), (json!(true), json!(1)));
    let (s, b) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{cid}"), Some(json!({"user_ids": [a, b_]}))).await;
    assert_eq!((s, b["rdv"]["users_count"].clone()), (200, json!(2)), "{b}");
    let (s, _) =
        call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{cid}"), Some(json!({"user_ids": [a, b_, c]}))).await;
    assert_eq!(s, 422, "full");
    let (s, b) = call(&app, &sophie, "PATCH", &format!("/api/v1/rdvs/{cid}"), Some(json!({"status": "excused"}))).await;
    assert_eq!((s, b["errors"]["status"][0]["error"].clone()), (422, json!("collective_status")));
    let p = b_;
    let (_, shown) = call(&app, &sophie, "GET", &format!("/api/v1/rdvs/{cid}"), None).await;
    let part =
        shown["rdv"]["participations"].as_array().unwrap().iter().find(|x| x["user"]["id"] == p).unwrap()["id"].clone();
    let (s, b) =
        call(&app, &sophie, "PATCH", &format!("/api/v1/participations/{part}"), Some(json!({"status": "excused"})))
            .await;
    assert_eq!((s, b["rdv"]["users_count"].clone(), b["rdv"]["status"].clone()), (200, json!(1), json!("unknown")));
}

#[actix_rt::test]
async fn agenda_feed_is_projected_per_level() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let sophie = app.sign_in("sophie.durand").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let u = usager(&app, &sophie, arras, "Jeanne").await;
    let monday = next(Weekday::Mon);
    for (path, body) in [
        (
            "/api/v1/plage_ouvertures",
            json!({"organisation_id": arras, "lieu_id": lieu, "motif_ids": [motif], "title": "PMI Baudimont",
                   "first_day": monday, "start_time": "09:00", "end_time": "12:00",
                   "recurrence": {"every": "week", "on": ["monday", "tuesday"]}}),
        ),
        (
            "/api/v1/absences",
            json!({"title": "Réunion d'équipe", "first_day": monday + Duration::days(2), "start_time": "14:00", "end_time": "16:00"}),
        ),
        (
            "/api/v1/rdvs",
            json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
                   "user_ids": [u], "starts_at": format!("{monday}T10:00:00+01:00"), "context": null}),
        ),
    ] {
        let (s, b) = call(&app, &sophie, "POST", path, Some(body)).await;
        assert_eq!(s, 200, "{path}: {b}");
    }
    let q = format!("/api/v1/agenda?agent_ids[]={sophie_id}&from={monday}&to={}", monday + Duration::days(7));
    let (s, b) = call(&app, &sophie, "GET", &q, None).await;
    assert_eq!(s, 200, "{b}");
    let events = b["agendas"][0]["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "plage").count(), 2, "Monday and Tuesday");
    assert_eq!(kinds.iter().filter(|k| **k == "absence").count(), 1);
    let rdv = events.iter().find(|e| e["kind"] == "rdv").unwrap();
    assert_eq!(rdv["title"], "Jeanne Testeur");
    assert_eq!(rdv["level"], "write");
    assert_eq!(rdv["starts_at"], format!("{monday}T10:00:00+01:00"));
    assert_eq!(rdv["motif"]["name"], "Consultation PMI nourrisson");
    let plage = events.iter().find(|e| e["kind"] == "plage").unwrap();
    assert_eq!(plage["lieu"]["name"], "MDS Arras — Baudimont");
    assert_eq!(plage["title"], "PMI Baudimont");
    assert_eq!(plage["starts_at"], format!("{monday}T09:00:00+01:00"));

    // Basic agent of another service, same MDS: busy blocks, no names, no motif, no ids.
    let julien = app.sign_in("julien.lefebvre").await;
    let (s, b) = call(&app, &julien, "GET", &q, None).await;
    assert_eq!(s, 200, "{b}");
    let text = b.to_string();
    assert!(!text.contains("Jeanne") && !text.contains("Consultation PMI") && !text.contains("Réunion"), "{text}");
    let rdv = b["agendas"][0]["events"].as_array().unwrap().iter().find(|e| e["kind"] == "rdv").unwrap().clone();
    assert_eq!(
        (rdv["level"].clone(), rdv["title"].clone(), rdv["id"].clone()),
        (json!("busy"), json!("Occupé"), Value::Null)
    );
    assert_eq!(rdv["lieu"]["name"], "MDS Arras — Baudimont", "on-site: the lieu is shown");

    // An agent of another organisation: cannot open the agenda.
    let claire = app.sign_in("claire.fontaine").await;
    let (s, _) = call(&app, &claire, "GET", &q, None).await;
    assert_eq!(s, 403);

    // Window bounds and bad input.
    let (s, _) =
        call(&app, &sophie, "GET", &format!("/api/v1/agenda?from={monday}&to={}", monday + Duration::days(60)), None)
            .await;
    assert_eq!(s, 422);
    let (s, _) = call(&app, &sophie, "GET", "/api/v1/agenda?from=demain&to=après", None).await;
    assert_eq!(s, 422);
    let (s, _) = call(
        &app,
        &sophie,
        "GET",
        &format!("/api/v1/agenda?agent_ids[]=999999&from={monday}&to={}", monday + Duration::days(7)),
        None,
    )
    .await;
    assert_eq!(s, 404);

    // Holidays: 14 July in a window.
    let year = Utc::now().year() + 1;
    let (s, b) = call(&app, &sophie, "GET", &format!("/api/v1/agenda?from={year}-07-13&to={year}-07-20"), None).await;
    assert_eq!(s, 200);
    assert_eq!(b["agendas"][0]["holidays"][0]["name"], "Fête nationale");
}

#[actix_rt::test]
async fn future_rdvs_block_removals_and_follow_a_merge() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let motif = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let camille = app.sign_in("camille.martin").await;
    let sophie_id = app.agent_id("sophie.durand").await;
    let kept = usager(&app, &camille, arras, "Gardé").await;
    let merged = usager(&app, &camille, arras, "Fusionné").await;
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [sophie_id],
                    "user_ids": [merged], "starts_at": format!("{}T10:00:00+01:00", next(Weekday::Thu)),
                    "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let rdv = b["rdv"]["id"].as_i64().unwrap();

    let (s, b) = call(
        &app,
        &camille,
        "DELETE",
        &format!("/api/v1/user_profiles?user_id={merged}&organisation_id={arras}"),
        None,
    )
    .await;
    assert_eq!((s, b["errors"]["base"][0]["error"].clone()), (422, json!("future_rdvs")), "{b}");
    let (s, b) = call(&app, &camille, "DELETE", &format!("/api/v1/agents/{sophie_id}/roles/{arras}"), None).await;
    assert_eq!((s, b["errors"]["base"][0]["error"].clone()), (422, json!("future_rdvs")), "{b}");

    let (s, b) =
        call(&app, &camille, "POST", &format!("/api/v1/users/{kept}/merge"), Some(json!({"merged_user_id": merged})))
            .await;
    assert_eq!(s, 200, "{b}");
    let (_, shown) = call(&app, &camille, "GET", &format!("/api/v1/rdvs/{rdv}"), None).await;
    assert_eq!(shown["rdv"]["participations"][0]["user"]["id"], kept, "the RDV follows the kept usager");
    assert_eq!(app.versions_of("Rdv", rdv as i32).len(), 2, "the move is audited");
}

#[actix_rt::test]
async fn a_conflict_in_an_agenda_the_caller_cannot_read_is_reported_without_details() {
    let app = TestApp::spawn().await;
    let (arras, lens) = (app.organisation_id("MDS Arras"), app.organisation_id("MDS Lens"));
    let sophie_id = app.agent_id("sophie.durand").await;
    let emma = app.sign_in("emma.dubois").await;
    let camille = app.sign_in("camille.martin").await;
    let lens_motif = app.id_by_name("motifs", "MDS Lens", "Pesée et conseils de puériculture");
    let lens_lieu = app.id_by_name("lieux", "MDS Lens", "MDS Lens — centre");
    let secret = usager(&app, &emma, lens, "Confidentielle").await;
    let at = format!("{}T10:00:00+01:00", next(Weekday::Fri));
    let (s, b) = call(
        &app,
        &emma,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": lens, "motif_id": lens_motif, "lieu_id": lens_lieu, "agent_ids": [sophie_id],
                    "user_ids": [secret], "starts_at": at, "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // Camille administers Arras only: Sophie's Lens RDV is a conflict she may not read.
    let u = usager(&app, &camille, arras, "Arrageoise").await;
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras, "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
                    "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"), "agent_ids": [sophie_id],
                    "user_ids": [u], "starts_at": at})),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert!(codes(&b, "warnings").contains(&"hidden_conflict".to_owned()), "{b}");
    let text = b.to_string();
    assert!(!text.contains("Confidentielle") && !text.contains("Pesée"), "no details leak: {text}");
}
