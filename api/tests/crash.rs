//! Crash safety (issue 18): `rdv serve` killed with SIGKILL three times while 32 clients create
//! usagers and RDVs. Every write that got a 2xx is there after the restarts, unchanged, and the
//! outbox (the RDV notifications queued in the same transactions) drains to the real SMTP server.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::smtp::SmtpSink;
use common::{demo_email, TestDb, DEMO_PASSWORD};
use serde_json::{json, Value};

struct Server {
    url: String,
    base: String,
    port: u16,
    dir: std::path::PathBuf,
    smtp: String,
}

impl Server {
    fn start(&self) -> Child {
        Command::new(env!("CARGO_BIN_EXE_rdv"))
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port), "--workers", "2"])
            .env("DATABASE_URL", &self.url)
            .env("RDV_DATA_DIR", &self.dir)
            .env("RDV_JWT_SECRET", "crash-test-secret-crash-test-secret-0123")
            .env("RDV_SMTP_URL", &self.smtp)
            .env("RDV_OUTBOX_POLL_MS", "50")
            .env("RDV_DAILY_JOBS", "false")
            .env("RDV_OUTBOX_LEASE_SECONDS", "2")
            .env("RDV_GEOCODER_URL", "")
            .env("RDV_SIGN_IN_PER_MINUTE_IP", "100000")
            .env("RUST_LOG", "warn")
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    async fn wait_up(&self, client: &reqwest::Client) {
        for _ in 0..200 {
            if client.get(format!("{}/health", self.base)).send().await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server not up after 10 s");
    }
}

fn rdv_cli(url: &str, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_rdv"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "rdv {args:?}");
}

/// What a client got a 2xx for: (usager id, last name), (RDV id, start).
#[derive(Default)]
struct Acknowledged {
    users: Vec<(i64, String)>,
    rdvs: Vec<(i64, String)>,
}

async fn get(client: &reqwest::Client, url: String, token: &str) -> Value {
    client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

#[actix_rt::test]
async fn acknowledged_writes_survive_kill_9_and_the_outbox_resumes() {
    let (_db, url) = TestDb::create();
    rdv_cli(&url, &["migrate"]);
    rdv_cli(&url, &["seed", "demo"]);
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Server {
        url: url.clone(),
        base: format!("http://127.0.0.1:{port}"),
        port,
        dir: dir.path().to_owned(),
        smtp: smtp.url.clone(),
    };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut child = server.start();
    server.wait_up(&client).await;

    let res = client
        .post(format!("{}/api/v1/auth/sign_in", server.base))
        .json(&json!({"email": demo_email("camille.martin"), "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = res.headers()["access-token"].to_str().unwrap().to_owned();
    let me = get(&client, format!("{}/api/v1/me", server.base), &token).await;
    let agent = me["agent"]["id"].as_i64().unwrap();
    let orgs = get(&client, format!("{}/api/v1/organisations", server.base), &token).await;
    let arras = orgs["organisations"].as_array().unwrap().iter().find(|o| o["name"] == "MDS Arras").unwrap()["id"]
        .as_i64()
        .unwrap();
    let lieux = get(&client, format!("{}/api/v1/organisations/{arras}/lieux", server.base), &token).await;
    let lieu = lieux["lieux"].as_array().unwrap().iter().find(|l| l["name"] == "MDS Arras — Baudimont").unwrap()["id"]
        .as_i64()
        .unwrap();
    let motifs = get(&client, format!("{}/api/v1/organisations/{arras}/motifs", server.base), &token).await;
    let motif =
        motifs["motifs"].as_array().unwrap().iter().find(|m| m["name"] == "Consultation PMI nourrisson").unwrap()["id"]
            .as_i64()
            .unwrap();

    // 32 clients: a usager (with an email, so the RDV queues a notification), then an RDV for
    // them at a start of their own (no two requests compete for an agent's time).
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let first_day = chrono::Utc::now().date_naive() + chrono::Duration::days(400);
    let mut clients = Vec::new();
    for c in 0..32i64 {
        let (client, base, token, acked, stop) =
            (client.clone(), server.base.clone(), token.clone(), acked.clone(), stop.clone());
        clients.push(actix_rt::spawn(async move {
            let mut n = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let name = format!("Crash{c}x{n}");
                let body = json!({"organisation_ids": [arras], "first_name": "Test", "last_name": name,
                                  "email": format!("crash{c}x{n}@example.fr")});
                let Ok(res) = client.post(format!("{base}/api/v1/users")).bearer_auth(&token).json(&body).send().await
                else {
                    actix_rt::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                if res.status() != 200 {
                    continue;
                }
                let Ok(user) = res.json::<Value>().await else { continue };
                let user = user["user"]["id"].as_i64().unwrap();
                acked.lock().unwrap().users.push((user, name));
                // Each client owns a day; each request a 30-minute step of it.
                let start = first_day + chrono::Duration::days(c);
                let starts_at = format!("{start}T{:02}:{:02}:00+01:00", 7 + (n % 26) / 2, (n % 2) * 30);
                if n >= 26 {
                    continue; // the client's day is full: usagers only from now on
                }
                let body = json!({"organisation_id": arras, "motif_id": motif, "lieu_id": lieu, "agent_ids": [agent],
                                  "user_ids": [user], "starts_at": starts_at, "ignore_benign_errors": true});
                if let Ok(res) = client.post(format!("{base}/api/v1/rdvs")).bearer_auth(&token).json(&body).send().await
                {
                    if res.status() == 200 {
                        if let Ok(rdv) = res.json::<Value>().await {
                            acked.lock().unwrap().rdvs.push((rdv["rdv"]["id"].as_i64().unwrap(), starts_at));
                        }
                    }
                }
            }
        }));
    }
    for _ in 0..3 {
        actix_rt::time::sleep(Duration::from_millis(1500)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        child = server.start();
        server.wait_up(&client).await;
    }
    actix_rt::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }

    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.users.len() > 50 && !acked.rdvs.is_empty(),
        "writes ran: {} usagers, {} RDVs",
        acked.users.len(),
        acked.rdvs.len()
    );
    println!("acknowledged across 3 kills: {} usagers, {} RDVs", acked.users.len(), acked.rdvs.len());
    for (id, name) in &acked.users {
        let user = get(&client, format!("{}/api/v1/users/{id}", server.base), &token).await;
        assert_eq!(user["user"]["last_name"].as_str(), Some(name.as_str()), "acknowledged usager {id} kept");
    }
    for (id, starts_at) in &acked.rdvs {
        let rdv = get(&client, format!("{}/api/v1/rdvs/{id}", server.base), &token).await;
        let stored = chrono::DateTime::parse_from_rfc3339(rdv["rdv"]["starts_at"].as_str().unwrap()).unwrap();
        assert_eq!(stored, chrono::DateTime::parse_from_rfc3339(starts_at).unwrap(), "acknowledged RDV {id} kept");
    }
    // The notifications queued with those RDVs are delivered after the restarts.
    let mut ready = Value::Null;
    for _ in 0..300 {
        ready = client.get(format!("{}/health/ready", server.base)).send().await.unwrap().json().await.unwrap();
        if ready["outbox"]["due"] == 0 {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready["outbox"]["due"], 0, "the outbox drained: {ready}");
    assert_eq!(ready["outbox"]["failed"], 0, "{ready}");
    assert!(!smtp.received().is_empty(), "notifications reached the SMTP server");
    child.kill().unwrap();
    child.wait().unwrap();
}
