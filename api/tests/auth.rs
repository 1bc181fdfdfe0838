//! Sign-in, token validation, sign-out, rate limiting — over HTTP on a real database.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};
use rdv_api::seed::DEMO_PASSWORD;

#[actix_rt::test]
async fn sign_in_returns_devise_headers_and_agent() {
    let app = TestApp::spawn().await;
    let res = app.sign_in_raw("camille.martin", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    for h in ["access-token", "client", "expiry", "uid", "token-type"] {
        assert!(headers.get(h).is_some(), "missing header {h}");
    }
    assert_eq!(headers["token-type"], "Bearer");
    assert_eq!(headers["uid"], "camille.martin@demo.rdv-solidarites.fr");
    let expiry: i64 = headers["expiry"].to_str().unwrap().parse().unwrap();
    let in_24h = chrono::Utc::now().timestamp() + 24 * 3600;
    assert!((in_24h - expiry).abs() < 60, "expiry ~24 h from now");
    let (_, body) = json(res).await;
    assert_eq!(body["data"]["uid"], "camille.martin@demo.rdv-solidarites.fr");
    assert_eq!(body["data"]["first_name"], "Camille");
    assert_eq!(body["data"]["provider"], "email");
    assert!(body["data"].get("password_hash").is_none());
}

#[actix_rt::test]
async fn sign_in_is_case_insensitive_on_email() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/sign_in")
        .json(&serde_json::json!({"email": "  Camille.Martin@DEMO.rdv-solidarites.fr ", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_rt::test]
async fn wrong_credentials_get_401_without_token() {
    let app = TestApp::spawn().await;
    for (local, pw) in [("camille.martin", "Wrong-password-1"), ("nobody.here", DEMO_PASSWORD)] {
        let res = app.sign_in_raw(local, pw).await;
        assert!(res.headers().get("access-token").is_none());
        let (status, body) = json(res).await;
        assert_eq!(status, 401);
        assert!(body["errors"][0].as_str().unwrap().contains("mot de passe incorrect"), "{body}");
    }
}

#[actix_rt::test]
async fn sign_in_bad_bodies_are_4xx() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, &str, u16)> = vec![
        ("application/json", "{\"email\": ", 400),
        ("application/json", "{\"email\": 12, \"password\": \"x\"}", 422),
        ("application/json", "{\"email\": \"a@b.fr\"}", 422),
        ("application/json", "[]", 422),
        ("application/json", "", 400),
        ("text/plain", "hello", 415),
    ];
    for (ct, body, expected) in cases {
        let res = app.post("/api/v1/auth/sign_in").header("content-type", ct).body(body).send().await.unwrap();
        let (status, value) = json(res).await;
        assert_eq!(status, expected, "{body:?} → {value}");
    }
    let res = app
        .post("/api/v1/auth/sign_in")
        .header("content-type", "application/json")
        .body("{\"email\": 12, \"password\": \"x\"}")
        .send()
        .await
        .unwrap();
    let (_, value) = json(res).await;
    assert_eq!(value["errors"]["email"][0]["error"], "invalid", "names the field: {value}");
    assert_eq!(value["success"], false);
}

#[actix_rt::test]
async fn intervenant_cannot_sign_in() {
    let app = TestApp::spawn().await;
    // Pierre Roux is an intervenant without email; give him one to prove the role alone refuses.
    let id = {
        use diesel::prelude::*;
        use rdv_api::db::schema::agents;
        let mut conn = app.state.pool.get().unwrap();
        let hash = rdv_api::auth::password::hash(DEMO_PASSWORD).unwrap();
        let id: i32 =
            agents::table.filter(agents::last_name.eq("Roux")).select(agents::id).get_result(&mut *conn).unwrap();
        diesel::update(agents::table.find(id))
            .set((agents::email.eq(common::demo_email("pierre.roux")), agents::password_hash.eq(hash)))
            .execute(&mut *conn)
            .unwrap();
        id
    };
    assert!(id > 0);
    let res = app.sign_in_raw("pierre.roux", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 401);
}

#[actix_rt::test]
async fn validate_token_accepts_bearer_and_trio() {
    let app = TestApp::spawn().await;
    let s = app.sign_in("sophie.durand").await;
    for req in [app.get("/api/v1/auth/validate_token").bearer(&s), app.get("/api/v1/auth/validate_token").trio(&s)] {
        let (status, body) = json(req.send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["uid"], s.uid.as_str());
    }
}

#[actix_rt::test]
async fn devise_single_header_form_is_accepted() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let s = app.sign_in("sophie.durand").await;
    let encode = |v: serde_json::Value| base64::engine::general_purpose::STANDARD.encode(v.to_string());
    let good = encode(
        serde_json::json!({"access-token": s.token, "token-type": "Bearer", "client": s.client, "expiry": "0", "uid": s.uid}),
    );
    let res =
        app.get("/api/v1/auth/validate_token").header("authorization", format!("Bearer {good}")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let wrong_client = encode(serde_json::json!({"access-token": s.token, "client": "nope", "uid": s.uid}));
    let res = app
        .get("/api/v1/auth/validate_token")
        .header("authorization", format!("Bearer {wrong_client}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let not_json = base64::engine::general_purpose::STANDARD.encode("hello");
    let res = app
        .get("/api/v1/auth/validate_token")
        .header("authorization", format!("Bearer {not_json}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_rt::test]
async fn bad_tokens_and_headers_get_401() {
    let app = TestApp::spawn().await;
    let s = app.sign_in("sophie.durand").await;
    let wrong_client = common::Session { client: "not-the-client".into(), ..s.clone() };
    let wrong_uid = common::Session { uid: common::demo_email("camille.martin"), ..s.clone() };
    let forged = {
        // Right shape, wrong key.
        let keys = rdv_api::auth::token::TokenKeys::new(b"another-secret-another-secret-another");
        let now = chrono::Utc::now().timestamp();
        keys.sign(&rdv_api::auth::token::Claims { sub: "1".into(), jti: "x".into(), iat: now, exp: now + 60 }).unwrap()
    };
    let requests = vec![
        app.get("/api/v1/me"),
        app.get("/api/v1/me").header("authorization", "Bearer"),
        app.get("/api/v1/me").header("authorization", "Bearer not-a-jwt"),
        app.get("/api/v1/me").header("authorization", "Basic dXNlcjpwYXNz"),
        app.get("/api/v1/me").header("authorization", format!("Bearer {forged}")),
        app.get("/api/v1/me")
            .header("authorization", reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap()),
        app.get("/api/v1/me").trio(&wrong_client),
        app.get("/api/v1/me").trio(&wrong_uid),
        app.get("/api/v1/me").header("access-token", &s.token), // trio incomplete
    ];
    for req in requests {
        let (status, body) = json(req.send().await.unwrap()).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["errors"][0], "Vous devez vous connecter ou vous inscrire pour continuer.");
    }
}

#[actix_rt::test]
async fn expired_token_gets_401() {
    let app = TestApp::spawn().await;
    let s = app.sign_in("sophie.durand").await;
    // Expire the token row: the server must refuse it even though the JWT itself is still valid.
    {
        use diesel::prelude::*;
        use rdv_api::db::schema::auth_tokens;
        let mut conn = app.state.pool.get().unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
        diesel::update(auth_tokens::table).set(auth_tokens::expires_at.eq(past)).execute(&mut *conn).unwrap();
    }
    let res = app.get("/api/v1/auth/validate_token").bearer(&s).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_rt::test]
async fn sign_out_revokes_the_token_only() {
    let app = TestApp::spawn().await;
    let first = app.sign_in("sophie.durand").await;
    let second = app.sign_in("sophie.durand").await;
    let (status, body) = json(app.delete("/api/v1/auth/sign_out").trio(&first).send().await.unwrap()).await;
    assert_eq!((status, body["success"].clone()), (200, serde_json::json!(true)));
    assert_eq!(app.get("/api/v1/me").bearer(&first).send().await.unwrap().status(), 401);
    assert_eq!(app.delete("/api/v1/auth/sign_out").bearer(&first).send().await.unwrap().status(), 401);
    // Another device of the same agent stays signed in (unlike the reference's single device).
    assert_eq!(app.get("/api/v1/me").bearer(&second).send().await.unwrap().status(), 200);
    // Sign-in and sign-out are audited.
    let agent_id = app.agent_id("sophie.durand").await;
    let mut conn = app.state.pool.get().unwrap();
    use diesel::prelude::*;
    use rdv_api::db::schema::versions;
    let events: Vec<String> = versions::table
        .filter(versions::item_type.eq("AuthToken"))
        .filter(versions::author_agent_id.eq(agent_id))
        .order(versions::id)
        .select(versions::event)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(events, vec!["create", "create", "update"]);
}

#[actix_rt::test]
async fn sign_in_is_rate_limited_per_email() {
    let app = TestApp::spawn_with(|c| c.sign_in_per_minute_email = 3).await;
    for _ in 0..3 {
        assert_eq!(app.sign_in_raw("camille.martin", "Wrong-password-1").await.status(), 401);
    }
    let res = app.sign_in_raw("camille.martin", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let (_, body) = json(res).await;
    assert!(body["errors"][0].as_str().unwrap().contains("Trop de tentatives"));
    // Another email is not affected.
    assert_eq!(app.sign_in_raw("sophie.durand", DEMO_PASSWORD).await.status(), 200);
}

#[actix_rt::test]
async fn sign_in_is_rate_limited_per_ip() {
    let app = TestApp::spawn_with(|c| c.sign_in_per_minute_ip = 2).await;
    assert_eq!(app.sign_in_raw("camille.martin", "Wrong-password-1").await.status(), 401);
    assert_eq!(app.sign_in_raw("sophie.durand", "Wrong-password-1").await.status(), 401);
    assert_eq!(app.sign_in_raw("emma.dubois", DEMO_PASSWORD).await.status(), 429);
}

/// Password reset by email (issue 18): the same answer for known and unknown emails, one email
/// with a one-hour link for an agent, the new password set once; every session ends; the link
/// cannot be used twice; a wrong confirmation or a weak password is a 422. Sign-out everywhere.
#[actix_rt::test]
async fn password_reset_by_email_and_sign_out_everywhere() {
    let app = TestApp::spawn().await;
    let email = common::demo_email("sophie.durand");
    let old_session = app.sign_in("sophie.durand").await;
    let ask = |email: String| {
        let req = app.post("/api/v1/auth/password").json(&serde_json::json!({"email": email}));
        async move { json(req.send().await.unwrap()).await }
    };
    let (s, known) = ask(email.to_uppercase()).await;
    let (s2, unknown) = ask("personne@nulle-part.fr".to_owned()).await;
    assert_eq!((s, s2), (200, 200));
    assert_eq!(known, unknown, "no account enumeration");
    assert!(known["message"].as_str().unwrap().contains("Si un compte existe"));

    let files = common::wait_for_files(&app.state.config.dev_mailbox_dir, 1).await;
    actix_rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(std::fs::read_dir(&app.state.config.dev_mailbox_dir).unwrap().count(), 1, "one email, to the agent");
    let eml = common::providers::parse_mail(&std::fs::read(&files[0]).unwrap());
    assert_eq!(eml.to, email);
    let token = eml.text.split("mot-de-passe/nouveau?token=").nth(1).unwrap().split_whitespace().next().unwrap();
    assert!(token.len() >= 32, "{token}");
    // The token is stored as a digest only.
    let versions = app.versions_of("PasswordReset", 1);
    assert!(!versions[0].1.to_string().contains(token));

    let put = |body: serde_json::Value| {
        let req = app.client.put(app.url("/api/v1/auth/password")).json(&body);
        async move { json(req.send().await.unwrap()).await }
    };
    let (s, b) = put(serde_json::json!({"reset_password_token": token, "password": "Nouveau-Mdp-2026!",
        "password_confirmation": "Autre-Mdp-2026!"}))
    .await;
    assert_eq!((s, b["errors"]["password_confirmation"][0]["error"].as_str()), (422, Some("confirmation")), "{b}");
    let (s, b) =
        put(serde_json::json!({"reset_password_token": token, "password": "court", "password_confirmation": "court"}))
            .await;
    assert_eq!((s, b["errors"]["password"][0]["error"].as_str()), (422, Some("weak_password")), "{b}");
    let (s, b) = put(serde_json::json!({"reset_password_token": "faux", "password": "Nouveau-Mdp-2026!",
        "password_confirmation": "Nouveau-Mdp-2026!"}))
    .await;
    assert_eq!((s, b["errors"]["reset_password_token"][0]["error"].as_str()), (422, Some("invalid")), "{b}");
    let (s, b) = put(serde_json::json!({"reset_password_token": token, "password": "Nouveau-Mdp-2026!",
        "password_confirmation": "Nouveau-Mdp-2026!"}))
    .await;
    assert_eq!(s, 200, "{b}");
    // Old sessions end; the old password fails, the new one works; the link is spent.
    let res = app.get("/api/v1/auth/validate_token").bearer(&old_session).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(app.sign_in_raw("sophie.durand", DEMO_PASSWORD).await.status(), 401);
    assert_eq!(app.sign_in_raw("sophie.durand", "Nouveau-Mdp-2026!").await.status(), 200);
    let (s, _) = put(serde_json::json!({"reset_password_token": token, "password": "Encore-Un-2026!",
        "password_confirmation": "Encore-Un-2026!"}))
    .await;
    assert_eq!(s, 422, "a link works once");

    // Sign-out everywhere ends every session, this one included.
    let a = app.sign_in("camille.martin").await;
    let b = app.sign_in("camille.martin").await;
    let (s, body) = json(app.delete("/api/v1/auth/sessions").bearer(&a).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert!(body["revoked"].as_i64().unwrap() >= 2, "{body}");
    for session in [&a, &b] {
        assert_eq!(app.get("/api/v1/auth/validate_token").bearer(session).send().await.unwrap().status(), 401);
    }
}
