//! Test harness: a real `rdv` server on a real database, reached over HTTP.
//!
//! `RDV_TEST_BACKEND=postgres` runs on PostgreSQL (`RDV_TEST_PG_URL`, default `postgres:///postgres`):
//! each test gets its own database, dropped at the end. Otherwise each test gets a fresh SQLite file.
//! The demo seed is the fixture: Pas-de-Calais, three MDS, twelve agents.
#![allow(dead_code)] // each test binary uses a different part of the harness

pub mod providers;
pub mod rdv_fixture;
pub mod smtp;
pub mod webhook_receiver;

use std::net::TcpListener;

use actix_web::web;
use diesel::{Connection, RunQueryDsl};
use rdv_api::config::Config;
use rdv_api::seed::DEMO_EMAIL_DOMAIN;
pub use rdv_api::seed::DEMO_PASSWORD;
use rdv_api::state::AppState;
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;

pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn backend() -> &'static str {
        match std::env::var("RDV_TEST_BACKEND").as_deref() {
            Ok("postgres") => "postgres",
            _ => "sqlite",
        }
    }

    /// A fresh, empty database and its URL.
    pub fn create() -> (TestDb, String) {
        if Self::backend() == "postgres" {
            let admin_url = std::env::var("RDV_TEST_PG_URL").unwrap_or_else(|_| "postgres:///postgres".into());
            let name = format!("rdv_test_{}_{}", std::process::id(), rdv_api::auth::token::random_id(4));
            let mut admin =
                diesel::PgConnection::establish(&admin_url).expect("connect to PostgreSQL (RDV_TEST_PG_URL)");
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create test database");
            let url = match admin_url.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("RDV_TEST_PG_URL must end with /<database>"),
            };
            (TestDb::Postgres { admin_url, name }, url)
        } else {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = dir.path().join("rdv.sqlite3").to_string_lossy().into_owned();
            (TestDb::Sqlite(dir), url)
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
            }
        }
    }
}

pub fn test_config(database_url: &str, data_dir: &std::path::Path) -> Config {
    Config {
        database_url: database_url.to_owned(),
        data_dir: data_dir.to_owned(),
        jwt_secret: b"test-secret-test-secret-test-secret-0123".to_vec(),
        token_ttl: chrono::Duration::hours(24),
        spa_dir: data_dir.join("spa"),
        sign_in_per_minute_email: 10,
        sign_in_per_minute_ip: 1000,
        max_body_bytes: 64 * 1024,
        body_read_timeout: std::time::Duration::from_secs(30),
        pool_size: 4,
        public_url: "http://rdv.test".into(),
        mail_from: "RDV Solidarités <ne-pas-repondre@rdv.test>".into(),
        dev_mailbox_dir: data_dir.join("mailbox"),
        partner_shared_secret: Some(b"partner-secret-for-tests".to_vec()),
        public_per_minute_ip: 10_000,
        // Tests that geocode start a local fake server and set its URL.
        geocoder_url: None,
        delivery: rdv_api::config::Delivery {
            poll: std::time::Duration::from_millis(50),
            // A test must not depend on the hour it runs at (the daily run is due after 22:00);
            // the retention tests turn it on.
            daily_jobs: false,
            ..rdv_api::config::Delivery::local(data_dir)
        },
    }
}

/// A fresh database with the demo structure and the server's state, without any server: for
/// tests of the services layer, which take a connection and never see HTTP.
pub struct TestData {
    pub state: web::Data<AppState>,
    pub spa_dir: std::path::PathBuf,
    pub files: tempfile::TempDir,
    pub db: TestDb,
}

impl TestData {
    pub fn seeded() -> TestData {
        Self::seeded_with(|_| {})
    }

