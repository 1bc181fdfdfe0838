//! What surrounds the API: health, JSON 404s, the SPA fallback, the docs UI, the OpenAPI lock.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, Authed, TestApp};

#[actix_rt::test]
async fn health_checks_the_database() {
    let app = TestApp::spawn().await;
    let (status, body) = json(app.get("/health").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], common::TestDb::backend());
    println!("backend under test: {}", body["database"]);
}

/// Readiness reports the outbox queue as every server sees it: due messages, the oldest one's
/// age, failures; `degraded` once the oldest due message waits longer than the allowed lag.
#[actix_rt::test]
async fn readiness_reports_the_outbox_queue() {
    let app = TestApp::spawn_with(|c| {
        c.delivery.workers = 0; // nobody delivers: the queue only grows
        c.delivery.max_lag = chrono::Duration::seconds(60);
    })
    .await;
    let (status, body) = json(app.get("/health/ready").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["outbox"]["oldest_due_age_seconds"], 0, "{body}");
    let due_before = body["outbox"]["due"].as_i64().unwrap();
    // Two messages: one due two minutes ago, one scheduled for tomorrow (a reminder, not late).
    let now = rdv_api::db::now_utc();
    let mut conn = app.state.pool.get().unwrap();
    for (key, run_at) in [("late", now - chrono::Duration::minutes(2)), ("tomorrow", now + chrono::Duration::days(1))] {
        let row = rdv_api::outbox::user_job("readiness_test", format!("readiness-{key}"), Default::default(), run_at);
        rdv_api::outbox::plan_jobs(&mut conn, &[row]).unwrap();
    }
    let (status, body) = json(app.get("/health/ready").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["outbox"]["due"].as_i64().unwrap(), due_before + 1, "{body}");
    assert!(body["outbox"]["oldest_due_age_seconds"].as_i64().unwrap() >= 120, "{body}");
    assert_eq!(body["outbox"]["max_lag_seconds"], 60);
}

/// A request with any method, `TRACE` and `OPTIONS` included.
async fn raw(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    app.client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), app.url(path)).send().await.unwrap()
}

#[actix_rt::test]
async fn unknown_api_paths_are_json_404() {
    let app = TestApp::spawn().await;
    for path in ["/api/nope", "/api/v1/nope", "/api/v1/organisations/1/nope", "/api/v2/organisations"] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "application/json", "{path}");
        let (status, body) = json(res).await;
        assert_eq!((status, body), (404, serde_json::json!({"not_found": "route"})), "{path}");
    }
    // A documented path with another method: 405 with the allowed ones, in JSON (TRACE too,
    // and under the rdv-insertion scope).
    for (method, path, allow) in [
        ("DELETE", "/api/v1/organisations/1", "GET, PATCH"),
        ("TRACE", "/api/v1/users", "GET, POST"),
        ("PUT", "/api/rdvinsertion/motif_categories", "POST"),
        ("TRACE", "/api/rdvinsertion/motif_categories", "POST"),
    ] {
        let res = raw(&app, method, path).await;
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        let (status, body) = json(res).await;
        assert_eq!(status, 405, "{method} {path}: {body}");
        assert!(body["errors"][0].as_str().unwrap().contains("Method not allowed"), "{body}");
    }
    let (status, _) = json(app.get("/api/rdvinsertion/nope").send().await.unwrap()).await;
    assert_eq!(status, 404);
    // A literal path wins over a template (`/users/search` is not `/users/{id}`); paths outside
    // `/api` say `Allow` too.
    for (method, path, allow) in [
        ("OPTIONS", "/api/v1/users/search", "GET"),
        ("TRACE", "/health", "GET"),
        ("TRACE", "/public_api/public_links", "GET"),
    ] {
        let res = raw(&app, method, path).await;
        assert_eq!(
            (res.status().as_u16(), res.headers().get("allow").map(|v| v.to_str().unwrap().to_owned())),
            (405, Some(allow.to_owned())),
            "{method} {path}"
        );
    }
}

/// The largest page number is an empty page, not a crash (it overflowed `page + 1`).
#[actix_rt::test]
async fn the_largest_page_number_is_an_empty_page() {
    let app = TestApp::spawn().await;
    let camille = app.sign_in("camille.martin").await;
    let (status, body) = common::call(&app, &camille, "GET", "/api/v1/exports?page=9223372036854775807", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["next_page"], serde_json::Value::Null);
}

#[actix_rt::test]
async fn spa_deep_links_fall_back_to_index() {
    let app = TestApp::spawn().await;
    std::fs::write(app.spa_dir.join("app.js"), "console.log('rdv')").unwrap();
    for path in ["/", "/connexion", "/agenda/2026/11/22"] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.unwrap().contains("RDV test SPA"), "{path}");
    }
    let js = app.get("/app.js").send().await.unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap().contains("rdv"));
}

