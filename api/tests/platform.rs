//! What surrounds the API: health, JSON 404s, the SPA fallback, the docs UI, the OpenAPI lock.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use common::{json, TestApp};

#[actix_rt::test]
async fn health_checks_the_database() {
    let app = TestApp::spawn().await;
    let (status, body) = json(app.get("/health").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], common::TestDb::backend());
    println!("backend under test: {}", body["database"]);
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
    // A known path with an unsupported method is not an HTML page either.
    let (status, _) = json(app.delete("/api/v1/organisations/1").send().await.unwrap()).await;
    assert_eq!(status, 404);
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
