//! Two `rdv serve` on one database behave as one (issue 18): the sign-in limit trips at the
//! configured count whichever server the attempts reach; on PostgreSQL the public API's limit
//! too (on SQLite, which one process serves, it counts in memory per process).
#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;

use common::{demo_email, TestApp, TestDb};
use serde_json::json;

/// A second server on the database of `app`, with the same limits.
fn beside(app: &TestApp, files: &std::path::Path) -> String {
    let mut config = common::test_config(&app.state.config.database_url, files);
    config.sign_in_per_minute_email = app.state.config.sign_in_per_minute_email;
    config.public_per_minute_ip = app.state.config.public_per_minute_ip;
    config.delivery.workers = 0;
    let state = rdv_api::server::prepare(config).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    actix_rt::spawn(rdv_api::server::run(state, listener, 1).unwrap());
    base
}

#[actix_rt::test]
async fn two_servers_enforce_one_sign_in_limit_and_one_public_limit() {
    let app = TestApp::spawn_with(|c| {
        c.sign_in_per_minute_email = 6;
        c.public_per_minute_ip = 8;
    })
    .await;
    let files = tempfile::tempdir().unwrap();
    let servers = [app.base.clone(), beside(&app, files.path())];
    let client = reqwest::Client::new();
    // Limits count per one-minute window: start early in one so the whole test stays in it.
    let second = chrono::Timelike::second(&chrono::Utc::now());
    if second >= 45 {
        actix_rt::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
    // Wrong passwords for one email, alternating between the servers: six attempts are
    // answered (401), the seventh is refused on either server.
    let mut statuses = Vec::new();
    for i in 0..8 {
        let res = client
            .post(format!("{}/api/v1/auth/sign_in", servers[i % 2]))
            .json(&json!({"email": demo_email("sophie.durand"), "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
        }
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 401, 429, 429], "one limit across both servers");
    // Another email is not affected.
    let res = client
        .post(format!("{}/api/v1/auth/sign_in", servers[1]))
        .json(&json!({"email": demo_email("camille.martin"), "password": common::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // The public API, 8 requests a minute per IP.
    let mut public = Vec::new();
    for i in 0..12 {
        let res = client.get(format!("{}/api/v1/public/stats", servers[i % 2])).send().await.unwrap();
        public.push(res.status().as_u16());
    }
    let answered = public.iter().filter(|s| **s == 200).count();
    if TestDb::backend() == "postgres" {
        assert_eq!(answered, 8, "one limit across both servers: {public:?}");
        assert!(public[8..].iter().all(|s| *s == 429), "{public:?}");
    } else {
        assert_eq!(answered, 12, "SQLite: each process counts its own (6 each, under 8): {public:?}");
    }
}