/// The booking app's pages get `public.html`; the agents' app's get `index.html`; scripts and
/// wasm come from the build's precompressed copies when the client accepts them.
#[actix_rt::test]
async fn spa_pages_per_app_and_precompressed_assets() {
    let app = TestApp::spawn().await;
    std::fs::write(app.spa_dir.join("public.html"), "<title>RDV booking app</title>").unwrap();
    for path in ["/prendre-rdv", "/prendre_rdv", "/org/3", "/prendre-rdv/rdv/abc", "/r/xyz"] {
        let res = app.get(path).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.text().await.unwrap().contains("RDV booking app"), "{path}");
    }
    for path in ["/", "/agenda", "/rdvs/3"] {
        assert!(app.get(path).send().await.unwrap().text().await.unwrap().contains("RDV test SPA"), "{path}");
    }
    std::fs::write(app.spa_dir.join("app.js"), "console.log('rdv')").unwrap();
    std::fs::write(app.spa_dir.join("app.js.br"), "brotli bytes").unwrap();
    std::fs::write(app.spa_dir.join("app.js.gz"), "gzip bytes").unwrap();
    for (accept, encoding, body) in [
        ("gzip, deflate, br, zstd", Some("br"), "brotli bytes"),
        ("br;q=0, gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "console.log('rdv')"),
    ] {
        let res = app.get("/app.js").header("accept-encoding", accept).send().await.unwrap();
        assert_eq!(res.status(), 200, "{accept}");
        let h = res.headers().clone();
        assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accept}");
        assert!(h["content-type"].to_str().unwrap().contains("javascript"), "{accept}");
        assert_eq!(res.text().await.unwrap(), body, "{accept}");
    }
    let missing = app.get("/nope.js").header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[actix_rt::test]
