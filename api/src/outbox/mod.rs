//! The delivery pipeline for everything that leaves the server (ADR 0008).
//!
//! 1. A service function, inside its write transaction, turns a change into rows of the
//!    `outbox` table ([`enqueue_mail`], [`enqueue_sms`], [`plan_job`]): a rolled-back change
//!    sends nothing, a committed one is never lost.
//! 2. Workers ([`worker`]) run inside `rdv serve` and as `rdv worker`. Each claims due rows
//!    (`db::models::outbox::claim`, safe with several servers), delivers them ([`email`],
//!    [`sms`]) and records the outcome and a receipt. Failures are retried with exponential
//!    back-off, then marked failed. A crash leaves rows `sending` with a lease; when the lease
//!    expires another worker takes them again (at-least-once after a crash, once otherwise; the
//!    idempotency key names the message for the receiver: Message-ID, SMS tag).
//! 3. Jobs (channel `job`) are work planned for later (`run_at`): a J-2 reminder becomes its
//!    messages when it is due, in one transaction with marking it done.

pub mod email;
pub mod ics;
pub mod sms;
pub mod webhook;
pub mod worker;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::db::models::outbox::{self as rows, NewOutboxRow, JOB, PENDING};
use crate::db::{now_utc, DbConn};

/// An email as stored in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MailPayload {
    pub from: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    #[serde(default)]
    pub html: Option<String>,
    #[serde(default)]
    pub ics: Option<IcsPart>,
}

/// A calendar part: `method` is PUBLISH, REQUEST or CANCEL.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IcsPart {
    pub method: String,
    pub content: String,
}

/// An SMS as stored in the outbox. The provider is chosen at delivery time from the territory
/// (its settings may change while a message waits).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SmsPayload {
    pub content: String,
    pub territory_id: Option<i32>,
}

/// Who a message is about and for, for receipts and listings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject {
    pub organisation_id: Option<i32>,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
}

fn row(channel: &str, event: &str, key: String, about: Subject, recipient: &str, payload: String) -> NewOutboxRow {
    let now = now_utc();
    NewOutboxRow {
        channel: channel.to_owned(),
        event: event.to_owned(),
        idempotency_key: key,
        organisation_id: about.organisation_id,
        rdv_id: about.rdv_id,
        user_id: about.user_id,
        agent_id: about.agent_id,
        recipient: recipient.to_owned(),
        payload,
        status: PENDING,
        run_at: now,
        due_for: None,
        created_at: now,
        sequence_key: None,
        request_id: crate::request_context::current(),
    }
}

fn json<T: Serialize>(value: &T) -> diesel::QueryResult<String> {
    serde_json::to_string(value).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// Queues an email; call it inside the write transaction of the change that causes it.
/// `key` must be unique per message (a second enqueue with the same key is a no-op).
pub fn enqueue_mail(
    conn: &mut DbConn,
    event: &str,
    key: String,
    about: Subject,
    to: &str,
    mail: &MailPayload,
) -> diesel::QueryResult<usize> {
    rows::insert(conn, &[row("mail", event, key, about, to, json(mail)?)])
}

/// Queues an SMS to an E.164 number; same contract as [`enqueue_mail`].
pub fn enqueue_sms(
    conn: &mut DbConn,
    event: &str,
    key: String,
    about: Subject,
    to: &str,
    sms: &SmsPayload,
) -> diesel::QueryResult<usize> {
    rows::insert(conn, &[row("sms", event, key, about, to, json(sms)?)])
}

/// Queues a webhook event for its endpoint; `sequence` orders the events of one record per
/// endpoint (`webhook:{endpoint}:{model}:{record}`): one is not delivered before the earlier.
pub fn enqueue_webhook(
    conn: &mut DbConn,
    key: String,
    about: Subject,
    target_url: &str,
    payload: &webhook::WebhookPayload,
) -> diesel::QueryResult<usize> {
    let sequence = format!("webhook:{}:{}:{}", payload.endpoint_id, payload.model, payload.record_id);
    let event = format!("{}_{}", payload.model, payload.event);
    let new =
        NewOutboxRow { sequence_key: Some(sequence), ..row("webhook", &event, key, about, target_url, json(payload)?) };
    rows::insert(conn, &[new])
}

/// A job row for `rdv_id`, due at `run_at`, about the RDV starting at `due_for`.
pub fn job(
    event: &str,
    rdv_id: i32,
    organisation_id: i32,
    due_for: NaiveDateTime,
    run_at: NaiveDateTime,
) -> NewOutboxRow {
    let about = Subject { organisation_id: Some(organisation_id), rdv_id: Some(rdv_id), ..Subject::default() };
    let key = format!("{event}:{rdv_id}:{}", due_for.and_utc().timestamp());
    NewOutboxRow { run_at, due_for: Some(due_for), ..row(JOB, event, key, about, "", "{}".to_owned()) }
}

/// A job about one usager of an RDV under its own `key`, due at `run_at` (waiting-list checks:
/// one row per entry, re-armed after each run).
pub fn user_job(event: &str, key: String, about: Subject, run_at: NaiveDateTime) -> NewOutboxRow {
    NewOutboxRow { run_at, ..row(JOB, event, key, about, "", "{}".to_owned()) }
}

/// Plans jobs: a job already planned for the same RDV and start is kept as is, one cancelled
/// earlier (the RDV moved away and back) is planned again, one already done stays done.
pub fn plan_jobs(conn: &mut DbConn, jobs: &[NewOutboxRow]) -> diesel::QueryResult<usize> {
    let keys: Vec<&str> = jobs.iter().map(|j| j.idempotency_key.as_str()).collect();
    rows::revive(conn, &keys)?;
    rows::insert(conn, jobs)
}
