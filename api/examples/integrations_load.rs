//! Integrations benchmarks (issue 16), on the database of `DATABASE_URL` (fresh; migrated here):
//!
//! - `integrations_load webhooks N THREADS`: the demo structure, one webhook endpoint of MDS
//!   Arras pointing at a local HTTP receiver (the test suite's); N RDV events of distinct RDVs
//!   (bodies of a real RDV's size) queued, then delivered signed by THREADS workers; prints the
//!   events/s received.
//! - `integrations_load feed-setup RDVS`: Sophie Durand with RDVS RDVs spread over two years
//!   (one back, one ahead, weekdays 09:00–17:00) and a calendar link with details and plages;
//!   prints the feed's path.
//! - `integrations_load feed-load BASE PATH REQUESTS CONCURRENCY`: GETs of that feed from a
//!   running `rdv serve`; prints latency percentiles and the feed's size.
//!
//! Run by `scripts/bench-integrations.sh` (from `just bench`).

#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

#[allow(dead_code)] // the example uses part of the test receiver
#[path = "../tests/common/webhook_receiver.rs"]
mod webhook_receiver;

#[path = "support/bulk.rs"]
mod bulk;

#[path = "support/config.rs"]
mod support_config;

use support_config::bench_config;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use rdv_api::audit::Author;
use rdv_api::config::{Config, Delivery};
use rdv_api::db::models::webhook::{self, EndpointValues};
use rdv_api::db::schema::{agents, lieux, motifs, organisations};
use rdv_api::db::{self, write_tx};
use rdv_api::outbox::webhook::WebhookPayload;
use rdv_api::outbox::{enqueue_webhook, Subject};

fn config(url: &str, dir: &std::path::Path) -> Config {
    bench_config(url, dir, Delivery { webhook_allowed_hosts: vec!["127.0.0.1".into()], ..Delivery::local(dir) })
}

/// An RDV's webhook body of realistic size (the reference's nested shape is about 3 KB).
fn rdv_body(i: usize) -> String {
    let user = serde_json::json!({"id": i, "first_name": "Camille", "last_name": "Martin", "email": "camille@example.fr",
        "phone_number": "06 12 34 56 78", "phone_number_formatted": "+33612345678", "birth_date": "1990-01-01",
        "address": "12 rue de la République 62000 Arras", "caisse_affiliation": null, "affiliation_number": null,
        "notify_by_sms": true, "notify_by_email": true, "user_profiles": null, "responsible": null});
    let agent = serde_json::json!({"id": 3, "email": "sophie.durand@pas-de-calais.fr", "first_name": "Sophie", "last_name": "Durand"});
    let org = serde_json::json!({"id": 1, "name": "MDS Arras", "email": "mds.arras@pas-de-calais.fr", "phone_number": "03 21 00 00 00", "verticale": "rdv_solidarites"});
    serde_json::json!({
        "data": {"id": i, "address": "Rue de Baudimont 62000 Arras", "agents": [agent], "cancelled_at": null, "collectif": false,
            "context": null, "created_by": "agent", "created_by_type": "Agent", "duration_in_min": 30,
            "starts_at": "2026-12-14T09:30:00+01:00", "ends_at": "2026-12-14T10:00:00+01:00",
            "lieu": {"id": 1, "name": "MDS Arras — Baudimont", "address": "Rue de Baudimont 62000 Arras", "organisation_id": 1, "phone_number": null, "single_use": false},
            "motif": {"id": 1, "name": "Consultation PMI nourrisson", "location_type": "public_office", "bookable_by": "everyone", "collectif": false, "follow_up": false, "organisation_id": 1, "service_id": 1, "motif_category": null},
            "organisation": org, "participations": [{"id": i, "status": "unknown", "user": user.clone(), "send_lifecycle_notifications": true}],
            "status": "unknown", "users": [user], "users_count": 1, "uuid": format!("bench-{i:08}")},
        "meta": {"model": "Rdv", "event": "updated", "webhook_reason": null, "timestamp": "2026-12-07 10:42:05 +0100"}
    })
    .to_string()
}