async fn security_headers_on_pages_and_no_store_on_personal_data() {
    let app = TestApp::spawn().await;
    let admin = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let body = serde_json::json!({"organisation_ids": [arras], "first_name": "Léa", "last_name": "Entêtes"});
    let (_, created) = common::call(&app, &admin, "POST", "/api/v1/users", Some(body)).await;
    let user = created["user"]["id"].as_i64().unwrap();
    for path in ["/", "/agenda/2026/11/22", "/api-docs/", "/health", "/api/v1/nope"] {
        let res = app.get(path).send().await.unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        // Scripts: our files and WebAssembly only (no inline script, no eval); no framing.
        let script = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
        assert_eq!(script, "script-src 'self' 'wasm-unsafe-eval'", "{path}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
        assert!(h.get("set-cookie").is_none(), "{path}: the app sets no cookie");
    }
    // Personal data is never kept by a browser or a proxy.
    for path in [
        format!("/api/v1/organisations/{arras}/users"),
        format!("/api/v1/users/{user}"),
        format!("/api/v1/users/{user}/export"),
        "/api/v1/rdvs".to_owned(),
        "/api/v1/me".to_owned(),
    ] {
        let res = app.get(&path).bearer(&admin).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    // Behind a TLS-terminating proxy, HSTS.
    let res = app.get("/").header("x-forwarded-proto", "https").send().await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

/// A client whose Content-Length promises more than it sends held its connection open forever
/// (issue 18: 2 000 such connections were held). Now the body read times out: 408 in the
/// documented error shape, and the server closes the connection.
#[actix_rt::test]
async fn a_body_that_never_arrives_gets_a_408_and_the_connection_closes() {
    use std::io::{Read, Write};
    let app = TestApp::spawn_with(|c| c.body_read_timeout = std::time::Duration::from_secs(1)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let (elapsed, answer) = actix_rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let started = std::time::Instant::now();
        stream
            .write_all(
                b"POST /api/v1/auth/sign_in HTTP/1.1\r\nHost: rdv.test\r\nContent-Type: application/json\r\n\
                  Content-Length: 1000\r\n\r\n{\"email\": ",
            )
            .unwrap();
        // Reading to the end proves the server closed the connection.
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        (started.elapsed(), answer)
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("Request body timed out"), "{answer}");
    assert!(elapsed < std::time::Duration::from_secs(10), "closed after {elapsed:?}");
}

#[actix_rt::test]
async fn api_docs_ui_is_served_offline() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client.get(app.url("/api-docs")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    let res = app.get("/api-docs/").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "Swagger UI page");
    assert!(!html.contains("https://"), "no CDN");
    let init = app.get("/api-docs/swagger-initializer.js").send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/v1/openapi.json"));
}

#[actix_rt::test]
async fn checked_in_openapi_matches_the_served_document() {
    let app = TestApp::spawn().await;
    let (status, served) = json(app.get("/api/v1/openapi.json").send().await.unwrap()).await;
    assert_eq!(status, 200);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let text = std::fs::read_to_string(path).expect("openapi.yaml at the repository root (run `just openapi`)");
    let checked_in: serde_json::Value = serde_yaml::from_str(&text).expect("openapi.yaml is YAML");
    assert!(served == checked_in, "openapi.yaml is stale: run `just openapi` and commit it");
    // Conventions: operation ids are verb_resource, every operation documents its errors.
    let paths = served["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(id.contains('_'), "{method} {path}: operation id {id:?} is not verb_resource");
            let public = path == "/api/v1/auth/sign_in"
                || (path == "/api/v1/auth/password" && method != "delete")
                || path.starts_with("/api/v1/invitations/")
                || path.starts_with("/api/v1/public/")
                || path == "/api/v1/public_links";
            if path.starts_with("/api/v1/") && !public {
                assert!(op["responses"].get("401").is_some(), "{method} {path} documents 401");
            }
        }
    }
    // RDV-Solidarités' v1 operations are grouped under one tag (issue 16).
    let compat = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter(|op| op["tags"].as_array().is_some_and(|t| t.iter().any(|t| t == "Compatibilité RDV-Solidarités v1")))
        .count();
    assert_eq!(
        compat, 38,
        "A1–A3, O1–O3, U1–U7, P1–P2, R1–R2, G1, M1, B1–B5, V1–V2, W1–W3 (PATCH and PUT), L1 (twice), I1–I6"
    );
    for expected in ["/api/v1/auth/sign_in", "/api/v1/organisations/{id}", "/api/v1/agents", "/api/v1/me", "/health"] {
        assert!(paths.contains_key(expected), "{expected} documented");
    }
}

/// The request id follows what the request caused: the outbox rows it queued keep it, and the
/// messages a planned job (the J-2 reminder) queues when it runs inherit it.
#[actix_rt::test]
async fn the_request_id_is_kept_by_the_outbox_rows_and_the_jobs_it_caused() {
    use diesel::prelude::*;
    use rdv_api::db::schema::outbox;
    let app = TestApp::spawn_with(|c| c.delivery.workers = 0).await;
    let camille = app.sign_in("camille.martin").await;
    let arras = app.organisation_id("MDS Arras");
    let (_, u) = common::call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(serde_json::json!({
        "organisation_ids": [arras], "first_name": "Inès", "last_name": "Traçable", "email": "ines@exemple.fr"})),
    )
    .await;
    let day = (chrono::Utc::now() + chrono::Duration::days(6)).date_naive();
    let res = app
        .post("/api/v1/rdvs")
        .bearer(&camille)
        .header("x-request-id", "req-trace-42")
        .json(&serde_json::json!({"organisation_id": arras,
            "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
            "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"),
            "agent_ids": [app.agent_id("camille.martin").await], "user_ids": [u["user"]["id"]],
            "starts_at": format!("{day}T10:00:00+01:00"), "ignore_benign_errors": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "req-trace-42");
    let (status, rdv) = json(res).await;
    assert_eq!(status, 200, "{rdv}");
    let rdv_id = rdv["rdv"]["id"].as_i64().unwrap() as i32;
    let mut conn = app.state.pool.get().unwrap();
    let rows: Vec<(String, String, Option<String>, chrono::NaiveDateTime)> = outbox::table
        .filter(outbox::rdv_id.eq(rdv_id))
        .select((outbox::channel, outbox::event, outbox::request_id, outbox::run_at))
        .load(&mut *conn)
        .unwrap();
    assert!(rows.iter().any(|r| r.0 == "mail"), "{rows:?}");
    assert!(rows.iter().any(|r| r.0 == "job"), "a reminder is planned: {rows:?}");
    assert!(rows.iter().all(|r| r.2.as_deref() == Some("req-trace-42")), "{rows:?}");
    // The reminder runs (later, in a worker): its messages carry the same id.
    let due = rows.iter().find(|r| r.0 == "job").unwrap().3 + chrono::Duration::minutes(1);
    let deliverer = rdv_api::outbox::worker::Deliverer::new(&app.state.config).unwrap();
    while deliverer.run_once_at(&mut conn, due).unwrap() > 0 {}
    let reminders: Vec<Option<String>> = outbox::table
        .filter(outbox::rdv_id.eq(rdv_id))
        .filter(outbox::channel.ne("job"))
        .filter(outbox::event.like("%reminder%"))
        .select(outbox::request_id)
        .load(&mut *conn)
        .unwrap();
    assert!(!reminders.is_empty(), "the reminder queued its messages");
    assert!(reminders.iter().all(|r| r.as_deref() == Some("req-trace-42")), "{reminders:?}");
    // Something queued outside a request has none.
    let other: Vec<Option<String>> = outbox::table
        .filter(outbox::rdv_id.ne(rdv_id).or(outbox::rdv_id.is_null()))
        .select(outbox::request_id)
        .load(&mut *conn)
        .unwrap();
    assert!(other.iter().all(|r| r.as_deref() != Some("req-trace-42")));
}
