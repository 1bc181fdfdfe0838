//! The outbox across real processes (issue 15): `rdv worker` killed with SIGKILL while messages
//! are pending loses none once restarted, and two `rdv worker` processes on one database
//! deliver a thousand messages with no duplicate. The receiver is a real SMTP server.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::providers::parse_mail;
use common::smtp::SmtpSink;
use rdv_api::outbox::{enqueue_mail, MailPayload};

fn migrate(url: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_rdv"))
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn queue(url: &str, n: usize) {
    let (pool, _) = rdv_api::db::open_pool(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let mail = MailPayload {
        from: "RDV <ne-pas-repondre@rdv.test>".into(),
        reply_to: None,
        subject: "Rappel".into(),
        text: "Bonjour".into(),
        html: None,
        ics: None,
    };
    rdv_api::db::write_tx(&mut conn, |c| {
        for i in 0..n {
            enqueue_mail(c, "test", format!("crash:{i}"), Default::default(), &format!("u{i}@example.fr"), &mail)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

fn worker(url: &str, smtp: &SmtpSink, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_rdv"))
        .args(["worker", "--threads", "2"])
        .env("DATABASE_URL", url)
        .env("RDV_DATA_DIR", dir)
        .env("RDV_JWT_SECRET", "process-test-secret-process-test-secret")
        .env("RDV_SMTP_URL", &smtp.url)
        .env("RDV_OUTBOX_POLL_MS", "50")
        // No daily job: this test counts every outbox row (the retention run is planned daily).
        .env("RDV_DAILY_JOBS", "false")
        // Long enough that a loaded CI machine finishes a batch within it (a lease that runs
        // out mid-batch lets another thread take the rest: copies this test would count).
        .env("RDV_OUTBOX_LEASE_SECONDS", "6")
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Message-ID → how many times the SMTP server received it.
fn by_message_id(smtp: &SmtpSink) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for m in smtp.received() {
        *seen.entry(parse_mail(&m.data).message_id).or_insert(0) += 1;
    }
    seen
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_killed_worker_loses_nothing() {
    let (_db, url) = common::TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    migrate(&url);
    queue(&url, 200);
    let smtp = SmtpSink::start();
    smtp.set_delay_ms(10);
    let mut first = worker(&url, &smtp, dir.path());
    wait_until("some deliveries", Duration::from_secs(30), || smtp.received().len() >= 40);
    first.kill().unwrap(); // SIGKILL: no chance to finish anything
    first.wait().unwrap();
    let before_restart = smtp.received().len();
    assert!(before_restart < 200, "killed while messages were pending ({before_restart} delivered)");

    let mut second = worker(&url, &smtp, dir.path());
    wait_until("every message", Duration::from_secs(60), || by_message_id(&smtp).len() == 200);
    std::thread::sleep(Duration::from_millis(6500)); // leases of the killed worker's rows expire
    second.kill().unwrap();
    second.wait().unwrap();
    let seen = by_message_id(&smtp);
    assert_eq!(seen.len(), 200, "each message delivered");
    // The only copies are of messages the killed process had claimed and not yet recorded as
    // sent: those in flight, and those sent whose outcome was still waiting for its commit
    // (commits are serial per thread and slower than SMTP on PostgreSQL). That is at most one
    // claimed batch (32) per thread of the 2; the copies carry the same Message-ID, so the
    // receiver can drop them.
    let copies: usize = seen.values().map(|n| n - 1).sum();
    assert!(copies <= 2 * 32, "{copies} messages sent twice");
    let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
    let status = rdv_api::db::models::outbox::count_by_status(&mut pool.get().unwrap()).unwrap();
    assert_eq!(status, vec![("mail".to_owned(), "sent".to_owned(), 200)]);
}

#[test]
fn two_worker_processes_deliver_a_thousand_messages_once() {
    let (_db, url) = common::TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    migrate(&url);
    queue(&url, 1000);
    let smtp = SmtpSink::start();
    let mut a = worker(&url, &smtp, dir.path());
    let mut b = worker(&url, &smtp, dir.path());
    wait_until("a thousand messages", Duration::from_secs(120), || smtp.received().len() >= 1000);
    std::thread::sleep(Duration::from_millis(500));
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    assert_eq!(smtp.received().len(), 1000, "no message twice");
    assert_eq!(by_message_id(&smtp).len(), 1000);
}
