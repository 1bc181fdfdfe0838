//! The `outbox` and `receipts` tables (see `crate::outbox` for the pipeline). Rows are inserted
//! inside the write transaction of the change that causes them; workers claim due rows, and
//! record each attempt as a receipt. Claiming is the one place where the backends differ:
//! PostgreSQL locks the rows it picks with `FOR UPDATE SKIP LOCKED` so that several servers
//! never pick the same one; SQLite has a single writer, which serialises claims by itself.

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{outbox, receipts};
use crate::db::DbConn;

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
/// A scheduled job that no longer applies (a reminder of an RDV that moved or was cancelled).
pub const CANCELLED: &str = "cancelled";

/// The `job` channel: rows that are not messages but work to do at `run_at` (reminders).
pub const JOB: &str = "job";

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewOutboxRow {
    pub channel: String,
    pub event: String,
    pub idempotency_key: String,
    pub organisation_id: Option<i32>,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
    pub recipient: String,
    pub payload: String,
    pub status: &'static str,
    pub run_at: NaiveDateTime,
    pub due_for: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Webhooks: rows with the same key go out in id order (one record's events per endpoint).
    pub sequence_key: Option<String>,
    /// The request that caused it (`x-request-id`), for the worker's logs.
    pub request_id: Option<String>,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i32,
    pub channel: String,
    pub event: String,
    pub idempotency_key: String,
    pub organisation_id: Option<i32>,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
    pub recipient: String,
    pub payload: String,
    pub status: String,
    pub run_at: NaiveDateTime,
    pub due_for: Option<NaiveDateTime>,
    pub attempts: i32,
    pub request_id: Option<String>,
}

/// Inserts rows; a row whose idempotency key exists already is skipped (the same message
/// enqueued twice, or two servers planning the same reminder). Returns how many were new.
pub fn insert(conn: &mut DbConn, rows: &[NewOutboxRow]) -> QueryResult<usize> {
    let mut n = 0;
    // SQLite caps bound parameters per statement; 13 columns × 500 rows stays under it.
    for chunk in rows.chunks(500) {
        let query = diesel::insert_into(outbox::table).values(chunk).on_conflict(outbox::idempotency_key).do_nothing();
        n += crate::on_backend!(conn, |c| query.execute(c))?;
    }
    Ok(n)
}

/// Claims up to `limit` due rows for this worker until `lease_until`: pending rows whose
/// `run_at` has passed, and rows a crashed worker left `sending` past their lease. Call inside
/// a write transaction; the rows come back with their attempt counted.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let due = outbox::status
        .eq(PENDING)
        .and(outbox::run_at.le(now))
        .or(outbox::status.eq(SENDING).and(outbox::locked_until.lt(now)));
    let ids: Vec<i32> = match conn {
        DbConn::Postgres(pg) => outbox::table
            .filter(due)
            .order((outbox::run_at, outbox::id))
            .limit(limit)
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .load(pg)?,
        DbConn::Sqlite(lite) => {
            outbox::table.filter(due).order((outbox::run_at, outbox::id)).limit(limit).select(outbox::id).load(lite)?
        }
    };
    let ids = in_sequence(conn, ids, now)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.in_ids(&ids)))
        .set((
            outbox::status.eq(SENDING),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::locked_until.eq(Some(lease_until)),
        ))
        .execute(conn)?;
    outbox::table
        .filter(outbox::id.in_ids(&ids))
        .order((outbox::run_at, outbox::id))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Keeps the rows that are first of their sequence (no earlier row with the same key still
/// pending or sending); the others wait a few seconds before being considered again, so that
/// they do not fill every batch while their predecessor is retried.
fn in_sequence(conn: &mut DbConn, ids: Vec<i32>, now: NaiveDateTime) -> QueryResult<Vec<i32>> {
    if ids.is_empty() {
        return Ok(ids);
    }
    let keyed: Vec<(i32, Option<String>)> = outbox::table
        .filter(outbox::id.in_ids(&ids))
        .filter(outbox::sequence_key.is_not_null())
        .select((outbox::id, outbox::sequence_key))
        .load(conn)?;
    if keyed.is_empty() {
        return Ok(ids);
    }
    let keys: Vec<String> = keyed.iter().filter_map(|(_, k)| k.clone()).collect();
    let firsts: Vec<(Option<String>, Option<i32>)> = outbox::table
        .filter(outbox::sequence_key.eq_any(&keys))
        .filter(outbox::status.eq_any([PENDING, SENDING]))
        .group_by(outbox::sequence_key)
        .select((outbox::sequence_key, diesel::dsl::min(outbox::id)))
        .load(conn)?;
    let first_of = |key: &Option<String>| firsts.iter().find(|(k, _)| k == key).and_then(|(_, id)| *id);
    let waiting: Vec<i32> =
        keyed.iter().filter(|(id, key)| first_of(key).is_some_and(|f| f < *id)).map(|(id, _)| *id).collect();
    if !waiting.is_empty() {
        diesel::update(outbox::table.filter(outbox::id.in_ids(&waiting)))
            .set(outbox::run_at.eq(now + chrono::Duration::seconds(5)))
            .execute(conn)?;
    }
    Ok(ids.into_iter().filter(|id| !waiting.contains(id)).collect())
}

/// Where a claimed row goes after an attempt.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Try again at that time.
    Retry(NaiveDateTime, String),
    Failed(String),
    /// A job that no longer applies.
    Obsolete,
    /// A recurring job done for now: run it again at that time (waiting-list checks).
    Again(NaiveDateTime),
}

