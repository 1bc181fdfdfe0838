//! The `rdv` binary's bootstrap commands: each prints one line of JSON with its `id`, so they
//! chain; bad input exits non-zero with a French message; the created agent can sign in.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::process::{Command, Output};

use serde_json::Value;

fn rdv(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rdv"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run rdv")
}

fn created(out: Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line of JSON: {stdout}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(v["id"].as_i64().unwrap() > 0);
    v
}

#[test]
fn create_commands_chain_and_validate() {
    let (_db, url) = common::TestDb::create();
    let territory = created(rdv(&url, &["territory", "create", "--name", "Guyane", "--departement-number", "973"]));
    let tid = territory["id"].to_string();
    let org = created(rdv(
        &url,
        &["organisation", "create", "--territory-id", &tid, "--name", "PMI Cayenne", "--time-zone", "America/Cayenne"],
    ));
    assert_eq!(org["time_zone"], "America/Cayenne");
    let oid = org["id"].to_string();
    let agent = created(rdv(
        &url,
        &[
            "agent",
            "create",
            "--email",
            "Lea.Joseph@cg973.fr",
            "--password",
            "Cayenne-2026!x",
            "--first-name",
            "Léa",
            "--last-name",
            "Joseph",
            "--organisation-id",
            &oid,
            "--role",
            "admin",
            "--service",
            "pmi",
            "--service",
            "CPEF",
            "--territorial-admin",
        ],
    ));
    assert_eq!(agent["email"], "lea.joseph@cg973.fr");
    assert_eq!(agent["role"], "admin");
    assert_eq!(agent["territorial_admin"], true);
    let intervenant = created(rdv(
        &url,
        &[
            "agent",
            "create",
            "--last-name",
            "Salle 2",
            "--organisation-id",
            &oid,
            "--role",
            "intervenant",
            "--service",
            "PMI",
        ],
    ));
    assert_eq!(intervenant["email"], Value::Null);

    let refused: Vec<Vec<&str>> = vec![
        vec!["organisation", "create", "--territory-id", &tid, "--name", "PMI Cayenne"], // name taken
        vec!["organisation", "create", "--territory-id", &tid, "--name", "X", "--time-zone", "Mars/Olympus"],
        vec!["organisation", "create", "--territory-id", "999", "--name", "X"],
        vec!["territory", "create", "--name", "X", "--departement-number", "97300"],
        vec![
            "agent",
            "create",
            "--email",
            "a@b.fr",
            "--password",
            "short",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--organisation-id",
            &oid,
            "--role",
            "basic",
            "--service",
            "PMI",
        ],
        vec![
            "agent",
            "create",
            "--email",
            "lea.joseph@cg973.fr",
            "--password",
            "Cayenne-2026!x",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--organisation-id",
            &oid,
            "--role",
            "basic",
            "--service",
            "PMI",
        ],
        vec![
            "agent",
            "create",
            "--email",
            "b@b.fr",
            "--password",
            "Cayenne-2026!x",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--organisation-id",
            &oid,
            "--role",
            "basic",
            "--service",
            "Jardinage",
        ],
        vec![
            "agent",
            "create",
            "--email",
            "c@b.fr",
            "--password",
            "Cayenne-2026!x",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--organisation-id",
            &oid,
            "--role",
            "chef",
            "--service",
            "PMI",
        ],
    ];
    for args in refused {
        let out = rdv(&url, &args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "nothing on stdout for {args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn seed_demo_is_idempotent() {
    let (_db, url) = common::TestDb::create();
    for _ in 0..2 {
        let out = rdv(&url, &["seed", "demo"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("camille.martin@demo.rdv-solidarites.fr"));
    }
    let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    use diesel::prelude::*;
    use rdv_api::db::schema::{agents, organisations, territories};
    let counts: (i64, i64, i64) = (
        territories::table.count().get_result(&mut *conn).unwrap(),
        organisations::table.count().get_result(&mut *conn).unwrap(),
        agents::table.count().get_result(&mut *conn).unwrap(),
    );
    assert_eq!(counts, (2, 4, 13), "Pas-de-Calais and La Réunion");
    // The demo usagers: ~300 (plus 20 in La Réunion), families and duplicate candidates, created once.
    use rdv_api::db::schema::users;
    let usagers: i64 = users::table.count().get_result(&mut *conn).unwrap();
    assert!((320..340).contains(&usagers), "{usagers} demo usagers");
    // The demo agenda: plages, absences, RDVs with every status, created once.
    use rdv_api::db::schema::{absences, plage_ouvertures, rdvs};
    let plages: i64 = plage_ouvertures::table.count().get_result(&mut *conn).unwrap();
    let rdv_count: i64 = rdvs::table.count().get_result(&mut *conn).unwrap();
    let statuses: Vec<String> = rdvs::table.select(rdvs::status).distinct().load(&mut *conn).unwrap();
    assert!(plages >= 15 && rdv_count > 500, "{plages} plages, {rdv_count} RDVs");
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    assert!(absences::table.count().get_result::<i64>(&mut *conn).unwrap() > 3);
    let reunion_plages: i64 = plage_ouvertures::table
        .inner_join(organisations::table)
        .filter(organisations::time_zone.eq("Indian/Reunion"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert!(reunion_plages > 0, "the overseas organisation has an agenda");
    let relatives: i64 =
        users::table.filter(users::responsible_id.is_not_null()).count().get_result(&mut *conn).unwrap();
    assert!(relatives > 30, "{relatives} relatives");
    let overseas: i64 =
        users::table.filter(users::phone_number_formatted.like("+262%")).count().get_result(&mut *conn).unwrap();
    assert!(overseas > 0, "overseas numbers");
    // --if-empty does nothing on a database that has data.
    let out = rdv(&url, &["seed", "demo", "--if-empty"]);
    assert!(out.status.success());
    assert_eq!(agents::table.count().get_result::<i64>(&mut *conn).unwrap(), 13);
}

#[actix_rt::test]
async fn an_agent_created_by_the_cli_can_sign_in() {
    let app = common::TestApp::spawn().await;
    let url = app.state.config.database_url.clone();
    let oid = app.organisation_id("MDS Calais").to_string();
    created(rdv(
        &url,
        &[
            "agent",
            "create",
            "--email",
            "nouvel.agent@pas-de-calais.fr",
            "--password",
            "Bienvenue-2026!",
            "--first-name",
            "Nouvel",
            "--last-name",
            "Agent",
            "--organisation-id",
            &oid,
            "--role",
            "basic",
            "--service",
            "Service social",
        ],
    ));
    let res = app
        .post("/api/v1/auth/sign_in")
        .json(&serde_json::json!({"email": "nouvel.agent@pas-de-calais.fr", "password": "Bienvenue-2026!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[test]
fn users_import_from_the_command_line_with_a_report() {
    let (_db, url) = common::TestDb::create();
    assert!(rdv(&url, &["seed", "demo"]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("caf.csv");
    std::fs::write(&file, "Nom;Prénom;Date de naissance\nRoux;Léa;01/02/2003\n;Personne;\n").unwrap();
    let run = || rdv(&url, &["users", "import", file.to_str().unwrap(), "--organisation-id", "1"]);
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((summary["created"].as_i64(), summary["errors"].as_i64()), (Some(1), Some(1)));
    let report = std::fs::read_to_string(dir.path().join("caf.csv.rapport.csv")).unwrap();
    assert!(report.contains("3;erreur;;Personne;;last_name doit être rempli(e)"), "{report}");
    let again: Value = serde_json::from_slice(&run().stdout).unwrap();
    assert_eq!((again["created"].as_i64(), again["matched"].as_i64()), (Some(0), Some(1)));
    // Reindexing rebuilds the same search terms.
    let count_terms = || {
        use diesel::prelude::*;
        let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        rdv_api::db::schema::user_search_terms::table.count().get_result::<i64>(&mut *conn).unwrap()
    };
    let before = count_terms();
    let out = rdv(&url, &["users", "reindex"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("réindexés"));
    assert_eq!(count_terms(), before);
    assert!(before > 300 * 5, "{before} terms for the demo usagers");
    let bad = rdv(&url, &["users", "import", "/nonexistent.csv", "--organisation-id", "1"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("erreur"));
}

#[test]
fn retention_dry_run_prints_counts_per_kind_and_territory_and_deletes_nothing() {
    let (_db, url) = common::TestDb::create();
    created(rdv(&url, &["territory", "create", "--name", "Guyane", "--departement-number", "973"]));
    let out = rdv(&url, &["retention", "--dry-run"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("dry run (nothing deleted)"), "{text}");
    assert!(text.contains("territory 1 Guyane (RDVs 730 d, usagers 730 d, receipts 730 d): rdvs 0,"), "{text}");
    assert!(text.contains("platform: anonymised usagers deleted 0, versions deleted 0"), "{text}");
    let out = rdv(&url, &["retention", "--dry-run", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["territories"][0]["counts"]["rdvs_deleted"], 0);
    // A real run is logged (the territory screen's "last run").
    assert!(rdv(&url, &["retention"]).status.success());
    let out = rdv(&url, &["retention", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], false);
}
