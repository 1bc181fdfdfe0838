//! HTTP load run for `just bench`: signs in as the bench agent of `rdv seed scale` and fires
//! as-you-type usager searches at a running server, then prints latency percentiles.
//!
//! `cargo run --release -p rdv-api --example search_load -- http://127.0.0.1:8090 [requests] [concurrency]`

#![allow(clippy::unwrap_used)] // a benchmark tool: failing loudly is the point

use std::time::{Duration, Instant};

/// What agents type: name prefixes of 2 to 6 letters, full names, phone prefixes, e-mails.
const QUERIES: &[&str] = &[
    "ma",
    "mar",
    "mart",
    "martin",
    "dup",
    "dupont",
    "lef",
    "lefevre",
    "ben",
    "bena",
    "benali",
    "dia",
    "diallo",
    "ngu",
    "nguyen",
    "gro",
    "grondin",
    "pay",
    "payet",
    "mo",
    "moreau",
    "leroy",
    "le",
    "dub",
    "dubois",
    "jean",
    "marie",
    "marie dup",
    "lea mar",
    "martin zoe",
    "inès",
    "hélène",
    "06 12",
    "0612",
    "07 6",
    "+33 6 1",
    "0692",
    "marie.martin",
    "caron",
    "vass",
    "vasseur",
    "delcroix",
    "kow",
    "da silva",
    "traore",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[actix_rt::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let base = args.next().unwrap_or_else(|| "http://127.0.0.1:8090".to_owned());
    let requests: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let concurrency: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(4);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{base}/api/v1/auth/sign_in"))
        .json(&serde_json::json!({"email": rdv_api::seed::usagers::BENCH_AGENT_EMAIL, "password": rdv_api::seed::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "sign in the bench agent (run `rdv seed scale` first)");
    let token = res.headers()["access-token"].to_str().unwrap().to_owned();

    // Warm-up: the first queries fill the page cache.
    for q in QUERIES {
        client.get(format!("{base}/api/v1/users/search")).query(&[("q", q)]).bearer_auth(&token).send().await.unwrap();
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let client = client.clone();
        let token = token.clone();
        let base = base.clone();
        tasks.push(actix_rt::spawn(async move {
            let mut latencies = Vec::new();
            let mut hits = 0usize;
            for i in (worker..requests).step_by(concurrency) {
                let q = QUERIES[i % QUERIES.len()];
                let t = Instant::now();
                let res = client
                    .get(format!("{base}/api/v1/users/search"))
                    .query(&[("q", q)])
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                let body: serde_json::Value = res.json().await.unwrap();
                latencies.push(t.elapsed());
                hits += body["users"].as_array().map_or(0, Vec::len);
            }
            (latencies, hits)
        }));
    }
    let mut all = Vec::new();
    let mut hits = 0;
    for t in tasks {
        let (l, h) = t.await.unwrap();
        all.extend(l);
        hits += h;
    }
    let elapsed = started.elapsed();
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "usager search: {} requests, concurrency {concurrency}, {:.0} req/s, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({:.1} results per query)",
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap()),
        hits as f64 / all.len() as f64,
    );
}