/// Records an attempt's outcome on its row (only while this worker still holds it).
pub fn finish(conn: &mut DbConn, id: i32, outcome: &Outcome, now: NaiveDateTime) -> QueryResult<usize> {
    let target = outbox::table.filter(outbox::id.eq(id)).filter(outbox::status.eq(SENDING));
    match outcome {
        Outcome::Sent => diesel::update(target)
            .set((
                outbox::status.eq(SENT),
                outbox::done_at.eq(Some(now)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
        Outcome::Obsolete => diesel::update(target)
            .set((
                outbox::status.eq(CANCELLED),
                outbox::done_at.eq(Some(now)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
        Outcome::Retry(at, error) => diesel::update(target)
            .set((
                outbox::status.eq(PENDING),
                outbox::run_at.eq(*at),
                outbox::last_error.eq(Some(error)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
        Outcome::Again(at) => diesel::update(target)
            .set((
                outbox::status.eq(PENDING),
                outbox::run_at.eq(*at),
                outbox::attempts.eq(0),
                outbox::last_error.eq(None::<String>),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
        Outcome::Failed(error) => diesel::update(target)
            .set((
                outbox::status.eq(FAILED),
                outbox::done_at.eq(Some(now)),
                outbox::last_error.eq(Some(error)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
    }
}

/// Cancels the pending jobs of `event` for these RDVs (a reminder of an RDV that moved or was
/// cancelled); `keep_due_for`: the job for that start time stays.
pub fn cancel_jobs(
    conn: &mut DbConn,
    event: &str,
    rdv_id: i32,
    keep_due_for: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let pending = outbox::table
        .filter(outbox::channel.eq(JOB))
        .filter(outbox::event.eq(event))
        .filter(outbox::rdv_id.eq(rdv_id))
        .filter(outbox::status.eq(PENDING));
    let set = (outbox::status.eq(CANCELLED), outbox::done_at.eq(Some(now)));
    match keep_due_for {
        Some(t) => {
            diesel::update(pending.filter(outbox::due_for.ne(t).or(outbox::due_for.is_null()))).set(set).execute(conn)
        }
        None => diesel::update(pending).set(set).execute(conn),
    }
}

/// Makes cancelled jobs with these keys pending again (their `run_at` is unchanged: it derives
/// from the key's start time).
pub fn revive(conn: &mut DbConn, keys: &[&str]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in keys.chunks(500) {
        n += diesel::update(
            outbox::table.filter(outbox::idempotency_key.eq_any(chunk)).filter(outbox::status.eq(CANCELLED)),
        )
        .set((outbox::status.eq(PENDING), outbox::done_at.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    }
    Ok(n)
}

/// The live (not cancelled) `event` jobs of these RDVs: `(rdv_id, due_for)`. Two plain
/// index lookups rather than an anti-join, which PostgreSQL misplans on fresh statistics.
pub fn live_jobs_of(conn: &mut DbConn, event: &str, rdv_ids: &[i32]) -> QueryResult<Vec<(i32, NaiveDateTime)>> {
    let rows: Vec<(Option<i32>, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::channel.eq(JOB))
        .filter(outbox::rdv_id.in_ids(rdv_ids))
        .filter(outbox::event.eq(event))
        .filter(outbox::status.ne(CANCELLED))
        .select((outbox::rdv_id, outbox::due_for))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(r, d)| Some((r?, d?))).collect())
}

/// The queue's health: rows due at `now` and not delivered, the oldest one's `run_at`, and rows
/// that failed for good. Served by the `(status, run_at)` index.
pub fn queue_health(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<(i64, Option<NaiveDateTime>, i64)> {
    let due = outbox::table.filter(outbox::status.eq_any([PENDING, SENDING])).filter(outbox::run_at.le(now));
    let (count, oldest) = due
        .select((diesel::dsl::count_star(), diesel::dsl::min(outbox::run_at)))
        .get_result::<(i64, Option<NaiveDateTime>)>(conn)?;
    let failed = outbox::table.filter(outbox::status.eq(FAILED)).count().get_result(conn)?;
    Ok((count, oldest, failed))
}

/// Counts rows by status, for one channel or all (operators' `rdv outbox status`, tests).
pub fn count_by_status(conn: &mut DbConn) -> QueryResult<Vec<(String, String, i64)>> {
    outbox::table
        .group_by((outbox::channel, outbox::status))
        .select((outbox::channel, outbox::status, diesel::dsl::count_star()))
        .order((outbox::channel, outbox::status))
        .load(conn)
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = receipts, treat_none_as_default_value = false)]
pub struct NewReceipt {
    pub outbox_id: i32,
    pub organisation_id: Option<i32>,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
    pub channel: String,
    pub event: String,
    pub recipient: String,
    pub result: &'static str,
    pub error_message: Option<String>,
    pub content: String,
    pub sms_count: Option<i32>,
    pub attempt: i32,
    pub created_at: NaiveDateTime,
}

pub fn insert_receipts(conn: &mut DbConn, rows: &[NewReceipt]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in rows.chunks(500) {
        let query = diesel::insert_into(receipts::table).values(chunk);
        n += crate::on_backend!(conn, |c| query.execute(c))?;
    }
    Ok(n)
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = receipts)]
pub struct ReceiptRow {
    pub id: i32,
    pub outbox_id: i32,
    pub rdv_id: Option<i32>,
    pub user_id: Option<i32>,
    pub agent_id: Option<i32>,
    pub channel: String,
    pub event: String,
    pub recipient: String,
    pub result: String,
    pub error_message: Option<String>,
    pub content: String,
    pub sms_count: Option<i32>,
    pub attempt: i32,
    pub created_at: NaiveDateTime,
}

/// Receipts of one RDV, or of one usager, newest first.
pub fn receipts_of(
    conn: &mut DbConn,
    rdv_id: Option<i32>,
    user_id: Option<i32>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<ReceiptRow>, i64)> {
    let filtered = || {
        let mut q = receipts::table.into_boxed();
        if let Some(r) = rdv_id {
            q = q.filter(receipts::rdv_id.eq(r));
        }
        if let Some(u) = user_id {
            q = q.filter(receipts::user_id.eq(u));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((receipts::created_at.desc(), receipts::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(ReceiptRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// One row by id ("Renvoyer" re-reads a webhook event's body).
pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<OutboxRow>> {
    outbox::table.filter(outbox::id.eq(id)).select(OutboxRow::as_select()).get_result(conn).optional()
}

/// Keeps a long job's claim (another worker would take it once the lease passes). Never
/// shortens it: a worker that claimed "as of" a later instant (a test's clock, a clock ahead)
/// would otherwise hand the job to another worker while it runs.
pub fn extend_lease(conn: &mut DbConn, outbox_id: i32, until: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        outbox::table.find(outbox_id).filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(Some(until)))),
    )
    .set(outbox::locked_until.eq(Some(until)))
    .execute(conn)
}
