//! The RDV list over organisations and statistics (issue 17), on the fixture of
//! `common::rdv_fixture` whose figures are computed by hand: filters, access (busy-level RDVs
//! and other organisations never appear, in rows nor counts), counts equal to the rows, weeks in
//! the organisation's zone across a change of offset.
#![allow(clippy::unwrap_used)]

mod common;

use common::rdv_fixture::{self, range};
use common::{call, TestApp};
use serde_json::Value;

fn ids(body: &Value) -> Vec<i64> {
    body["rdvs"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn keys(f: &rdv_fixture::Fixture, wanted: &[&str]) -> Vec<i64> {
    wanted.iter().map(|k| i64::from(f.ids[k])).collect()
}

#[actix_rt::test]
async fn each_caller_lists_exactly_the_rdvs_they_may_read() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let f = rdv_fixture::create(&app, &admin, &lens_admin).await;
    let arras = app.organisation_id("MDS Arras");
    let cases: Vec<(&str, common::Session, Vec<&str>)> = vec![
        ("admin of Arras", admin.clone(), vec!["a", "b", "c", "d", "e", "f"]),
        ("secretary", app.sign_in("nadia.benali").await, vec!["a", "b", "c", "d", "e", "f"]),
        // PMI, member of Arras and Lens: the PMI agents' RDVs in both (join grants), not the
        // social worker's, which she sees as busy.
        ("basic PMI", app.sign_in("sophie.durand").await, vec!["a", "b", "g", "c", "f"]),
        ("basic social", app.sign_in("julien.lefebvre").await, vec!["d", "e"]),
        ("admin of Lens", lens_admin.clone(), vec!["g"]),
    ];
    for (who, session, expected) in cases {
        let (s, b) = call(&app, &session, "GET", &format!("/api/v1/rdvs?{}", range()), None).await;
        assert_eq!(s, 200, "{who}: {b}");
        assert_eq!(ids(&b), keys(&f, &expected), "{who}");
        assert_eq!(b["meta"]["total_count"], expected.len(), "{who}");
        let counts = b["counts"].as_object().unwrap();
        assert_eq!(counts.values().map(|v| v.as_i64().unwrap()).sum::<i64>(), expected.len() as i64, "{who}");
    }
    // Another organisation's list is refused, not emptied silently.
    let (s, _) = call(&app, &lens_admin, "GET", &format!("/api/v1/rdvs?organisation_ids[]={arras}"), None).await;
    assert_eq!(s, 403);
    let (s, b) = call(&app, &admin, "GET", "/api/v1/rdvs?organisation_ids[]=999999", None).await;
    assert_eq!((s, b["not_found"].as_str()), (404, Some("organisation")));
}

#[actix_rt::test]
async fn filters_select_and_count_the_same_rdvs() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let f = rdv_fixture::create(&app, &admin, &lens_admin).await;
    let julien = app.agent_id("julien.lefebvre").await;
    let visite = app.id_by_name("motifs", "MDS Arras", "Visite à domicile post-natale");
    let social = {
        let (_, b) = call(&app, &admin, "GET", "/api/v1/services", None).await;
        b["services"].as_array().unwrap().iter().find(|s| s["name"] == "Service social").unwrap()["id"].clone()
    };
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("status[]=seen".into(), vec!["a", "f"]),
        ("status=unknown_past,noshow".into(), vec!["b", "e"]),
        ("status[]=unknown_future".into(), vec![]),
        ("origin[]=invitation&origin[]=file_attente".into(), vec!["c", "e"]),
        (format!("agent_ids[]={julien}"), vec!["d", "e"]),
        (format!("user_ids[]={}", f.usagers[1]), vec!["a", "d", "e"]),
        (format!("motif_ids[]={visite}"), vec!["c"]),
        (format!("service_ids[]={social}"), vec!["d", "e"]),
        // Local days: d starts on Monday 31 March in Paris (22:30 UTC on Sunday).
        ("from=2025-03-31&to=2025-03-31".into(), vec!["d"]),
        ("from=2025-03-30&to=2025-03-30".into(), vec!["c"]),
    ];
    for (query, expected) in cases {
        let q = if query.starts_with("from=") { query.clone() } else { format!("{}&{query}", range()) };
        let (s, b) = call(&app, &admin, "GET", &format!("/api/v1/rdvs?{q}"), None).await;
        assert_eq!(s, 200, "{query}: {b}");
        assert_eq!(ids(&b), keys(&f, &expected), "{query}");
        assert_eq!(b["meta"]["total_count"], expected.len(), "{query}");
    }
    let (_, b) = call(&app, &admin, "GET", &format!("/api/v1/rdvs?{}&order=desc", range()), None).await;
    assert_eq!(ids(&b), keys(&f, &["f", "e", "d", "c", "b", "a"]));
    assert_eq!(
        b["counts"],
        serde_json::json!({"seen": 2, "noshow": 1, "excused": 1, "revoked": 1, "unknown_past": 1, "unknown_future": 0})
    );
    // The rendered RDV is the API's usual shape.
    assert_eq!(b["rdvs"][0]["motif"]["name"], "Consultation PMI nourrisson");
    for (query, field) in [
        ("status[]=lost", "status"),
        ("from=2025-02-30", "from"),
        ("from=1200-01-01", "from"),
        ("from=2025-04-01&to=2025-03-01", "to"),
        ("agent_ids[]=x", "agent_ids"),
        ("page=x", "page"),
    ] {
        let (s, b) = call(&app, &admin, "GET", &format!("/api/v1/rdvs?{query}"), None).await;
        assert_eq!(s, 422, "{query}: {b}");
        assert!(b["errors"].get(field).is_some() || b.to_string().contains(field), "{query}: {b}");
    }
}

