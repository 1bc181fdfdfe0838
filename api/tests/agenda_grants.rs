//! Agenda access grants over HTTP (issue 6): managing them (who may, validation, audit), the
//! join grants made when an agent joins an organisation and their revocation, copy with
//! preview, "who sees this agenda", and enforcement on the feed and the RDV endpoints.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{Duration, Weekday};
use common::{call, next_weekday as next, Authed, TestApp};
use serde_json::{json, Value};

const PMI: i32 = 1;
const CPEF: i32 = 3;

#[actix_rt::test]
async fn cpef_agents_get_busy_access_to_pmi_agendas() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let thomas = app.sign_in("thomas.leroy").await; // CPEF, MDS Lens
    let monday = next(Weekday::Mon);
    let (s, u) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [arras], "first_name": "Jeanne", "last_name": "Secret"})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, r) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras, "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
                    "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"), "agent_ids": [camille_id],
                    "user_ids": [u["user"]["id"]], "starts_at": format!("{monday}T10:00:00+01:00"), "ignore_benign_errors": true})),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let rdv_id = r["rdv"]["id"].as_i64().unwrap();
    let q = format!("/api/v1/agenda?agent_ids[]={camille_id}&from={monday}&to={}", monday + Duration::days(7));
    let (s, _) = call(&app, &thomas, "GET", &q, None).await;
    assert_eq!(s, 403, "no access before the grant");
    let pickable = |b: &Value| b["agents"].as_array().unwrap().iter().any(|a| a["id"] == camille_id);
    let (_, before) = call(&app, &thomas, "GET", "/api/v1/agenda/agents", None).await;
    assert!(!pickable(&before), "not in Thomas's agenda picker yet");

    // Managing: a basic agent may not, nor the admin of another MDS; Camille (admin of Arras,
    // territorial admin) may.
    let grant = json!({"grantee": {"type": "service", "id": CPEF}, "target": {"type": "service", "id": PMI, "organisation_id": arras}, "level": "busy"});
    let (s, _) = call(&app, &thomas, "POST", "/api/v1/agenda_grants", Some(grant.clone())).await;
    assert_eq!(s, 403);
    let claire = app.sign_in("claire.fontaine").await;
    let (s, _) = call(&app, &claire, "POST", "/api/v1/agenda_grants", Some(grant.clone())).await;
    assert_eq!(s, 403, "not Claire's organisation");
    let (s, b) = call(&app, &camille, "POST", "/api/v1/agenda_grants", Some(json!({"grantee": {"type": "service", "id": CPEF}, "target": {"type": "service", "id": PMI, "organisation_id": arras}, "level": "none"}))).await;
    assert_eq!((s, b["errors"]["level"][0]["error"].clone()), (422, json!("inclusion")));
    let (s, b) = call(&app, &camille, "POST", "/api/v1/agenda_grants", Some(json!({"grantee": {"type": "agent", "id": 999999}, "target": {"type": "organisation", "id": arras}, "level": "busy"}))).await;
    assert_eq!((s, b["errors"]["grantee"][0]["error"].clone()), (422, json!("inclusion")));
    let (s, b) = call(&app, &camille, "POST", "/api/v1/agenda_grants", Some(grant)).await;
    assert_eq!(s, 200, "{b}");
    let gid = b["agenda_grant"]["id"].as_i64().unwrap();
    assert_eq!(b["agenda_grant"]["label"], "agents CPEF → agendas PMI de MDS Arras : lecture sans détail");
    assert_eq!(app.versions_of("AgendaGrant", gid as i32).len(), 1, "audited");

    let (_, after) = call(&app, &thomas, "GET", "/api/v1/agenda/agents", None).await;
    assert!(pickable(&after), "the grant puts Camille's agenda in Thomas's picker");

    // Thomas now sees Camille's week: busy blocks only, and cannot open the RDV.
    let (s, b) = call(&app, &thomas, "GET", &q, None).await;
    assert_eq!(s, 200, "{b}");
    let text = b.to_string();
    assert!(!text.contains("Secret") && !text.contains("Consultation PMI"), "no details: {text}");
    let ev = b["agendas"][0]["events"].as_array().unwrap().iter().find(|e| e["kind"] == "rdv").unwrap().clone();
    assert_eq!((ev["level"].clone(), ev["title"].clone()), (json!("busy"), json!("Occupé")));
    let (s, _) = call(&app, &thomas, "GET", &format!("/api/v1/rdvs/{rdv_id}"), None).await;
    assert_eq!(s, 403);
    let (_, list) = call(&app, &thomas, "GET", &format!("/api/v1/organisations/{arras}/rdvs"), None).await;
    assert_eq!(list["meta"]["total_count"], 0, "busy RDVs are not listed nor counted");

    // Raised to read: details, still not writable.
    let (s, _) = call(&app, &camille, "POST", "/api/v1/agenda_grants", Some(json!({"grantee": {"type": "agent", "id": app.agent_id("thomas.leroy").await}, "target": {"type": "agent", "id": camille_id}, "level": "read"}))).await;
    assert_eq!(s, 200);
    let (s, b) = call(&app, &thomas, "GET", &format!("/api/v1/rdvs/{rdv_id}"), None).await;
    assert_eq!((s, b["rdv"]["participations"][0]["user"]["last_name"].clone()), (200, json!("Secret")));
    let (_, list) = call(&app, &thomas, "GET", &format!("/api/v1/organisations/{arras}/rdvs"), None).await;
    assert_eq!(list["meta"]["total_count"], 1);
    let res = app
        .patch(&format!("/api/v1/rdvs/{rdv_id}"))
        .bearer(&thomas)
        .json(&json!({"status": "revoked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "read is not write");

    // Revoking the busy grant: the read grant on Camille's agenda remains.
    let (s, _) = call(&app, &camille, "DELETE", &format!("/api/v1/agenda_grants/{gid}"), None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, &thomas, "GET", &q, None).await;
    assert_eq!(s, 200);
}

#[actix_rt::test]
async fn join_grants_are_visible_revocable_and_copyable() {
    let app = TestApp::spawn().await;
    let lens = app.organisation_id("MDS Lens");
    let isabelle = app.sign_in("isabelle.moreau").await; // admin of MDS Lens
    let emma_id = app.agent_id("emma.dubois").await; // PMI, Lens
    let lucas_id = app.agent_id("lucas.petit").await; // Service social, Lens
    let sophie_id = app.agent_id("sophie.durand").await; // PMI + CPEF, Arras and Lens
    let (s, b) =
        call(&app, &isabelle, "GET", &format!("/api/v1/agenda_grants?grantee_type=agent&grantee_id={emma_id}"), None)
            .await;
    assert_eq!(s, 200, "{b}");
    let grants = b["agenda_grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{b}");
    assert_eq!(grants[0]["origin"], "join");
    assert_eq!(grants[0]["label"], "Emma Dubois → agendas PMI de MDS Lens : écriture");
    let join_id = grants[0]["id"].as_i64().unwrap();

    // "Who sees Sophie's agenda": Emma through her join grant, at write, in MDS Lens.
    let (s, b) = call(&app, &isabelle, "GET", &format!("/api/v1/agents/{sophie_id}/agenda_access"), None).await;
    assert_eq!(s, 200, "{b}");
    let emma_line = b["viewers"].as_array().unwrap().iter().find(|v| v["agent_id"] == emma_id).unwrap().clone();
    assert_eq!((emma_line["level"].clone(), emma_line["grant_id"].clone()), (json!("write"), json!(join_id)));
    let isabelle_line =
        b["viewers"].as_array().unwrap().iter().find(|v| v["agent_name"] == "Isabelle Moreau").unwrap().clone();
    assert_eq!(isabelle_line["reason"], "administrateur de l'organisation");

    // Emma books into Sophie's Lens agenda; after revoking her join grant she no longer can.
    let emma = app.sign_in("emma.dubois").await;
    let (_, u) = call(
        &app,
        &emma,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [lens], "first_name": "Léo", "last_name": "Test"})),
    )
    .await;
    let book = |hour: u32| {
        json!({"organisation_id": lens, "motif_id": app.id_by_name("motifs", "MDS Lens", "Pesée et conseils de puériculture"),
        "lieu_id": app.id_by_name("lieux", "MDS Lens", "MDS Lens — centre"), "agent_ids": [sophie_id], "user_ids": [u["user"]["id"]],
        "starts_at": format!("{}T{hour:02}:00:00+01:00", next(Weekday::Tue)), "ignore_benign_errors": true})
    };
    let (s, b) = call(&app, &emma, "POST", "/api/v1/rdvs", Some(book(9))).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = call(&app, &isabelle, "DELETE", &format!("/api/v1/agenda_grants/{join_id}"), None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, &emma, "POST", "/api/v1/rdvs", Some(book(11))).await;
    assert_eq!(s, 403, "the revoked join grant no longer gives write");

    // Copy Sophie's grants to Lucas: a preview first, then for real; grants outside Isabelle's
    // organisation (Sophie's Arras ones) are listed as not allowed.
    let body = json!({"from_agent_id": sophie_id, "to_agent_id": lucas_id, "dry_run": true});
    let (s, b) = call(&app, &isabelle, "POST", "/api/v1/agenda_grants/copy", Some(body.clone())).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["created"].as_array().unwrap().len(), 2, "PMI and CPEF of Lens: {b}");
    assert_eq!(b["not_allowed"].as_array().unwrap().len(), 2, "Arras is not Isabelle's: {b}");
    let (_, before) =
        call(&app, &isabelle, "GET", &format!("/api/v1/agenda_grants?grantee_type=agent&grantee_id={lucas_id}"), None)
            .await;
    let mut real = body.clone();
    real["dry_run"] = json!(false);
    let (s, _) = call(&app, &isabelle, "POST", "/api/v1/agenda_grants/copy", Some(real.clone())).await;
    assert_eq!(s, 200);
    let (_, after) =
        call(&app, &isabelle, "GET", &format!("/api/v1/agenda_grants?grantee_type=agent&grantee_id={lucas_id}"), None)
            .await;
    assert_eq!(after["meta"]["total_count"].as_i64().unwrap(), before["meta"]["total_count"].as_i64().unwrap() + 2);
    let (_, again) = call(&app, &isabelle, "POST", "/api/v1/agenda_grants/copy", Some(real)).await;
    assert_eq!((again["created"].as_array().unwrap().len(), again["already"].as_array().unwrap().len()), (0, 2));
    let lucas = app.sign_in("lucas.petit").await;
    let (s, b) = call(&app, &lucas, "POST", "/api/v1/rdvs", Some(book(14))).await;
    assert_eq!(s, 200, "Lucas (social) books a PMI motif into Sophie's agenda with the copied write grant: {b}");
}

