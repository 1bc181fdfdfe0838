//! Delivery workers: threads that claim due outbox rows, deliver them and record the outcome
//! and a receipt. They run inside `rdv serve` (`RDV_OUTBOX_WORKERS`, default 2) and alone as
//! `rdv worker`. Everything they know is in the database, so they can stop at any moment.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rdv_shared::notify::gsm;

use super::email::{Mailer, SendError};
use super::sms::{self, Provider};
use super::webhook::WebhookPayload;
use super::{MailPayload, SmsPayload};
use crate::config::Delivery;
use crate::db::models::outbox::{self as rows, NewReceipt, OutboxRow, Outcome, JOB};
use crate::db::models::territory;
use crate::db::models::webhook::{self, EndpointRow, NewDelivery};
use crate::db::{now_utc, write_tx, DbConn, Pool};
use crate::services::notifications;

/// How many rows a worker claims at once.
const BATCH: i64 = 32;
/// Messages a worker sends at the same time (SMTP connections come from lettre's pool).
const LANES: usize = 8;

/// What a worker needs: the transports, built once per process.
pub struct Deliverer {
    app: crate::config::Config,
    mailer: Mailer,
    /// Built on first use, in a worker thread: reqwest's blocking client owns a runtime, which
    /// must not be created or dropped inside an async context (the HTTP server's).
    http: std::sync::OnceLock<reqwest::blocking::Client>,
    /// Webhooks' client (no redirects, 10 s), built on first use for the same reason.
    hooks: std::sync::OnceLock<reqwest::blocking::Client>,
    config: Delivery,
}

/// What one attempt leaves: its receipt, and for a webhook its line in the delivery log.
type Attempt = (Result<(), SendError>, NewReceipt, Option<NewDelivery>);

impl Deliverer {
    pub fn new(config: &crate::config::Config) -> anyhow::Result<Deliverer> {
        Ok(Deliverer {
            app: config.clone(),
            mailer: Mailer::new(config.delivery.smtp_url.as_deref(), config.dev_mailbox_dir.clone())?,
            http: std::sync::OnceLock::new(),
            hooks: std::sync::OnceLock::new(),
            config: config.delivery.clone(),
        })
    }

    /// Claims one batch and processes it; returns how many rows it handled.
    pub fn run_once(&self, conn: &mut DbConn) -> anyhow::Result<usize> {
        self.run_once_at(conn, now_utc())
    }

