//! Statistics and exports benchmarks (issue 17), on the database of `DATABASE_URL` (fresh;
//! migrated here):
//!
//! - `stats_load setup RDVS`: the demo structure and RDVS RDVs of MDS Arras over the two years
//!   before today (weekdays 08:00–17:30, its five motifs, statuses and origins mixed as in real
//!   activity), then `ANALYZE` (`VACUUM ANALYZE` on PostgreSQL, as autovacuum would).
//! - `stats_load dashboard REQUESTS`: the organisation dashboard for the last full year, as its
//!   admin, through the service the endpoint calls (`services::stats::organisation_stats`);
//!   prints latency percentiles.
//! - `stats_load export ROWS`: an XLSX export of the admin's list limited to about ROWS RDVs (a
//!   date range), run by the job the workers run (`services::export_job::run`); prints the
//!   duration, the file size and the process's resident memory before, at its peak and after.
//!
//! Run by `scripts/bench-stats.sh` (from `just bench`).

#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

#[path = "support/bulk.rs"]
mod bulk;

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use diesel::prelude::*;
use rdv_api::db;
use rdv_api::db::schema::{agents, lieux, motifs, organisations};

fn arras(conn: &mut db::DbConn) -> i32 {
    organisations::table
        .filter(organisations::name.eq("MDS Arras"))
        .select(organisations::id)
        .limit(1)
        .get_result(conn)
        .unwrap()
}

fn admin(conn: &mut db::DbConn) -> rdv_api::db::models::agent::AgentRow {
    let id: i32 =
        agents::table.filter(agents::last_name.eq("Martin")).select(agents::id).limit(1).get_result(conn).unwrap();
    rdv_api::db::models::agent::find(conn, id).unwrap().unwrap()
}