#[actix_rt::test]
async fn grants_apply_to_plages_absences_and_the_usager_history() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let thomas = app.sign_in("thomas.leroy").await;
    let thomas_id = app.agent_id("thomas.leroy").await;
    let julien = app.sign_in("julien.lefebvre").await;
    let julien_id = app.agent_id("julien.lefebvre").await;
    let monday = next(Weekday::Mon);
    let (s, p) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/plage_ouvertures",
        Some(json!({"organisation_id": arras,
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"),
        "motif_ids": [app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson")], "title": "PMI",
        "first_day": monday, "start_time": "09:00", "end_time": "12:00"})),
    )
    .await;
    assert_eq!(s, 200, "{p}");
    let plage = p["plage_ouverture"]["id"].as_i64().unwrap();
    let (s, a) = call(&app, &camille, "POST", "/api/v1/absences", Some(json!({"title": "Formation", "first_day": monday + Duration::days(1), "start_time": "09:00", "end_time": "17:00"}))).await;
    assert_eq!(s, 200);
    let absence = a["absence"]["id"].as_i64().unwrap();
    let (_, u) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [arras], "first_name": "Anna", "last_name": "Histoire"})),
    )
    .await;
    let user = u["user"]["id"].as_i64().unwrap();
    let (s, _) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/rdvs",
        Some(json!({"organisation_id": arras,
        "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"), "agent_ids": [camille_id],
        "user_ids": [user], "starts_at": format!("{monday}T10:00:00+01:00")})),
    )
    .await;
    assert_eq!(s, 200);

    // Before any grant: Thomas (other MDS) sees nothing; Julien (same MDS, other service) not the RDV.
    assert_eq!(call(&app, &thomas, "GET", &format!("/api/v1/plage_ouvertures/{plage}"), None).await.0, 404);
    assert_eq!(call(&app, &thomas, "GET", &format!("/api/v1/absences/{absence}"), None).await.0, 404);
    let count = |b: (u16, Value)| b.1["meta"]["total_count"].as_i64().unwrap();
    assert_eq!(
        count(call(&app, &thomas, "GET", &format!("/api/v1/plage_ouvertures?agent_id={camille_id}"), None).await),
        0
    );
    assert_eq!(count(call(&app, &thomas, "GET", &format!("/api/v1/absences?agent_id={camille_id}"), None).await), 0);
    let (_, h) = call(&app, &julien, "GET", &format!("/api/v1/users/{user}/rdvs"), None).await;
    assert_eq!(h["meta"]["total_count"], 0, "a busy-level RDV is not revealed in the usager's history");

    for grantee in [thomas_id, julien_id] {
        let (s, b) = call(
            &app,
            &camille,
            "POST",
            "/api/v1/agenda_grants",
            Some(json!({"grantee": {"type": "agent", "id": grantee},
            "target": {"type": "agent", "id": camille_id}, "level": "read"})),
        )
        .await;
        assert_eq!(s, 200, "{b}");
    }
    assert_eq!(call(&app, &thomas, "GET", &format!("/api/v1/plage_ouvertures/{plage}"), None).await.0, 200);
    assert_eq!(
        count(call(&app, &thomas, "GET", &format!("/api/v1/plage_ouvertures?agent_id={camille_id}"), None).await),
        1
    );
    assert_eq!(count(call(&app, &thomas, "GET", &format!("/api/v1/absences?agent_id={camille_id}"), None).await), 1);
    let res = app
        .patch(&format!("/api/v1/plage_ouvertures/{plage}"))
        .bearer(&thomas)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "read is not write");
    assert_eq!(call(&app, &thomas, "GET", &format!("/api/v1/absences/{absence}"), None).await.0, 200);
    let res = app
        .patch(&format!("/api/v1/absences/{absence}"))
        .bearer(&thomas)
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (_, h) = call(&app, &julien, "GET", &format!("/api/v1/users/{user}/rdvs"), None).await;
    assert_eq!(h["meta"]["total_count"], 1, "with read access the RDV appears in the history");
}

