//! `GET /api/v1/agents` visibility (reference G1) and `GET /api/v1/me`.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};

async fn visible(app: &TestApp, who: &str, query: &str) -> Vec<String> {
    let s = app.sign_in(who).await;
    let (status, body) = json(app.get(&format!("/api/v1/agents{query}")).bearer(&s).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["total_count"].as_u64().unwrap() as usize, body["agents"].as_array().unwrap().len());
    body["agents"].as_array().unwrap().iter().map(|a| a["last_name"].as_str().unwrap().to_owned()).collect()
}

#[actix_rt::test]
async fn agents_visibility_follows_the_reference_rules() {
    let app = TestApp::spawn().await;
    // Basic PMI+CPEF agent in Arras and Lens: colleagues sharing a service there, and herself.
    assert_eq!(visible(&app, "sophie.durand", "").await, vec!["Martin", "Durand", "Roux", "Leroy", "Dubois"]);
    // Basic social worker in Arras: only himself (no colleague shares his service there).
    assert_eq!(visible(&app, "julien.lefebvre", "").await, vec!["Lefebvre"]);
    // Secretary of Arras: every agent of Arras.
    assert_eq!(visible(&app, "nadia.benali", "").await, vec!["Martin", "Durand", "Lefebvre", "Benali", "Roux"]);
    // Admin of Lens: every agent of Lens (Sophie included, she holds a role there).
    assert_eq!(visible(&app, "isabelle.moreau", "").await, vec!["Durand", "Moreau", "Leroy", "Dubois", "Petit"]);
    // Territorial admin: the whole territory (12 agents).
    assert_eq!(visible(&app, "camille.martin", "").await.len(), 12);
}

#[actix_rt::test]
async fn organisation_filter_narrows_and_is_ignored_outside() {
    let app = TestApp::spawn().await;
    let lens = app.organisation_id("MDS Lens");
    let calais = app.organisation_id("MDS Calais");
    assert_eq!(
        visible(&app, "sophie.durand", &format!("?organisation_id={lens}")).await,
        vec!["Durand", "Leroy", "Dubois"]
    );
    // As the reference: a filter on an organisation the caller is not in is ignored.
    assert_eq!(visible(&app, "sophie.durand", &format!("?organisation_id={calais}")).await.len(), 5);
    let s = app.sign_in("sophie.durand").await;
    let (status, body) = json(app.get("/api/v1/agents?organisation_id=lens").bearer(&s).send().await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"]["organisation_id"][0]["error"], "invalid");
}

#[actix_rt::test]
async fn me_describes_roles_and_services() {
    let app = TestApp::spawn().await;
    let s = app.sign_in("sophie.durand").await;
    let (status, body) = json(app.get("/api/v1/me").trio(&s).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let me = &body["agent"];
    assert_eq!(me["first_name"], "Sophie");
    let roles: Vec<(String, String)> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["organisation_name"].as_str().unwrap().into(), r["access_level"].as_str().unwrap().into()))
        .collect();
    assert_eq!(roles, vec![("MDS Arras".into(), "basic".into()), ("MDS Lens".into(), "basic".into())]);
    let services: Vec<&str> =
        me["services"].as_array().unwrap().iter().map(|s| s["short_name"].as_str().unwrap()).collect();
    assert_eq!(services, vec!["PMI", "CPEF"]);
    assert_eq!(me["territorial_admin_of"], serde_json::json!([]));
}