    /// [`Self::run_once`] as if it were `now` (tests of scheduled jobs).
    pub fn run_once_at(&self, conn: &mut DbConn, now: chrono::NaiveDateTime) -> anyhow::Result<usize> {
        let lease_until = now + self.config.lease;
        let claimed = write_tx(conn, |c| rows::claim(c, now, lease_until, BATCH))?;
        let n = claimed.len();
        let (jobs, messages): (Vec<OutboxRow>, Vec<OutboxRow>) = claimed.into_iter().partition(|r| r.channel == JOB);
        for row in &jobs {
            // The job runs in the span and with the request id of the request that planned it;
            // the messages it queues inherit that id.
            let span = tracing::info_span!("job", outbox_id = row.id, event = %row.event, request_id = row.request_id.as_deref().unwrap_or(""));
            let _entered = span.enter();
            crate::request_context::on_thread(row.request_id.clone(), || self.run_job(conn, row, now))?;
        }
        if messages.is_empty() {
            return Ok(n);
        }
        // SMS providers are read once per batch, before sending (senders do not touch the database).
        let mut providers: HashMap<Option<i32>, Provider> = HashMap::new();
        for row in messages.iter().filter(|r| r.channel == "sms") {
            let territory = serde_json::from_str::<SmsPayload>(&row.payload).ok().and_then(|p| p.territory_id);
            providers.entry(territory).or_insert_with(|| self.provider(conn, territory));
        }
        let hook_ids: Vec<i32> = messages
            .iter()
            .filter(|r| r.channel == "webhook")
            .filter_map(|r| serde_json::from_str::<WebhookPayload>(&r.payload).ok().map(|p| p.endpoint_id))
            .collect();
        let endpoints: HashMap<i32, EndpointRow> = if hook_ids.is_empty() {
            HashMap::new()
        } else {
            webhook::find_many(conn, &hook_ids)?.into_iter().map(|e| (e.id, e)).collect()
        };
        let targets = Targets { providers: &providers, endpoints: &endpoints };
        // Messages go out in parallel lanes (a receiver answers each one after a network round
        // trip or two); each outcome is recorded as soon as it is known, so a crash re-sends at
        // most the messages in flight, one per lane.
        let lanes = LANES.min(messages.len());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            for lane in 0..lanes {
                let tx = tx.clone();
                let (rows_of_lane, targets) = (messages.iter().skip(lane).step_by(lanes), &targets);
                scope.spawn(move || {
                    for row in rows_of_lane {
                        // Past the lease, another worker may have taken the rest: leave it.
                        if now_utc() >= lease_until && now_utc() > now {
                            break;
                        }
                        if tx.send((row, self.deliver(row, targets))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            for (row, (result, receipt, delivery)) in rx {
                let outcome = self.outcome(row, result);
                write_tx(conn, |c| {
                    rows::finish(c, row.id, &outcome, now_utc())?;
                    if let Some(d) = &delivery {
                        webhook::insert_delivery(c, d)?;
                        // Given up: the endpoint is flagged; a later success clears the flag.
                        match &outcome {
                            Outcome::Failed(_) => webhook::set_flag(c, d.endpoint_id, Some(now_utc()))?,
                            Outcome::Sent => webhook::set_flag(c, d.endpoint_id, None)?,
                            _ => 0,
                        };
                    }
                    rows::insert_receipts(c, std::slice::from_ref(&receipt))
                })?;
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(n)
    }

    /// One claimed job: the retention purge and exports write in transactions of their own; any
    /// other job becomes its messages in one transaction with being marked done.
    fn run_job(&self, conn: &mut DbConn, row: &OutboxRow, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
        let own_transactions = if row.event == crate::services::retention::RUN {
            Some(crate::services::retention::run_job(conn, row, self.config.lease))
        } else if row.event == crate::services::export_job::RUN {
            Some(crate::services::export_job::run(conn, row, self.config.lease))
        } else {
            None
        };
        if let Some(result) = own_transactions {
            let outcome = result.unwrap_or_else(|e| Outcome::Failed(format!("{e:#}")));
            tracing::info!(outcome = ?outcome, "job done");
            write_tx(conn, |c| rows::finish(c, row.id, &outcome, now_utc()))?;
            return Ok(());
        }
        let done = write_tx(conn, |c| {
            let outcome = notifications::run_job(c, &self.app, row, now)?;
            Ok::<_, crate::error::ApiError>(rows::finish(c, row.id, &outcome, now_utc())?)
        });
        if let Err(e) = done {
            // Rolled back: the job is tried again later rather than left to its lease.
            tracing::warn!(error = %e, "job failed");
            let again = Outcome::Retry(now_utc() + backoff(self.config.retry_base, row.attempts), e.to_string());
            write_tx(conn, |c| rows::finish(c, row.id, &again, now_utc()))?;
        }
        Ok(())
    }

    fn outcome(&self, row: &OutboxRow, result: Result<(), SendError>) -> Outcome {
        match result {
            Ok(()) => Outcome::Sent,
            Err(SendError::Gone) => Outcome::Obsolete,
            Err(SendError::Permanent(e)) => Outcome::Failed(e),
            Err(SendError::Temporary(e)) if row.attempts >= self.max_attempts(row) => Outcome::Failed(e),
            Err(SendError::Temporary(e)) => {
                Outcome::Retry(now_utc() + backoff(self.config.retry_base, row.attempts), e)
            }
        }
    }

    /// Webhooks are retried for about three days; messages `RDV_OUTBOX_MAX_ATTEMPTS` times.
    fn max_attempts(&self, row: &OutboxRow) -> i32 {
        if row.channel == "webhook" {
            super::webhook::MAX_ATTEMPTS
        } else {
            self.config.max_attempts
        }
    }

    /// One delivery attempt and its receipt.
    fn deliver(&self, row: &OutboxRow, targets: &Targets<'_>) -> Attempt {
        let mut receipt = NewReceipt {
            outbox_id: row.id,
            organisation_id: row.organisation_id,
            rdv_id: row.rdv_id,
            user_id: row.user_id,
            agent_id: row.agent_id,
            channel: row.channel.clone(),
            event: row.event.clone(),
            recipient: row.recipient.clone(),
            result: "sent",
            error_message: None,
            content: String::new(),
            sms_count: None,
            attempt: row.attempts,
            created_at: now_utc(),
        };
        let mut delivery = None;
        let result = match row.channel.as_str() {
            "mail" => match serde_json::from_str::<MailPayload>(&row.payload) {
                Ok(mail) => {
                    receipt.content = mail.subject.clone();
                    self.mailer.send(row.id, &row.event, &row.idempotency_key, &row.recipient, &mail)
                }
                Err(e) => Err(SendError::Permanent(format!("unreadable payload: {e}"))),
            },
            "sms" => match serde_json::from_str::<SmsPayload>(&row.payload) {
                Ok(payload) => {
                    receipt.content = payload.content.clone();
                    let Some(provider) = targets.providers.get(&payload.territory_id) else {
                        return (Err(SendError::Temporary("no SMS provider resolved".into())), receipt, None);
                    };
                    receipt.sms_count = i32::try_from(gsm::segments(&payload.content)).ok();
                    sms::send(&self.http, provider, row.id, &row.recipient, &payload.content, &row.idempotency_key).map(
                        |sent| {
                            if sent.sms_count.is_some() {
                                receipt.sms_count = sent.sms_count;
                            }
                        },
                    )
                }
                Err(e) => Err(SendError::Permanent(format!("unreadable payload: {e}"))),
            },
            "webhook" => match serde_json::from_str::<WebhookPayload>(&row.payload) {
                Ok(payload) => {
                    receipt.content = format!("{} {}", payload.model, payload.event);
                    // A deleted endpoint gets nothing more.
                    let Some(endpoint) = targets.endpoints.get(&payload.endpoint_id) else {
                        return (Err(SendError::Gone), receipt, None);
                    };
                    let http = self.hooks.get_or_init(super::webhook::client);
                    let allowed = &self.config.webhook_allowed_hosts;
                    let (result, log) =
                        super::webhook::send(http, endpoint, &payload, &row.idempotency_key, row.id, allowed);
                    delivery = Some(log);
                    result
                }
                Err(e) => Err(SendError::Permanent(format!("unreadable payload: {e}"))),
            },
            other => Err(SendError::Permanent(format!("unknown channel {other}"))),
        };
        if let Err(SendError::Gone) = &result {
            receipt.result = "cancelled";
        }
        if result.is_ok() {
            tracing::debug!(outbox_id = row.id, channel = %row.channel, event = %row.event,
                request_id = row.request_id.as_deref().unwrap_or(""), "delivered");
        }
        if let Err(SendError::Permanent(e) | SendError::Temporary(e)) = &result {
            tracing::warn!(outbox_id = row.id, channel = %row.channel, attempt = row.attempts,
                request_id = row.request_id.as_deref().unwrap_or(""), error = %e, "delivery failed");
            receipt.result = "failed";
            receipt.error_message = Some(e.clone());
        }
        (result, receipt, delivery)
    }

    /// The territory's SMS provider, else the environment's, else the file sink.
    fn provider(&self, conn: &mut DbConn, territory_id: Option<i32>) -> Provider {
        let own = territory_id.and_then(|t| territory::sms_settings(conn, t).ok().flatten());
        let (url, key, sender) = match own {
            Some((url, key, sender)) => {
                (url.or(self.config.sms_url.clone()), key.or(self.config.sms_api_key.clone()), sender)
            }
            None => (self.config.sms_url.clone(), self.config.sms_api_key.clone(), None),
        };
        let sender = sender.unwrap_or_else(|| self.config.sms_sender.clone());
        match url {
            Some(url) => Provider::Http { url, api_key: key.unwrap_or_default(), sender },
            None => Provider::Files { dir: self.config.sms_sink_dir.clone(), sender },
        }
    }
}

/// Where a batch's messages go: SMS providers by territory, webhook endpoints by id (read
/// before sending: senders do not touch the database).
struct Targets<'a> {
    providers: &'a HashMap<Option<i32>, Provider>,
    endpoints: &'a HashMap<i32, EndpointRow>,
}

/// base × 2^(attempt − 1), at most six hours.
fn backoff(base: chrono::Duration, attempt: i32) -> chrono::Duration {
    let factor = 1i64 << attempt.clamp(1, 16).saturating_sub(1);
    (base * i32::try_from(factor).unwrap_or(i32::MAX)).min(chrono::Duration::hours(6))
}

/// Running workers; dropping this stops them after their current batch.
pub struct Workers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Waits for the threads (they run until the process ends).
    pub fn join(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// How often the first worker plans the reminders nobody planned (RDVs imported in bulk or
/// written before notifications existed); every server does it, the keys make it idempotent.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Starts `count` worker threads on the pool.
pub fn spawn(pool: Pool, config: &crate::config::Config, count: usize) -> anyhow::Result<Workers> {
    let deliverer = Arc::new(Deliverer::new(config)?);
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for i in 0..count {
        let (pool, deliverer, stop) = (pool.clone(), deliverer.clone(), stop.clone());
        let idle = deliverer.config.poll;
        threads.push(std::thread::Builder::new().name(format!("outbox-{i}")).spawn(move || {
            let mut last_sweep: Option<std::time::Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                if i == 0 && last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                    last_sweep = Some(std::time::Instant::now());
                    if let Ok(mut conn) = pool.get() {
                        match notifications::plan_missing_reminders(&mut conn, chrono::Utc::now()) {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(planned = n, "reminders planned by the sweep"),
                            Err(e) => tracing::error!(error = %e, "reminder sweep"),
                        }
                        if deliverer.config.daily_jobs {
                            if let Err(e) = crate::services::retention::plan_daily(&mut conn, chrono::Utc::now()) {
                                tracing::error!(error = %e, "retention planning");
                            }
                        }
                        match crate::services::exports::purge_expired(&mut conn, chrono::Utc::now()) {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(deleted = n, "expired exports deleted"),
                            Err(e) => tracing::error!(error = %e, "export expiry"),
                        }
                    }
                }
                let handled = match pool.get() {
                    Ok(mut conn) => deliverer.run_once(&mut conn).unwrap_or_else(|e| {
                        tracing::error!(error = %e, "outbox worker");
                        0
                    }),
                    Err(e) => {
                        tracing::error!(error = %e, "outbox worker: no database connection");
                        0
                    }
                };
                if handled == 0 {
                    std::thread::sleep(idle);
                }
            }
        })?);
    }
    Ok(Workers { stop, threads })
}
