//! HTTP load run of slot search and booking for `just bench` (issue 7), over the data of
//! `rdv seed scale` + `rdv seed slots`, against a running release server:
//!
//! `slots_load URL MODE REQUESTS CONCURRENCY` with MODE one of
//! - `agent`: `GET /creneaux` for one organisation, one motif, 7 days (a bench agent);
//! - `public`: `GET /public/lieux` — every lieu of the département with its next availability;
//! - `next`: `GET /creneaux` of a motif first open in five months (the 6-month scan's worst case);
//! - `book`: `POST /public/rdvs` from CONCURRENCY clients on shared slots (each wanted by two
//!   clients: contention), then counts overlapping active RDVs in the database at
//!   `DATABASE_URL` (must be 0);
//! - `book-distinct`: the same on distinct slots (every request can succeed: raw throughput).
//!
//! Prints one line of latency percentiles (and throughput).

#![allow(clippy::unwrap_used)] // a benchmark tool: failing loudly is the point

use std::time::{Duration, Instant};

use serde_json::Value;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn monday_in(weeks: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday())) + chrono::Duration::weeks(weeks)
}

async fn json(client: &reqwest::Client, url: &str, token: Option<&str>) -> Value {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    res.json().await.unwrap()
}

#[actix_rt::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base = args.next().unwrap_or_else(|| "http://127.0.0.1:8091".to_owned());
    let mode = args.next().unwrap_or_else(|| "agent".to_owned());
    let requests: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let concurrency: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(4);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/v1/auth/sign_in"))
        .json(&serde_json::json!({"email": rdv_api::seed::slots::agent_email(0), "password": rdv_api::seed::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "sign in a bench agent (run `rdv seed slots` first)");
    let token = res.headers()["access-token"].to_str().unwrap().to_owned();
    let orgs = json(&client, &format!("{base}/api/v1/organisations"), Some(&token)).await;
    let org = orgs["organisations"][0]["id"].as_i64().unwrap();
    let motifs = json(&client, &format!("{base}/api/v1/organisations/{org}/motifs"), Some(&token)).await;
    let motifs: Vec<(i64, String)> = motifs["motifs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_i64().unwrap(), m["name"].as_str().unwrap().to_owned()))
        .collect();
    let regular: Vec<i64> = motifs.iter().filter(|m| m.1.starts_with("Bench motif")).map(|m| m.0).collect();
    let rare = motifs.iter().find(|m| m.1 == "Bench rare").map(|m| m.0).unwrap();

    // The URLs (or bodies) each request uses, chosen up front so only the server is timed.
    let urls: Vec<String> = (0..requests)
        .map(|i| match mode.as_str() {
            "agent" => {
                let from = monday_in(1 + (i % 4) as i64);
                format!(
                    "{base}/api/v1/creneaux?motif_id={}&from={from}&to={}",
                    regular[i % regular.len()],
                    from + chrono::Duration::days(6)
                )
            }
            "public" => {
                format!("{base}/api/v1/public/lieux?city_code=99001&motif_key=bench_motif_{}-public_office", i % 5)
            }
            "next" => {
                let from = monday_in(1);
                format!("{base}/api/v1/creneaux?motif_id={rare}&from={from}&to={}", from + chrono::Duration::days(6))
            }
            _ => String::new(),
        })
        .collect();
    let booking = mode.starts_with("book");
    // Clients per slot: two for `book` (half the requests meet a competitor), one otherwise.
    let per_slot = if mode == "book" { 2 } else { 1 };
    let bookings: Vec<Value> = if booking {
        // Free public slots of every regular motif at the org's lieux over four weeks.
        let mut slots = Vec::new();
        for (m, name) in motifs.iter().filter(|m| regular.contains(&m.0)) {
            let key = format!("{}-public_office", name.to_lowercase().replace(' ', "_"));
            let lieux =
                json(&client, &format!("{base}/api/v1/public/lieux?city_code=99001&motif_key={key}"), None).await;
            for l in lieux["lieux"].as_array().unwrap().iter().filter(|l| l["motif_id"].as_i64() == Some(*m)) {
                // Four weeks from the week after next, in two windows (the public side's longest).
                for from in [monday_in(2), monday_in(4)] {
                    let url = format!(
                        "{base}/api/v1/public/creneaux?city_code=99001&motif_id={m}&lieu_id={}&from={from}&to={}",
                        l["lieu_id"],
                        from + chrono::Duration::days(13)
                    );
                    for c in json(&client, &url, None).await["creneaux"].as_array().unwrap() {
                        slots.push((*m, l["lieu_id"].as_i64().unwrap(), c["starts_at"].as_str().unwrap().to_owned()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        // Distinct usagers each time (a usager matched twice would be one person booking twice),
        // each with their own mobile number (the match reads the organisation's usagers with the
        // booking's phone: one shared number would make every booking read all the earlier ones).
        let run = std::process::id();
        for (i, (m, l, t)) in slots.iter().take(requests / per_slot).enumerate() {
            for k in 0..per_slot {
                let phone = format!("06{:08}", (run as usize % 997) * 100_000 + i * 2 + k);
                out.push(serde_json::json!({"motif_id": m, "lieu_id": l, "starts_at": t, "city_code": "99001",
                    "first_name": format!("Charge{i}"), "last_name": format!("Test{k}r{run}"), "phone_number": phone}));
            }
        }
        out
    } else {
        Vec::new()
    };
    let total = if booking { bookings.len() } else { urls.len() };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, token) = (client.clone(), token.clone());
        let mine: Vec<(String, Option<Value>)> = (worker..total)
            .step_by(concurrency)
            .map(|i| (urls.get(i).cloned().unwrap_or_default(), bookings.get(i).cloned()))
            .collect();
        let base = base.clone();
        tasks.push(actix_rt::spawn(async move {
            let mut latencies = Vec::new();
            let (mut ok, mut taken) = (0usize, 0usize);
            for (url, body) in mine {
                let t = Instant::now();
                let status = match body {
                    Some(b) => {
                        client.post(format!("{base}/api/v1/public/rdvs")).json(&b).send().await.unwrap().status()
                    }
                    None => {
                        let res = client.get(&url).bearer_auth(&token).send().await.unwrap();
                        let s = res.status();
                        let _ = res.bytes().await;
                        s
                    }
                };
                latencies.push(t.elapsed());
                match status.as_u16() {
                    200 => ok += 1,
                    409 => taken += 1,
                    other => panic!("{url}: {other}"),
                }
            }
            (latencies, ok, taken)
        }));
    }
    let (mut all, mut ok, mut taken) = (Vec::new(), 0, 0);
    for t in tasks {
        let (l, o, k) = t.await.unwrap();
        all.extend(l);
        ok += o;
        taken += k;
    }
    let elapsed = started.elapsed();
    all.sort();
    println!(
        "{mode}: {} requests, concurrency {concurrency}, {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap()),
    );
    if booking {
        println!(
            "{mode}: {ok} booked, {taken} refused with 409 (slot taken), {:.0} bookings/s, {:.0} booking requests/s",
            ok as f64 / elapsed.as_secs_f64(),
            all.len() as f64 / elapsed.as_secs_f64()
        );
        let url = std::env::var("DATABASE_URL").unwrap();
        let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        // From the future RDVs (index on rdvs.starts_at) to their agents, then each agent's RDVs
        // that can overlap (index on agents_rdvs (agent_id, starts_at); RDVs last at most 12 h).
        let now = chrono::Utc::now().naive_utc();
        let (now_s, back) =
            (now.format("%Y-%m-%d %H:%M:%S"), (now - chrono::Duration::hours(12)).format("%Y-%m-%d %H:%M:%S"));
        let q = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rdvs ra JOIN agents_rdvs a ON a.rdv_id = ra.id \
             JOIN agents_rdvs b ON b.agent_id = a.agent_id AND b.starts_at >= '{back}' AND b.starts_at < a.ends_at \
             AND b.ends_at > a.starts_at AND b.rdv_id <> a.rdv_id \
             JOIN rdvs rb ON rb.id = b.rdv_id \
             WHERE ra.starts_at >= '{now_s}' AND ra.status NOT IN ('excused', 'revoked') \
             AND rb.status NOT IN ('excused', 'revoked')"
        );
        let n = diesel::RunQueryDsl::get_result::<Count>(diesel::sql_query(q), &mut *conn).unwrap().n;
        println!("{mode}: overlapping active RDVs of one agent afterwards: {n}");
    }
}