fn setup(url: &str, n: usize) {
    let (pool, _) = db::open_pool(url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    rdv_api::seed::demo_structure(&mut conn).unwrap();
    let org = arras(&mut conn);
    let motif_ids: Vec<i32> = motifs::table
        .filter(motifs::organisation_id.eq(org))
        .filter(motifs::collectif.eq(false))
        .select(motifs::id)
        .load(&mut conn)
        .unwrap();
    let lieu: i32 =
        lieux::table.filter(lieux::organisation_id.eq(org)).select(lieux::id).limit(1).get_result(&mut conn).unwrap();
    let agent = admin(&mut conn).id;
    let user_ids = bulk::insert_users(&mut conn, "Statistique", 2000);
    let days = bulk::weekdays((Utc::now() - Duration::days(730)).date_naive(), 730);
    let per_day = n.div_ceil(days.len()).max(1);
    let statuses = ["seen", "seen", "seen", "seen", "seen", "seen", "seen", "noshow", "excused", "revoked", "unknown"];
    let origins = ["agent", "agent", "agent", "agent", "agent", "agent", "user", "user", "invitation", "file_attente"];
    let list: Vec<bulk::BulkRdv> = (0..n)
        .map(|i| {
            let day = days[(i / per_day) % days.len()];
            // Slots of 30 minutes from 08:00 UTC, wrapping within the day (many agents' worth).
            let start = day.and_hms_opt(8, 0, 0).unwrap() + Duration::minutes(30 * ((i % per_day) % 20) as i64);
            bulk::BulkRdv {
                organisation_id: org,
                motif_id: motif_ids[i % motif_ids.len()],
                lieu_id: Some(lieu),
                starts_at: start,
                minutes: 30,
                status: statuses[i % statuses.len()],
                origin: origins[(i / 3) % origins.len()],
            }
        })
        .collect();
    let t = Instant::now();
    bulk::insert_rdvs(&mut conn, "stats-", &list, agent, &user_ids);
    // Statistics for a new, bulk-loaded table: PostgreSQL's index-only scans also need the
    // visibility map that autovacuum would have written by then.
    let analyze = match &*conn {
        db::DbConn::Postgres(_) => "VACUUM ANALYZE",
        db::DbConn::Sqlite(_) => "ANALYZE",
    };
    rdv_api::on_backend!(&mut *conn, |c| diesel::sql_query(analyze).execute(c)).unwrap();
    println!("{n} RDVs inserted in {:.1} s", t.elapsed().as_secs_f64());
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn dashboard(url: &str, requests: usize) {
    let (pool, _) = db::open_pool(url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let org = arras(&mut conn);
    let caller = admin(&mut conn);
    let to = Utc::now().date_naive() - Duration::days(1);
    let from = to - Duration::days(364);
    let mut times = Vec::with_capacity(requests);
    let mut total = 0;
    for _ in 0..requests {
        let t = Instant::now();
        let s =
            rdv_api::services::stats::organisation_stats(&mut conn, &caller, org, (Some(from), Some(to)), Utc::now())
                .unwrap();
        times.push(t.elapsed());
        total = s.total;
    }
    times.sort();
    let ms = |d: StdDuration| d.as_secs_f64() * 1000.0;
    println!(
        "dashboard of one year ({total} RDVs, {} weeks), {requests} requests: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        (to - from).num_days() / 7 + 1,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap())
    );
}

/// (current, peak) resident memory of this process, in MB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn export(url: &str, rows: usize) {
    use rdv_shared::dto::{CreateExportRequest, ExportFormat, ExportKind, RdvSearch};
    let (pool, _) = db::open_pool(url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let org = arras(&mut conn);
    let caller = admin(&mut conn);
    // Days back from yesterday until the range holds `rows` RDVs.
    let to = Utc::now().date_naive() - Duration::days(1);
    let mut from = to;
    let mut count = 0;
    while count < rows as i64 && from > to - Duration::days(800) {
        from -= Duration::days(7);
        let s = RdvSearch {
            organisation_ids: vec![rdv_shared::OrganisationId(org)],
            from: Some(from),
            to: Some(to),
            ..RdvSearch::default()
        };
        count = rdv_api::services::rdv_search::list_rdvs(&mut conn, &caller, s, 1, Utc::now()).unwrap().1;
    }
    let filters = RdvSearch {
        organisation_ids: vec![rdv_shared::OrganisationId(org)],
        from: Some(from),
        to: Some(to),
        ..RdvSearch::default()
    };
    let body = CreateExportRequest { kind: ExportKind::Rdvs, format: ExportFormat::Xlsx, filters };
    let created = rdv_api::services::exports::create_export(&mut conn, &caller, body, Utc::now()).unwrap();
    let job = {
        use rdv_api::db::schema::outbox;
        let id: i32 = outbox::table
            .filter(outbox::idempotency_key.eq(format!("export:{}", created.id)))
            .select(outbox::id)
            .limit(1)
            .get_result(&mut conn)
            .unwrap();
        rdv_api::db::models::outbox::find(&mut conn, id).unwrap().unwrap()
    };
    let (before, _) = rss();
    let t = Instant::now();
    let outcome = rdv_api::services::export_job::run(&mut conn, &job, Duration::minutes(5)).unwrap();
    let elapsed = t.elapsed();
    let (after, peak) = rss();
    let e = rdv_api::db::models::export::find(&mut conn, created.id).unwrap().unwrap();
    let size = rdv_api::db::models::export::content(&mut conn, created.id).unwrap().map_or(0, |c| c.len());
    println!(
        "XLSX export of {} RDVs ({from} – {to}): {} in {:.1} s, {:.1} MB; RSS {before:.0} MB before, peak {peak:.0} MB, {after:.0} MB after",
        e.row_count,
        if matches!(outcome, rdv_api::db::models::outbox::Outcome::Sent) { "done" } else { "FAILED" },
        elapsed.as_secs_f64(),
        size as f64 / 1e6
    );
}

fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let args: Vec<String> = std::env::args().collect();
    let n = |i: usize, default: usize| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    match args.get(1).map(String::as_str) {
        Some("setup") => setup(&url, n(2, 1_000_000)),
        Some("dashboard") => dashboard(&url, n(2, 20)),
        Some("export") => export(&url, n(2, 100_000)),
        _ => eprintln!("usage: stats_load setup RDVS | dashboard REQUESTS | export ROWS"),
    }
}