fn webhooks(url: &str, n: usize, threads: usize) {
    actix_rt::System::new().block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config(url, dir.path());
        let (pool, _) = db::open_pool(url, 8).unwrap();
        let mut conn = pool.get().unwrap();
        db::run_migrations(&mut conn).unwrap();
        rdv_api::seed::demo_structure(&mut conn).unwrap();
        let receiver = webhook_receiver::WebhookReceiver::start();
        let org = organisations::table.filter(organisations::name.eq("MDS Arras")).select(organisations::id).limit(1).get_result::<i32>(&mut conn).unwrap();
        let subscriptions = vec!["rdv".to_owned()];
        let values = EndpointValues { organisation_id: org, target_url: &receiver.url, secret: "bench", subscriptions: &subscriptions };
        let endpoint = write_tx(&mut conn, |c| webhook::create(c, &Author::system("bench"), &values)).unwrap();
        let bodies: Vec<String> = (0..n).map(rdv_body).collect();
        let size = bodies.first().map_or(0, String::len);
        write_tx(&mut conn, |c| {
            for (i, body) in bodies.into_iter().enumerate() {
                let payload = WebhookPayload {
                    endpoint_id: endpoint.id,
                    model: "Rdv".into(),
                    event: "updated".into(),
                    record_id: i as i32,
                    body,
                };
                let about = Subject { organisation_id: Some(org), ..Subject::default() };
                enqueue_webhook(c, format!("bench:{i}"), about, &receiver.url, &payload)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        drop(conn);
        let started = Instant::now();
        let workers = rdv_api::outbox::worker::spawn(pool.clone(), &cfg, threads).unwrap();
        while receiver.received().len() < n {
            actix_rt::time::sleep(StdDuration::from_millis(5)).await;
        }
        let secs = started.elapsed().as_secs_f64();
        workers.stop();
        let got = receiver.received();
        assert!(got.iter().take(50).all(|r| r.verify("bench")), "signed");
        println!(
            "webhook throughput: {n} events ({size} bytes each) through {threads} workers to a local receiver in {secs:.2} s = {:.0} events/s",
            n as f64 / secs
        );
    });
}

fn feed_setup(url: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(url, dir.path());
    let (pool, _) = db::open_pool(url, 8).unwrap();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    rdv_api::seed::demo_structure(&mut conn).unwrap();
    let org = organisations::table
        .filter(organisations::name.eq("MDS Arras"))
        .select(organisations::id)
        .limit(1)
        .get_result::<i32>(&mut conn)
        .unwrap();
    let motif = motifs::table
        .filter(motifs::organisation_id.eq(org))
        .filter(motifs::collectif.eq(false))
        .select(motifs::id)
        .limit(1)
        .get_result::<i32>(&mut conn)
        .unwrap();
    let lieu = lieux::table
        .filter(lieux::organisation_id.eq(org))
        .select(lieux::id)
        .limit(1)
        .get_result::<i32>(&mut conn)
        .unwrap();
    let agent = agents::table
        .filter(agents::last_name.eq("Durand"))
        .select(agents::id)
        .limit(1)
        .get_result::<i32>(&mut conn)
        .unwrap();
    let user_ids = bulk::insert_users(&mut conn, "Agenda", 500);
    // Weekdays from a year back to a year ahead, RDVs of 30 minutes from 09:00.
    let days = bulk::weekdays((Utc::now() - Duration::days(365)).date_naive(), 730);
    let per_day = n.div_ceil(days.len()).max(1);
    let starts: Vec<chrono::NaiveDateTime> = (0..n)
        .map(|i| {
            let day = days[(i / per_day) % days.len()];
            // 08:00 UTC is 09:00 in Paris in winter; close enough for a load test.
            day.and_hms_opt(8, 0, 0).unwrap() + Duration::minutes(30 * (i % per_day) as i64)
        })
        .collect();
    let list: Vec<bulk::BulkRdv> = starts
        .iter()
        .enumerate()
        .map(|(i, s)| bulk::BulkRdv {
            origin: "agent",
            organisation_id: org,
            motif_id: motif,
            lieu_id: Some(lieu),
            starts_at: *s,
            minutes: 30,
            // Some cancelled ones: the feed marks them STATUS:CANCELLED.
            status: if i % 17 == 0 { "revoked" } else { "unknown" },
        })
        .collect();
    bulk::insert_rdvs(&mut conn, "feed-", &list, agent, &user_ids);
    let row = rdv_api::db::models::agent::find(&mut conn, agent).unwrap().unwrap();
    let req = rdv_shared::dto::CreateCalendarFeedRequest { with_details: true, with_plages: true };
    let created = rdv_api::services::calendar_feed::create(&mut conn, &cfg, &row, req).unwrap();
    let path = created.url.trim_start_matches(&cfg.public_url).to_owned();
    println!("{path}");
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn feed_load(base: &str, path: &str, requests: usize, concurrency: usize) {
    actix_rt::System::new().block_on(async move {
        let client = reqwest::Client::new();
        let url = format!("{base}{path}");
        let first = client.get(&url).send().await.unwrap();
        assert_eq!(first.status(), 200);
        let text = first.text().await.unwrap();
        let events = text.matches("BEGIN:VEVENT").count();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(actix_rt::spawn(async move {
                let mut latencies = Vec::new();
                for _ in (worker..requests).step_by(concurrency) {
                    let t = Instant::now();
                    let res = client.get(&url).send().await.unwrap();
                    assert_eq!(res.status(), 200);
                    res.bytes().await.unwrap();
                    latencies.push(t.elapsed());
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let elapsed = started.elapsed();
        all.sort();
        let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
        println!(
            "calendar feed: {} requests, concurrency {concurrency}, {events} events ({} KB), {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
            all.len(),
            text.len() / 1024,
            all.len() as f64 / elapsed.as_secs_f64(),
            ms(percentile(&all, 0.50)),
            ms(percentile(&all, 0.95)),
            ms(percentile(&all, 0.99)),
        );
    });
}

/// The feed rendered in-process (no HTTP), to split its cost from the transport's.
fn feed_render(url: &str, path: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(url, dir.path());
    let (pool, _) = db::open_pool(url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let token = path.trim_start_matches("/calendar/").trim_end_matches(".ics");
    let mut times = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        let text = rdv_api::services::calendar_feed::render(&mut conn, &cfg, token, Utc::now()).unwrap();
        times.push(t.elapsed());
        assert!(text.contains("BEGIN:VEVENT"));
    }
    times.sort();
    println!("feed render in-process: p50 {:.1} ms", times[times.len() / 2].as_secs_f64() * 1000.0);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    let num = |i: usize, d: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(d);
    let url = || std::env::var("DATABASE_URL").expect("DATABASE_URL");
    match arg(1).as_str() {
        "webhooks" => webhooks(&url(), num(2, 10_000), num(3, 4)),
        "feed-setup" => feed_setup(&url(), num(2, 4_000)),
        "feed-render" => feed_render(&url(), &arg(2), num(3, 20)),
        "feed-load" => feed_load(&arg(2), &arg(3), num(4, 500), num(5, 4)),
        _ => eprintln!(
            "usage: integrations_load webhooks N THREADS | feed-setup RDVS | feed-load BASE PATH REQUESTS CONCURRENCY"
        ),
    }
}