    pub fn seeded_with(tweak: impl FnOnce(&mut Config)) -> TestData {
        let (db, url) = TestDb::create();
        let files = tempfile::tempdir().expect("tempdir");
        let mut config = test_config(&url, files.path());
        std::fs::create_dir_all(&config.spa_dir).expect("spa dir");
        std::fs::write(config.spa_dir.join("index.html"), "<!doctype html><title>RDV test SPA</title>").expect("index");
        tweak(&mut config);
        let spa_dir = config.spa_dir.clone();
        let state = rdv_api::server::prepare(config).expect("prepare server");
        {
            let mut conn = state.pool.get().expect("conn");
            rdv_api::seed::demo_structure(&mut conn).expect("seed");
        }
        TestData { state, spa_dir, files, db }
    }

    pub fn conn(&self) -> rdv_api::db::PooledConn {
        self.state.pool.get().expect("conn")
    }
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub state: web::Data<AppState>,
    pub spa_dir: std::path::PathBuf,
    /// The delivery workers, as in `rdv serve`; stopped with the app.
    _workers: rdv_api::outbox::worker::Workers,
    _files: tempfile::TempDir,
    _db: TestDb,
}

impl TestApp {
    /// Starts the server on a fresh database seeded with the demo data.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let TestData { state, spa_dir, files, db } = TestData::seeded_with(tweak);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = rdv_api::server::run(state.clone(), listener, 1).expect("run");
        actix_rt::spawn(server);
        let workers = rdv_api::outbox::worker::spawn(state.pool.clone(), &state.config, state.config.delivery.workers)
            .expect("workers");
        TestApp { base, client: Client::new(), state, spa_dir, _workers: workers, _files: files, _db: db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.client.patch(self.url(path))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    /// Signs in a demo agent (`camille.martin` → `camille.martin@demo…`) and returns the response.
    pub async fn sign_in_raw(&self, local: &str, password: &str) -> Response {
        self.post("/api/v1/auth/sign_in")
            .json(&serde_json::json!({"email": demo_email(local), "password": password}))
            .send()
            .await
            .expect("sign_in request")
    }

    /// Signs in a demo agent and returns their session headers.
    pub async fn sign_in(&self, local: &str) -> Session {
        let res = self.sign_in_raw(local, DEMO_PASSWORD).await;
        assert_eq!(res.status(), 200, "sign in {local}");
        let h = |n: &str| res.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default();
        Session { token: h("access-token"), client: h("client"), uid: h("uid") }
    }

    /// Id of a demo agent.
    pub async fn agent_id(&self, local: &str) -> i32 {
        let email = demo_email(local);
        let mut conn = self.state.pool.get().expect("conn");
        rdv_api::db::models::agent::find_by_email(&mut conn, &email).expect("query").expect("demo agent").id
    }

    /// Id of a demo organisation by name.
    pub fn organisation_id(&self, name: &str) -> i32 {
        organisation_id(&self.state, name)
    }

    /// Creates Guyane (973) with one organisation and its admin, signs them in.
    pub async fn sign_in_other_territory(&self) -> Session {
        {
            let mut conn = self.state.pool.get().expect("conn");
            let author = rdv_api::audit::Author::system("test");
            let t = rdv_api::admin::create_territory(&mut conn, &author, "Guyane", "973").expect("territory");
            let o = rdv_api::admin::create_organisation(
                &mut conn,
                &author,
                t["id"].as_i64().unwrap() as i32,
                "PMI Cayenne",
                "America/Cayenne",
            )
            .expect("organisation");
            rdv_api::admin::create_agent(
                &mut conn,
                &author,
                rdv_api::admin::AgentArgs {
                    email: Some(demo_email("lea.joseph")),
                    password: Some(DEMO_PASSWORD.into()),
                    first_name: Some("Léa".into()),
                    last_name: "Joseph".into(),
                    organisation_id: o["id"].as_i64().unwrap() as i32,
                    role: rdv_shared::access::AccessLevel::Admin,
                    services: vec!["PMI".into(), "Service social".into(), "CPEF".into()],
                    territorial_admin: true,
                },
            )
            .expect("agent");
        }
        self.sign_in("lea.joseph").await
    }

    /// Sessions of the demo actors used by access tables, by role.
    pub async fn actors(&self) -> Vec<(&'static str, Session)> {
        vec![
            ("admin", self.sign_in("camille.martin").await),
            ("basic PMI+CPEF", self.sign_in("sophie.durand").await),
            ("basic social", self.sign_in("julien.lefebvre").await),
            ("secretary", self.sign_in("nadia.benali").await),
            ("admin of another organisation", self.sign_in("isabelle.moreau").await),
            ("admin of another territory", self.sign_in_other_territory().await),
            ("territorial admin with a role elsewhere", self.sign_in_territorial_admin("lucas.petit").await),
        ]
    }

    /// Makes a demo agent territorial admin of Pas-de-Calais (keeping their organisation role) and signs them in.
    pub async fn sign_in_territorial_admin(&self, local: &str) -> Session {
        use diesel::prelude::*;
        use rdv_api::db::schema::{agent_territorial_roles as r, territories};
        let id = self.agent_id(local).await;
        {
            let mut conn = self.state.pool.get().expect("conn");
            let t: i32 = territories::table
                .filter(territories::name.eq("Pas-de-Calais"))
                .select(territories::id)
                .get_result(&mut *conn)
                .expect("territory");
            diesel::insert_into(r::table)
                .values((r::agent_id.eq(id), r::territory_id.eq(t), r::created_at.eq(chrono::Utc::now().naive_utc())))
                .execute(&mut *conn)
                .expect("territorial role");
        }
        self.sign_in(local).await
    }

    /// Id of a demo record by name in an organisation (`lieux` or `motifs`).
    pub fn id_by_name(&self, table: &str, organisation: &str, name: &str) -> i32 {
        id_by_name(&self.state, table, organisation, name)
    }

    /// Number of audit versions for an item.
    pub fn versions_of(&self, item_type: &str, item_id: i32) -> Vec<(String, Value)> {
        use diesel::prelude::*;
        use rdv_api::db::schema::versions;
        let mut conn = self.state.pool.get().expect("conn");
        let rows: Vec<(String, String)> = versions::table
            .filter(versions::item_type.eq(item_type))
            .filter(versions::item_id.eq(item_id))
            .order(versions::id)
            .select((versions::event, versions::changes))
            .load(&mut *conn)
            .expect("versions");
        rows.into_iter().map(|(e, c)| (e, serde_json::from_str(&c).expect("changes json"))).collect()
    }
}

/// Pairs each actor with its expected row, refusing a table that forgets an actor.
pub fn pair<A, E>(actors: Vec<A>, expected: impl IntoIterator<Item = E>) -> Vec<(A, E)> {
    let expected: Vec<E> = expected.into_iter().collect();
    assert_eq!(actors.len(), expected.len(), "one expected row per actor");
    actors.into_iter().zip(expected).collect()
}

pub fn demo_email(local: &str) -> String {
    format!("{local}@{DEMO_EMAIL_DOMAIN}")
}

/// The three devise_token_auth headers of a signed-in agent.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub client: String,
    pub uid: String,
}

