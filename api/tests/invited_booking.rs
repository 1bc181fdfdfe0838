//! Invited usagers and follow-up motifs over HTTP (issue 16): an `invitation_token` opens the
//! motifs bookable by invited usagers; a follow-up motif is offered only with the usager's
//! referents (never to the anonymous public) and an agent's RDV on it needs a referent; the
//! invited usager books without an identity and the participation says it came from the
//! invitation; a public link narrows the search to its organisation.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::Weekday;
use common::{call, next_weekday, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    common::json(app.get(path).send().await.unwrap()).await
}

fn names(b: &Value) -> Vec<String> {
    b["motifs"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
}

#[actix_rt::test]
async fn follow_up_motifs_go_with_referents_and_invited_usagers_book_without_identity() {
    let app = TestApp::spawn().await;
    let lens = app.organisation_id("MDS Lens");
    let isabelle = app.sign_in("isabelle.moreau").await;
    let isabelle_id = app.agent_id("isabelle.moreau").await;
    let lucas_id = app.agent_id("lucas.petit").await;
    let suivi = app.id_by_name("motifs", "MDS Lens", "RDV de suivi social");
    let lieu = app.id_by_name("lieux", "MDS Lens", "MDS Lens — centre");
    // The follow-up motif may be booked by invited usagers; Isabelle receives it on Tuesdays.
    let (s, b) = call(
        &app,
        &isabelle,
        "PATCH",
        &format!("/api/v1/motifs/{suivi}"),
        Some(json!({"bookable_by": "agents_and_prescripteurs_and_invited_users"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let tuesday = next_weekday(Weekday::Tue);
    let plage = common::weekly_plage(lens, lieu, suivi, tuesday, "tuesday");
    let (s, b) = call(&app, &isabelle, "POST", "/api/v1/plage_ouvertures", Some(plage)).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(
        &app,
        &isabelle,
        "POST",
        "/api/v1/users",
        Some(json!({"first_name": "Nora", "last_name": "Suivie", "organisation_ids": [lens]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let nora = b["user"]["id"].as_i64().unwrap();
    let (_, b) = call(&app, &isabelle, "POST", &format!("/api/v1/users/{nora}/rdv_invitation_token"), None).await;
    let token = b["invitation_token"].as_str().unwrap().to_owned();

    // Without a referent, nobody is offered the follow-up motif.
    let invited = format!("/api/v1/public/motifs?city_code=62498&invitation_token={token}");
    let (s, b) = get(&app, &invited).await;
    assert_eq!(s, 200, "{b}");
    assert!(!names(&b).contains(&"RDV de suivi social".to_owned()), "no referent yet: {b}");
    // An agent's RDV on it needs a referent of the usager.
    let rdv = |agent: i32| {
        json!({"organisation_id": lens, "motif_id": suivi, "lieu_id": lieu,
        "starts_at": format!("{tuesday}T14:00:00+01:00"), "agent_ids": [agent], "user_ids": [nora], "ignore_benign_errors": true})
    };
    let (s, b) = call(&app, &isabelle, "POST", "/api/v1/rdvs", Some(rdv(lucas_id))).await;
    assert_eq!((s, b["errors"]["agent_ids"][0]["error"].as_str()), (422, Some("not_referent")), "{b}");
    assert!(b["error_messages"][0].as_str().unwrap().contains("référent"), "{b}");

    // Isabelle becomes her referent: offered to the invited usager, with Isabelle only; never
    // to the anonymous public.
    let (s, b) = call(
        &app,
        &isabelle,
        "POST",
        "/api/v1/referent_assignations",
        Some(json!({"user_id": nora, "agent_id": isabelle_id})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (_, b) = get(&app, &invited).await;
    assert!(names(&b).contains(&"RDV de suivi social".to_owned()), "{b}");
    let (_, b) = get(&app, &format!("{invited}&motif_category_short_name=inconnue")).await;
    assert_eq!(names(&b), Vec::<String>::new(), "an unknown category offers nothing: {b}");
    let (_, b) = get(&app, "/api/v1/public/motifs?city_code=62498").await;
    assert!(!names(&b).contains(&"RDV de suivi social".to_owned()), "the public never sees it: {b}");
    let (s, b) = call(&app, &isabelle, "POST", "/api/v1/rdvs", Some(rdv(isabelle_id))).await;
    assert_eq!(s, 200, "with her referent: {b}");

    // The invited usager books the first Tuesday slot without typing an identity.
    let slots = format!(
        "/api/v1/public/creneaux?city_code=62498&invitation_token={token}&motif_id={suivi}&lieu_id={lieu}&from={tuesday}&to={tuesday}"
    );
    let (s, b) = get(&app, &slots).await;
    assert_eq!(s, 200, "{b}");
    let starts_at = b["creneaux"][0]["starts_at"].as_str().unwrap().to_owned();
    let (s, b) = get(&app, &slots.replace(&format!("&invitation_token={token}"), "")).await;
    assert_eq!((s, b["not_found"].as_str()), (404, Some("motif")), "not for the public: {b}");
    let booking = json!({"motif_id": suivi, "lieu_id": lieu, "starts_at": starts_at, "city_code": "62498",
        "rdv_invitation_token": token});
    let (s, b) = common::json(app.post("/api/v1/public/rdvs").json(&booking).send().await.unwrap()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rdv"]["motif_name"], "RDV de suivi social");
    let (_, b) = call(&app, &isabelle, "GET", &format!("/api/v1/users/{nora}/rdvs"), None).await;
    assert_eq!(b["rdvs"].as_array().unwrap().len(), 2, "the agent's RDV and the booked one: {b}");
    let invited_flags: Vec<bool> = {
        use rdv_api::db::schema::participations;
        let mut conn = app.state.pool.get().unwrap();
        participations::table
            .filter(participations::user_id.eq(nora as i32))
            .order(participations::id)
            .select(participations::invited)
            .load(&mut *conn)
            .unwrap()
    };
    assert_eq!(invited_flags, [false, true], "only the booking through the invitation is marked");
    // A wrong token is refused, not treated as the public.
    let (s, b) = get(&app, "/api/v1/public/motifs?city_code=62498&invitation_token=FAUX0000").await;
    assert_eq!((s, b["errors"]["invitation_token"][0]["error"].as_str()), (422, Some("invalid")), "{b}");
}

#[actix_rt::test]
async fn a_public_link_narrows_the_search_to_its_organisation() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    for (org, who, lieu_name) in
        [(arras, "sophie.durand", "MDS Arras — Baudimont"), (lens, "emma.dubois", "MDS Lens — centre")]
    {
        let org_name = if org == arras { "MDS Arras" } else { "MDS Lens" };
        let motif = app.id_by_name("motifs", org_name, "Consultation PMI nourrisson");
        let lieu = app.id_by_name("lieux", org_name, lieu_name);
        let agent = app.sign_in(who).await;
        let plage = common::weekly_plage(org, lieu, motif, next_weekday(Weekday::Mon), "monday");
        let (s, b) = call(&app, &agent, "POST", "/api/v1/plage_ouvertures", Some(plage)).await;
        assert_eq!(s, 200, "{b}");
    }
    let key = |b: &Value| b["motifs"][0]["key"].as_str().unwrap().to_owned();
    let (_, b) = get(&app, "/api/v1/public/motifs?city_code=62041").await;
    let k = key(&b);
    let (_, all) = get(&app, &format!("/api/v1/public/lieux?city_code=62041&motif_key={k}")).await;
    let (_, one) =
        get(&app, &format!("/api/v1/public/lieux?city_code=62041&motif_key={k}&organisation_ids[]={lens}")).await;
    let orgs = |b: &Value| -> Vec<String> {
        let mut v: Vec<String> = b["lieux"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["organisation_name"].as_str().unwrap().to_owned())
            .collect();
        v.dedup();
        v
    };
    assert!(orgs(&all).len() >= 2, "{all}");
    assert_eq!(orgs(&one), ["MDS Lens"], "{one}");
}
