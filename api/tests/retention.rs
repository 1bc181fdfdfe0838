//! RGPD retention (issue 18): the purge deletes exactly what the policy says at the boundary
//! dates (RDVs, inactive usagers, receipts, the audit trail), announces its deletions to a real
//! webhook receiver with `webhook_reason: "rgpd"`, reports in its dry run what the real run
//! then deletes, follows each territory's policy within bounds, and runs once a day whatever
//! the number of servers. Runs "in the future" (`run(…, now + two years)`) so that the records
//! made now are the old ones.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use common::webhook_receiver::WebhookReceiver;
use common::{call, TestApp, TestData};
use diesel::prelude::*;
use rdv_api::db::schema::{participations, rdvs, receipts, users, versions};
use rdv_api::services::retention;
use serde_json::{json, Value};

fn starts_at(rdv: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rdv["starts_at"].as_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn user_of(rdv: &Value) -> i32 {
    rdv["participations"][0]["user"]["id"].as_i64().unwrap() as i32
}

/// Waits until no message is due (the workers of the test have delivered everything).
async fn drained(app: &TestApp) {
    for _ in 0..400 {
        let mut conn = app.state.pool.get().unwrap();
        let (due, _, _) = rdv_api::db::models::outbox::queue_health(&mut conn, Utc::now().naive_utc()).unwrap();
        if due == 0 {
            return;
        }
        drop(conn);
        actix_rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("outbox not drained");
}

/// What the policy says goes, computed here from the tables with the words: RDVs that
/// started before the cutoff; live usagers created and changed before it whose every RDV goes.
fn expected(conn: &mut rdv_api::db::DbConn, cutoff: NaiveDateTime) -> (Vec<i32>, Vec<i32>) {
    let mut old_rdvs: Vec<i32> =
        rdvs::table.filter(rdvs::starts_at.lt(cutoff)).select(rdvs::id).order(rdvs::id).load(conn).unwrap();
    old_rdvs.sort_unstable();
    let kept_participants: Vec<i32> = participations::table
        .inner_join(rdvs::table)
        .filter(rdvs::starts_at.ge(cutoff))
        .select(participations::user_id)
        .load(conn)
        .unwrap();
    let mut inactive: Vec<i32> = users::table
        .filter(users::deleted_at.is_null())
        .filter(users::created_at.lt(cutoff))
        .filter(users::updated_at.lt(cutoff))
        .select(users::id)
        .load::<i32>(conn)
        .unwrap()
        .into_iter()
        .filter(|u| !kept_participants.contains(u))
        .collect();
    inactive.sort_unstable();
    (old_rdvs, inactive)
}

#[actix_rt::test]
async fn the_purge_deletes_what_the_policy_says_announces_it_and_the_dry_run_matches() {
    // No workers while the fixture is measured: nothing changes between the dry and real runs.
    let app = TestApp::spawn_with(|c| {
        c.delivery.workers = 0;
        c.delivery.webhook_allowed_hosts = vec!["127.0.0.1".into()];
    })
    .await;
    let receiver = WebhookReceiver::start();
    let arras = app.organisation_id("MDS Arras");
    let camille = app.sign_in("camille.martin").await;
    let camille_id = app.agent_id("camille.martin").await;
    let (s, b) = call(
        &app,
        &camille,
        "POST",
        &format!("/api/v1/organisations/{arras}/webhook_endpoints"),
        Some(json!({"target_url": receiver.url, "secret": "s", "subscriptions": ["rdv", "user_profile"], "trigger": false})),
    )
    .await;
    assert_eq!(s, 200, "{b}");

    // RDV A tomorrow (its usager has no other RDV), RDV B in three days.
    let a = common::demo_rdv(&app, &camille, camille_id, 1, "Ancien").await;
    let b = common::demo_rdv(&app, &camille, camille_id, 3, "Suivi").await;
    let (ua, ub) = (user_of(&a), user_of(&b));
    // A usager with no RDV, and one changed recently (as seen from the run's day).
    let (_, c) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [arras], "first_name": "Sans", "last_name": "Rdv"})),
    )
    .await;
    let uc = c["user"]["id"].as_i64().unwrap() as i32;
    let (_, d) = call(
        &app,
        &camille,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [arras], "first_name": "Vu", "last_name": "Récemment"})),
    )
    .await;
    let ud = d["user"]["id"].as_i64().unwrap() as i32;
    let mut conn = app.state.pool.get().unwrap();
    diesel::update(users::table.find(ud))
        .set(users::updated_at.eq(starts_at(&b).naive_utc()))
        .execute(&mut *conn)
        .unwrap();
    // Deliver what the fixture queued (webhooks, notifications: receipts), then stop.
    let workers = rdv_api::outbox::worker::spawn(app.state.pool.clone(), &app.state.config, 1).unwrap();
    drained(&app).await;
    workers.stop();
    let before_run = receiver.received().len();

    // Exactly at the boundary, RDV A stays (deleted strictly before the cutoff).
    let at_boundary = starts_at(&a) + Duration::days(730);
    let r = retention::run(&mut conn, at_boundary, true, None).unwrap();
    let pdc = |r: &rdv_shared::dto::RetentionReport| {
        r.territories.iter().find(|t| t.territory_name == "Pas-de-Calais").unwrap().counts
    };
    let (old, _) = expected(&mut conn, (at_boundary - Duration::days(730)).naive_utc());
    assert!(old.is_empty(), "{old:?}");
    assert_eq!(pdc(&r).rdvs_deleted, 0);

    // One hour later, A goes and B stays.
    let now = at_boundary + Duration::hours(1);
    let cutoff = (now - Duration::days(730)).naive_utc();
    let (old_rdvs, inactive) = expected(&mut conn, cutoff);
    assert!(old_rdvs.contains(&(a["id"].as_i64().unwrap() as i32)));
    assert!(!old_rdvs.contains(&(b["id"].as_i64().unwrap() as i32)));
    assert!(inactive.contains(&ua) && inactive.contains(&uc), "{inactive:?}");
    assert!(!inactive.contains(&ub) && !inactive.contains(&ud), "{inactive:?}");
    let receipts_old: i64 =
        receipts::table.filter(receipts::created_at.lt(cutoff)).count().get_result(&mut *conn).unwrap();
    assert!(receipts_old > 0, "the fixture's notifications left receipts");

    let dry = retention::run(&mut conn, now, true, None).unwrap();
    assert_eq!(pdc(&dry).rdvs_deleted, old_rdvs.len() as i64);
    assert_eq!(pdc(&dry).usagers_anonymised, inactive.len() as i64);
    assert_eq!(pdc(&dry).receipts_deleted, receipts_old);
    let last_version: i32 =
        versions::table.select(diesel::dsl::max(versions::id)).get_result::<Option<i32>>(&mut *conn).unwrap().unwrap();
    let real = retention::run(&mut conn, now, false, None).unwrap();
    assert_eq!(
        (real.territories.clone(), real.platform),
        (dry.territories.clone(), dry.platform),
        "the dry run reports what the real run deletes"
    );
    assert!(real.platform.versions_deleted > 0 && real.platform.auth_tokens_deleted > 0, "{:?}", real.platform);

    // The tables after the run.
    let left: Vec<i32> = rdvs::table.select(rdvs::id).load(&mut *conn).unwrap();
    assert!(old_rdvs.iter().all(|id| !left.contains(id)));
    assert!(left.contains(&(b["id"].as_i64().unwrap() as i32)));
    let live: Vec<i32> = users::table.select(users::id).load(&mut *conn).unwrap();
    for gone in &inactive {
        assert!(!live.contains(gone), "usager {gone} anonymised then deleted");
    }
    assert!(live.contains(&ub) && live.contains(&ud));
    let old_receipts: i64 =
        receipts::table.filter(receipts::created_at.lt(cutoff)).count().get_result(&mut *conn).unwrap();
    assert_eq!(old_receipts, 0);
    let year_ago = (now - Duration::days(365)).naive_utc();
    // (The purge's own versions are written today, "old" as seen from the run's day.)
    let old_versions: Vec<(String, String, Option<i32>)> = versions::table
        .filter(versions::created_at.lt(year_ago))
        .filter(versions::id.le(last_version))
        .select((versions::item_type, versions::whodunnit, versions::author_agent_id))
        .load(&mut *conn)
        .unwrap();
    assert!(!old_versions.is_empty(), "versions without personal data stay");
    for (item_type, who, agent) in &old_versions {
        assert!(rdv_shared::retention::IMPERSONAL_ITEM_TYPES.contains(&item_type.as_str()), "{item_type} kept");
        assert_eq!((who.as_str(), *agent), ("", None), "authors blanked after a year");
    }
    // The audit trail records the purge without the content.
    let purge = app.versions_of("Rdv", a["id"].as_i64().unwrap() as i32);
    assert_eq!(purge.last().unwrap().1["reason"], json!([null, "rgpd"]), "{purge:?}");
    assert!(!purge.last().unwrap().1.to_string().contains("Ancien"));

    // A second run the same day finds nothing more.
    let again = retention::run(&mut conn, now, true, None).unwrap();
    assert_eq!(pdc(&again), Default::default());
    drop(conn);

    // The webhooks, delivered by a worker to the receiver: the reason is "rgpd".
    let workers = rdv_api::outbox::worker::spawn(app.state.pool.clone(), &app.state.config, 1).unwrap();
    drained(&app).await;
    workers.stop();
    let events: Vec<Value> = receiver.received()[before_run..].iter().map(|r| r.json()).collect();
    let rdv_gone =
        events.iter().find(|e| e["meta"]["model"] == "Rdv" && e["data"]["id"] == a["id"]).expect("Rdv destroyed");
    assert_eq!(
        (rdv_gone["meta"]["event"].as_str(), rdv_gone["meta"]["webhook_reason"].as_str()),
        (Some("destroyed"), Some("rgpd"))
    );
    let profile_gone = events
        .iter()
        .find(|e| e["meta"]["model"] == "UserProfile" && e["data"]["user"]["id"] == ua)
        .unwrap_or_else(|| panic!("UserProfile destroyed: {events:?}"));
    assert_eq!(profile_gone["meta"]["webhook_reason"], "rgpd");
    assert!(events.iter().all(|e| e["meta"]["webhook_reason"] == "rgpd"), "{events:?}");
    // Earlier events carry no reason.
    assert!(receiver.received()[..before_run].iter().all(|r| r.json()["meta"]["webhook_reason"].is_null()));
}

