//! `rdv backup` while the server takes writes, then `rdv restore` into an empty database
//! (issue 18): the copy is one consistent moment. Every usager it holds is identical to the
//! server's, with the audit version written in the same transaction; it holds at least what was
//! committed before the backup began; restoring over a database that holds data is refused.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{call, TestApp, TestDb};
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::json;

#[derive(QueryableByName, Debug, PartialEq)]
struct UserRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    first_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    last_name: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    versions: i64,
}

/// Every usager with its number of audit versions, by id.
fn users(url: &str) -> Vec<UserRow> {
    let (pool, _) = rdv_api::db::open_pool(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query(
        "SELECT u.id, u.first_name, u.last_name, \
         (SELECT count(*) FROM versions v WHERE v.item_type = 'User' AND v.item_id = u.id) AS versions \
         FROM users u ORDER BY u.id",
    )
    .load(&mut *conn)
    .unwrap()
}

fn rdv(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rdv"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[actix_rt::test]
async fn a_backup_taken_under_writes_restores_one_consistent_moment() {
    let app = TestApp::spawn().await;
    let url = app.state.config.database_url.clone();
    let arras = app.organisation_id("MDS Arras");
    let camille = Arc::new(app.sign_in("camille.martin").await);
    let app = Arc::new(app);
    // Four clients create usagers until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (app, camille, stop) = (app.clone(), camille.clone(), stop.clone());
        writers.push(actix_rt::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"organisation_ids": [arras], "first_name": format!("W{w}"), "last_name": format!("Sauvegarde{n}")});
                let (s, b) = call(&app, &camille, "POST", "/api/v1/users", Some(body)).await;
                assert_eq!(s, 200, "{b}");
                n += 1;
            }
            n
        }));
    }
    actix_rt::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = users(&url).len();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rdv.backup");
    let file_arg = file.to_str().unwrap().to_owned();
    let url_arg = url.clone();
    let out = actix_rt::task::spawn_blocking(move || rdv(&url_arg, &["backup", &file_arg])).await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    actix_rt::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    assert!(written > 20, "writes ran during the backup ({written})");
    let after = users(&url);
    // A second backup to the same file is refused (a backup never overwrites one).
    let out = rdv(&url, &["backup", file.to_str().unwrap()]);
    assert!(!out.status.success());

    let (_target_db, target) = TestDb::create();
    let out = rdv(&target, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = users(&target);
    assert!(restored.len() >= before, "everything committed before the backup began: {} < {before}", restored.len());
    assert!(restored.len() < after.len(), "writes after the backup are not in it");
    for row in &restored {
        let source = after.iter().find(|u| u.id == row.id).unwrap();
        assert_eq!(row, source, "same usager and audit versions as the server");
        assert!(row.versions >= 1, "a usager comes with the version written in its transaction: {row:?}");
    }
    // The restored database serves: migrations are up to date, nothing pending.
    let out = rdv(&target, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 migration(s) applied"));
    // Restoring over a database that holds data is refused and changes nothing.
    let out = rdv(&target, &["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("n'est pas vide"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(users(&target), restored);
}
