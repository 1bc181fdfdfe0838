//! Partner shared-secret auth (rdv-insertion's `uid` + `X-Agent-Auth-Signature`).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, TestApp};
use rdv_api::auth::partner;

const SECRET: &[u8] = b"partner-secret-for-tests";

fn signature_for(app: &TestApp, local: &str, secret: &[u8]) -> String {
    let mut conn = app.state.pool.get().unwrap();
    let agent = rdv_api::db::models::agent::find_by_email(&mut conn, &common::demo_email(local)).unwrap().unwrap();
    partner::sign(secret, &partner::payload(&agent))
}

#[actix_rt::test]
async fn a_signed_request_acts_as_the_agent() {
    let app = TestApp::spawn().await;
    let sig = signature_for(&app, "camille.martin", SECRET);
    let (status, me) = json(
        app.get("/api/v1/me")
            .header("uid", common::demo_email("camille.martin"))
            .header("X-Agent-Auth-Signature", &sig)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["agent"]["first_name"], "Camille");
    // A header spelled with underscores is another header (rdv-insertion's client sends dashes):
    // this request carries neither a signature nor a token.
    let arras = app.organisation_id("MDS Arras");
    let res = app
        .patch(&format!("/api/v1/organisations/{arras}"))
        .header("uid", common::demo_email("camille.martin"))
        .header("x_agent_auth_signature", &sig)
        .json(&serde_json::json!({"phone_number": "0321000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Writes are attributed to the signing agent in the audit trail.
    let res = app
        .patch(&format!("/api/v1/organisations/{arras}"))
        .header("uid", common::demo_email("camille.martin"))
        .header("X-Agent-Auth-Signature", &sig)
        .json(&serde_json::json!({"phone_number": "0321000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, changes) = app.versions_of("Organisation", arras).pop().unwrap();
    assert_eq!(changes["phone_number"][1], "0321000000");
}

#[actix_rt::test]
async fn bad_signatures_are_401_and_tokens_are_then_ignored() {
    let app = TestApp::spawn().await;
    let good = signature_for(&app, "camille.martin", SECRET);
    let forged = signature_for(&app, "camille.martin", b"another-secret");
    let session = app.sign_in("camille.martin").await;
    let cases: Vec<(Option<String>, String)> = vec![
        (Some(common::demo_email("camille.martin")), forged),
        (Some(common::demo_email("camille.martin")), String::new()),
        (Some(common::demo_email("sophie.durand")), good.clone()), // someone else's uid
        (Some("nobody@example.fr".into()), good.clone()),          // unknown uid: 401, not 500
        (None, good),
    ];
    for (uid, sig) in cases {
        let mut req = app
            .get("/api/v1/me")
            .header("X-Agent-Auth-Signature", sig)
            .header("authorization", format!("Bearer {}", session.token)); // ignored in partner mode
        if let Some(uid) = uid {
            req = req.header("uid", uid);
        }
        let (status, body) = json(req.send().await.unwrap()).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["errors"][0], "Vous devez vous connecter ou vous inscrire pour continuer.");
    }
}

#[actix_rt::test]
async fn auth_routes_ignore_the_signature_and_a_missing_secret_disables_it() {
    let app = TestApp::spawn().await;
    let sig = signature_for(&app, "camille.martin", SECRET);
    let session = app.sign_in("camille.martin").await;
    // Under /api/v1/auth/* the token rules apply, signature or not (reference §1.2).
    let res = app
        .get("/api/v1/auth/validate_token")
        .header("uid", common::demo_email("camille.martin"))
        .header("X-Agent-Auth-Signature", &sig)
        .header("authorization", format!("Bearer {}", session.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let disabled = TestApp::spawn_with(|c| c.partner_shared_secret = None).await;
    let sig = signature_for(&disabled, "camille.martin", SECRET);
    let res = disabled
        .get("/api/v1/me")
        .header("uid", common::demo_email("camille.martin"))
        .header("X-Agent-Auth-Signature", sig)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}