#[actix_rt::test]
async fn the_manage_access_rights_flag_manages_grants_across_the_territory() {
    let app = TestApp::spawn().await;
    let t = {
        let mut conn = app.state.pool.get().unwrap();
        rdv_api::db::models::territory::find_by_name(&mut conn, "Pas-de-Calais").unwrap().unwrap().id
    };
    let camille = app.sign_in("camille.martin").await; // territorial admin
    let lucas = app.sign_in("lucas.petit").await; // basic, MDS Lens
    let lucas_id = app.agent_id("lucas.petit").await;
    let calais = app.organisation_id("MDS Calais");
    let grant = json!({"grantee": {"type": "agent", "id": lucas_id}, "target": {"type": "organisation", "id": calais}, "level": "busy"});
    assert_eq!(call(&app, &lucas, "POST", "/api/v1/agenda_grants", Some(grant.clone())).await.0, 403);
    let (s, b) = call(
        &app,
        &camille,
        "PATCH",
        &format!("/api/v1/territories/{t}/access_rights/{lucas_id}"),
        Some(json!({"allow_to_manage_access_rights": true})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&app, &lucas, "POST", "/api/v1/agenda_grants", Some(grant)).await;
    assert_eq!(s, 200, "a basic agent with the territory's right manages grants of any MDS: {b}");
    let other = app.sign_in_other_territory().await;
    let (_, list) = call(&app, &other, "GET", "/api/v1/agenda_grants", None).await;
    let labels: Vec<&str> =
        list["agenda_grants"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 3, "its admin's three join grants: {labels:?}");
    assert!(labels.iter().all(|l| l.contains("PMI Cayenne")), "nothing of Pas-de-Calais leaks: {labels:?}");
}
