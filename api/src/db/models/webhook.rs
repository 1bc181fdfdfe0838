//! `webhook_endpoints` and `webhook_deliveries` (issue 16). Endpoint writes are audited (the
//! secret only as "changed"); deliveries are the log of every attempt, written by the workers.

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{record, Author, Event};
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::{now_utc, DbConn};

const ITEM: &str = "WebhookEndpoint";

#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: i32,
    pub organisation_id: i32,
    pub target_url: String,
    /// Never serialised into the audit trail: only the fact that it changed.
    #[serde(skip)]
    pub secret: String,
    pub subscriptions: String,
    pub flagged_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EndpointRow {
    pub fn subscriptions(&self) -> Vec<String> {
        serde_json::from_str(&self.subscriptions).unwrap_or_default()
    }
}

/// What the audit trail records of an endpoint (the secret as a digest-free marker).
#[derive(Serialize)]
struct Audited<'a> {
    row: &'a EndpointRow,
    secret: &'static str,
}

fn audited(row: &EndpointRow) -> Audited<'_> {
    Audited { row, secret: "[FILTERED]" }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .select(EndpointRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<EndpointRow>> {
    webhook_endpoints::table.filter(webhook_endpoints::id.in_ids(ids)).select(EndpointRow::as_select()).load(conn)
}

/// The endpoints of these organisations (W1, the event routing), `target_url` as an exact filter.
pub fn of_organisations(
    conn: &mut DbConn,
    organisation_ids: &[i32],
    target_url: Option<&str>,
) -> QueryResult<Vec<EndpointRow>> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::organisation_id.in_ids(organisation_ids))
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id)
        .into_boxed();
    if let Some(url) = target_url {
        q = q.filter(webhook_endpoints::target_url.eq(url));
    }
    q.load(conn)
}

pub fn url_taken(conn: &mut DbConn, organisation_id: i32, url: &str, except: Option<i32>) -> QueryResult<bool> {
    let ids: Vec<i32> = webhook_endpoints::table
        .filter(webhook_endpoints::organisation_id.eq(organisation_id))
        .filter(webhook_endpoints::target_url.eq(url))
        .select(webhook_endpoints::id)
        .load(conn)?;
    Ok(ids.into_iter().any(|id| Some(id) != except))
}

/// The values of an endpoint being saved.
pub struct EndpointValues<'a> {
    pub organisation_id: i32,
    pub target_url: &'a str,
    pub secret: &'a str,
    pub subscriptions: &'a [String],
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

pub fn create(conn: &mut DbConn, author: &Author, v: &EndpointValues<'_>) -> QueryResult<EndpointRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::organisation_id.eq(v.organisation_id),
            webhook_endpoints::target_url.eq(v.target_url),
            webhook_endpoints::secret.eq(v.secret),
            webhook_endpoints::subscriptions.eq(json(v.subscriptions)),
            webhook_endpoints::created_at.eq(now),
            webhook_endpoints::updated_at.eq(now),
        ))
        .returning(webhook_endpoints::id)
        .get_result(conn)?;
    let row = find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    record(conn, author, ITEM, id, Event::Create, None, Some(&audited(&row)))?;
    Ok(row)
}

pub fn update(
    conn: &mut DbConn,
    author: &Author,
    before: &EndpointRow,
    v: &EndpointValues<'_>,
) -> QueryResult<EndpointRow> {
    diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(before.id)))
        .set((
            webhook_endpoints::organisation_id.eq(v.organisation_id),
            webhook_endpoints::target_url.eq(v.target_url),
            webhook_endpoints::secret.eq(v.secret),
            webhook_endpoints::subscriptions.eq(json(v.subscriptions)),
            webhook_endpoints::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    let row = find(conn, before.id)?.ok_or(diesel::result::Error::NotFound)?;
    record(conn, author, ITEM, row.id, Event::Update, Some(&audited(before)), Some(&audited(&row)))?;
    Ok(row)
}

pub fn delete(conn: &mut DbConn, author: &Author, row: &EndpointRow) -> QueryResult<usize> {
    let n = diesel::delete(webhook_endpoints::table.filter(webhook_endpoints::id.eq(row.id))).execute(conn)?;
    record(conn, author, ITEM, row.id, Event::Destroy, Some(&audited(row)), None)?;
    Ok(n)
}

/// Flags the endpoint (an event failed for good) or clears the flag (a delivery succeeded).
/// Bookkeeping of the workers, not a change by someone: not audited.
pub fn set_flag(conn: &mut DbConn, id: i32, at: Option<NaiveDateTime>) -> QueryResult<usize> {
    let target = webhook_endpoints::table.filter(webhook_endpoints::id.eq(id));
    match at {
        Some(t) => diesel::update(target.filter(webhook_endpoints::flagged_at.is_null()))
            .set(webhook_endpoints::flagged_at.eq(Some(t)))
            .execute(conn),
        None => diesel::update(target.filter(webhook_endpoints::flagged_at.is_not_null()))
            .set(webhook_endpoints::flagged_at.eq(None::<NaiveDateTime>))
            .execute(conn),
    }
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery {
    pub endpoint_id: i32,
    pub outbox_id: i32,
    pub model: String,
    pub event: String,
    pub record_id: i32,
    pub status_code: Option<i32>,
    pub success: bool,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i32,
    pub endpoint_id: i32,
    pub outbox_id: i32,
    pub model: String,
    pub event: String,
    pub record_id: i32,
    pub status_code: Option<i32>,
    pub success: bool,
    pub latency_ms: i32,
    pub response_excerpt: Option<String>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_delivery(conn: &mut DbConn, d: &NewDelivery) -> QueryResult<usize> {
    diesel::insert_into(webhook_deliveries::table).values(d).execute(conn)
}

/// An endpoint's deliveries, newest first: `(page, total)`.
pub fn deliveries_of(
    conn: &mut DbConn,
    endpoint_id: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let total =
        webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(endpoint_id)).count().get_result(conn)?;
    let rows = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order(webhook_deliveries::id.desc())
        .offset(offset)
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find_delivery(conn: &mut DbConn, id: i32) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .get_result(conn)
        .optional()
}