pub trait Authed {
    fn bearer(self, s: &Session) -> Self;
    fn trio(self, s: &Session) -> Self;
}

impl Authed for RequestBuilder {
    fn bearer(self, s: &Session) -> Self {
        self.header("authorization", format!("Bearer {}", s.token))
    }

    fn trio(self, s: &Session) -> Self {
        self.header("access-token", &s.token).header("client", &s.client).header("uid", &s.uid)
    }
}

/// Status and JSON body of a response (panics when the body is not JSON: that is a defect too).
pub async fn json(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON body ({status}): {text}"));
    (status, value)
}

/// Calls the API as `who` with an optional JSON body: (status, JSON body; `null` for a 204).
pub async fn call(app: &TestApp, who: &Session, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let req = match method {
        "POST" => app.post(path),
        "PATCH" => app.patch(path),
        "PUT" => app.client.put(app.url(path)),
        "DELETE" => app.delete(path),
        _ => app.get(path),
    }
    .bearer(who);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let res = req.send().await.expect("request");
    if res.status() == 204 {
        return (204, Value::Null);
    }
    json(res).await
}

/// A weekly plage body, 09:00–12:00 on `weekday` (`"monday"`…) from `first_day`, for `motif`
/// at `lieu` (POST `/api/v1/plage_ouvertures` as its agent).
pub fn weekly_plage(organisation: i32, lieu: i32, motif: i32, first_day: chrono::NaiveDate, weekday: &str) -> Value {
    serde_json::json!({"organisation_id": organisation, "lieu_id": lieu, "motif_ids": [motif], "title": "Consultations",
        "first_day": first_day, "start_time": "09:00", "end_time": "12:00",
        "recurrence": {"every": "week", "interval": 1, "on": [weekday]}})
}