#[actix_rt::test]
async fn a_territory_chooses_its_periods_within_bounds() {
    let app = TestApp::spawn().await;
    let camille = app.sign_in("camille.martin").await;
    let sophie = app.sign_in("sophie.durand").await;
    let camille_id = app.agent_id("camille.martin").await;
    let territory: i32 = {
        use rdv_api::db::schema::territories;
        let mut conn = app.state.pool.get().unwrap();
        territories::table
            .filter(territories::name.eq("Pas-de-Calais"))
            .select(territories::id)
            .get_result(&mut *conn)
            .unwrap()
    };
    let path = format!("/api/v1/territories/{territory}/retention");
    let (s, b) = call(&app, &camille, "GET", &path, None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["retention_policy"], json!({"rdv_days": 730, "inactive_usager_days": 730, "receipt_days": 730}));
    assert_eq!(b["minimum"]["rdv_days"], 365);
    assert!(b["last_run"].is_null());
    let next = DateTime::parse_from_rfc3339(b["next_run_at"].as_str().unwrap()).unwrap();
    assert_eq!(next.with_timezone(&chrono_tz::Europe::Paris).format("%H:%M").to_string(), "22:00");

    let (s, b) = call(
        &app,
        &camille,
        "PUT",
        &path,
        Some(json!({"retention_policy": {"rdv_days": 300, "inactive_usager_days": 730, "receipt_days": 5000}})),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"]["rdv_days"][0]["error"], "greater_than_or_equal_to");
    assert_eq!(b["errors"]["receipt_days"][0]["error"], "less_than_or_equal_to");
    let longer = json!({"retention_policy": {"rdv_days": 1000, "inactive_usager_days": 730, "receipt_days": 730}});
    let (s, _) = call(&app, &sophie, "PUT", &path, Some(longer.clone())).await;
    assert_eq!(s, 403, "a basic agent may read, not change");
    let (s, b) = call(&app, &camille, "PUT", &path, Some(longer)).await;
    assert_eq!((s, b["retention_policy"]["rdv_days"].clone()), (200, json!(1000)), "{b}");
    assert_eq!(app.versions_of("RetentionPolicy", territory).len(), 1);

    // The RDV of tomorrow is kept 1000 days, not 730.
    let a = common::demo_rdv(&app, &camille, camille_id, 1, "Longtemps").await;
    let mut conn = app.state.pool.get().unwrap();
    let at = starts_at(&a) + Duration::days(731);
    let r = retention::run(&mut conn, at, true, None).unwrap();
    let pdc = r.territories.iter().find(|t| t.territory_id == territory).unwrap();
    assert_eq!((pdc.policy.rdv_days, pdc.counts.rdvs_deleted), (1000, 0));
    let r = retention::run(&mut conn, starts_at(&a) + Duration::days(1001), false, None).unwrap();
    let pdc = r.territories.iter().find(|t| t.territory_id == territory).unwrap();
    assert_eq!(pdc.counts.rdvs_deleted, 1);
    assert!(rdv_api::services::retention::to_text(&r).contains("rdvs 1,"));
    drop(conn);
    // The screen shows the last run (sessions expired in that run: sign in again).
    let camille = app.sign_in("camille.martin").await;
    let (_, b) = call(&app, &camille, "GET", &path, None).await;
    assert_eq!(b["last_run"]["counts"]["rdvs_deleted"], 1, "{b}");
}

#[test]
fn the_daily_run_is_planned_by_every_server_and_runs_once() {
    let data = TestData::seeded();
    // A second server: its own pool on the same database.
    let files = tempfile::tempdir().unwrap();
    let other = rdv_api::server::prepare(common::test_config(&data.state.config.database_url, files.path())).unwrap();
    let now = Utc::now();
    let mut planned = 0;
    for state in [&data.state, &other] {
        let mut conn = state.pool.get().unwrap();
        planned += retention::plan_daily(&mut conn, now).unwrap();
        planned += retention::plan_daily(&mut conn, now).unwrap();
    }
    assert_eq!(planned, 1, "one job per Paris day");
    let due = rdv_shared::retention::run_of_day(now).naive_utc() + Duration::minutes(1);
    // Both servers' workers poll at the same time once it is due.
    std::thread::scope(|scope| {
        for state in [&data.state, &other] {
            scope.spawn(move || {
                let deliverer = rdv_api::outbox::worker::Deliverer::new(&state.config).unwrap();
                let mut conn = state.pool.get().unwrap();
                for _ in 0..3 {
                    deliverer.run_once_at(&mut conn, due).unwrap();
                }
            });
        }
    });
    use rdv_api::db::schema::{outbox, retention_runs};
    let mut conn = data.conn();
    let runs: i64 = retention_runs::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(runs, 1, "ran once");
    let status: Vec<String> =
        outbox::table.filter(outbox::event.eq(retention::RUN)).select(outbox::status).load(&mut *conn).unwrap();
    assert_eq!(status, vec!["sent".to_owned()]);
    // Planned again the same day: nothing new.
    assert_eq!(retention::plan_daily(&mut conn, now).unwrap(), 0);
}