#[actix_rt::test]
async fn statistics_match_the_hand_computed_figures() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    rdv_fixture::create(&app, &admin, &lens_admin).await;
    let arras = app.organisation_id("MDS Arras");
    let (s, b) = call(&app, &admin, "GET", &format!("/api/v1/organisations/{arras}/stats?{}", range()), None).await;
    assert_eq!(s, 200, "{b}");
    let st = &b["stats"];
    assert_eq!(st["total"], 6);
    assert_eq!(
        st["by_status"],
        serde_json::json!({"seen": 2, "noshow": 1, "excused": 1, "revoked": 1, "unknown_past": 1, "unknown_future": 0})
    );
    let count = |list: &Value, key: &str| {
        list.as_array().unwrap().iter().find(|c| c["key"] == key).map_or(0, |c| c["count"].as_i64().unwrap())
    };
    assert_eq!(
        ["agent", "user", "invitation", "file_attente", "prescripteur"].map(|k| count(&st["by_origin"], k)),
        [3, 1, 1, 1, 0]
    );
    assert_eq!((count(&st["by_location_type"], "public_office"), count(&st["by_location_type"], "home")), (5, 1));
    let services: Vec<(String, i64)> = st["by_service"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["label"].as_str().unwrap().to_owned(), c["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        services,
        vec![("PMI (Protection Maternelle Infantile)".to_owned(), 4), ("Service social".to_owned(), 2)]
    );
    // Weeks in Paris: c (Sunday 23:30) in the first, d (Monday 00:30) in the second.
    let weekly = st["weekly"].as_array().unwrap();
    assert_eq!(
        weekly.iter().map(|w| (w["week"].as_str().unwrap(), w["total"].as_i64().unwrap())).collect::<Vec<_>>(),
        vec![("2025-03-24", 3), ("2025-03-31", 3)]
    );
    assert_eq!(weekly[0]["noshow_rate"], 0.5);
    assert_eq!(weekly[1]["noshow_rate"], 0.0);
    let consultation = st["by_motif"].as_array().unwrap().iter().find(|m| m["name"] == "Consultation PMI nourrisson");
    let consultation = consultation.unwrap();
    assert_eq!((consultation["total"].as_i64(), consultation["seen"].as_i64()), (Some(3), Some(2)));
    assert!((consultation["noshow_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);

    // A basic PMI agent counts only what they may read (4); the social worker's own: 2.
    let sophie = app.sign_in("sophie.durand").await;
    let (_, b) = call(&app, &sophie, "GET", &format!("/api/v1/organisations/{arras}/stats?{}", range()), None).await;
    assert_eq!(b["stats"]["total"], 4);
    let julien = app.sign_in("julien.lefebvre").await;
    let (_, b) = call(&app, &julien, "GET", &format!("/api/v1/stats/me?{}", range()), None).await;
    assert_eq!(b["stats"]["total"], 2);
    // Another organisation's statistics: 403.
    let (s, _) = call(&app, &lens_admin, "GET", &format!("/api/v1/organisations/{arras}/stats"), None).await;
    assert_eq!(s, 403);

    // Territory: its territorial admins only, every RDV per organisation.
    let territory = territory_id(&app);
    let (s, _) = call(&app, &sophie, "GET", &format!("/api/v1/territories/{territory}/stats"), None).await;
    assert_eq!(s, 403);
    let territorial = app.sign_in_territorial_admin("lucas.petit").await;
    let (s, b) =
        call(&app, &territorial, "GET", &format!("/api/v1/territories/{territory}/stats?{}", range()), None).await;
    assert_eq!(s, 200, "{b}");
    let per_org: Vec<(String, i64)> = b["stats"]["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap().to_owned(), o["total"].as_i64().unwrap()))
        .collect();
    assert!(
        per_org.contains(&("MDS Arras".to_owned(), 6)) && per_org.contains(&("MDS Lens".to_owned(), 1)),
        "{per_org:?}"
    );

    // Public: counts without per-motif figures nor notifications, no sign-in.
    let res = app.get(&format!("/api/v1/public/stats?territory_id={territory}&{}", range())).send().await.unwrap();
    let (s, b) = common::json(res).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["stats"]["total"], 7);
    assert_eq!(b["stats"]["by_motif"], serde_json::json!([]));
    assert!(!b.to_string().contains("Fixture"), "no usager in public statistics");
    let (s, b) = call(&app, &admin, "GET", "/api/v1/stats/me?from=2025-01-01&to=2035-01-01", None).await;
    assert_eq!((s, b["errors"]["to"][0]["error"].as_str().is_some() || b.to_string().contains("to")), (422, true));
}

fn territory_id(app: &TestApp) -> i32 {
    let mut conn = app.state.pool.get().unwrap();
    rdv_api::db::models::territory::find_by_name(&mut conn, "Pas-de-Calais").unwrap().unwrap().id
}
