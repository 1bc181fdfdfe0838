//! Access before body (issue 18): on a write whose resource is named by the path, a caller
//! without rights gets 403 (or 404 when they may not even see the resource) whatever the body
//! holds. The body's 400/422 is for callers who may write. Before, a basic agent's incomplete
//! motif got 422, which told them about the body rather than about their rights.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

#[actix_rt::test]
async fn a_caller_without_rights_gets_403_or_404_before_any_body_error() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let social = app.id_by_name("motifs", "MDS Arras", "Entretien assistante sociale");
    let lieu = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let admin = app.sign_in("camille.martin").await;
    let basic = app.sign_in("sophie.durand").await;
    let other_admin = app.sign_in("isabelle.moreau").await;

    // (method, path, body that is wrong for everyone, basic agent, admin of another organisation)
    let cases = [
        ("POST", format!("/api/v1/organisations/{arras}/motifs"), json!({}), 403, 403),
        ("PATCH", format!("/api/v1/motifs/{social}"), json!({"default_duration_in_min": "long"}), 404, 404),
        ("POST", format!("/api/v1/organisations/{arras}/lieux"), json!({"name": 12}), 403, 403),
        ("PATCH", format!("/api/v1/lieux/{lieu}"), json!({"name": ["a"]}), 403, 404),
        ("PATCH", format!("/api/v1/organisations/{arras}"), json!({"name": false}), 403, 403),
        ("POST", format!("/api/v1/organisations/{arras}/webhook_endpoints"), json!({"target_url": 1}), 403, 403),
    ];
    for (method, path, body, basic_status, other_status) in cases {
        let send = |who: &common::Session, body: serde_json::Value| {
            let req = match method {
                "POST" => app.post(&path),
                _ => app.patch(&path),
            };
            req.bearer(who).json(&body).send()
        };
        let (s, b) = json(send(&basic, body.clone()).await.unwrap()).await;
        assert_eq!(s, basic_status, "basic agent {method} {path}: {b}");
        let (s, b) = json(send(&other_admin, body.clone()).await.unwrap()).await;
        assert_eq!(s, other_status, "admin of another organisation {method} {path}: {b}");
        // The organisation's admin may write: the same body is now refused for what it holds.
        let (s, b) = json(send(&admin, body).await.unwrap()).await;
        assert_eq!(s, 422, "admin {method} {path}: {b}");
        assert!(b["errors"].is_object(), "{b}");
    }

    // Malformed JSON too: 403 for the basic agent, 400 for the admin.
    for (who, expected) in [(&basic, 403), (&admin, 400)] {
        let res = app
            .post(&format!("/api/v1/organisations/{arras}/motifs"))
            .bearer(who)
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected);
    }

    // A body that is not JSON at all is refused before anything else (415), for everyone.
    let res = app
        .post(&format!("/api/v1/organisations/{arras}/motifs"))
        .bearer(&basic)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
}
