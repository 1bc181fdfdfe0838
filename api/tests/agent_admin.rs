//! Managing agents: invitations end to end (email in the dev mailbox, link, acceptance, sign-in),
//! who may invite, roles (an organisation keeps an admin), removal, services and preferences.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use serde_json::json;

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

#[actix_rt::test]
async fn invitation_end_to_end() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let body = json!({"email": "Marie.Curie@pas-de-calais.fr", "first_name": "Marie", "access_level": "basic", "service_ids": [1, 3]});
    let (status, res) = json(
        app.post(&format!("/api/v1/organisations/{arras}/agents")).bearer(&admin).json(&body).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    let url = res["invitation"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://rdv.test/invitation/"), "{url}");
    assert_eq!(res["agent"]["email"], "marie.curie@pas-de-calais.fr");
    assert_eq!(res["agent"]["invitation"]["state"], "pending");
    assert_eq!(res["agent"]["roles"][0]["access_level"], "basic");
    let id = res["agent"]["id"].as_i64().unwrap();

    // The email sits in the dev mailbox, with the link and a reply-to reaching the inviting agent.
    let mailbox = app.state.config.dev_mailbox_dir.clone();
    let files = common::wait_for_files(&mailbox, 1).await;
    assert_eq!(files.len(), 1);
    let eml = common::providers::parse_mail(&std::fs::read(&files[0]).unwrap());
    assert_eq!(eml.to, "marie.curie@pas-de-calais.fr");
    assert_eq!(eml.reply_to.as_deref(), Some("camille.martin@demo.rdv-solidarites.fr"));
    assert_eq!(eml.from, "ne-pas-repondre@rdv.test");
    assert!(eml.text.contains(&url), "{eml:?}");

    // The invited agent cannot sign in yet.
    let res = app
        .post("/api/v1/auth/sign_in")
        .json(&json!({"email": "marie.curie@pas-de-calais.fr", "password": "Radium-1898!x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let token = token_of(&url);
    let (status, preview) = json(app.get(&format!("/api/v1/invitations/{token}")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(preview["invitation"]["organisation_name"], "MDS Arras");
    assert_eq!(preview["invitation"]["invited_by"], "Camille Martin");

    let (status, res) = json(
        app.post(&format!("/api/v1/invitations/{token}/accept"))
            .json(&json!({"password": "radium"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["errors"]["password"][0]["error"].as_str()), (422, Some("weak_password")));
    let (status, res) = json(
        app.post(&format!("/api/v1/invitations/{token}/accept"))
            .json(&json!({"password": "Radium-1898!x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, res["errors"]["last_name"][0]["error"].as_str()),
        (422, Some("blank")),
        "the email is not a last name: {res}"
    );
    let (status, res) = json(
        app.post(&format!("/api/v1/invitations/{token}/accept"))
            .json(&json!({"password": "Radium-1898!x", "last_name": "Curie"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["agent"]["invitation"]["state"], "accepted");
    assert_eq!(res["agent"]["last_name"], "Curie");

    let res = app
        .post("/api/v1/auth/sign_in")
        .json(&json!({"email": "marie.curie@pas-de-calais.fr", "password": "Radium-1898!x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A used link is dead.
    assert_eq!(app.get(&format!("/api/v1/invitations/{token}")).send().await.unwrap().status(), 404);
    assert_eq!(app.get("/api/v1/invitations/not-a-token").send().await.unwrap().status(), 404);
    let events: Vec<String> = app.versions_of("AgentInvitation", 1).into_iter().map(|(e, _)| e).collect();
    assert_eq!(events, vec!["create", "update"]);
    assert!(id > 0);
}

#[actix_rt::test]
async fn who_may_invite() {
    let app = TestApp::spawn().await;
    let arras = app.organisation_id("MDS Arras");
    let expected = [
        ("admin", 200),
        ("basic PMI+CPEF", 403),
        ("basic social", 403),
        ("secretary", 403),
        ("admin of another organisation", 403),
        ("admin of another territory", 403),
        ("territorial admin with a role elsewhere", 200),
    ];
    for ((who, s), (label, code)) in common::pair(app.actors().await, expected) {
        assert_eq!(who, label);
        let email = format!("{}@example.fr", who.replace(' ', "."));
        let res = app
            .post(&format!("/api/v1/organisations/{arras}/agents"))
            .bearer(&s)
            .json(&json!({"email": email, "access_level": "basic", "service_ids": [1]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), code, "{who}");
    }
    // The territory's "invite agents" right lets a basic agent invite (reference §2.8).
    let julien = app.agent_id("julien.lefebvre").await;
    {
        use diesel::prelude::*;
        use rdv_api::db::schema::{agent_territorial_access_rights as r, territories};
        let mut conn = app.state.pool.get().unwrap();
        let t: i32 = territories::table
            .filter(territories::name.eq("Pas-de-Calais"))
            .select(territories::id)
            .get_result(&mut *conn)
            .unwrap();
        let now = chrono::Utc::now().naive_utc();
        diesel::insert_into(r::table)
            .values((
                r::agent_id.eq(julien),
                r::territory_id.eq(t),
                r::allow_to_invite_agents.eq(true),
                r::created_at.eq(now),
                r::updated_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    let s = app.sign_in("julien.lefebvre").await;
    let calais = app.organisation_id("MDS Calais");
    let res = app
        .post(&format!("/api/v1/organisations/{calais}/agents"))
        .bearer(&s)
        .json(&json!({"email": "x@y.fr", "access_level": "basic", "service_ids": [2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_rt::test]
async fn invite_validation_and_existing_agents() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let path = format!("/api/v1/organisations/{arras}/agents");
    let cases = vec![
        (json!({"access_level": "basic", "service_ids": [1]}), "email", "blank"),
        (json!({"email": "bad", "access_level": "basic", "service_ids": [1]}), "email", "invalid"),
        (json!({"email": "a@b.fr", "access_level": "chef", "service_ids": [1]}), "access_level", "invalid"),
        (json!({"email": "a@b.fr", "access_level": "basic", "service_ids": []}), "service_ids", "blank"),
        (json!({"email": "a@b.fr", "access_level": "basic", "service_ids": [42]}), "service_ids", "inclusion"),
        (
            json!({"email": "a@b.fr", "access_level": "intervenant", "last_name": "X", "service_ids": [1]}),
            "email",
            "invalid",
        ),
        (json!({"access_level": "intervenant", "service_ids": [1]}), "last_name", "blank"),
        (
            json!({"email": "sophie.durand@demo.rdv-solidarites.fr", "access_level": "basic", "service_ids": [1]}),
            "email",
            "taken",
        ),
    ];
    for (body, field, code) in cases {
        let (status, res) = json(app.post(&path).bearer(&admin).json(&body).send().await.unwrap()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(res["errors"][field][0]["error"], code, "{body}: {res}");
    }
    // An intervenant: no email, no invitation, no notifications.
    let (status, res) = json(
        app.post(&path)
            .bearer(&admin)
            .json(&json!({"last_name": "Salle de pesée", "access_level": "intervenant", "service_ids": [1]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["invitation"], json!(null));
    assert_eq!(res["agent"]["preferences"]["rdv_notifications_level"], "none");
    // An agent of another organisation with an account: the role is added, no invitation needed.
    let (status, res) = json(
        app.post(&path)
            .bearer(&admin)
            .json(&json!({"email": "emma.dubois@demo.rdv-solidarites.fr", "access_level": "basic", "service_ids": [3]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["invitation"], json!(null));
    let orgs: Vec<&str> =
        res["agent"]["roles"].as_array().unwrap().iter().map(|r| r["organisation_name"].as_str().unwrap()).collect();
    assert_eq!(orgs, vec!["MDS Arras", "MDS Lens"]);
    let services: Vec<&str> =
        res["agent"]["services"].as_array().unwrap().iter().map(|s| s["short_name"].as_str().unwrap()).collect();
    assert_eq!(services, vec!["PMI", "CPEF"]);
}

#[actix_rt::test]
async fn roles_keep_an_admin_and_removal_soft_deletes() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let julien_session = app.sign_in("julien.lefebvre").await;
    let arras = app.organisation_id("MDS Arras");
    let camille = app.agent_id("camille.martin").await;
    let julien = app.agent_id("julien.lefebvre").await;

    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{camille}/roles/{arras}"))
            .bearer(&admin)
            .json(&json!({"access_level": "basic"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["errors"]["access_level"][0]["error"].as_str()), (422, Some("last_admin")));
    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{julien}/roles/{arras}"))
            .bearer(&admin)
            .json(&json!({"access_level": "intervenant"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["errors"]["access_level"][0]["error"].as_str()), (422, Some("invalid")));
    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{julien}/roles/{arras}"))
            .bearer(&admin)
            .json(&json!({"access_level": "admin"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["agent"]["roles"][0]["access_level"].as_str()), (200, Some("admin")));
    // Now two admins: Camille may step down; nobody removes themselves.
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{camille}/roles/{arras}")).bearer(&admin).send().await.unwrap().status(),
        403
    );
    let (status, _) = json(
        app.patch(&format!("/api/v1/agents/{camille}/roles/{arras}"))
            .bearer(&admin)
            .json(&json!({"access_level": "basic"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    // Camille (now basic, still territorial admin) removes Julien, the last admin: refused.
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{julien}/roles/{arras}")).bearer(&admin).send().await.unwrap().status(),
        422
    );
    let (status, _) = json(
        app.patch(&format!("/api/v1/agents/{camille}/roles/{arras}"))
            .bearer(&admin)
            .json(&json!({"access_level": "admin"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    // Removing Julien from his only organisation soft-deletes him: sessions end, the email is freed.
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{julien}/roles/{arras}")).bearer(&admin).send().await.unwrap().status(),
        204
    );
    assert_eq!(app.get("/api/v1/me").bearer(&julien_session).send().await.unwrap().status(), 401);
    let (status, detail) =
        json(app.get(&format!("/api/v1/agents/{julien}")).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(status, 404, "a deleted agent with no role is nobody's to see: {detail}");
    let events: Vec<String> = app.versions_of("Agent", julien).into_iter().map(|(e, _)| e).collect();
    assert_eq!(events.last().unwrap(), "destroy");
    let res = app.sign_in_raw("julien.lefebvre", common::DEMO_PASSWORD).await;
    assert_eq!(res.status(), 401);
    // Sophie leaves Lens but stays in Arras.
    let sophie = app.agent_id("sophie.durand").await;
    let lens_admin = app.sign_in("isabelle.moreau").await;
    let lens = app.organisation_id("MDS Lens");
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{sophie}/roles/{lens}")).bearer(&lens_admin).send().await.unwrap().status(),
        204
    );
    assert_eq!(app.sign_in_raw("sophie.durand", common::DEMO_PASSWORD).await.status(), 200);
}

#[actix_rt::test]
async fn resend_and_revoke_invitations() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let (_, res) = json(
        app.post(&format!("/api/v1/organisations/{arras}/agents"))
            .bearer(&admin)
            .json(&json!({"email": "new@pas-de-calais.fr", "access_level": "basic", "service_ids": [2]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = res["agent"]["id"].as_i64().unwrap();
    let first = token_of(res["invitation"]["url"].as_str().unwrap());
    let (status, link) =
        json(app.post(&format!("/api/v1/agents/{id}/invitation")).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let second = token_of(link["url"].as_str().unwrap());
    assert_ne!(first, second);
    assert_eq!(
        app.get(&format!("/api/v1/invitations/{first}")).send().await.unwrap().status(),
        404,
        "the old link died"
    );
    assert_eq!(app.get(&format!("/api/v1/invitations/{second}")).send().await.unwrap().status(), 200);
    assert_eq!(common::wait_for_files(&app.state.config.dev_mailbox_dir, 2).await.len(), 2);
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{id}/invitation")).bearer(&admin).send().await.unwrap().status(),
        204
    );
    assert_eq!(app.get(&format!("/api/v1/invitations/{second}")).send().await.unwrap().status(), 404);
    let (_, detail) = json(app.get(&format!("/api/v1/agents/{id}")).bearer(&admin).send().await.unwrap()).await;
    assert_eq!(detail["agent"]["invitation"]["state"], "revoked");
    // An active agent needs no invitation; a basic agent may not send one.
    let sophie = app.agent_id("sophie.durand").await;
    assert_eq!(
        app.post(&format!("/api/v1/agents/{sophie}/invitation")).bearer(&admin).send().await.unwrap().status(),
        422
    );
    let basic = app.sign_in("nadia.benali").await;
    assert_eq!(app.post(&format!("/api/v1/agents/{id}/invitation")).bearer(&basic).send().await.unwrap().status(), 403);
}

#[actix_rt::test]
async fn profile_services_and_preferences() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let sophie_s = app.sign_in("sophie.durand").await;
    let sophie = app.agent_id("sophie.durand").await;
    // A basic agent cannot see, let alone edit, an agent outside her services.
    let julien = app.agent_id("julien.lefebvre").await;
    assert_eq!(
        app.patch(&format!("/api/v1/agents/{julien}"))
            .bearer(&sophie_s)
            .json(&json!({"last_name": "X"}))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{sophie}"))
            .bearer(&sophie_s)
            .json(&json!({"rdv_notifications_level": "soon", "display_saturdays": true, "first_name": "Sophie-Anne"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["agent"]["preferences"]["rdv_notifications_level"], "soon");
    assert_eq!(res["agent"]["first_name"], "Sophie-Anne");
    // Her own services are set by a manager, not by herself; her preferences are hers alone.
    assert_eq!(
        app.patch(&format!("/api/v1/agents/{sophie}"))
            .bearer(&sophie_s)
            .json(&json!({"service_ids": [4]}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        app.patch(&format!("/api/v1/agents/{sophie}"))
            .bearer(&admin)
            .json(&json!({"display_saturdays": false}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{sophie}"))
            .bearer(&admin)
            .json(&json!({"service_ids": [1, 4]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let services: Vec<&str> =
        res["agent"]["services"].as_array().unwrap().iter().map(|s| s["short_name"].as_str().unwrap()).collect();
    assert_eq!(services, vec!["PMI", "Secrétariat"]);
    let (status, res) = json(
        app.patch(&format!("/api/v1/agents/{sophie}"))
            .bearer(&sophie_s)
            .json(&json!({"rdv_notifications_level": "sometimes"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, res["errors"]["rdv_notifications_level"][0]["error"].as_str()), (422, Some("invalid")));
    // Now a secretary, she sees every agent of Arras, but still edits none of them.
    assert_eq!(
        app.patch(&format!("/api/v1/agents/{julien}"))
            .bearer(&sophie_s)
            .json(&json!({"last_name": "X"}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}