/// The first `weekday` at least a week ahead.
pub fn next_weekday(weekday: chrono::Weekday) -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut d = chrono::Utc::now().date_naive() + chrono::Duration::days(7);
    while d.weekday() != weekday {
        d += chrono::Duration::days(1);
    }
    d
}

/// Id of a demo organisation by name.
pub fn organisation_id(state: &AppState, name: &str) -> i32 {
    let mut conn = state.pool.get().expect("conn");
    let t = rdv_api::db::models::territory::find_by_name(&mut conn, "Pas-de-Calais").expect("q").expect("territory");
    rdv_api::db::models::organisation::find_by_territory_and_name(&mut conn, t.id, name).expect("q").expect("org").id
}

/// Id of a demo record by name in an organisation (`lieux` or `motifs`).
pub fn id_by_name(state: &AppState, table: &str, organisation: &str, name: &str) -> i32 {
    use diesel::prelude::*;
    use rdv_api::db::schema::{lieux, motifs};
    let org = organisation_id(state, organisation);
    let mut conn = state.pool.get().expect("conn");
    match table {
        "lieux" => lieux::table
            .filter(lieux::organisation_id.eq(org))
            .filter(lieux::name.eq(name))
            .select(lieux::id)
            .get_result(&mut *conn),
        _ => motifs::table
            .filter(motifs::organisation_id.eq(org))
            .filter(motifs::name.eq(name))
            .select(motifs::id)
            .get_result(&mut *conn),
    }
    .expect("demo record")
}

/// The files of `dir` once there are at least `n` of them (the outbox workers deliver in the
/// background), sorted by name. Panics after 10 seconds.
pub async fn wait_for_files(dir: &std::path::Path, n: usize) -> Vec<std::path::PathBuf> {
    for _ in 0..200 {
        let mut files: Vec<_> =
            std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        if files.len() >= n {
            files.sort();
            return files;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} files in {} after 10 s", dir.display());
}

/// Books "Consultation PMI nourrisson" at Baudimont (MDS Arras) for a new usager named
/// `last_name`, `days` from today at 10:00 Paris, with `agent`; returns the RDV as the API shows it.
pub async fn demo_rdv(app: &TestApp, who: &Session, agent: i32, days: i64, last_name: &str) -> Value {
    let arras = app.organisation_id("MDS Arras");
    let user = serde_json::json!({"organisation_ids": [arras], "first_name": "Inès", "last_name": last_name});
    let (s, b) = call(app, who, "POST", "/api/v1/users", Some(user)).await;
    assert_eq!(s, 200, "{b}");
    let day = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    let body = serde_json::json!({"organisation_id": arras,
        "motif_id": app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson"),
        "lieu_id": app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont"), "agent_ids": [agent],
        "user_ids": [b["user"]["id"]], "starts_at": format!("{day}T10:00:00+01:00"), "ignore_benign_errors": true});
    let (s, b) = call(app, who, "POST", "/api/v1/rdvs", Some(body)).await;
    assert_eq!(s, 200, "{b}");
    b["rdv"].clone()
}
