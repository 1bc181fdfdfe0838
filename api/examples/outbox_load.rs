//! Outbox benchmarks (issue 15), on the database of `DATABASE_URL` (fresh; migrated here):
//!
//! - `outbox_load throughput N THREADS`: N emails queued, then delivered by THREADS workers to
//!   a local SMTP server (the test suite's sink); prints messages/s through the pipeline.
//! - `outbox_load reminders N`: N RDVs on the day after tomorrow (demo structure, 1 000
//!   usagers with email and mobile), then the reminder planning sweep (`rdv outbox
//!   plan-reminders`) timed, then the N due jobs turned into their messages, timed.
//!
//! Run by `scripts/bench-outbox.sh` (from `just bench`).

#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

#[allow(dead_code)] // the example uses part of the test sink
#[path = "../tests/common/smtp.rs"]
mod smtp;

#[allow(dead_code)] // the fixture helpers other examples use
#[path = "support/bulk.rs"]
mod bulk;

#[path = "support/config.rs"]
mod support_config;

use support_config::bench_config;

use std::time::Instant;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use rdv_api::config::{Config, Delivery};
use rdv_api::db::schema::{agents, lieux, motifs, organisations, users};
use rdv_api::db::{self, now_utc, write_tx, DbConn};
use rdv_api::outbox::{enqueue_mail, MailPayload};

fn config(url: &str, smtp: Option<String>, dir: &std::path::Path) -> Config {
    bench_config(url, dir, Delivery { smtp_url: smtp, ..Delivery::local(dir) })
}

fn throughput(url: &str, n: usize, threads: usize) {
    let dir = tempfile::tempdir().unwrap();
    let sink = smtp::SmtpSink::start();
    let cfg = config(url, Some(sink.url.clone()), dir.path());
    let (pool, _) = db::open_pool(url, 8).unwrap();
    db::run_migrations(&mut pool.get().unwrap()).unwrap();
    let mail = MailPayload {
        from: cfg.mail_from.clone(),
        reply_to: Some("mds@example.fr".into()),
        subject: "RDV confirmé le mardi 8 décembre 2026 à 10h00".into(),
        text: "Bonjour,\n\nVotre rendez-vous est confirmé.\n".repeat(8),
        html: Some("<p>Bonjour,</p><p>Votre rendez-vous est confirmé.</p>".repeat(8)),
        ics: None,
    };
    let mut conn = pool.get().unwrap();
    write_tx(&mut conn, |c| {
        for i in 0..n {
            enqueue_mail(c, "bench", format!("bench:{i}"), Default::default(), &format!("u{i}@example.fr"), &mail)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let started = Instant::now();
    let workers = rdv_api::outbox::worker::spawn(pool.clone(), &cfg, threads).unwrap();
    while sink.received().len() < n {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let secs = started.elapsed().as_secs_f64();
    workers.stop();
    println!(
        "outbox throughput: {n} emails through {threads} workers to SMTP in {secs:.2} s = {:.0} messages/s",
        n as f64 / secs
    );
}

/// N RDVs on the day after tomorrow in MDS Arras, one participant each among 1 000 usagers.
fn seed_rdvs(conn: &mut DbConn, n: usize) {
    rdv_api::seed::demo_structure(conn).unwrap();
    let org: i32 = organisations::table
        .filter(organisations::name.eq("MDS Arras"))
        .select(organisations::id)
        .get_result(conn)
        .unwrap();
    let motif: i32 = motifs::table
        .filter(motifs::organisation_id.eq(org))
        .filter(motifs::collectif.eq(false))
        .select(motifs::id)
        .limit(1)
        .get_result(conn)
        .unwrap();
    let lieu: i32 =
        lieux::table.filter(lieux::organisation_id.eq(org)).select(lieux::id).limit(1).get_result(conn).unwrap();
    let agent: i32 =
        agents::table.filter(agents::last_name.eq("Durand")).select(agents::id).limit(1).get_result(conn).unwrap();
    let now = now_utc();
    let user_rows: Vec<_> = (0..1000)
        .map(|i| {
            (
                users::first_name.eq(format!("Usager{i}")),
                users::last_name.eq("Bench"),
                users::email.eq(Some(format!("usager{i}@example.fr"))),
                users::phone_number_formatted.eq(Some(format!("+336{:08}", i))),
                users::created_through.eq("bench"),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            )
        })
        .collect();
    let q = diesel::insert_into(users::table).values(&user_rows);
    rdv_api::on_backend!(&mut *conn, |c| q.execute(c)).unwrap();
    let user_ids: Vec<i32> = users::table.filter(users::last_name.eq("Bench")).select(users::id).load(conn).unwrap();
    let day = (Utc::now() + Duration::days(2)).date_naive().and_hms_opt(6, 0, 0).unwrap();
    let list: Vec<bulk::BulkRdv> = (0..n)
        .map(|i| bulk::BulkRdv {
            origin: "agent",
            organisation_id: org,
            motif_id: motif,
            lieu_id: Some(lieu),
            starts_at: day + Duration::seconds((i as i64 * 37) % 43_200),
            minutes: 30,
            status: "unknown",
        })
        .collect();
    bulk::insert_rdvs(conn, "bench-", &list, agent, &user_ids);
}

fn reminders(url: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(url, None, dir.path());
    let (pool, _) = db::open_pool(url, 8).unwrap();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    seed_rdvs(&mut conn, n);
    // Planning as `rdv outbox plan-reminders` does it, for RDVs 48 h or more ahead: the
    // bench's day is the day after tomorrow, so plan "as of" two days earlier.
    let as_of = Utc::now() - Duration::days(1);
    let started = Instant::now();
    let planned = rdv_api::services::notifications::plan_missing_reminders(&mut conn, as_of).unwrap();
    let plan_secs = started.elapsed().as_secs_f64();
    println!("reminder planning: {planned} reminders for {n} RDVs in one day planned in {plan_secs:.2} s");
    // The jobs become due: turn them into their messages (not delivered here), one worker.
    let due = (Utc::now() + Duration::days(3)).naive_utc();
    let started = Instant::now();
    let mut jobs = 0;
    loop {
        let claimed =
            write_tx(&mut conn, |c| rdv_api::db::models::outbox::claim(c, due, due + Duration::minutes(5), 200))
                .unwrap();
        if claimed.is_empty() {
            break;
        }
        for job in claimed.iter().filter(|j| j.channel == "job") {
            write_tx(&mut conn, |c| {
                let outcome = rdv_api::services::notifications::run_job(c, &cfg, job, now_utc())?;
                Ok::<_, rdv_api::error::ApiError>(rdv_api::db::models::outbox::finish(c, job.id, &outcome, now_utc())?)
            })
            .unwrap();
            jobs += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("reminder jobs: {jobs} jobs turned into their messages in {secs:.2} s = {:.0} jobs/s", jobs as f64 / secs);
}

fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(10_000);
    match args.get(1).map(String::as_str) {
        Some("throughput") => throughput(&url, n, args.get(3).and_then(|v| v.parse().ok()).unwrap_or(4)),
        Some("reminders") => reminders(&url, n),
        _ => eprintln!("usage: outbox_load throughput N THREADS | reminders N"),
    }
}
